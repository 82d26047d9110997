package server

import (
	"context"
	"errors"
	"io"
	"runtime/debug"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/reportgen/reportgen"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// GenerateReports renders a stream of requests. At most StreamInFlight
// requests of a stream are held at once: past that the server stops
// receiving, its gRPC flow-control window fills, and the client's Send
// blocks — so a client may queue any number of requests without the
// server's memory growing. A bad request fails only its own response.
func (s *Service) GenerateReports(stream pb.ReportService_GenerateReportsServer) error {
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()

	slots := make(chan struct{}, s.limits.StreamInFlight)
	work := make(chan *pb.GenerateReportsRequest)
	results := make(chan *pb.GenerateReportsResponse, s.limits.StreamInFlight)

	var workers sync.WaitGroup
	for range s.limits.StreamWorkers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for req := range work {
				results <- s.one(ctx, req)
			}
		}()
	}

	// One sender: a gRPC stream's Send must not be called concurrently.
	sendDone := make(chan error, 1)
	go func() {
		var err error
		for r := range results {
			if err == nil {
				if err = stream.Send(r); err != nil {
					cancel() // stop receiving; keep draining so workers finish
				}
			}
			<-slots
		}
		sendDone <- err
	}()

	var recvErr error
recv:
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			break recv
		}
		req, err := stream.Recv()
		if err != nil {
			<-slots
			if !errors.Is(err, io.EOF) {
				recvErr = err
			}
			break
		}
		work <- req
	}
	close(work)
	workers.Wait()
	close(results)
	sendErr := <-sendDone
	switch {
	case sendErr != nil:
		return sendErr
	case recvErr != nil:
		return recvErr
	}
	return stream.Context().Err()
}

// one renders one request of a stream into its response or failure.
func (s *Service) one(ctx context.Context, req *pb.GenerateReportsRequest) (out *pb.GenerateReportsResponse) {
	inner := req.GetRequest()
	out = &pb.GenerateReportsResponse{RequestId: inner.GetRequestId()}
	// Workers run outside the interceptors' goroutine, so a defect here
	// must be caught here: it fails one response, not the process.
	defer func() {
		if r := recover(); r != nil {
			s.log.ErrorContext(ctx, "panic", "method", "GenerateReports", "stack", string(debug.Stack()))
			out.Result = &pb.GenerateReportsResponse_Failure{Failure: &pb.Failure{Code: codes.Internal.String(), Message: "internal error"}}
		}
	}()
	if inner == nil {
		out.Result = &pb.GenerateReportsResponse_Failure{Failure: &pb.Failure{
			Code: codes.InvalidArgument.String(), Message: "invalid request",
			FieldViolations: []*pb.FieldViolation{{Field: "request", RuleId: reportgen.RuleRequired, Description: "is required"}},
		}}
		return out
	}
	release, err := s.acquire(ctx)
	if err != nil {
		st := status.Convert(err)
		out.Result = &pb.GenerateReportsResponse_Failure{Failure: &pb.Failure{Code: st.Code().String(), Message: st.Message()}}
		return out
	}
	start := time.Now()
	resp, err := s.engine.Generate(ctx, inner)
	release()
	if err != nil {
		f := s.classify(ctx, err)
		s.metrics.report(sourceStream, start, f.code)
		out.Result = &pb.GenerateReportsResponse_Failure{Failure: f.proto()}
		return out
	}
	s.metrics.report(sourceStream, start, codes.OK)
	out.Result = &pb.GenerateReportsResponse_Response{Response: resp}
	return out
}
