package batch

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Progress shows how a batch goes: on a terminal a bar redrawn in place,
// elsewhere a plain line every so often. It shows counts, rate and time
// only, never anything from the inputs.
type Progress struct {
	// W receives the progress; nil shows nothing.
	W io.Writer
	// TTY redraws one line in place (W is a terminal).
	TTY bool
	// Every is the time between plain lines; 0 means 10 s (a terminal is
	// redrawn four times a second).
	Every time.Duration

	total   atomic.Int64 // inputs in all, -1 while unknown
	before  atomic.Int64 // recorded by earlier runs
	skipped atomic.Int64 // seen and skipped this run
	ok      atomic.Int64
	invalid atomic.Int64
	failed  atomic.Int64

	start   time.Time
	samples []sample // recent (time, done) for the current rate
	stop    chan struct{}
	stopped chan struct{}
	mu      sync.Mutex // serialises writes to W
}

type sample struct {
	at   time.Time
	done int64
}

// Snapshot is a moment of a batch's progress.
type Snapshot struct {
	Total               int64 // inputs in all; -1 while unknown
	Before              int64 // recorded by earlier runs
	OK, Invalid, Failed int64 // recorded by this run
	Elapsed             time.Duration
	Rate                float64 // reports per second, recently
	ETA                 time.Duration
	HaveETA             bool
}

func (p *Progress) begin(before int) {
	p.total.Store(-1)
	p.before.Store(int64(before))
	p.start = time.Now()
	if p.W == nil {
		return
	}
	p.stop, p.stopped = make(chan struct{}), make(chan struct{})
	every := p.Every
	if every <= 0 {
		every = 10 * time.Second
	}
	if p.TTY {
		every = 250 * time.Millisecond
	}
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.show(false)
			case <-p.stop:
				return
			}
		}
	}()
}

func (p *Progress) setTotal(n int) { p.total.Store(int64(n)) }
func (p *Progress) skip()          { p.skipped.Add(1) }

func (p *Progress) record(s Status) {
	switch s {
	case StatusOK:
		p.ok.Add(1)
	case StatusInvalid:
		p.invalid.Add(1)
	default:
		p.failed.Add(1)
	}
}

func (p *Progress) finish() {
	if p.stop == nil {
		return
	}
	close(p.stop)
	<-p.stopped
	p.show(true)
}

// Snapshot returns the current counts and estimates.
func (p *Progress) Snapshot() Snapshot {
	now := time.Now()
	s := Snapshot{
		Total: p.total.Load(), Before: p.before.Load(),
		OK: p.ok.Load(), Invalid: p.invalid.Load(), Failed: p.failed.Load(),
		Elapsed: now.Sub(p.start),
	}
	done := s.OK + s.Invalid + s.Failed
	// The rate over the last ten seconds or so follows a batch that slows
	// down or speeds up; the whole run's rate is the fallback.
	p.mu.Lock()
	p.samples = append(p.samples, sample{now, done})
	for len(p.samples) > 2 && now.Sub(p.samples[1].at) > 10*time.Second {
		p.samples = p.samples[1:]
	}
	first := p.samples[0]
	p.mu.Unlock()
	if dt := now.Sub(first.at).Seconds(); dt >= 1 {
		s.Rate = float64(done-first.done) / dt
	} else if secs := s.Elapsed.Seconds(); secs > 0 {
		s.Rate = float64(done) / secs
	}
	if s.Total >= 0 && s.Rate > 0 {
		left := s.Total - s.Before - done
		s.ETA, s.HaveETA = time.Duration(float64(max(left, 0))/s.Rate*float64(time.Second)), true
	}
	return s
}

func (p *Progress) show(final bool) {
	s := p.Snapshot()
	var line string
	if p.TTY {
		line = "\r\x1b[K" + s.bar()
		if final {
			line += "\n"
		}
	} else {
		line = "batch: " + s.text() + "\n"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.W, line)
}

// text is the plain progress line.
func (s Snapshot) text() string {
	done := s.Before + s.OK + s.Invalid + s.Failed
	var b strings.Builder
	if s.Total >= 0 {
		fmt.Fprintf(&b, "%d/%d (%.1f%%)", done, s.Total, pct(done, s.Total))
	} else {
		fmt.Fprintf(&b, "%d/?", done)
	}
	fmt.Fprintf(&b, " ok %d invalid %d failed %d", s.OK, s.Invalid, s.Failed)
	if s.Before > 0 {
		fmt.Fprintf(&b, " (+%d done before)", s.Before)
	}
	fmt.Fprintf(&b, ", %.0f reports/s, elapsed %s", s.Rate, round(s.Elapsed))
	if s.HaveETA {
		fmt.Fprintf(&b, ", ETA %s", round(s.ETA))
	}
	return b.String()
}

// bar is the terminal progress line.
func (s Snapshot) bar() string {
	const width = 30
	done := s.Before + s.OK + s.Invalid + s.Failed
	fill := 0
	if s.Total > 0 {
		fill = int(min(done, s.Total) * width / s.Total)
	}
	eta := "ETA ?"
	if s.HaveETA {
		eta = "ETA " + round(s.ETA).String()
	}
	total := "?"
	if s.Total >= 0 {
		total = fmt.Sprint(s.Total)
	}
	return fmt.Sprintf("[%s%s] %5.1f%% %d/%s %.0f/s %s  ok %d invalid %d failed %d",
		strings.Repeat("=", fill), strings.Repeat(" ", width-fill), pct(done, s.Total), done, total, s.Rate, eta, s.OK, s.Invalid, s.Failed)
}

func pct(n, total int64) float64 {
	if total <= 0 {
		return 0
	}
	return 100 * float64(n) / float64(total)
}

func round(d time.Duration) time.Duration {
	if d > time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}
