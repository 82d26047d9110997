package outbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// fakeSink fails its first fails deliveries of each record, and records
// the order of successful ones.
type fakeSink struct {
	name  string
	mu    sync.Mutex
	fails map[string]int
	tries map[string]int
	order []string
	down  bool
}

func newFake(name string) *fakeSink {
	return &fakeSink{name: name, fails: map[string]int{}, tries: map[string]int{}}
}

func (f *fakeSink) Name() string { return f.name }

func (f *fakeSink) Deliver(_ context.Context, r *Record) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries[r.ID]++
	if f.down || f.tries[r.ID] <= f.fails[r.ID] {
		return errors.New("sink unavailable")
	}
	f.order = append(f.order, r.ID)
	return nil
}

func (f *fakeSink) delivered() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.order)
}

func id(n int) string { return fmt.Sprintf("%032x", n) }

func record(n int, key string) *Record {
	return &Record{ID: id(n), Received: time.Now(), Ack: []byte(fmt.Sprintf("ACK %d", n)), OrderKey: key, Name: fmt.Sprintf("msg%d", n),
		Payloads: map[string][]byte{PayloadCDA: []byte("<cda/>"), PayloadSR: []byte("DICM")}}
}

func fast() Options { return Options{RetryMin: 10 * time.Millisecond, RetryMax: 40 * time.Millisecond} }

func run(t *testing.T, o *Outbox) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAddDeliverLookup(t *testing.T) {
	dir := t.TempDir()
	a, b := newFake("a"), newFake("b")
	o, err := Open(dir, []Sink{a, b}, fast())
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Add(record(1, "")); err != nil {
		t.Fatal(err)
	}
	// Durable before delivery: the pending record is on disk.
	if _, err := os.Stat(filepath.Join(dir, id(1)[:2], id(1)+extPending)); err != nil {
		t.Fatalf("pending record not written: %v", err)
	}
	if err := o.Add(record(1, "")); !errors.Is(err, ErrDuplicate) {
		t.Errorf("second Add: %v", err)
	}
	run(t, o)
	waitFor(t, "both deliveries", func() bool { return len(a.delivered()) == 1 && len(b.delivered()) == 1 })
	waitFor(t, "the tombstone in place of the pending record", func() bool {
		_, err := os.Stat(filepath.Join(dir, id(1)[:2], id(1)+extDone))
		_, perr := os.Stat(filepath.Join(dir, id(1)[:2], id(1)+extPending))
		return err == nil && os.IsNotExist(perr)
	})
	ack, ok, err := o.Lookup(id(1))
	if err != nil || !ok || string(ack) != "ACK 1" {
		t.Errorf("Lookup after delivery: %q %v %v", ack, ok, err)
	}
	tomb, err := o.st.read(id(1), extDone)
	if err != nil || tomb.Payloads != nil || !tomb.Sinks["a"].Done || !tomb.Sinks["b"].Done {
		t.Errorf("tombstone %+v, %v", tomb, err)
	}
	if _, ok, _ := o.Lookup(id(2)); ok {
		t.Error("Lookup of an unknown id found something")
	}
}

// TestResumeAfterRestart: records pending when the process stops are
// delivered by the next Open. A sink that had delivered a record whose
// other deliveries were still pending gets it again: only a record's last
// delivery is written down.
func TestResumeAfterRestart(t *testing.T) {
	dir := t.TempDir()
	a, b := newFake("a"), newFake("b")
	b.down = true
	o, err := Open(dir, []Sink{a, b}, fast())
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, o)
	for i := range 5 {
		if err := o.Add(record(i, "")); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "sink a", func() bool { return len(a.delivered()) == 5 })
	stop()
	// Leftovers of a crash: a half-written file, and a record both
	// pending and done.
	os.WriteFile(filepath.Join(dir, id(0)[:2], tempPrefix+"junk"), []byte("x"), 0o600)

	a2, b2 := newFake("a"), newFake("b")
	o2, err := Open(dir, []Sink{a2, b2}, fast())
	if err != nil {
		t.Fatal(err)
	}
	if d := o2.Depth(); d["a"] != 5 || d["b"] != 5 {
		t.Errorf("depth after reopen %v", d)
	}
	run(t, o2)
	waitFor(t, "both sinks after restart", func() bool { return len(b2.delivered()) == 5 && len(a2.delivered()) == 5 })
	waitFor(t, "the tombstones", func() bool {
		p, _ := filepath.Glob(filepath.Join(dir, "*", "*"+extPending))
		return len(p) == 0
	})
	if _, err := os.Stat(filepath.Join(dir, id(0)[:2], tempPrefix+"junk")); !os.IsNotExist(err) {
		t.Error("temporary file not removed")
	}
}

func TestRetryBackoffAndOrder(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := newFake("s")
	s.fails[id(1)] = 3 // the first record of order K fails three times
	opt := fast()
	opt.Registerer = reg
	opt.Workers = map[string]int{"s": 4}
	o, err := Open(t.TempDir(), []Sink{s}, opt)
	if err != nil {
		t.Fatal(err)
	}
	run(t, o)
	o.Add(record(1, "K"))
	o.Add(record(2, "K")) // must wait for 1
	o.Add(record(3, "L")) // another order
	waitFor(t, "all deliveries", func() bool { return len(s.delivered()) == 3 })
	got := s.delivered()
	if slices.Index(got, id(1)) > slices.Index(got, id(2)) || !slices.Contains(got, id(3)) {
		t.Errorf("delivery order %v", got)
	}
	if s.tries[id(1)] != 4 || s.tries[id(2)] != 1 {
		t.Errorf("tries %v", s.tries)
	}
	if r := counterValue(t, reg, "reportgen_outbox_retries_total"); r != 3 {
		t.Errorf("retries metric %v", r)
	}
}

// TestSinkPause: while a sink fails, it pauses as a whole: a PACS that is
// down for a while sees a few attempts, not one per waiting record.
func TestSinkPause(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := newFake("s")
	s.down = true
	opt := Options{RetryMin: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond, Registerer: reg, Workers: map[string]int{"s": 4}}
	o, err := Open(t.TempDir(), []Sink{s}, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		o.Add(record(i, ""))
	}
	stop := run(t, o)
	time.Sleep(time.Second)
	s.mu.Lock()
	s.down = false
	s.mu.Unlock()
	waitFor(t, "all 50 after the sink came back", func() bool { return len(s.delivered()) == 50 })
	stop()
	// Without the pause each of the 50 records would have retried about
	// five times in that second.
	if r := counterValue(t, reg, "reportgen_outbox_retries_total"); r > 40 {
		t.Errorf("%v retries while the sink was down for 1 s", r)
	}
}

func TestBackoff(t *testing.T) {
	o := &Outbox{opt: Options{RetryMin: time.Second, RetryMax: 10 * time.Second}}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 9: 10 * time.Second} {
		d := o.backoff(n)
		if d < want*8/10 || d > want*12/10 {
			t.Errorf("retry %d waits %v, want about %v", n, d, want)
		}
	}
}

func TestPrune(t *testing.T) {
	dir := t.TempDir()
	o, err := Open(dir, nil, Options{Retention: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// Without sinks a record is done at once.
	for i := range 3 {
		if err := o.Add(record(i, "")); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(filepath.Join(dir, id(0)[:2], id(0)+extDone), old, old)
	n, err := o.Prune()
	if err != nil || n != 1 {
		t.Errorf("pruned %d, %v", n, err)
	}
	if _, ok, _ := o.Lookup(id(0)); ok {
		t.Error("pruned record still found")
	}
	if _, ok, _ := o.Lookup(id(1)); !ok {
		t.Error("recent record pruned")
	}
}

func TestBadIDs(t *testing.T) {
	o, err := Open(t.TempDir(), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "../../etc/passwd", "ABCDEF0123456789", "xyz"} {
		if err := o.Add(&Record{ID: bad}); err == nil {
			t.Errorf("Add(%q) accepted", bad)
		}
		if _, _, err := o.Lookup(bad); err == nil {
			t.Errorf("Lookup(%q) accepted", bad)
		}
	}
}

func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}
