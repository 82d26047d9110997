package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/internal/samples"
)

// TestTransform runs the transform command the way a user does: an SR
// generated from an example becomes a CDA that validate accepts, and the
// exit codes follow main.go for the SR samples that cannot be
// transformed, bad command lines and unreadable files.
func TestTransform(t *testing.T) {
	dir := t.TempDir()
	if code, stdout, stderr := runCmd(t, "generate", "--schemas", schemaDir, "--out", dir, "../../examples/ct-chest-measurements.json"); code != exitOK {
		t.Fatalf("generate exit %d\nstdout:%s\nstderr:%s", code, stdout, stderr)
	}
	srFile := filepath.Join(dir, "ct-chest-measurements.sr.dcm")
	sample := samples.Path(t, "sr/reportsi.dcm")

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // fragments
		stderr []string
		wrote  bool
	}{
		{"our SR", []string{"--custodian-oid", "2.16.840.1.113883.19.5", srFile, "OUT"}, exitOK,
			[]string{"wrote", "info SR-READ-03", "nullFlavor UNK"}, nil, true},
		{"public sample: not TID 2000", []string{sample, "OUT"}, exitInvalid,
			nil, []string{"not a TID 2000 diagnostic imaging report", "error SR-TID-10", "error SR-TID-02", "error SR-CI-08"}, false},
		{"not a DICOM file", []string{"../../examples/mr-brain.json", "OUT"}, exitInvalid,
			nil, []string{"content: is not a DICOM Part 10 file"}, false},
		{"one argument", []string{srFile}, exitUsage, nil, []string{"usage: reportgen transform"}, false},
		{"bad time zone", []string{"--timezone", "+25:00", srFile, "OUT"}, exitUsage, nil, []string{"--timezone"}, false},
		{"missing input", []string{filepath.Join(dir, "none.dcm"), "OUT"}, exitFailure, nil, []string{"none.dcm"}, false},
		{"no schemas", []string{"--schemas", filepath.Join(dir, "none"), srFile, "OUT"}, exitFailure, nil, []string{"reportgen:"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.cda.xml")
			args := []string{"transform"}
			if !contains(tt.args, "--schemas") {
				args = append(args, "--schemas", schemaDir)
			}
			for _, a := range tt.args {
				if a == "OUT" {
					a = out
				}
				args = append(args, a)
			}
			code, stdout, stderr := runCmd(t, args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:%s\nstderr:%s", code, tt.code, stdout, stderr)
			}
			for _, f := range tt.stdout {
				if !strings.Contains(stdout, f) {
					t.Errorf("stdout lacks %q:\n%s", f, stdout)
				}
			}
			for _, f := range tt.stderr {
				if !strings.Contains(stderr, f) {
					t.Errorf("stderr lacks %q:\n%s", f, stderr)
				}
			}
			_, err := os.Stat(out)
			if (err == nil) != tt.wrote {
				t.Errorf("output written: %v, want %v", err == nil, tt.wrote)
			}
			if !tt.wrote {
				return
			}
			if code, stdout, stderr := runCmd(t, "validate", "--schemas", schemaDir, out); code != exitOK || !strings.Contains(stdout, "CDA valid") {
				t.Errorf("validate of the transformed CDA: exit %d\nstdout:%s\nstderr:%s", code, stdout, stderr)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
