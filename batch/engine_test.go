package batch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/server"
)

const schemaDir = "../schemas/synced"

var (
	engineOnce sync.Once
	sharedEng  *reportgen.Engine
	engineErr  error
)

// testEngine is one engine for the package's tests: compiling the schemas
// is the slow part.
func testEngine(t testing.TB) *reportgen.Engine {
	t.Helper()
	engineOnce.Do(func() { sharedEng, engineErr = reportgen.New(reportgen.Config{SchemaDir: schemaDir}) })
	if engineErr != nil {
		t.Fatalf("%v (scripts/setup.sh syncs the schemas)", engineErr)
	}
	return sharedEng
}

// sampleRequests returns the project's example requests and the typical
// report fixture.
func sampleRequests(t testing.TB) []*pb.GenerateReportRequest {
	t.Helper()
	files, _ := filepath.Glob("../examples/*.json")
	files = append(files, "testdata/typical-ct.json")
	sort.Strings(files)
	var out []*pb.GenerateReportRequest
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		req := &pb.GenerateReportRequest{}
		if err := protojson.Unmarshal(b, req); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, req)
	}
	if len(out) < 4 {
		t.Fatalf("want at least 4 sample requests, have %d", len(out))
	}
	return out
}

// requestLines makes n JSONL lines from the samples, each its own report
// (request_id and accession number vary), so identities differ per line;
// edit, when not nil, changes line i's request further.
func requestLines(t testing.TB, n int, edit func(i int, r *pb.GenerateReportRequest)) []string {
	t.Helper()
	samples := sampleRequests(t)
	lines := make([]string, n)
	for i := range lines {
		req := proto.Clone(samples[i%len(samples)]).(*pb.GenerateReportRequest)
		req.RequestId = fmt.Sprintf("r-%d", i+1)
		req.Report.Study.AccessionNumber = fmt.Sprintf("B%d", i+1)
		if edit != nil {
			edit(i, req)
		}
		b, err := protojson.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		lines[i] = string(b)
	}
	return lines
}

// checkOutputsValid validates every written document with the engine.
func checkOutputsValid(t *testing.T, out string, recs map[string]Record) {
	t.Helper()
	e := testEngine(t)
	for _, r := range recs {
		for _, o := range r.Outputs {
			b, err := os.ReadFile(filepath.Join(out, o))
			if err != nil {
				t.Fatal(err)
			}
			v, err := e.ValidateDocument(context.Background(), b, pb.DocumentKind_DOCUMENT_KIND_UNSPECIFIED)
			if err != nil || !v.GetValid() {
				t.Errorf("%s: %s is not valid: %v %v", r.Key(), o, err, v.GetIssues())
			}
		}
	}
}

func TestLocalDeterministicRerun(t *testing.T) {
	lines := requestLines(t, 12, nil)
	lines = append(lines, `{"requestId":"bad","report":{"status":"REPORT_STATUS_FINAL"}}`)
	in := writeJSONL(t, lines)
	var outs []string
	for range 2 {
		out := t.TempDir()
		sum, err := Run(context.Background(), Config{In: in, Out: out, Renderer: &Local{Engine: testEngine(t)}, UIDNamespace: "batch-test"})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Now != (Counts{OK: 12, Invalid: 1}) {
			t.Errorf("counts %+v", sum.Now)
		}
		recs := checkExactlyOnce(t, out, lineKeys(13))
		if r := recs["line:13"]; r.Status != StatusInvalid || len(r.Violations) == 0 || r.Violations[0].Field != "report.report_time" || r.Violations[0].RuleID != reportgen.RuleRequired {
			t.Errorf("invalid request record: %+v", r)
		}
		outs = append(outs, out)
	}
	checkOutputsValid(t, outs[0], checkExactlyOnce(t, outs[0], lineKeys(13)))
	files, _ := filepath.Glob(filepath.Join(outs[0], "r-*"))
	if len(files) != 24 {
		t.Fatalf("%d documents, want 24", len(files))
	}
	for _, f := range files {
		a, _ := os.ReadFile(f)
		b, err := os.ReadFile(filepath.Join(outs[1], filepath.Base(f)))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs with the same --uid-namespace", filepath.Base(f))
		}
	}
}

// testServer is a report server on a loopback port that counts the
// stream requests it receives.
type testServer struct {
	addr     string
	received *atomic.Int64
	srv      *grpc.Server
}

func startServer(t testing.TB) *testServer {
	t.Helper()
	return startServerWith(t, server.DefaultLimits())
}

func startServerWith(t testing.TB, limits server.Limits, opts ...server.Option) *testServer {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{addr: lis.Addr().String(), received: &atomic.Int64{}}
	count := func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		return h(srv, &countingStream{ServerStream: ss, n: ts.received})
	}
	opts = append(opts, server.WithGRPCOptions(grpc.ChainStreamInterceptor(count)))
	ts.srv, _ = server.New(testEngine(t), slog.New(slog.NewTextHandler(io.Discard, nil)), limits, opts...)
	go ts.srv.Serve(lis)
	t.Cleanup(ts.srv.Stop)
	return ts
}

type countingStream struct {
	grpc.ServerStream
	n *atomic.Int64
}

func (s *countingStream) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if err == nil {
		s.n.Add(1)
	}
	return err
}

func TestRemoteTwoServers(t *testing.T) {
	s1, s2 := startServer(t), startServer(t)
	// Repeated and empty request_ids: answers are matched by the runner's
	// own wire ids, and the records keep the inputs' ids.
	lines := requestLines(t, 40, func(i int, r *pb.GenerateReportRequest) {
		switch i {
		case 5:
			r.RequestId = "r-1"
		case 6:
			r.RequestId = ""
		}
	})
	lines = append(lines, `{"requestId":"bad","report":{"status":"REPORT_STATUS_FINAL"}}`, `not json`)
	in := writeJSONL(t, lines)
	out := t.TempDir()

	cc, err := Dial(s1.addr + "," + s2.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	r := &Remote{Client: pb.NewReportServiceClient(cc), Streams: 4, Window: 8, StreamRequests: 8}
	sum, err := Run(context.Background(), Config{In: in, Out: out, Renderer: r, UIDNamespace: "remote-test"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Now != (Counts{OK: 40, Invalid: 2}) {
		t.Errorf("counts %+v", sum.Now)
	}
	recs := checkExactlyOnce(t, out, lineKeys(42))
	checkOutputsValid(t, out, recs)
	if n1, n2 := s1.received.Load(), s2.received.Load(); n1 == 0 || n2 == 0 || n1+n2 != 41 {
		t.Errorf("servers received %d and %d requests, want both some and 41 in all", n1, n2)
	}
	for key, want := range map[string]Record{
		"line:6":  {RequestID: "r-1", Name: "r-1--6"},
		"line:7":  {RequestID: "", Name: "line-7"},
		"line:41": {RequestID: "bad", Name: "bad"},
	} {
		if got := recs[key]; got.RequestID != want.RequestID || got.Name != want.Name {
			t.Errorf("%s: request_id %q name %q, want %q %q", key, got.RequestID, got.Name, want.RequestID, want.Name)
		}
	}
	if r := recs["line:41"]; r.Status != StatusInvalid || r.Code != "INVALID_ARGUMENT" || len(r.Violations) == 0 {
		t.Errorf("invalid request over the stream: %+v", r)
	}

	// The same batch in-process gives the same bytes: remote and local
	// renderers are interchangeable.
	local := t.TempDir()
	if _, err := Run(context.Background(), Config{In: in, Out: local, Renderer: &Local{Engine: testEngine(t)}, UIDNamespace: "remote-test"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"r-1.cda.xml", "r-1--6.sr.dcm", "line-7.cda.xml"} {
		a, _ := os.ReadFile(filepath.Join(out, name))
		b, _ := os.ReadFile(filepath.Join(local, name))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between remote and in-process rendering", name)
		}
	}
}

func TestRemoteServerDown(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close() // nothing listens there
	cc, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	r := &Remote{Client: pb.NewReportServiceClient(cc), Streams: 2, MaxAttempts: 2, Backoff: 10e6}
	out := t.TempDir()
	_, err = Run(context.Background(), Config{In: writeJSONL(t, requestLines(t, 3, nil)), Out: out, Renderer: r})
	if err == nil || !strings.Contains(err.Error(), "GenerateReports failed") {
		t.Fatalf("err = %v, want the stream's failure", err)
	}
	if recs := readResults(t, filepath.Join(out, ResultsName)); len(recs) != 0 {
		t.Errorf("inputs recorded without a server: %v", recs)
	}
}

// TestRemoteServerStops stops one of two servers mid-batch: the requests
// its streams held are sent again on streams to the other, and every input
// is still recorded exactly once.
func TestRemoteServerStops(t *testing.T) {
	s1, s2 := startServer(t), startServer(t)
	go func() {
		for s1.received.Load() < 10 {
			time.Sleep(time.Millisecond)
		}
		s1.srv.Stop()
	}()
	cc, err := Dial(s1.addr + "," + s2.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	r := &Remote{Client: pb.NewReportServiceClient(cc), Streams: 4, Window: 8, StreamRequests: 8, Backoff: time.Millisecond}
	in := writeJSONL(t, requestLines(t, 60, nil))
	out := t.TempDir()
	sum, err := Run(context.Background(), Config{In: in, Out: out, Renderer: r})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Now != (Counts{OK: 60}) {
		t.Errorf("counts %+v", sum.Now)
	}
	checkExactlyOnce(t, out, lineKeys(60))
	t.Logf("server 1 received %d requests before it stopped, server 2 %d", s1.received.Load(), s2.received.Load())
}
