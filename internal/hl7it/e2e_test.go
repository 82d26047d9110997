package hl7it

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reportgen/reportgen/internal/extval"
	"github.com/reportgen/reportgen/mllp"
)

// Mapping facts the test messages need: the v2.3 message names its
// authorities by namespace only.
var authorities = []string{
	"--hl7-authority", "GHH=2.16.840.1.113883.19.5",
	"--hl7-authority", "RIS=2.16.840.1.113883.19.5.99.1",
}

// TestMLLPEndToEnd: python-hl7 sends good and bad messages on one
// connection; every answer is an ACK python-hl7 parses, bad input gets
// AE/AR naming the HL7 location and rule, the next message still works;
// the accepted reports reach a folder, Orthanc (STOW-RS, read back with
// WADO-RS byte for byte) and a python-hl7 receiver (the outbound ORU with
// the CDA); the documents pass the independent validators; logs and
// metrics hold no patient data.
func TestMLLPEndToEnd(t *testing.T) {
	tmp := t.TempDir()
	pacs := startOrthanc(t, freePort(t), filepath.Join(tmp, "orthanc"))
	recvDir := filepath.Join(tmp, "received")
	os.Mkdir(recvDir, 0o755)
	peer := receiver(t, recvDir, 1) // the first outbound message gets AE, then AA: a retry
	outDir := filepath.Join(tmp, "out")
	srv := serve(t, filepath.Join(tmp, "state"), append(authorities,
		"--deliver-dir", outDir, "--deliver-stow", pacs.url+"/dicom-web", "--deliver-mllp", peer,
		"--deliver-mllp-application", "EHR", "--deliver-retry-min", "100ms", "--deliver-retry-max", "500ms")...)

	good := messages(t, tmp, "E2E-1", "E2E-3", "E2E-4")
	v23 := "../../hl7v2/testdata/oru-sections-v23.hl7"
	src, _ := os.ReadFile(good[0])
	bad := func(name, old, repl string) string {
		if !bytes.Contains(src, []byte(old)) {
			t.Fatalf("%s: %q not in the message", name, old)
		}
		m := bytes.Replace(src, []byte(old), []byte(repl), 1)
		m = bytes.Replace(m, []byte("|E2E-1|"), []byte("|BAD-"+name+"|"), 1)
		return write(t, tmp, name+".hl7", m)
	}
	huge := bytes.Replace(src, []byte("No pleural effusion."), bytes.Repeat([]byte("x"), 3<<20), 1)
	files := []string{
		good[0], good[0], // a resend gets the same ACK
		write(t, tmp, "no-msh.hl7", []byte("PID|1||MRN-902211\rOBR|1\r")),
		bad("type", "ORU^R01^ORU_R01", "ADT^A01^ADT_A01"),
		bad("version", "|P|2.5.1|", "|P|2.8|"),
		bad("segment", "\rPV1|", "\rP-1|"),
		bad("escape", "Jones^Isabella", `Jo\Qnes^Isabella`),
		bad("utf8", "Jones^Isabella", "Jon\xe9s^Isabella"),
		write(t, tmp, "huge.hl7", huge),
		v23,
		good[1],
	}
	type want struct{ code, erl, rule string }
	wants := []want{
		{"AA", "", ""}, {"AA", "", ""},
		{"AR", "MSH^1", "msh"},
		{"AR", "MSH^1^9^1^1", "message-type"},
		{"AR", "MSH^1^12^1^1", "version"},
		{"AE", "", "segment"},
		{"AE", "PID^1^5", "escape"},
		{"AE", "PID^1^5", "charset"},
		{"AR", "MSH^1", "message-size"},
		{"AA", "", ""},
		{"AA", "", ""},
	}
	// A connection dropped inside a frame costs that frame only.
	nc, err := net.Dial("tcp", srv.mllp)
	if err != nil {
		t.Fatal(err)
	}
	nc.Write(append([]byte{mllp.StartBlock}, src[:200]...))
	nc.Close()

	acks := send(t, srv.mllp, files...)
	for i, a := range acks {
		w := wants[i]
		if a.Code != w.code {
			t.Errorf("%s: %s, want %s (%v)", filepath.Base(a.File), a.Code, w.code, a.Errors)
			continue
		}
		if w.rule == "" {
			continue
		}
		found := false
		for _, e := range a.Errors {
			found = found || e.Rule == w.rule && (w.erl == "" || e.ERL == w.erl)
		}
		if !found {
			t.Errorf("%s: no ERR %s %s in %+v", filepath.Base(a.File), w.erl, w.rule, a.Errors)
		}
	}
	if acks[0].Ack != acks[1].Ack || acks[0].Control != "E2E-1" {
		t.Errorf("the resend got another ACK:\n%q\n%q", acks[0].Ack, acks[1].Ack)
	}
	if acks[9].Version != "2.3" || acks[9].Control != "MSG23-77" {
		t.Errorf("v2.3 message answered as %s for %s", acks[9].Version, acks[9].Control)
	}
	// After all that, another connection still works.
	if a := send(t, srv.mllp, good[2]); a[0].Code != "AA" {
		t.Fatalf("E2E-4: %s %v", a[0].Code, a[0].Errors)
	}

	const accepted = 4 // E2E-1, MSG23-77, E2E-3, E2E-4
	waitFor(t, "every delivery", 60*time.Second, func() bool {
		return srv.metric(t, "reportgen_outbox_deliveries_total", `result="ok"`) == 3*accepted
	})
	for _, sink := range []string{"dir", "stow", "mllp"} {
		if p := srv.metric(t, "reportgen_outbox_pending", `sink="`+sink+`"`); p != 0 {
			t.Errorf("%s: %v pending", sink, p)
		}
	}
	if r := srv.metric(t, "reportgen_outbox_retries_total", `sink="mllp"`); r < 1 {
		t.Errorf("the receiver's AE was not retried (retries %v)", r)
	}

	// The folder: one CDA and one SR per accepted message, none for the
	// resend or the rejected ones.
	var cdas, srs []string
	entries, _ := os.ReadDir(outDir)
	for _, e := range entries {
		switch {
		case strings.HasSuffix(e.Name(), ".cda.xml"):
			cdas = append(cdas, filepath.Join(outDir, e.Name()))
		case strings.HasSuffix(e.Name(), ".sr.dcm"):
			srs = append(srs, filepath.Join(outDir, e.Name()))
		default:
			t.Errorf("unexpected file %s", e.Name())
		}
	}
	if len(cdas) != accepted || len(srs) != accepted {
		t.Fatalf("delivered %d CDA and %d SR, want %d each", len(cdas), len(srs), accepted)
	}

	// Orthanc: each SR stored, read back byte for byte, and Orthanc's own
	// reading of it names the same instance.
	if n := pacs.instances(t); n != accepted {
		t.Errorf("Orthanc holds %d instances, want %d", n, accepted)
	}
	for _, p := range srs {
		sent, _ := os.ReadFile(p)
		study, series, sop := srUIDs(t, p)
		if back := pacs.wadoInstance(t, study, series, sop); !bytes.Equal(back, sent) {
			t.Errorf("%s: WADO-RS returned %d bytes, not the %d stored", filepath.Base(p), len(back), len(sent))
		}
		tags := pacs.tags(t, sop)
		if tags["SOPInstanceUID"] != sop || tags["Modality"] != "SR" || tags["ContentSequence"] == nil {
			t.Errorf("%s: Orthanc reads SOP %v modality %v content %v", filepath.Base(p), tags["SOPInstanceUID"], tags["Modality"], tags["ContentSequence"] != nil)
		}
	}

	// The python-hl7 receiver parsed each outbound ORU; its ED holds the
	// CDA delivered to the folder.
	var outCDAs [][]byte
	for _, p := range cdas {
		b, _ := os.ReadFile(p)
		outCDAs = append(outCDAs, b)
	}
	got, _ := filepath.Glob(filepath.Join(recvDir, "*.json"))
	if len(got) != accepted {
		t.Fatalf("the receiver accepted %d messages, want %d", len(got), accepted)
	}
	patients := map[string]bool{}
	for _, p := range got {
		var sum struct {
			Type, Charset, Patient, Status, Study string
			Lines                                 []string
		}
		b, _ := os.ReadFile(p)
		json.Unmarshal(b, &sum)
		patients[sum.Patient] = true
		if sum.Type != "ORU^R01^ORU_R01" || sum.Charset != "UNICODE UTF-8" || sum.Status != "F" || sum.Study == "" {
			t.Errorf("%s: %+v", filepath.Base(p), sum)
		}
		text := strings.Join(sum.Lines, "\n")
		if !strings.Contains(text, "FINDINGS:") && !strings.Contains(text, "Lungs are clear.") {
			t.Errorf("%s: report text %q", filepath.Base(p), text)
		}
		cda, _ := os.ReadFile(strings.TrimSuffix(p, ".json") + ".cda.xml")
		if !slices.ContainsFunc(outCDAs, func(c []byte) bool { return bytes.Equal(c, cda) }) {
			t.Errorf("%s: the ED's CDA is not one of the delivered ones", filepath.Base(p))
		}
	}
	if !patients["Müller^Jürgen"] || !patients["Jones^Isabella^M^^^^L"] {
		t.Errorf("patients the receiver read: %v", patients)
	}

	// The independent validators on one document of each text shape.
	checkDocuments(t, tmp, filepath.Join(outDir, "E2E-1"), filepath.Join(outDir, "MSG23-77"))

	// Metrics and logs: counts, never patient data.
	for _, tc := range []struct {
		name  string
		label []string
		want  float64
	}{
		{"reportgen_hl7_messages_total", []string{`ack="AA"`}, 5},
		{"reportgen_hl7_messages_total", []string{`ack="AE"`}, 3},
		{"reportgen_hl7_messages_total", []string{`ack="AR"`}, 4},
		{"reportgen_hl7_duplicates_total", nil, 1},
		{"reportgen_mllp_frames_total", []string{`outcome="incomplete"`}, 1},
		{"reportgen_mllp_frames_total", []string{`outcome="too_large"`}, 1},
	} {
		if got := srv.metric(t, tc.name, tc.label...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.label, got, tc.want)
		}
	}
	resp := srv.log()
	for _, secret := range []string{"Jones", "Isabella", "Müller", "MRN-902211", "MRN-4471", "ACC0000", "nodule", "E2E-1", "MSG23-77"} {
		if strings.Contains(resp, secret) {
			t.Errorf("the server log holds %q", secret)
		}
	}
}

// checkDocuments runs xmllint (CDA R2 schema with SDTC), HL7's C-CDA
// schematron (errors phase), dciodvfy and dcmtk's dsrdump on the CDA and
// SR of each base name.
func checkDocuments(t *testing.T, tmp string, bases ...string) {
	t.Helper()
	xsd := filepath.Join(schemaDir, "cda-sdtc", "infrastructure", "cda", "CDA_SDTC.xsd")
	schDir := filepath.Join(tmp, "schematron")
	os.Mkdir(schDir, 0o755)
	sch, err := extval.CompileSchematron(filepath.Join(schemaDir, "ccda-2.1", "ccda-2.1.sch"), "errors", schDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range bases {
		cda, err := os.ReadFile(base + ".cda.xml")
		if err != nil {
			t.Fatal(err)
		}
		if errs, err := extval.XMLLint(xsd, cda); err != nil || len(errs) > 0 {
			t.Errorf("%s: xmllint: %v %v", filepath.Base(base), err, errs)
		}
		if failed, err := sch.Run(cda); err != nil || len(failed) > 0 {
			t.Errorf("%s: schematron: %v %v", filepath.Base(base), err, failed)
		}
		if errs, _, err := extval.DCIODVfy(base + ".sr.dcm"); err != nil || len(errs) > 0 {
			t.Errorf("%s: dciodvfy: %v %v", filepath.Base(base), err, errs)
		}
		if r, err := extval.DSRDump(base + ".sr.dcm"); err != nil || len(r.Errors) > 0 {
			t.Errorf("%s: dsrdump: %v %v", filepath.Base(base), err, r.Errors)
		}
	}
}

// TestCrashAndPACSOutage: messages accepted while the PACS is down are
// kept; the server is killed with SIGKILL before it could deliver them;
// restarted with the PACS up, it delivers each exactly once, answers a
// resend with the ACK it gave before the crash, and when the PACS stops
// in the middle of the run, keeps the new reports and delivers them when
// it is back.
func TestCrashAndPACSOutage(t *testing.T) {
	tmp := t.TempDir()
	state, outDir := filepath.Join(tmp, "state"), filepath.Join(tmp, "out")
	port := freePort(t)
	pacsURL := "http://127.0.0.1:" + itoa(port) + "/dicom-web"
	flags := append(authorities, "--deliver-dir", outDir, "--deliver-stow", pacsURL, "--deliver-retry-min", "50ms", "--deliver-retry-max", "300ms")

	srv := serve(t, state, flags...)
	first := messages(t, tmp, "K-1", "K-2", "K-3", "K-4", "K-5")
	before := send(t, srv.mllp, first...)
	for _, a := range before {
		if a.Code != "AA" {
			t.Fatalf("%s: %s %v", a.Control, a.Code, a.Errors)
		}
	}
	waitFor(t, "the folder deliveries and failed STOW attempts", 30*time.Second, func() bool {
		return srv.metric(t, "reportgen_outbox_deliveries_total", `sink="dir"`, `result="ok"`) == 5 &&
			srv.metric(t, "reportgen_outbox_deliveries_total", `sink="stow"`, `result="failed"`) >= 5
	})
	if p := srv.metric(t, "reportgen_outbox_pending", `sink="stow"`); p != 5 {
		t.Fatalf("%v STOW deliveries pending, want 5", p)
	}
	srv.kill(t)
	pending, _ := filepath.Glob(filepath.Join(state, "outbox", "*", "*.json"))
	if len(pending) != 5 {
		t.Fatalf("%d records pending on disk after SIGKILL, want 5", len(pending))
	}

	pacs := startOrthanc(t, port, filepath.Join(tmp, "orthanc"))
	srv = serve(t, state, flags...)
	took := waitFor(t, "the deliveries resumed after the restart", 30*time.Second, func() bool { return pacs.instances(t) == 5 })
	t.Logf("restart to 5 SRs in Orthanc: %v", took)
	again := send(t, srv.mllp, first[0])
	if again[0].Ack != before[0].Ack {
		t.Errorf("the resend after the crash got another ACK:\n%q\n%q", again[0].Ack, before[0].Ack)
	}
	waitFor(t, "the tombstones", 10*time.Second, func() bool {
		p, _ := filepath.Glob(filepath.Join(state, "outbox", "*", "*.json"))
		return len(p) == 0
	})

	// The PACS stops in the middle of the run.
	pacs.stop()
	more := messages(t, tmp, "K-6", "K-7", "K-8")
	for _, a := range send(t, srv.mllp, more...) {
		if a.Code != "AA" {
			t.Fatalf("%s while the PACS is down: %s", a.Control, a.Code)
		}
	}
	waitFor(t, "STOW failing while the PACS is down", 30*time.Second, func() bool {
		return srv.metric(t, "reportgen_outbox_pending", `sink="stow"`) == 3 && srv.metric(t, "reportgen_outbox_pending", `sink="dir"`) == 0
	})
	pacs = startOrthanc(t, port, filepath.Join(tmp, "orthanc"))
	took = waitFor(t, "the deliveries after the PACS came back", 30*time.Second, func() bool { return pacs.instances(t) == 8 })
	t.Logf("PACS back to 8 SRs in Orthanc: %v", took)
	waitFor(t, "an empty outbox", 10*time.Second, func() bool { return srv.metric(t, "reportgen_outbox_pending", `sink="stow"`) == 0 })
	srs, _ := filepath.Glob(filepath.Join(outDir, "*.sr.dcm"))
	if len(srs) != 8 {
		t.Errorf("%d SR files in the folder, want 8", len(srs))
	}
	if n := pacs.instances(t); n != 8 {
		t.Errorf("Orthanc holds %d instances, want 8", n)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
