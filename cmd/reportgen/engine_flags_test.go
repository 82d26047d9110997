package main

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

// transformDefaultFlags are the flags of Config.TransformDefaults.
var transformDefaultFlags = []string{"issuer-oid", "accession-issuer-oid", "custodian-name", "custodian-oid", "timezone"}

// TestEngineFlagsTransformDefaults: the flags for the header data an SR
// cannot carry fill Config.TransformDefaults, the one place both the
// transform command and serve's TransformDocument read them from, and
// both commands offer them.
func TestEngineFlagsTransformDefaults(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg := engineFlags(fs)
	if cfg.TransformDefaults.Custodian != nil || cfg.TransformDefaults.DefaultTimeZone != nil {
		t.Fatal("without flags the defaults must be empty: nothing is invented")
	}
	err := fs.Parse([]string{"--issuer-oid", "2.16.840.1.113883.19.5.1", "--accession-issuer-oid", "2.16.840.1.113883.19.5.2",
		"--custodian-oid", "2.16.840.1.113883.19.5", "--custodian-name", "Good Health Hospital", "--timezone", "-0500"})
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.TransformDefaults
	if d.DefaultIssuerOID != "2.16.840.1.113883.19.5.1" || d.DefaultAccessionIssuerOID != "2.16.840.1.113883.19.5.2" {
		t.Errorf("issuer OIDs %q, %q", d.DefaultIssuerOID, d.DefaultAccessionIssuerOID)
	}
	if c := d.Custodian; c.GetName() != "Good Health Hospital" || len(c.GetIds()) != 1 || c.GetIds()[0].GetAssigningAuthorityOid() != "2.16.840.1.113883.19.5" {
		t.Errorf("custodian %v", c)
	}
	if d.DefaultTimeZone == nil {
		t.Fatal("no time zone")
	}
	if _, off := time.Date(2026, 1, 1, 0, 0, 0, 0, d.DefaultTimeZone).Zone(); off != -5*3600 {
		t.Errorf("time zone offset %d s, want -5 h", off)
	}

	fs = flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	engineFlags(fs)
	if err := fs.Parse([]string{"--timezone", "Mars/Olympus"}); err == nil || !strings.Contains(err.Error(), "--timezone") {
		t.Errorf("a bad time zone gives %v", err)
	}

	for name, run := range map[string]func(w io.Writer) int{
		"serve":     func(w io.Writer) int { return serve([]string{"-h"}, w) },
		"transform": func(w io.Writer) int { return transform([]string{"-h"}, io.Discard, w) },
	} {
		var usage strings.Builder
		run(&usage)
		for _, f := range transformDefaultFlags {
			if !strings.Contains(usage.String(), "-"+f+" ") {
				t.Errorf("%s does not offer --%s", name, f)
			}
		}
	}
}

// TestParseZone: --timezone takes the offsets the API's own RFC 3339
// times use (-05:00) as well as the compact DICOM form (-0500) and zone
// names.
func TestParseZone(t *testing.T) {
	for _, tt := range []struct {
		in     string
		offset int // seconds east of UTC in January
		ok     bool
	}{
		{"-05:00", -5 * 3600, true},
		{"-0500", -5 * 3600, true},
		{"+05:30", 5*3600 + 30*60, true},
		{"+0000", 0, true},
		{"Europe/Berlin", 3600, true},
		{"UTC", 0, true},
		{"+25:00", 0, false},
		{"-05:60", 0, false},
		{"-5", 0, false},
		{"05:00", 0, false},
		{"-05-00", 0, false},
	} {
		loc, err := parseZone(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parseZone(%q): err = %v, want ok = %v", tt.in, err, tt.ok)
			continue
		}
		if err != nil {
			continue
		}
		if _, off := time.Date(2026, 1, 15, 12, 0, 0, 0, loc).Zone(); off != tt.offset {
			t.Errorf("parseZone(%q): offset %d s, want %d", tt.in, off, tt.offset)
		}
	}
}

// TestTransformFlagsHidden: generate, validate and batch never read an
// SR, so their help leaves the SR→CDA flags out; the flags are still
// accepted, with a warning that they do nothing there.
func TestTransformFlagsHidden(t *testing.T) {
	for _, cmd := range []string{"generate", "validate", "batch"} {
		_, _, stderr := runCmd(t, cmd, "-h")
		if !strings.Contains(stderr, "-schemas") {
			t.Errorf("%s -h lacks the engine flags:\n%s", cmd, stderr)
		}
		for _, f := range transformDefaultFlags {
			if strings.Contains(stderr, "-"+f+" ") {
				t.Errorf("%s -h shows --%s", cmd, f)
			}
		}
	}
	out := t.TempDir()
	code, _, stderr := runCmd(t, "generate", "--schemas", schemaDir, "--issuer-oid", "1.2.3", "--out", out, "../../examples/mr-brain.json")
	if code != exitOK || !strings.Contains(stderr, "--issuer-oid only applies when an SR becomes a CDA") {
		t.Errorf("generate --issuer-oid: exit %d\n%s", code, stderr)
	}
}
