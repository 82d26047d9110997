package main

import (
	"bytes"
	"os"
	"testing"
)

// TestUpToDate fails when concepts.go is not what concepts.csv generates:
// the table is the source, the Go file only its image.
func TestUpToDate(t *testing.T) {
	rows, err := read("../../concepts.csv")
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate("concepts.csv", rows)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../concepts.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("concepts.go is stale: run go generate ./dicomdict/")
	}
}

func TestName(t *testing.T) {
	for _, c := range []struct{ scheme, meaning, want string }{
		{"DCM", "Person Observer's Organization Name", "DCMPersonObserversOrganizationName"},
		{"LN", "US Prostate (transrectal) Report", "LNUSProstateTransrectalReport"},
		{"LN", "X-Ray Report", "LNXRayReport"},
	} {
		if got := name(c.scheme, c.meaning); got != c.want {
			t.Errorf("name(%q, %q) = %s, want %s", c.scheme, c.meaning, got, c.want)
		}
	}
}
