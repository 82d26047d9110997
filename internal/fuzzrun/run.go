package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// stopGrace is how long a run may take to stop once interrupted (the
// coordinator stops its workers and writes the corpus) before it is taken
// for hung and killed. Each input has its own, shorter deadline inside
// the targets (internal/fuzztest); this catches a coordinator or worker
// that hangs outside them.
const stopGrace = 90 * time.Second

// backstop is how far past its most a run's own -fuzztime lies: the
// runner interrupts it before then.
const backstop = 30 * time.Second

// maxCrasherPrint bounds the failing input printed in the log.
const maxCrasherPrint = 256 << 10

// maxKeptLines bounds the output kept from a run to show when it fails.
const maxKeptLines = 400

// runOne fuzzes one target and adds what it did to res. The run is
// stopped with an interrupt, which Go's fuzzing takes as a normal end
// (it keeps the corpus, prints its counts and passes), once enough says
// so; never while it minimises a failing input.
func (r *runner) runOne(ctx context.Context, res *result, share, most time.Duration) {
	t := res.target
	args := []string{
		"-test.run=^$",
		"-test.fuzz=^" + t.Name + "$",
		"-test.fuzztime=" + (most + backstop).String(),
		"-test.fuzzminimizetime=" + r.o.minimize,
		fmt.Sprintf("-test.parallel=%d", r.o.parallel),
		"-test.fuzzcachedir=" + filepath.Join(r.o.cache, t.ImportPath),
	}
	cmd := exec.Command(res.binary, args...)
	cmd.Dir = t.Dir
	setProcessGroup(cmd)
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		res.failure = err.Error()
		return
	}
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	if err := cmd.Start(); err != nil {
		res.failure = fmt.Sprintf("start: %v", err)
		return
	}

	var mu sync.Mutex
	var p Progress
	var lastLine time.Time
	var rate float64 // execs per second between the last two lines
	var kept []string
	lines := make(chan struct{})
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pipe)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			before, at := p.Execs, lastLine
			p.Line(line)
			if p.Execs != before {
				now := time.Now()
				// The first line's own rate, then the rate measured
				// between lines: with the first alone a target that
				// reaches the goal soon after it ran on to the next
				// line, three seconds later.
				rate = float64(p.Rate)
				if !at.IsZero() {
					rate = float64(p.Execs-before) / now.Sub(at).Seconds()
				}
				lastLine = now
			}
			if len(kept) == maxKeptLines {
				kept = append(kept[:0], kept[maxKeptLines/2:]...)
			}
			kept = append(kept, line)
			mu.Unlock()
			if r.o.verbose {
				r.print(t.ID() + " | " + line)
			}
		}
	}()

	// Watch the run: interrupt it when it has had enough or the whole
	// run is interrupted, kill it when it does not stop.
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var interrupted time.Time
	hung := false
watch:
	for {
		select {
		case <-lines:
			break watch
		case <-tick.C:
		case <-ctx.Done():
		}
		if !interrupted.IsZero() {
			if time.Since(interrupted) > stopGrace {
				hung = true
				killGroup(cmd)
				<-lines
				break watch
			}
			continue
		}
		mu.Lock()
		execs := p.Execs
		if !lastLine.IsZero() {
			execs += int64(rate * time.Since(lastLine).Seconds())
		}
		minimizing := p.Minimizing
		mu.Unlock()
		if ctx.Err() != nil || (!minimizing && enough(time.Since(start), share, most, execs, r.o.goal)) {
			interrupted = time.Now()
			interrupt(cmd)
		}
	}
	err = cmd.Wait()
	wall := time.Since(start)

	mu.Lock()
	defer mu.Unlock()
	res.ran, res.wall = true, wall
	res.execs, res.newInt, res.corpus = p.Execs, p.NewInteresting, p.Corpus
	note := ""
	switch {
	case ctx.Err() != nil:
		res.failure = "interrupted"
	case hung:
		res.failure = fmt.Sprintf("did not stop within %v of being interrupted: a hang outside the per-input deadline; killed", stopGrace)
	case p.ShutdownRace():
		note = " (Go's end-of-fuzztime race go.dev/issue/75804, no input failed)"
	case err != nil || p.Failed:
		res.failure = "failed"
		if err != nil {
			res.failure = fmt.Sprintf("failed (%v)", err)
		}
	}
	var b strings.Builder
	verdict := "ok" + note
	if p.Lines == 0 && res.failure == "" {
		verdict = "ok, but only its corpus ran (baseline coverage): it needs more time"
	}
	if res.failure != "" {
		verdict = "FAIL: " + res.failure
	}
	fmt.Fprintf(&b, "fuzz %s %s: %d execs in %v (%.0f/s), %d new interesting, corpus %d: %s\n",
		t.Rel, t.Name, p.Execs, wall.Round(100*time.Millisecond), float64(p.Execs)/max(wall.Seconds(), 0.001), p.NewInteresting, p.Corpus, verdict)
	if res.failure != "" && res.failure != "interrupted" {
		if !r.o.verbose {
			fmt.Fprintf(&b, "---- output of %s (last %d lines at most)\n%s\n", t.ID(), maxKeptLines, strings.Join(kept, "\n"))
		}
		if p.Crasher != "" {
			res.crasher = filepath.ToSlash(filepath.Join(t.Rel, p.Crasher))
			b.WriteString(crasherReport(t, p.Crasher))
		}
	}
	r.print(strings.TrimSuffix(b.String(), "\n"))
}

// crasherReport prints the failing input as its corpus file, with the
// commands to reproduce it and keep it: in CI the file is written into a
// throw-away checkout, so the log is where it survives.
func crasherReport(t Target, crasher string) string {
	var b strings.Builder
	rel := filepath.ToSlash(filepath.Join(t.Rel, crasher))
	name := filepath.Base(crasher)
	fmt.Fprintf(&b, "---- failing input %s\n", rel)
	fmt.Fprintf(&b, "reproduce: go test -run='^%s$/^%s$' %s\n", t.Name, name, t.Rel)
	fmt.Fprintf(&b, "keep it as a regression seed: commit %s (content between the lines below)\n", rel)
	data, err := os.ReadFile(filepath.Join(t.Dir, crasher))
	if err != nil {
		fmt.Fprintf(&b, "(cannot read it: %v)\n", err)
		return b.String()
	}
	cut := ""
	if len(data) > maxCrasherPrint {
		data, cut = data[:maxCrasherPrint], fmt.Sprintf("(cut at %d bytes)\n", maxCrasherPrint)
	}
	b.WriteString("-----8<-----\n")
	b.Write(data)
	if len(data) > 0 && data[len(data)-1] != '\n' {
		b.WriteByte('\n')
	}
	b.WriteString("----->8-----\n")
	b.WriteString(cut)
	return b.String()
}

func (r *runner) print(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintln(r.stdout, s)
}

// summary prints one line per target and returns how many failed.
func (r *runner) summary(wall, build time.Duration) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.stdout, "== fuzz summary: %d targets, wall %v (builds %v)\n", len(r.results), wall.Round(time.Second), build.Round(time.Second))
	tw := tabwriter.NewWriter(r.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "package\ttarget\ttime\texecs\texecs/s\tnew interesting\tcorpus\tresult")
	failed := 0
	for _, res := range r.results {
		verdict := "ok"
		switch {
		case res.buildErr != "":
			verdict = "FAIL: did not build"
		case res.failure != "":
			verdict = "FAIL: " + res.failure
		case !res.ran:
			verdict = "not run"
		}
		if verdict != "ok" && verdict != "not run" {
			failed++
		}
		if res.crasher != "" {
			verdict += " (input " + res.crasher + ")"
		}
		rate := 0.0
		if res.wall > 0 {
			rate = float64(res.execs) / res.wall.Seconds()
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%d\t%.0f\t%d\t%d\t%s\n", res.target.Rel, res.target.Name,
			res.wall.Round(100*time.Millisecond), res.execs, rate, res.newInt, res.corpus, verdict)
	}
	tw.Flush()
	if failed > 0 {
		fmt.Fprintf(r.stdout, "== fuzz: %d of %d targets FAILED\n", failed, len(r.results))
	}
	return failed
}
