package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
	"google.golang.org/grpc/status"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Defaults of Remote.
const (
	DefaultStreams     = 4
	DefaultWindow      = 64
	DefaultMaxAttempts = 5
	// DefaultStreamRequests is how many requests a stream carries before
	// it is closed and a new one opened (see Remote.StreamRequests).
	DefaultStreamRequests = 512
)

// The largest Local.Workers, Remote.Streams and Remote.Window taken;
// larger values are lowered to them. Past them a count no longer bounds
// anything a machine holds: a mistyped --workers 1000000000000 hung the
// batch starting goroutines.
const (
	MaxWorkers = 1024
	MaxStreams = 1024
	MaxWindow  = 4096
)

// maxResponse bounds one GenerateReports response: two documents of the
// engine's largest size with room for identities and issues.
const maxResponse = 64 << 20

// roundRobin spreads streams over every address the resolver gives.
const roundRobin = `{"loadBalancingConfig":[{"round_robin":{}}]}`

// Dial connects to report servers. servers is either a comma-separated
// list of host:port, balanced round robin over the list (a manual
// resolver), or one gRPC target with a scheme, such as dns:///name:port,
// balanced round robin over what the resolver returns. Connections are
// plaintext, as the server serves.
func Dial(servers string, opts ...grpc.DialOption) (*grpc.ClientConn, error) {
	base := []grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(roundRobin),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxResponse), grpc.MaxCallSendMsgSize(MaxRecord)),
	}
	target := strings.TrimSpace(servers)
	if !strings.Contains(target, "://") {
		var addrs []resolver.Address
		for _, a := range strings.Split(target, ",") {
			if a = strings.TrimSpace(a); a != "" {
				// TLS checks each server's certificate against its own
				// host, not against the manual resolver's target name.
				host, _, err := net.SplitHostPort(a)
				if err != nil {
					return nil, fmt.Errorf("batch: server address %q: %w", a, err)
				}
				addrs = append(addrs, resolver.Address{Addr: a, ServerName: host})
			}
		}
		if len(addrs) == 0 {
			return nil, errors.New("batch: no server address given")
		}
		r := manual.NewBuilderWithScheme("reportgen-batch")
		r.InitialState(resolver.State{Addresses: addrs})
		base = append(base, grpc.WithResolvers(r))
		target = r.Scheme() + ":///servers"
	}
	cc, err := grpc.NewClient(target, append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("batch: connect to %s: %w", servers, err)
	}
	return cc, nil
}

// Remote renders through the GenerateReports stream of one or more
// servers.
//
// Flow control: each stream has at most Window requests sent and not yet
// answered; past that its sender waits for answers. The server holds fewer
// still (its StreamInFlight) and stops reading past them, so the rest of a
// window waits in HTTP/2 buffers, and when those are full gRPC's flow
// control blocks Send. Client and server memory are thus bounded by
// Streams × Window requests and their answers, however long the batch.
type Remote struct {
	Client pb.ReportServiceClient
	// Streams is how many streams are open at once. A balancer pins each
	// stream to one server, so use at least one per server; 0 means
	// DefaultStreams.
	Streams int
	// Window bounds each stream's unanswered requests; 0 means
	// DefaultWindow.
	Window int
	// MaxAttempts is how many times in a row a stream may break without an
	// answer before Render gives up; 0 means DefaultMaxAttempts. The
	// requests of a broken stream are sent again on a new one.
	MaxAttempts int
	// Backoff is the first wait before a stream is opened again, doubled
	// each time; 0 means 200 ms.
	Backoff time.Duration
	// StreamRequests is how many requests one stream carries before it is
	// half-closed and replaced; 0 means DefaultStreamRequests. A balancer
	// places a stream once, when it opens, and at start only the first
	// server to connect is ready, so long-lived streams would all stay
	// there; replacing them re-spreads the load over every server ready
	// by then (and over servers a DNS target adds later).
	StreamRequests int

	ids atomic.Uint64
}

// Render implements Renderer.
func (r *Remote) Render(ctx context.Context, jobs <-chan *Job, out chan<- *Outcome) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := r.Streams
	if n <= 0 {
		n = DefaultStreams
	}
	n = min(n, MaxStreams)
	errs := make(chan error, n)
	for range n {
		go func() {
			err := r.worker(ctx, jobs, out)
			if err != nil {
				cancel() // one stream giving up stops the batch: a rerun resumes
			}
			errs <- err
		}()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// worker keeps one stream going until jobs is closed and every job it took
// is answered, opening a new stream when one breaks.
func (r *Remote) worker(ctx context.Context, jobs <-chan *Job, out chan<- *Outcome) error {
	maxAttempts := r.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	backoff := r.Backoff
	if backoff <= 0 {
		backoff = 200 * time.Millisecond
	}
	var (
		resend []*Job
		closed bool
		fails  int
	)
	for {
		if closed && len(resend) == 0 {
			return nil
		}
		if ctx.Err() != nil {
			return nil // stopping: what is not answered stays undone
		}
		s := r.session(ctx, jobs, resend, out)
		resend, closed = s.rest, closed || s.closed
		if s.err == nil {
			fails = 0
			continue
		}
		if ctx.Err() != nil {
			return nil
		}
		if s.answered > 0 {
			fails = 0
		}
		fails++
		if permanent(status.Code(s.err)) || misconfigured(s.err) {
			return fmt.Errorf("batch: GenerateReports refused, %d requests unanswered: %w", len(resend), s.err)
		}
		if fails >= maxAttempts {
			return fmt.Errorf("batch: GenerateReports failed %d times in a row, %d requests unanswered: %w", fails, len(resend), s.err)
		}
		select {
		case <-time.After(backoff << min(fails-1, 5)):
		case <-ctx.Done():
			return nil
		}
	}
}

// sessionResult is how one stream ended.
type sessionResult struct {
	answered int    // final outcomes received
	rest     []*Job // jobs taken and not answered, to send again
	closed   bool   // jobs was closed
	err      error  // why the stream ended early, nil when it ended well
}

// session runs one stream: it sends resend, then jobs, while a receiver
// hands answers to out.
func (r *Remote) session(ctx context.Context, jobs <-chan *Job, resend []*Job, out chan<- *Outcome) (res sessionResult) {
	window := r.Window
	if window <= 0 {
		window = DefaultWindow
	}
	window = min(window, MaxWindow)
	quota := r.StreamRequests
	if quota <= 0 {
		quota = DefaultStreamRequests
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := r.Client.GenerateReports(sctx)
	if err != nil {
		return sessionResult{rest: resend, err: fmt.Errorf("open stream: %w", err)}
	}

	var (
		mu       sync.Mutex
		pending  = map[string]*Job{}
		again    []*Job // answered with a transient failure
		answered atomic.Int64
		recvErr  error
	)
	slots := make(chan struct{}, window)
	recvDone := make(chan struct{})
	go func() {
		defer close(recvDone)
		for {
			resp, err := stream.Recv()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					recvErr = err
				}
				return
			}
			mu.Lock()
			j := pending[resp.GetRequestId()]
			delete(pending, resp.GetRequestId())
			mu.Unlock()
			if j == nil {
				recvErr = errors.New("the server answered a request_id it was not sent")
				return
			}
			if o := outcomeOf(j, resp); o != nil {
				out <- o
				answered.Add(1)
			} else {
				mu.Lock()
				again = append(again, j)
				mu.Unlock()
			}
			<-slots
		}
	}()

	var unsent []*Job
	// send returns false when the stream can take no more.
	send := func(j *Job) bool {
		select {
		case slots <- struct{}{}:
		case <-recvDone:
			unsent = append(unsent, j)
			return false
		case <-ctx.Done():
			unsent = append(unsent, j)
			return false
		}
		if j.wireID == "" {
			// Ids of our own match answers to jobs whatever the inputs'
			// request_ids (empty, repeated); records keep the input's.
			j.wireID = "b" + strconv.FormatUint(r.ids.Add(1), 10)
			j.Request.RequestId = j.wireID
		}
		mu.Lock()
		pending[j.wireID] = j
		mu.Unlock()
		return stream.Send(&pb.GenerateReportsRequest{Request: j.Request}) == nil
	}

	ok := true
	for i, j := range resend {
		if !send(j) {
			unsent = append(unsent, resend[i+1:]...)
			ok = false
			break
		}
	}
	quota -= len(resend)
	full := false
	for ok {
		if quota <= 0 {
			full = true // done with this stream: let a new one be placed
			break
		}
		quota--
		select {
		case j, more := <-jobs:
			if !more {
				res.closed = true
				ok = false
				break
			}
			ok = send(j)
		case <-recvDone:
			ok = false
		case <-ctx.Done():
			ok = false
		}
	}
	if res.closed || full {
		// Half-close: the server answers what it holds, then ends.
		if err := stream.CloseSend(); err != nil {
			cancel()
		}
	} else {
		cancel()
	}
	<-recvDone

	res.answered = int(answered.Load())
	res.rest = append(unsent, again...)
	for _, j := range pending {
		res.rest = append(res.rest, j)
	}
	// Resend in input order, so a resumed stream behaves like the first.
	sort.Slice(res.rest, func(a, b int) bool { return res.rest[a].Input.Seq < res.rest[b].Input.Seq })
	switch {
	case recvErr != nil:
		res.err = recvErr
	case len(res.rest) > 0 && ctx.Err() == nil:
		res.err = fmt.Errorf("stream ended with %d requests unanswered", len(res.rest))
	}
	return res
}

// permanent tells stream errors that retrying cannot mend.
func permanent(c codes.Code) bool {
	switch c {
	case codes.Unauthenticated, codes.PermissionDenied, codes.Unimplemented, codes.InvalidArgument, codes.FailedPrecondition:
		return true
	}
	return false
}

// outcomeOf reads one answer; nil means a transient failure, to be sent
// again.
func outcomeOf(j *Job, r *pb.GenerateReportsResponse) *Outcome {
	switch x := r.GetResult().(type) {
	case *pb.GenerateReportsResponse_Response:
		x.Response.RequestId = j.RequestID
		return &Outcome{Job: j, Response: x.Response}
	case *pb.GenerateReportsResponse_Failure:
		if transient(codeOf(x.Failure.GetCode())) {
			return nil
		}
		return &Outcome{Job: j, Failure: x.Failure}
	}
	return &Outcome{Job: j, Failure: &pb.Failure{Code: "INTERNAL", Message: "the server sent an answer without a result"}}
}
