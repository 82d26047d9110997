package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/schemas"
)

func TestVersion(t *testing.T) {
	m, err := schemas.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{"--version", "version"} {
		code, stdout, _ := runCmd(t, arg)
		if code != exitOK {
			t.Fatalf("%s: exit %d", arg, code)
		}
		for _, want := range []string{"reportgen ", "\ncommit ", "\nschema set " + m.Digest() + " ("} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%s: output lacks %q:\n%s", arg, want, stdout)
			}
		}
	}

	// A release build names its version and commit.
	bin := filepath.Join(t.TempDir(), "reportgen")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=v9.8.7 -X main.commit=0123abcd", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^reportgen v9\.8\.7\ncommit 0123abcd\nschema set sha256:[0-9a-f]{64} \(\d+ files`).Match(out) {
		t.Errorf("release build --version:\n%s", out)
	}
}
