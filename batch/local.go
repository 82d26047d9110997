package batch

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"google.golang.org/grpc/codes"

	"github.com/reportgen/reportgen"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Job is one request to render.
type Job struct {
	// Input is where the request came from.
	Input *Input
	// Name is the output name decided for it.
	Name string
	// RequestID is the request's own request_id. A Remote renderer
	// replaces the request_id on the wire with one of its own, to match
	// responses that come out of order even when ids repeat.
	RequestID string
	// Request is the request as sent to the engine.
	Request *pb.GenerateReportRequest

	wireID string // the request_id a Remote renderer sent it under
}

// Outcome is the result of one job: documents, or a failure.
type Outcome struct {
	Job      *Job
	Response *pb.GenerateReportResponse
	Failure  *pb.Failure
}

// A Renderer turns jobs into outcomes.
type Renderer interface {
	// Render renders the jobs it receives until jobs is closed, sending one
	// outcome per job to out. It returns an error when it cannot go on (no
	// server reachable); jobs without an outcome then stay undone and a
	// rerun does them. It never closes out. When ctx ends it stops soon,
	// dropping unfinished jobs rather than reporting them as failed.
	Render(ctx context.Context, jobs <-chan *Job, out chan<- *Outcome) error
}

// Local renders with an in-process engine.
type Local struct {
	Engine *reportgen.Engine
	// Workers is how many requests are rendered at once; 0 means
	// GOMAXPROCS (the engine is CPU-bound), and at most MaxWorkers.
	Workers int
}

// Render implements Renderer.
func (l *Local) Render(ctx context.Context, jobs <-chan *Job, out chan<- *Outcome) error {
	n := l.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	n = min(n, MaxWorkers)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for {
				var j *Job
				var ok bool
				select {
				case <-ctx.Done():
					return
				case j, ok = <-jobs:
					if !ok {
						return
					}
				}
				o := l.one(ctx, j)
				if ctx.Err() != nil && o.Failure != nil {
					return // cut short by the end of ctx: leave it undone
				}
				out <- o
			}
		})
	}
	wg.Wait()
	return nil
}

// one renders a job; a panic in the engine fails this job only.
func (l *Local) one(ctx context.Context, j *Job) (o *Outcome) {
	o = &Outcome{Job: j}
	defer func() {
		if r := recover(); r != nil {
			o.Response, o.Failure = nil, &pb.Failure{Code: codeName(codes.Internal), Message: "internal error"}
		}
	}()
	resp, err := l.Engine.Generate(ctx, j.Request)
	if err != nil {
		o.Failure = FailureOf(err)
		return o
	}
	o.Response = resp
	return o
}

// FailureOf converts an engine error to the failure a GenerateReports
// stream would send for it.
func FailureOf(err error) *pb.Failure {
	var ire *reportgen.InvalidRequestError
	var ide *reportgen.InvalidDocumentError
	switch {
	case errors.As(err, &ire):
		return &pb.Failure{Code: codeName(codes.InvalidArgument), Message: "invalid request", FieldViolations: reportgen.ViolationsToProto(ire.Violations)}
	case errors.As(err, &ide):
		return &pb.Failure{Code: codeName(codes.Internal), Message: ide.Error(), Issues: reportgen.IssuesToProto(ide.Issues)}
	case errors.Is(err, context.Canceled):
		return &pb.Failure{Code: codeName(codes.Canceled), Message: "canceled"}
	case errors.Is(err, context.DeadlineExceeded):
		return &pb.Failure{Code: codeName(codes.DeadlineExceeded), Message: "deadline exceeded"}
	}
	return &pb.Failure{Code: codeName(codes.Internal), Message: err.Error()}
}
