package main

import (
	"bytes"
	"os"
	"testing"
)

// TestUpToDate fails when sopclasses.go is not what the committed
// sops.json generates.
func TestUpToDate(t *testing.T) {
	in, err := os.ReadFile("../../sops.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../sopclasses.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("sopclasses.go is stale: run go generate ./dicomdict/")
	}
}
