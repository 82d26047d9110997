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
