// Package fuzztest holds what the module's fuzz targets share: running
// one input under a deadline, so that a hang or a super-linear input fails
// the target with the input saved, and a panic anywhere in the code under
// test fails it with its stack.
//
// Go's fuzzing engine has no time limit per input: a worker stuck in a
// loop is simply never heard from again until -fuzztime ends, and the
// input is lost. Every target therefore runs its body through Run.
package fuzztest

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// DefaultDeadline is how long one input may take before the target fails
// it as a hang. Inputs of the targets take microseconds to a few
// milliseconds; the deadline is three orders of magnitude above that so a
// loaded machine never trips it, yet low enough that a short CI run still
// catches an input that loops.
const DefaultDeadline = 10 * time.Second

// DeadlineEnv overrides DefaultDeadline, as a Go duration ("30s").
const DeadlineEnv = "REPORTGEN_FUZZ_DEADLINE"

// Deadline returns the time one input may take: DeadlineEnv when it is a
// positive duration, else DefaultDeadline.
func Deadline() time.Duration {
	if s := os.Getenv(DeadlineEnv); s != "" {
		if d, err := time.ParseDuration(s); err == nil && d > 0 {
			return d
		}
	}
	return DefaultDeadline
}

// maxStacks bounds the goroutine dump of a hang report.
const maxStacks = 64 << 10

// Run runs body, which checks one input, on a goroutine of its own and
// fails t (on t's goroutine, as testing requires) when body returns an
// error (a broken invariant), panics, or has not returned within
// Deadline. A hang report carries every goroutine's stack, so the loop
// can be found from the CI log alone.
func Run(t testing.TB, body func() error) {
	t.Helper()
	d := Deadline()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		done <- body()
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-timer.C:
		buf := make([]byte, maxStacks)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("the input was not done after %v: a hang or super-linear work (%s to change the deadline)\n%s", d, DeadlineEnv, buf)
	}
}

// TempDir returns a folder for a target that writes each input to a file
// (batch inputs, results files, template folders), removed when tb ends.
// It is on a RAM file system when the machine has one (/dev/shm): an
// fsync or a truncation there costs nothing, where on a journaling disk
// file system it costs milliseconds, a hundred times the input's own work.
func TempDir(tb testing.TB) string {
	tb.Helper()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "fuzz-"); err == nil {
			tb.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return tb.TempDir()
}
