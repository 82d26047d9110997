package outbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Sink delivers records somewhere. Deliver must be safe to repeat: after
// a crash a record may be delivered again (with the same bytes). Errors
// must not carry document content.
type Sink interface {
	// Name identifies the sink in records, logs and metrics ("dir",
	// "stow", "mllp").
	Name() string
	// Deliver delivers the record's payloads, or fails.
	Deliver(ctx context.Context, r *Record) error
}

// Options configure an Outbox.
type Options struct {
	// Workers is how many deliveries run at once per sink (1 when 0).
	Workers map[string]int
	// RetryMin and RetryMax bound the backoff: the n-th retry waits
	// RetryMin·2^(n-1), at most RetryMax, ±20 % (1 s and 5 min when 0).
	RetryMin, RetryMax time.Duration
	// Retention is how long a delivered record's ACK is kept to answer
	// resends (7 days when 0).
	Retention time.Duration
	// Log receives delivery events (record ids, sinks, attempts, errors).
	Log *slog.Logger
	// Registerer, when set, gets the outbox metrics.
	Registerer prometheus.Registerer
	// Now returns the time; nil uses time.Now.
	Now func() time.Time
}

// Outbox is the durable store with its delivery workers.
type Outbox struct {
	st    store
	sinks map[string]Sink
	order []string
	opt   Options
	log   *slog.Logger
	m     *metrics

	mu     sync.Mutex
	queues map[string]*queue
	seq    uint64
}

// queue is one sink's pending deliveries in the order they were added.
type queue struct {
	entries []*entry
	wake    chan struct{}
	// failures counts the sink's failures since its last success; while
	// they last the whole sink pauses (until pausedUntil), so a PACS that
	// is down gets a few attempts, not one per waiting record.
	failures    int
	pausedUntil time.Time
}

// entry is one pending delivery of one record to one sink.
type entry struct {
	it       *item
	seq      uint64
	attempts int
	next     time.Time
	inflight bool
}

// item is a record in memory, shared by its entries.
type item struct {
	mu  sync.Mutex
	rec *Record
}

// maxPause bounds the pause of a failing sink, so a PACS that comes back
// is found within it, whatever the retry limit of single records.
const maxPause = 30 * time.Second

// ErrDuplicate says a record with the id exists already.
var ErrDuplicate = errors.New("outbox: a record with this id exists")

// Open opens (creating it when missing) the outbox in dir with its sinks,
// removes what a crash left half written, removes tombstones older than
// the retention, and queues every delivery still pending: after a crash
// they resume here.
func Open(dir string, sinks []Sink, opt Options) (*Outbox, error) {
	if opt.RetryMin <= 0 {
		opt.RetryMin = time.Second
	}
	if opt.RetryMax <= 0 {
		opt.RetryMax = 5 * time.Minute
	}
	if opt.RetryMax < opt.RetryMin {
		opt.RetryMax = opt.RetryMin
	}
	if opt.Retention <= 0 {
		opt.Retention = 7 * 24 * time.Hour
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("outbox: create the folder: %w", unwrapPath(err))
	}
	o := &Outbox{st: store{dir: dir}, sinks: map[string]Sink{}, opt: opt, log: opt.Log, queues: map[string]*queue{}}
	for _, s := range sinks {
		if _, dup := o.sinks[s.Name()]; dup {
			return nil, fmt.Errorf("outbox: two sinks named %s", s.Name())
		}
		o.sinks[s.Name()] = s
		o.order = append(o.order, s.Name())
		o.queues[s.Name()] = &queue{wake: make(chan struct{}, 1)}
	}
	o.m = newMetrics(o)
	if opt.Registerer != nil {
		if err := opt.Registerer.Register(o.m); err != nil {
			return nil, fmt.Errorf("outbox: metrics: %w", err)
		}
	}
	pending, err := o.st.scan()
	if err != nil {
		return nil, err
	}
	pruned, err := o.st.prune(opt.Now().Add(-opt.Retention))
	if err != nil {
		return nil, err
	}
	sort.Slice(pending, func(i, j int) bool { return pending[i].Received.Before(pending[j].Received) })
	for _, r := range pending {
		for _, name := range r.pending() {
			if _, ok := o.sinks[name]; !ok {
				// A sink removed from the configuration: its deliveries
				// wait for it to come back, they are not dropped.
				o.log.Warn("outbox record waits for a sink that is not configured", "record", r.ID, "sink", name)
			}
		}
		o.schedule(r)
	}
	o.log.Info("outbox opened", "pending", len(pending), "pruned", pruned, "sinks", o.order)
	return o, nil
}

// Sinks are the configured sink names.
func (o *Outbox) Sinks() []string { return append([]string(nil), o.order...) }

// Lookup returns the ACK stored for a message id, if the message was
// accepted (pending or delivered within the retention).
func (o *Outbox) Lookup(id string) ([]byte, bool, error) {
	if !validID(id) {
		return nil, false, fmt.Errorf("outbox: bad record id")
	}
	for _, ext := range []string{extDone, extPending} {
		r, err := o.st.read(id, ext)
		switch {
		case err == nil:
			return r.Ack, true, nil
		case errors.Is(err, fs.ErrNotExist):
			continue
		default:
			return nil, false, err
		}
	}
	return nil, false, nil
}

// Add stores a new record durably, with a pending delivery to every
// configured sink, and queues the deliveries. When it returns nil the
// record survives a crash.
func (o *Outbox) Add(r *Record) error {
	if !validID(r.ID) {
		return fmt.Errorf("outbox: bad record id")
	}
	if _, ok, err := o.Lookup(r.ID); err != nil {
		return err
	} else if ok {
		return ErrDuplicate
	}
	r.Sinks = map[string]*Delivery{}
	for _, name := range o.order {
		r.Sinks[name] = &Delivery{}
	}
	if len(o.order) == 0 {
		// Nothing to deliver: the record only answers resends.
		if err := o.st.done(r); err != nil {
			return err
		}
		return nil
	}
	if err := o.st.save(r); err != nil {
		return err
	}
	o.schedule(r)
	return nil
}

// schedule queues the pending deliveries of r.
func (o *Outbox) schedule(r *Record) {
	it := &item{rec: r}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, name := range r.pending() {
		q, ok := o.queues[name]
		if !ok {
			continue
		}
		o.seq++
		q.entries = append(q.entries, &entry{it: it, seq: o.seq})
		signal(q.wake)
	}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends; it returns when its workers have stopped
// (a delivery in progress is cut short and stays pending).
func (o *Outbox) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, name := range o.order {
		n := o.opt.Workers[name]
		if n <= 0 {
			n = 1
		}
		for range n {
			wg.Go(func() { o.work(ctx, name) })
		}
	}
	wg.Wait()
}

func (o *Outbox) work(ctx context.Context, name string) {
	sink, q := o.sinks[name], o.queues[name]
	for {
		e, wait := o.pick(q)
		if e == nil {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-q.wake:
			case <-t.C:
			}
			t.Stop()
			continue
		}
		err := sink.Deliver(ctx, e.it.rec)
		if ctx.Err() != nil {
			o.mu.Lock()
			e.inflight = false
			o.mu.Unlock()
			return
		}
		o.finish(name, q, e, err)
	}
}

// pick returns the first delivery that is due and not held back by an
// earlier one of the same order, or how long to wait for one.
func (o *Outbox) pick(q *queue) (*entry, time.Duration) {
	now := o.opt.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if d := q.pausedUntil.Sub(now); d > 0 {
		return nil, d
	}
	wait := time.Hour
	busy := map[string]bool{}
	for _, e := range q.entries {
		key := e.it.rec.OrderKey
		held := key != "" && busy[key]
		if key != "" {
			busy[key] = true
		}
		if e.inflight || held {
			continue
		}
		if d := e.next.Sub(now); d > 0 {
			wait = min(wait, d)
			continue
		}
		e.inflight = true
		return e, 0
	}
	return nil, wait
}

// finish records a delivery's outcome. A failure backs off the record
// (it may be the record the sink refuses) and pauses the sink (it may be
// the sink that is down); a success ends the pause and lets every record
// waiting out a backoff go at once.
func (o *Outbox) finish(name string, q *queue, e *entry, err error) {
	now := o.opt.Now()
	o.mu.Lock()
	e.attempts++
	attempts := e.attempts
	o.mu.Unlock()
	rec := e.it.rec
	if err != nil {
		delay := o.backoff(attempts)
		o.mu.Lock()
		e.inflight = false
		e.next = now.Add(delay)
		if !now.Before(q.pausedUntil) {
			// Deliveries that were in flight when the sink failed fail
			// together: they count once.
			q.failures++
			q.pausedUntil = now.Add(min(o.backoff(q.failures), maxPause))
		}
		o.mu.Unlock()
		o.m.deliveries.WithLabelValues(name, "failed").Inc()
		o.m.retries.WithLabelValues(name).Inc()
		o.log.Warn("delivery failed; will retry", "record", rec.ID, "sink", name, "attempt", attempts, "retry_in", delay.Round(time.Millisecond).String(), "err", err.Error())
		return
	}
	e.it.mu.Lock()
	d := rec.Sinks[name]
	if d == nil {
		d = &Delivery{}
		rec.Sinks[name] = d
	}
	d.Done, d.DeliveredAt, d.Attempts = true, now, attempts
	// Only the last delivery of a record is written down: one that a
	// crash loses is made again, which sinks allow, and each write costs
	// fsyncs on the path of every message.
	var perr error
	if len(rec.pending()) == 0 {
		perr = o.st.done(rec)
		rec.Payloads = nil
	}
	e.it.mu.Unlock()
	if perr != nil {
		// The delivery happened but is not recorded: it will be made
		// again after a restart, which sinks allow.
		o.log.Error("delivery not recorded", "record", rec.ID, "sink", name, "err", perr.Error())
	}
	o.m.deliveries.WithLabelValues(name, "ok").Inc()
	o.m.latency.WithLabelValues(name).Observe(now.Sub(rec.Received).Seconds())
	o.mu.Lock()
	for i, x := range q.entries {
		if x == e {
			q.entries = append(q.entries[:i], q.entries[i+1:]...)
			break
		}
	}
	// The sink works again: deliveries waiting out a backoff go now.
	q.failures, q.pausedUntil = 0, time.Time{}
	revived := 0
	for _, x := range q.entries {
		if x.attempts > 0 && x.next.After(now) {
			x.next, revived = now, revived+1
		}
	}
	o.mu.Unlock()
	signal(q.wake)
	if attempts > 1 || revived > 0 {
		o.log.Info("delivered after retries", "record", rec.ID, "sink", name, "attempts", attempts, "resumed", revived)
	}
}

// backoff is the wait before retry n (1-based).
func (o *Outbox) backoff(n int) time.Duration {
	d := o.opt.RetryMin
	for i := 1; i < n && d < o.opt.RetryMax; i++ {
		d *= 2
	}
	d = min(d, o.opt.RetryMax)
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

// Depth is the number of deliveries pending per sink.
func (o *Outbox) Depth() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := map[string]int{}
	for name, q := range o.queues {
		out[name] = len(q.entries)
	}
	return out
}

// Prune removes tombstones older than the retention; the server calls it
// now and then.
func (o *Outbox) Prune() (int, error) {
	return o.st.prune(o.opt.Now().Add(-o.opt.Retention))
}
