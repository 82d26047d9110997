// Command reportgen-load measures a report server under load over gRPC:
// reports per second, latency percentiles and the server's memory, at
// increasing concurrency (closed loop: each worker sends its next request
// when the last is answered) or at fixed arrival rates (open loop: requests
// are sent on a schedule, and latency counts from the scheduled time, so a
// server that falls behind shows it).
//
// It only talks to the address it is given and stops by itself after the
// levels asked for. With --spawn it starts the server itself (and stops it
// at the end), so it knows the process whose memory it reads; with --pid it
// reads the memory of a server started otherwise.
//
// Usage:
//
//	reportgen-load --spawn "bin/reportgen serve --listen 127.0.0.1:50999 --schemas schemas/synced" \
//	    --addr 127.0.0.1:50999 --concurrency 1,2,4,8,16,32 --rate 500,1000 --duration 10s
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// level is one measured load level.
type level struct {
	Mode        string  `json:"mode"`                  // unary or stream
	Concurrency int     `json:"concurrency,omitempty"` // closed loop
	Rate        float64 `json:"rate,omitempty"`        // open loop, requests/s asked for
	Reports     int     `json:"reports"`               // requests of the window answered (latencies)
	Errors      int     `json:"errors"`
	PerSecond   float64 `json:"reports_per_second"`
	P50         float64 `json:"p50_ms"`
	P90         float64 `json:"p90_ms"`
	P99         float64 `json:"p99_ms"`
	Max         float64 `json:"max_ms"`
	ServerRSS   int64   `json:"server_rss_kb,omitempty"`
	ServerHWM   int64   `json:"server_peak_rss_kb,omitempty"`
	ServerCPU   float64 `json:"server_cpu_cores,omitempty"` // cores busy on average
	ClientCPU   float64 `json:"client_cpu_cores"`
}

type config struct {
	addr     string
	pid      int
	mode     string
	duration time.Duration
	warmup   time.Duration
	req      *pb.GenerateReportRequest
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("reportgen-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:50051", "server address (loopback or a test host of yours)")
	spawn := fs.String("spawn", "", "start this server command (split on spaces) and stop it at the end")
	pid := fs.Int("pid", 0, "server process id whose memory to report (set by --spawn)")
	reqFile := fs.String("request", "batch/testdata/typical-ct.json", "the GenerateReportRequest (protojson) to send")
	mode := fs.String("mode", "unary", "unary (GenerateReport) or stream (one GenerateReports stream, window = concurrency)")
	conc := fs.String("concurrency", "1,2,4,8,16,32", "closed-loop levels: requests in flight")
	rates := fs.String("rate", "", "open-loop levels: requests per second, e.g. 500,1000")
	duration := fs.Duration("duration", 10*time.Second, "measured time per level")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured time before each level")
	format := fs.String("format", "table", "table or json")
	makeJSONL := fs.Int("make-jsonl", 0, "instead of a load test, write this many varied requests (JSONL, made from examples/ and --request) to stdout, for batch runs")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || (*mode != "unary" && *mode != "stream") {
		return 2
	}
	if *makeJSONL > 0 {
		if err := writeJSONL(stdout, *makeJSONL, *reqFile); err != nil {
			fmt.Fprintln(stderr, "reportgen-load:", err)
			return 3
		}
		return 0
	}
	levels, err1 := ints(*conc)
	rateLevels, err2 := ints(*rates)
	if err := errors.Join(err1, err2); err != nil {
		fmt.Fprintln(stderr, "reportgen-load:", err)
		return 2
	}
	b, err := os.ReadFile(*reqFile)
	if err != nil {
		fmt.Fprintln(stderr, "reportgen-load:", err)
		return 2
	}
	req := &pb.GenerateReportRequest{}
	if err := protojson.Unmarshal(b, req); err != nil {
		fmt.Fprintf(stderr, "reportgen-load: %s: %v\n", *reqFile, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *spawn != "" {
		parts := strings.Fields(*spawn)
		cmd := exec.Command(parts[0], parts[1:]...)
		cmd.Stderr = io.Discard
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(stderr, "reportgen-load: spawn:", err)
			return 3
		}
		*pid = cmd.Process.Pid
		defer func() {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		}()
	}
	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		fmt.Fprintln(stderr, "reportgen-load:", err)
		return 3
	}
	defer conn.Close()
	if err := waitServing(ctx, conn, 60*time.Second); err != nil {
		fmt.Fprintln(stderr, "reportgen-load: server not serving:", err)
		return 3
	}
	cfg := config{addr: *addr, pid: *pid, mode: *mode, duration: *duration, warmup: *warmup, req: req}
	client := pb.NewReportServiceClient(conn)
	var results []level
	for _, c := range levels {
		results = append(results, measure(ctx, client, cfg, c, 0))
		fmt.Fprintf(stderr, "reportgen-load: %s concurrency %d done\n", cfg.mode, c)
	}
	for _, r := range rateLevels {
		results = append(results, measure(ctx, client, cfg, 0, float64(r)))
		fmt.Fprintf(stderr, "reportgen-load: %s rate %d/s done\n", cfg.mode, r)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(results)
	} else {
		printTable(stdout, results)
	}
	if ctx.Err() != nil {
		return 3
	}
	return 0
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func waitServing(ctx context.Context, conn *grpc.ClientConn, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	h := healthpb.NewHealthClient(conn)
	for {
		r, err := h.Check(ctx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
		if err == nil && r.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// recorder collects the latencies of requests that started (or, in the
// open loop, were due) inside the measured window. Requests still
// unanswered at the end are counted as errors, not dropped, so a server
// that falls behind cannot hide its slowest answers.
type recorder struct {
	mu        sync.Mutex
	latencies []time.Duration
	errors    int
	completed int       // answers that arrived inside the window
	from, to  time.Time // the window; zero while unknown
}

func (r *recorder) setWindow(from, to time.Time) {
	r.mu.Lock()
	r.from, r.to = from, to
	r.mu.Unlock()
}

// add records the outcome of a request that started at start.
func (r *recorder) add(start time.Time, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.from.IsZero() {
		return
	}
	if end := start.Add(d); err == nil && !end.Before(r.from) && end.Before(r.to) {
		r.completed++
	}
	if start.Before(r.from) || !start.Before(r.to) {
		return
	}
	if err != nil {
		r.errors++
	} else {
		r.latencies = append(r.latencies, d)
	}
}

// drainLimit is how long requests of the window may take to finish after
// it closes; those still open then count as errors.
const drainLimit = 15 * time.Second

// measure runs one level: warm-up, the measured window, then a drain of
// the window's requests.
func measure(ctx context.Context, client pb.ReportServiceClient, cfg config, concurrency int, rate float64) level {
	lv := level{Mode: cfg.mode, Concurrency: concurrency, Rate: rate}
	rec := &recorder{}
	// issue stops new requests when the window closes; calls ends the
	// ones still open after the drain.
	issue, stopIssuing := context.WithCancel(ctx)
	calls, cancelCalls := context.WithCancel(ctx)
	defer cancelCalls()
	var wg sync.WaitGroup
	switch {
	case rate > 0:
		wg.Go(func() { openLoop(issue, calls, client, cfg, rate, rec) })
	case cfg.mode == "stream":
		wg.Go(func() { streamLoop(issue, calls, client, cfg, concurrency, rec) })
	default:
		for w := range concurrency {
			wg.Go(func() { closedLoop(issue, calls, client, cfg, w, rec) })
		}
	}
	sleep(ctx, cfg.warmup)
	cpu0, srv0 := clientCPU(), serverCPU(cfg.pid)
	start := time.Now()
	rec.setWindow(start, start.Add(cfg.duration))
	sleep(ctx, cfg.duration)
	elapsed := time.Since(start)
	cpu1, srv1 := clientCPU(), serverCPU(cfg.pid)
	lv.ServerRSS, lv.ServerHWM = procMemory(cfg.pid)
	stopIssuing()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(drainLimit):
		cancelCalls() // unanswered: counted as errors by the loops
		<-done
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	lv.Reports, lv.Errors = len(rec.latencies), rec.errors
	// Throughput counts answers that arrived in the window, whenever they
	// were sent: in an overloaded open loop, requests due in the window are
	// answered long after it.
	lv.PerSecond = float64(rec.completed) / elapsed.Seconds()
	lv.ClientCPU = (cpu1 - cpu0).Seconds() / elapsed.Seconds()
	if cfg.pid > 0 {
		lv.ServerCPU = (srv1 - srv0).Seconds() / elapsed.Seconds()
	}
	sort.Slice(rec.latencies, func(i, j int) bool { return rec.latencies[i] < rec.latencies[j] })
	lv.P50, lv.P90, lv.P99, lv.Max = pctl(rec.latencies, 0.50), pctl(rec.latencies, 0.90), pctl(rec.latencies, 0.99), pctl(rec.latencies, 1)
	return lv
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func pctl(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i].Microseconds()) / 1000
}

// request returns a request with its own request_id; the report is
// shared, read-only.
func request(cfg config, id string) *pb.GenerateReportRequest {
	r := cfg.req
	return &pb.GenerateReportRequest{RequestId: id, TemplateId: r.GetTemplateId(), Report: r.GetReport(), Outputs: r.GetOutputs(),
		SrHeadingCodes: r.GetSrHeadingCodes(), UidNamespace: r.GetUidNamespace()}
}

// closedLoop sends a request, waits for its answer, and sends the next.
func closedLoop(issue, calls context.Context, client pb.ReportServiceClient, cfg config, worker int, rec *recorder) {
	for i := 0; issue.Err() == nil; i++ {
		req := request(cfg, fmt.Sprintf("load-%d-%d", worker, i))
		t0 := time.Now()
		_, err := client.GenerateReport(calls, req)
		rec.add(t0, time.Since(t0), err)
	}
}

// openLoop sends at a fixed rate whatever the answers do; latency counts
// from the time a request was due, so queueing shows.
func openLoop(issue, calls context.Context, client pb.ReportServiceClient, cfg config, rate float64, rec *recorder) {
	const maxInFlight = 4096
	sem := make(chan struct{}, maxInFlight)
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	var wg sync.WaitGroup
	defer wg.Wait()
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-issue.Done():
				return
			case <-time.After(d):
			}
		}
		select {
		case sem <- struct{}{}:
		case <-issue.Done():
			return
		}
		wg.Go(func() {
			defer func() { <-sem }()
			_, err := client.GenerateReport(calls, request(cfg, "load-"+strconv.Itoa(i)))
			rec.add(due, time.Since(due), err)
		})
	}
}

// streamLoop keeps window requests in flight on one GenerateReports
// stream; latency is from a request's Send to its answer.
func streamLoop(issue, calls context.Context, client pb.ReportServiceClient, cfg config, window int, rec *recorder) {
	stream, err := client.GenerateReports(calls)
	if err != nil {
		rec.add(time.Now(), 0, err)
		return
	}
	var mu sync.Mutex
	sent := map[string]time.Time{}
	slots := make(chan struct{}, window)
	recvDone := make(chan struct{})
	go func() {
		defer close(recvDone)
		for {
			r, err := stream.Recv()
			if err != nil {
				// Whatever is still open failed.
				mu.Lock()
				for _, t0 := range sent {
					rec.add(t0, 0, err)
				}
				mu.Unlock()
				return
			}
			mu.Lock()
			t0 := sent[r.GetRequestId()]
			delete(sent, r.GetRequestId())
			mu.Unlock()
			var ferr error
			if r.GetFailure() != nil {
				ferr = errors.New(r.GetFailure().GetCode())
			}
			rec.add(t0, time.Since(t0), ferr)
			<-slots
		}
	}()
	defer func() { <-recvDone }()
	for i := 0; ; i++ {
		select {
		case slots <- struct{}{}:
		case <-issue.Done():
			stream.CloseSend()
			return
		}
		id := "load-" + strconv.Itoa(i)
		mu.Lock()
		sent[id] = time.Now()
		mu.Unlock()
		if err := stream.Send(&pb.GenerateReportsRequest{Request: request(cfg, id)}); err != nil {
			return
		}
	}
}

// writeJSONL writes n requests made from the examples and the request
// file, each a report of its own: request_id, accession number, patient id
// and measured values vary with the line.
func writeJSONL(w io.Writer, n int, reqFile string) error {
	files, _ := filepath.Glob("examples/*.json")
	files = append(files, reqFile)
	sort.Strings(files)
	var samples []*pb.GenerateReportRequest
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		r := &pb.GenerateReportRequest{}
		if err := protojson.Unmarshal(b, r); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		samples = append(samples, r)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	for i := range n {
		r := proto.Clone(samples[i%len(samples)]).(*pb.GenerateReportRequest)
		r.RequestId = fmt.Sprintf("syn-%07d", i+1)
		r.Report.Study.AccessionNumber = fmt.Sprintf("S%07d", i+1)
		if ids := r.Report.GetPatient().GetIds(); len(ids) > 0 {
			ids[0].Value = fmt.Sprintf("P%07d", i%50000+1)
		}
		for _, sec := range r.Report.GetSections() {
			for _, o := range sec.GetObservations() {
				if m := o.GetMeasurement(); m != nil {
					m.Value = strconv.Itoa(i%40 + 2)
				}
			}
		}
		b, err := protojson.Marshal(r)
		if err != nil {
			return err
		}
		bw.Write(b)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// procMemory reads VmRSS and VmHWM (peak RSS) of a process, in kB.
func procMemory(pid int) (rss, hwm int64) {
	if pid <= 0 {
		return 0, 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "VmRSS:":
			rss, _ = strconv.ParseInt(f[1], 10, 64)
		case "VmHWM:":
			hwm, _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	return rss, hwm
}

// clientCPU is this process's CPU time (user + system).
func clientCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverCPU reads a process's CPU time from /proc/<pid>/stat.
func serverCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64) // utime, field 14
	st, _ := strconv.ParseInt(f[12], 10, 64) // stime, field 15
	const ticks = 100                        // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticks
}

func printTable(w io.Writer, levels []level) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\tload\treports/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\terrors\tserver cores\tclient cores\tserver RSS MB\tserver peak RSS MB\t")
	for _, l := range levels {
		load := fmt.Sprintf("c=%d", l.Concurrency)
		if l.Rate > 0 {
			load = fmt.Sprintf("%.0f/s", l.Rate)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%.2f\t%.2f\t%.0f\t%.0f\t\n", l.Mode, load, l.PerSecond, l.P50, l.P90, l.P99, l.Max,
			l.Errors, l.ServerCPU, l.ClientCPU, float64(l.ServerRSS)/1024, float64(l.ServerHWM)/1024)
	}
	tw.Flush()
}
