// Command reportgen-hl7load measures reportgen's MLLP listener under
// load: ORU^R01 messages sent back to back on N connections (each waits
// for its ACK before sending the next, as original-mode senders do),
// ORU→ACK latency percentiles and messages per second per level, and,
// from the server's metrics endpoint, the delivery latency per sink over
// the same window. Every message gets its own control id and accession
// number, so none is a resend and their deliveries are independent.
//
// It only talks to the addresses it is given and stops by itself.
//
// Usage:
//
//	reportgen-hl7load --addr 127.0.0.1:2575 --metrics http://127.0.0.1:9090/metrics \
//	    --connections 1,8 --duration 20s [--message examples/oru-ct-chest.hl7]
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/reportgen/reportgen/hl7v2"
	"github.com/reportgen/reportgen/mllp"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("reportgen-hl7load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:2575", "the MLLP listener")
	metrics := fs.String("metrics", "", "the server's /metrics URL, for delivery latency (optional)")
	msgFile := fs.String("message", "examples/oru-ct-chest.hl7", "the ORU^R01 to send (its MSH-10 and accession number are varied)")
	accession := fs.String("accession", "ACC20261121042", "the accession number in --message to vary")
	levels := fs.String("connections", "1,8", "levels: connections sending at once")
	duration := fs.Duration("duration", 20*time.Second, "measured time per level")
	pid := fs.Int("pid", 0, "the server's process id, for its CPU time per message (optional)")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured time before each level")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return 2
	}
	b, err := os.ReadFile(*msgFile)
	if err != nil {
		fmt.Fprintln(stderr, "reportgen-hl7load:", err)
		return 2
	}
	tmpl := strings.ReplaceAll(strings.ReplaceAll(string(b), "\r\n", "\r"), "\n", "\r")
	m, errs := hl7v2.Parse([]byte(tmpl), hl7v2.ParseOptions{})
	if m == nil || errs.HasErrors() {
		fmt.Fprintln(stderr, "reportgen-hl7load: the message does not parse:", errs)
		return 2
	}
	ctl := m.MSH().Field(10).Raw()
	if !strings.Contains(tmpl, "|"+ctl+"|") || !strings.Contains(tmpl, *accession) {
		fmt.Fprintln(stderr, "reportgen-hl7load: control id or --accession not found in the message")
		return 2
	}
	var conns []int
	for _, s := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintln(stderr, "reportgen-hl7load: bad --connections")
			return 2
		}
		conns = append(conns, n)
	}
	gen := &generator{tmpl: tmpl, ctl: ctl, acc: *accession, run: time.Now().Unix() % 100000}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "connections\tmessages\tmsg/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\tnot AA\tserver CPU ms/msg\tdelivery p50 ms\tdelivery p99 ms\tdelivered\tload before\tload after\t")
	for _, n := range conns {
		cpu0 := cpuTime(*pid)
		l := measure(*addr, *metrics, gen, n, *warmup, *duration)
		cpu := "-"
		if *pid > 0 && l.count > 0 {
			// Includes the warm-up and the deliveries that finish after
			// the window: all the work the measured messages cost.
			cpu = fmt.Sprintf("%.1f", float64((cpuTime(*pid)-cpu0).Microseconds())/1000/float64(l.count+l.warm))
		}
		fmt.Fprintf(w, "%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", n, l.count, l.rate, l.p50, l.p90, l.p99, l.max, l.bad,
			cpu, l.delivery50, l.delivery99, l.delivered, l.loadBefore, l.loadAfter)
	}
	w.Flush()
	return 0
}

// generator makes distinct messages.
type generator struct {
	tmpl, ctl, acc string
	run            int64
	n              atomic.Int64
}

func (g *generator) next() []byte {
	i := g.n.Add(1)
	m := strings.Replace(g.tmpl, "|"+g.ctl+"|", fmt.Sprintf("|LOAD-%d-%d|", g.run, i), 1)
	// An accession of 16 characters at most (DICOM SH).
	return []byte(strings.ReplaceAll(m, g.acc, fmt.Sprintf("L%05d%010d", g.run, i)))
}

type level struct {
	count, bad, warm                  int
	rate, p50, p90, p99, max          float64
	delivery50, delivery99, delivered string
	loadBefore, loadAfter             string
}

func measure(addr, metricsURL string, gen *generator, conns int, warmup, duration time.Duration) level {
	var mu sync.Mutex
	var lat []time.Duration
	bad, warm := 0, 0
	start := time.Now().Add(warmup)
	end := start.Add(duration)
	var before map[string][]bucket
	var loadBefore string
	var once sync.Once
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			c, err := mllp.Dial(context.Background(), addr, nil, 0)
			if err != nil {
				mu.Lock()
				bad++
				mu.Unlock()
				return
			}
			defer c.Close()
			for time.Now().Before(end) {
				if !time.Now().Before(start) {
					once.Do(func() { before, loadBefore = scrape(metricsURL), loadavg() })
				}
				msg := gen.next()
				t0 := time.Now()
				ack, err := c.Send(context.Background(), msg, time.Minute)
				d := time.Since(t0)
				ok := err == nil && ackCode(ack) == "AA"
				if t0.Before(start) {
					mu.Lock()
					warm++
					mu.Unlock()
					continue
				}
				mu.Lock()
				lat = append(lat, d)
				if !ok {
					bad++
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	l := level{count: len(lat), bad: bad, warm: warm, loadBefore: loadBefore}
	// Deliveries of the window finish after it: wait for the outbox to
	// empty (up to a minute) before reading the delivery histogram.
	deadline := time.Now().Add(time.Minute)
	for metricsURL != "" && pending(metricsURL) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	l.loadAfter = loadavg()
	after := scrape(metricsURL)
	var parts50, parts99, partsN []string
	for _, sink := range sortedKeys(after) {
		h := diff(after[sink], before[sink])
		if total := h[len(h)-1].count; total > 0 {
			parts50 = append(parts50, sink+" "+quantile(h, 0.5))
			parts99 = append(parts99, sink+" "+quantile(h, 0.99))
			partsN = append(partsN, fmt.Sprintf("%s %.0f", sink, total))
		}
	}
	l.delivery50, l.delivery99, l.delivered = strings.Join(parts50, ", "), strings.Join(parts99, ", "), strings.Join(partsN, ", ")
	if len(lat) == 0 {
		return l
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(q float64) float64 {
		return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
	}
	l.rate = float64(len(lat)) / duration.Seconds()
	l.p50, l.p90, l.p99, l.max = ms(0.5), ms(0.9), ms(0.99), ms(1)
	return l
}

// cpuTime is the user and system time of a process (Linux /proc).
func cpuTime(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+k) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

func ackCode(ack []byte) string {
	m, _ := hl7v2.Parse(ack, hl7v2.ParseOptions{})
	if m == nil || m.First("MSA") == nil {
		return ""
	}
	return m.First("MSA").Field(1).Text()
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:1], "")
}

// bucket is one cumulative histogram bucket.
type bucket struct {
	le    float64
	count float64
}

// scrape reads reportgen_outbox_delivery_seconds buckets by sink.
func scrape(url string) map[string][]bucket {
	out := map[string][]bucket{}
	if url == "" {
		return out
	}
	lines, err := metricLines(url)
	if err != nil {
		return out
	}
	for _, line := range lines {
		if !strings.HasPrefix(line, "reportgen_outbox_delivery_seconds_bucket{") {
			continue
		}
		sink := label(line, "sink")
		leS := label(line, "le")
		le, err := strconv.ParseFloat(leS, 64)
		if leS == "+Inf" {
			le, err = 1e18, nil
		}
		v, err2 := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err == nil && err2 == nil {
			out[sink] = append(out[sink], bucket{le, v})
		}
	}
	return out
}

// pending is the sum of reportgen_outbox_pending.
func pending(url string) float64 {
	lines, err := metricLines(url)
	if err != nil {
		return 0
	}
	sum := 0.0
	for _, line := range lines {
		if strings.HasPrefix(line, "reportgen_outbox_pending{") {
			v, _ := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			sum += v
		}
	}
	return sum
}

func metricLines(url string) ([]string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, errors.New(resp.Status)
	}
	var out []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out, sc.Err()
}

func label(line, name string) string {
	k := strings.Index(line, name+`="`)
	if k < 0 {
		return ""
	}
	rest := line[k+len(name)+2:]
	return rest[:strings.IndexByte(rest, '"')]
}

func diff(after, before []bucket) []bucket {
	out := append([]bucket(nil), after...)
	for i := range out {
		if i < len(before) {
			out[i].count -= before[i].count
		}
	}
	return out
}

// quantile estimates a quantile of a cumulative histogram by linear
// interpolation inside its bucket.
func quantile(h []bucket, q float64) string {
	total := h[len(h)-1].count
	target := q * total
	prevLe, prevC := 0.0, 0.0
	for _, b := range h {
		if b.count >= target {
			if b.le >= 1e18 {
				return fmt.Sprintf("> %.0f", prevLe*1000)
			}
			frac := 0.0
			if b.count > prevC {
				frac = (target - prevC) / (b.count - prevC)
			}
			return fmt.Sprintf("%.0f", (prevLe+frac*(b.le-prevLe))*1000)
		}
		prevLe, prevC = b.le, b.count
	}
	return "?"
}

func sortedKeys(m map[string][]bucket) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
