package main

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Progress is what one fuzzing run said about itself: the last of Go's
// coordinator lines ("fuzz: elapsed: 15s, execs: 105016 (7001/sec), new
// interesting: 327 (total: 331)") and, for a failure, what it said and
// where the failing input was written.
type Progress struct {
	// Elapsed is the coordinator's own clock at its last line.
	Elapsed time.Duration
	// Execs is the number of inputs run; NewInteresting those that found
	// new coverage in this run; Corpus the corpus size (seeds, cache and
	// new inputs).
	Execs, NewInteresting, Corpus int64
	// Rate is the execs per second the last line gives (over the interval
	// before it).
	Rate int64
	// Lines counts the coordinator's execs lines: none means the run
	// never got past its corpus (baseline coverage).
	Lines int
	// Minimizing is set while the last status line says the coordinator
	// is minimising a failing input.
	Minimizing bool
	// Crasher is the failing input's file, relative to the package
	// folder ("testdata/fuzz/FuzzX/0f1e..."); empty when none was written.
	Crasher string
	// Failed is set once the output says the run failed ("--- FAIL");
	// Failure holds the lines after that, trimmed, without the
	// re-run hints.
	Failed  bool
	Failure []string
}

var (
	execsLine  = regexp.MustCompile(`^fuzz: elapsed: (\S+), execs: (\d+) \((\d+)/sec\)(?:, new interesting: (\d+) \(total: (\d+)\))?\s*$`)
	minimizing = regexp.MustCompile(`^fuzz: elapsed: \S+, minimizing\s*$`)
	crashLine  = regexp.MustCompile(`^\s*Failing input written to (\S+)\s*$`)
)

// Line takes one line of the run's output.
func (p *Progress) Line(s string) {
	if m := execsLine.FindStringSubmatch(s); m != nil {
		p.Lines++
		p.Minimizing = false
		p.Elapsed, _ = time.ParseDuration(m[1])
		p.Execs, _ = strconv.ParseInt(m[2], 10, 64)
		p.Rate, _ = strconv.ParseInt(m[3], 10, 64)
		if m[4] != "" {
			p.NewInteresting, _ = strconv.ParseInt(m[4], 10, 64)
			p.Corpus, _ = strconv.ParseInt(m[5], 10, 64)
		}
		return
	}
	if minimizing.MatchString(s) {
		p.Minimizing = true
		return
	}
	if m := crashLine.FindStringSubmatch(s); m != nil {
		p.Crasher = m[1]
		return
	}
	t := strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(t, "--- FAIL:"):
		p.Failed = true
	case p.Failed && t != "" && t != "FAIL" && t != "To re-run:" && !strings.HasPrefix(t, "go test -run="):
		p.Failure = append(p.Failure, t)
	}
}

// ShutdownRace says the run "failed" only with the bare "context deadline
// exceeded" of Go's fuzzing coordinator, no input having failed: a race
// at the end of -fuzztime in Go 1.26 (go.dev/issue/75804, fixed in Go
// 1.27), not a finding. The runner stops runs with an interrupt before
// -fuzztime, so this only shows when that backstop fires.
func (p *Progress) ShutdownRace() bool {
	return p.Failed && p.Crasher == "" && len(p.Failure) == 1 && p.Failure[0] == "context deadline exceeded"
}
