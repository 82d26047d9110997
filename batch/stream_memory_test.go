package batch

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/server"
)

// heapSampler records the peak of HeapInuse every few milliseconds.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > h.peak.Load() {
				h.peak.Store(ms.HeapInuse)
			}
			select {
			case <-h.stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return h
}

func (h *heapSampler) finish() uint64 {
	close(h.stop)
	<-h.done
	return h.peak.Load()
}

// TestStreamMemoryBounded sends 10,000 requests of about 60 KB (600 MB in
// all) through one GenerateReports stream to a server in this process, and
// checks that neither side buffers them: the client's Send is held back
// while the server is busy (the server stops reading past its
// StreamInFlight requests and HTTP/2 flow control does the rest), and the
// heap of the whole process (server and client) stays far below the
// volume sent.
//
// The requests are invalid (no patient), so the server answers each with
// a small failure after its input checks: the test measures buffering,
// not rendering, and stays fast.
func TestStreamMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 600 MB over loopback")
	}
	const (
		n     = 10_000
		bound = 64 << 20 // heap growth allowed: about a tenth of the volume sent
	)
	limits := server.DefaultLimits()
	limits.StreamWorkers, limits.StreamInFlight = 1, 4
	ts := startServerWith(t, limits)
	received := ts.received
	cc, err := Dial(ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	client := pb.NewReportServiceClient(cc)

	req := &pb.GenerateReportRequest{Report: &pb.Report{
		Status:   pb.ReportStatus_REPORT_STATUS_FINAL,
		Sections: []*pb.Section{{Kind: pb.SectionKind_SECTION_KIND_FINDINGS, Text: strings.Repeat("No acute findings. ", 3200)}},
	}}
	size := proto.Size(req)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	heap := startHeapSampler()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	stream, err := client.GenerateReports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var sent atomic.Int64
	sendErr := make(chan error, 1)
	go func() {
		for i := range n {
			// Send marshals before it returns, so one message serves all.
			req.RequestId = strconv.Itoa(i)
			if err := stream.Send(&pb.GenerateReportsRequest{Request: req}); err != nil {
				sendErr <- err
				return
			}
			sent.Add(1)
		}
		sendErr <- stream.CloseSend()
	}()

	// Phase 1: read nothing. Sends must stall far short of n.
	stalled := waitStall(&sent, 300*time.Millisecond, 20*time.Second)
	if stalled >= n {
		t.Fatalf("the client sent all %d requests while nothing was read: no push back", n)
	}
	t.Logf("not reading: the client's Send stalled after %d of %d requests (server received %d)", stalled, n, received.Load())

	// Phase 2: read every answer; the gap between what the client sent and
	// what the server took stays small all along.
	var maxGap int64
	seen := make(map[string]bool, n)
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if f := resp.GetFailure(); f == nil || codeOf(f.GetCode()) != codes.InvalidArgument {
			t.Fatalf("request %s: want an invalid-request failure, got %v", resp.GetRequestId(), resp)
		}
		seen[resp.GetRequestId()] = true
		maxGap = max(maxGap, sent.Load()-received.Load())
	}
	if err := <-sendErr; err != nil {
		t.Fatal(err)
	}
	peak := heap.finish()
	if len(seen) != n {
		t.Errorf("%d distinct answers, want %d", len(seen), n)
	}
	growth := int64(peak) - int64(base)
	t.Logf("%d requests of %d bytes (%d MB in all): heap in use %d MB before, peak %d MB (growth %d MB); largest sent-but-not-received gap %d requests",
		n, size, n*size>>20, base>>20, peak>>20, growth>>20, maxGap)
	if growth > bound {
		t.Errorf("heap grew by %d MB, want under %d MB for %d MB sent", growth>>20, bound>>20, n*size>>20)
	}
	if maxGap > 1000 {
		t.Errorf("the client got %d requests ahead of the server: no push back", maxGap)
	}
}

// waitStall waits until counter has not moved for quiet (or until limit)
// and returns its value.
func waitStall(counter *atomic.Int64, quiet, limit time.Duration) int64 {
	deadline := time.Now().Add(limit)
	last, since := counter.Load(), time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		if v := counter.Load(); v != last {
			last, since = v, time.Now()
		} else if time.Since(since) >= quiet {
			break
		}
	}
	return last
}
