package fuzztest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// recorder is a testing.TB that records a failure instead of ending the
// test, so Run's verdicts can be checked.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper()                           {}
func (r *recorder) Fatal(args ...any)                 { r.failed = fmt.Sprint(args...) }
func (r *recorder) Fatalf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }

func TestRun(t *testing.T) {
	t.Setenv(DeadlineEnv, "200ms")
	block := make(chan struct{})
	defer close(block)
	tests := []struct {
		name string
		body func() error
		want string // "" = passes
	}{
		{"passes", func() error { return nil }, ""},
		{"broken invariant", func() error { return errors.New("offsets differ") }, "offsets differ"},
		{"panic", func() error { var s []int; return fmt.Errorf("%d", s[len(s)-1]) }, "panic: runtime error: index out of range"},
		{"hang", func() error { <-block; return nil }, "was not done after 200ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			Run(r, tt.body)
			switch {
			case tt.want == "" && r.failed != "":
				t.Errorf("failed: %s", r.failed)
			case tt.want != "" && !strings.Contains(r.failed, tt.want):
				t.Errorf("failure %q, want it to say %q", r.failed, tt.want)
			}
		})
	}
}

func TestRunHangReportHasStacks(t *testing.T) {
	t.Setenv(DeadlineEnv, "100ms")
	block := make(chan struct{})
	defer close(block)
	r := &recorder{TB: t}
	Run(r, func() error { stuckHere(block); return nil })
	if !strings.Contains(r.failed, "stuckHere") {
		t.Errorf("the hang report does not show where the input is stuck:\n%s", r.failed)
	}
}

func stuckHere(c chan struct{}) { <-c }

func TestDeadline(t *testing.T) {
	for _, tt := range []struct {
		env  string
		want time.Duration
	}{
		{"", DefaultDeadline},
		{"30s", 30 * time.Second},
		{"nonsense", DefaultDeadline},
		{"-1s", DefaultDeadline},
	} {
		t.Setenv(DeadlineEnv, tt.env)
		if got := Deadline(); got != tt.want {
			t.Errorf("%s=%q: Deadline() = %v, want %v", DeadlineEnv, tt.env, got, tt.want)
		}
	}
}

func TestTempDir(t *testing.T) {
	d := TempDir(t)
	if err := os.WriteFile(filepath.Join(d, "x"), []byte("x"), 0o644); err != nil {
		t.Fatalf("the folder is not writable: %v", err)
	}
}
