package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBatchShardsKillAndResume simulates an Indexed Job locally: three
// shard processes over one input at once (one taking its index from
// JOB_COMPLETION_INDEX, as a pod does), two of them killed with SIGKILL
// part-way and run again; then batch verify must find every input
// recorded exactly once, by the shard it belongs to, with its documents.
func TestBatchShardsKillAndResume(t *testing.T) {
	// Each shard writes its results in groups (256 lines or 200 ms), so
	// a shard must take several groups' time for a kill to land
	// part-way: with 90 inputs a shard wrote all 30 in one group.
	const n, m = 600, 3
	in := batchInput(t, n) // n reports, then a broken line and an invalid request
	out := filepath.Join(t.TempDir(), "out")
	args := func(i int) []string {
		a := []string{"batch", "--schemas", schemaDir, "--in", in, "--out", out, "--uid-namespace", "shard-test",
			"--progress", "none", "--workers", "1", "--shard-count", fmt.Sprint(m)}
		if i != 1 {
			a = append(a, "--shard-index", fmt.Sprint(i))
		}
		return a
	}
	start := func(i int) *exec.Cmd {
		if i == 1 {
			return startBatchChildWith(t, args(i), []string{jobIndexEnv + "=1"}) // as a pod gets it
		}
		return startBatchChild(t, args(i))
	}
	results := func(i int) string { return filepath.Join(out, fmt.Sprintf("shard-%d-of-%d", i, m), "results.jsonl") }
	share := func(i int) int { return (n + 2 + m - 1 - i) / m } // the lines of shard i

	var cmds [m]*exec.Cmd
	exited := make([]chan error, m)
	for i := range m {
		cmds[i] = start(i)
		exited[i] = make(chan error, 1)
		go func(c *exec.Cmd, ch chan error) { ch <- c.Wait() }(cmds[i], exited[i])
	}
	killed := map[int]bool{}
	deadline := time.After(120 * time.Second)
	for _, i := range []int{0, 2} {
	wait:
		for {
			select {
			case err := <-exited[i]:
				t.Logf("shard %d finished (%v) before it could be killed", i, err)
				break wait
			case <-deadline:
				t.Fatal("the shards made no progress in 120 s")
			case <-time.After(5 * time.Millisecond):
				if countLines(results(i)) >= 3 {
					cmds[i].Process.Kill() // SIGKILL
					<-exited[i]
					if got := countLines(results(i)); got < share(i) {
						killed[i] = true
						t.Logf("shard %d killed with %d of %d results recorded", i, got, share(i))
					} else {
						// The kill came after its last group: nothing to resume.
						t.Logf("shard %d had recorded all %d results when killed", i, got)
					}
					break wait
				}
			}
		}
	}
	if err := <-exited[1]; err != nil && !strings.Contains(err.Error(), "exit status 1") {
		t.Fatalf("shard 1: %v", err)
	}
	if len(killed) == 0 {
		t.Log("every shard outran its kill; the union is still checked")
	}
	if killed[0] || killed[2] {
		// Before the killed shards resume, verify must see the gap.
		code, stdout, _ := runCmd(t, "batch", "verify", "--in", in, "--out", out)
		if code != exitInvalid || !strings.Contains(stdout, "not recorded by any shard") {
			t.Errorf("verify after the kills: exit %d\n%s", code, stdout)
		}
	}
	for i := range killed {
		code, stdout, stderr := runCmd(t, args(i)...)
		if code != exitOK && code != exitInvalid {
			t.Fatalf("resumed shard %d: exit %d\n%s\n%s", i, code, stdout, stderr)
		}
		if !strings.Contains(stdout, "recorded by earlier runs") {
			t.Errorf("resumed shard %d did not resume:\n%s", i, stdout)
		}
	}

	code, stdout, stderr := runCmd(t, "batch", "verify", "--in", in, "--out", out)
	want := fmt.Sprintf("verify: %d inputs, %d shard(s): %d recorded (%d ok, 2 invalid, 0 failed), %d documents present", n+2, m, n+2, n, 2*n)
	if code != exitOK || !strings.Contains(stdout, want) || !strings.Contains(stdout, "every input is accounted for exactly once") {
		t.Fatalf("verify: exit %d, want a line %q\n%s%s", code, want, stdout, stderr)
	}
	// Independently of verify: each shard holds exactly its own lines.
	for i := range m {
		seen := map[int]bool{}
		for _, r := range readBatchResults(t, results(i)) {
			if seen[r.Line] || (r.Line-1)%m != i {
				t.Errorf("shard %d: line %d recorded twice or in the wrong shard", i, r.Line)
			}
			seen[r.Line] = true
		}
		if want := share(i); len(seen) != want {
			t.Errorf("shard %d recorded %d inputs, want %d", i, len(seen), want)
		}
	}
}

func TestBatchShardFlags(t *testing.T) {
	in := batchInput(t, 1)
	for _, tt := range []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"count without index", []string{"--shard-count", "3"}, "", "--shard-count 3 needs --shard-index (or $JOB_COMPLETION_INDEX)"},
		{"index too large", []string{"--shard-count", "3", "--shard-index", "3"}, "", "shard index 3 is not below --shard-count 3"},
		{"bad env", []string{"--shard-count", "3"}, "x", `$JOB_COMPLETION_INDEX is "x"`},
		{"results with shards", []string{"--shard-count", "2", "--shard-index", "0", "--results", "r.jsonl"}, "", "--results cannot be used with --shard-count"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv(jobIndexEnv, tt.env)
			}
			code, _, stderr := runCmd(t, append([]string{"batch", "--in", in, "--out", t.TempDir()}, tt.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q, want %q", code, stderr, tt.want)
			}
		})
	}
	code, stdout, _ := runCmd(t, "batch", "verify", "--in", in, "--out", t.TempDir())
	if code != exitInvalid || !strings.Contains(stdout, "not recorded by any shard") {
		t.Errorf("verify of an empty folder: exit %d\n%s", code, stdout)
	}
	// A shard that recorded every input, some invalid, is done: a Job
	// asks for exit 0 then.
	code, _, stderr := runCmd(t, "batch", "--schemas", schemaDir, "--in", in, "--out", t.TempDir(), "--progress", "none", "--invalid-exit-code", "0")
	if code != exitOK {
		t.Errorf("--invalid-exit-code 0 with invalid inputs: exit %d\n%s", code, stderr)
	}
}
