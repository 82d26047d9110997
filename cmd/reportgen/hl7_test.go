package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHL7Command(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runCmd(t, "hl7", "--schemas", schemaDir, "--out", out, "../../examples/oru-ct-chest.hl7")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "oru-ct-chest.hl7: AA\nMSH|^~\\&|REPORTGEN|RAD|VOICE|") || !strings.Contains(stdout, "\nMSA|AA|MSG00001\n") {
		t.Errorf("stdout:\n%s", stdout)
	}
	for _, f := range []string{"oru-ct-chest.cda.xml", "oru-ct-chest.sr.dcm"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	code, _, stderr = runCmd(t, "validate", "--schemas", schemaDir, filepath.Join(out, "oru-ct-chest.cda.xml"), filepath.Join(out, "oru-ct-chest.sr.dcm"))
	if code != exitOK {
		t.Errorf("the documents do not validate: %s", stderr)
	}

	// A message with problems: AE, each problem on stderr with its place
	// and rule, exit 1, no documents.
	src, _ := os.ReadFile("../../examples/oru-ct-chest.hl7")
	bad := filepath.Join(t.TempDir(), "bad.hl7")
	os.WriteFile(bad, []byte(strings.Replace(strings.Replace(string(src), "|CT|F|", "|CT||", 1), "19610302", "2999", 1)), 0o644)
	code, stdout, stderr = runCmd(t, "hl7", "--schemas", schemaDir, "--out", out, bad)
	if code != exitInvalid || !strings.Contains(stdout, "bad.hl7: AE") || !strings.Contains(stderr, "bad.hl7: E OBR-25: the result status is required (P, F, C or A) (rule required)") {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "bad.cda.xml")); !os.IsNotExist(err) {
		t.Error("documents written for a rejected message")
	}
	if code, _, _ := runCmd(t, "hl7"); code != exitUsage {
		t.Errorf("no file: exit %d", code)
	}
	if code, _, stderr := runCmd(t, "hl7", "--max-message-bytes", "0", "../../examples/oru-ct-chest.hl7"); code != exitUsage || !strings.Contains(stderr, "--max-message-bytes 0 is out of range") {
		t.Errorf("--max-message-bytes 0: exit %d, stderr %s", code, stderr)
	}
}

func TestServeHL7FlagChecks(t *testing.T) {
	state := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--mllp-listen", "127.0.0.1:0"}, "need --hl7-state"},
		{[]string{"--mllp-listen", "127.0.0.1:0", "--hl7-state", state}, "--mllp-listen needs a delivery"},
		{[]string{"--deliver-dir", t.TempDir()}, "need --hl7-state"},
		{[]string{"--mllp-listen", "0.0.0.0:0", "--hl7-state", state, "--deliver-dir", t.TempDir()}, "--mllp-listen: "},
		{[]string{"--hl7-authority", "GHH=not-an-oid", "--hl7-state", state, "--deliver-dir", t.TempDir()}, "authority GHH"},
		{[]string{"--shutdown-grace", "-1s"}, "--shutdown-grace -1s: it must be 0 or longer"},
		{[]string{"--deliver-stow-workers", "0"}, "--deliver-stow-workers 0 is out of range"},
	} {
		code, _, stderr := runCmd(t, append([]string{"serve", "--schemas", schemaDir, "--listen", "127.0.0.1:0", "--log-format", "text"}, tc.args...)...)
		if code != exitFailure || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %s", tc.args, code, stderr)
		}
	}
	if code, _, _ := runCmd(t, "serve", "--hl7-authority", "no-equals"); code != exitUsage {
		t.Errorf("bad --hl7-authority: exit %d", code)
	}
}
