// Package server is the gRPC face of the engine: it turns engine results
// and errors into responses and statuses (field violations as
// google.rpc.BadRequest), bounds what one call or stream may hold, and logs
// calls without patient data.
package server

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/experimental"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Limits bound the resources of calls.
type Limits struct {
	// MaxMessageBytes bounds one request message.
	MaxMessageBytes int
	// StreamWorkers is how many requests of one GenerateReports stream are
	// rendered at once.
	StreamWorkers int
	// StreamInFlight is how many requests of one stream may be received
	// and not yet answered; past it the server stops reading, and gRPC flow
	// control pushes back on the client.
	StreamInFlight int
	// MaxConcurrentCalls is how many calls (a stream counts as one) are
	// served at once; more are refused with RESOURCE_EXHAUSTED. 0 means no
	// limit.
	MaxConcurrentCalls int
	// EngineWorkers is how many reports are rendered or validated at once
	// across all calls and streams; the others wait (until their
	// deadline) without holding a document's worth of memory. More than
	// the cores only adds memory and latency, not throughput.
	EngineWorkers int
}

// DefaultLimits fit a document of reportgen.MaxDocumentSize plus framing,
// and keep each stream's memory to a few hundred requests.
func DefaultLimits() Limits {
	return Limits{
		MaxMessageBytes: reportgen.MaxDocumentSize + 1<<20,
		StreamWorkers:   runtime.GOMAXPROCS(0),
		StreamInFlight:  4 * runtime.GOMAXPROCS(0),
		// Each call holds at most one report's documents (a few hundred
		// KB); this bounds memory at well under 1 GB under any load.
		MaxConcurrentCalls: 256,
		EngineWorkers:      2 * runtime.GOMAXPROCS(0),
	}
}

// MaxLimits are the largest limits a server takes. Past them a limit no
// longer bounds anything a machine holds: each stream allocates queues of
// StreamInFlight entries, so a mistyped flag would exhaust memory at the
// first stream instead of failing at start. New and NewService lower
// larger values to these; reportgen serve refuses them by flag name.
func MaxLimits() Limits {
	return Limits{
		MaxMessageBytes:    1 << 30,
		StreamWorkers:      1024,
		StreamInFlight:     4096,
		MaxConcurrentCalls: 1 << 16,
		EngineWorkers:      1024,
	}
}

// within returns l with each limit lowered to MaxLimits.
func (l Limits) within() Limits {
	m := MaxLimits()
	l.MaxMessageBytes = min(l.MaxMessageBytes, m.MaxMessageBytes)
	l.StreamWorkers = min(l.StreamWorkers, m.StreamWorkers)
	l.StreamInFlight = min(l.StreamInFlight, m.StreamInFlight)
	l.MaxConcurrentCalls = min(l.MaxConcurrentCalls, m.MaxConcurrentCalls)
	l.EngineWorkers = min(l.EngineWorkers, m.EngineWorkers)
	return l
}

// Service implements reportgen.v1.ReportService over an Engine.
type Service struct {
	pb.UnimplementedReportServiceServer
	engine  *reportgen.Engine
	hl7     HL7Intake
	log     *slog.Logger
	limits  Limits
	metrics *Metrics // nil: not recorded
	// work bounds the engine calls running at once (Limits.EngineWorkers).
	work chan struct{}
}

// NewService returns the service. Limits past MaxLimits are lowered to
// them; limits under one worker or one request in flight are raised to it.
func NewService(e *reportgen.Engine, log *slog.Logger, l Limits) *Service {
	l = l.within()
	if l.StreamWorkers < 1 {
		l.StreamWorkers = 1
	}
	if l.StreamInFlight < l.StreamWorkers {
		l.StreamInFlight = l.StreamWorkers
	}
	if l.EngineWorkers < 1 {
		l.EngineWorkers = 2 * runtime.GOMAXPROCS(0)
	}
	return &Service{engine: e, log: log, limits: l, work: make(chan struct{}, l.EngineWorkers)}
}

// acquire waits for an engine slot, or for the caller to give up.
func (s *Service) acquire(ctx context.Context) (release func(), err error) {
	select {
	case s.work <- struct{}{}:
		return func() { <-s.work }, nil
	case <-ctx.Done():
		return nil, status.FromContextError(ctx.Err()).Err()
	}
}

// Option configures New.
type Option func(*options)

type options struct {
	metrics *Metrics
	tokens  []string
	grpc    []grpc.ServerOption
	hl7     HL7Intake
}

// WithMetrics records Prometheus metrics of every call in m.
func WithMetrics(m *Metrics) Option { return func(o *options) { o.metrics = m } }

// WithBearerTokens requires every call but health checks and server
// reflection to carry one of the tokens as "authorization: Bearer <token>".
func WithBearerTokens(tokens []string) Option { return func(o *options) { o.tokens = tokens } }

// WithGRPCOptions adds gRPC server options, e.g. transport credentials.
func WithGRPCOptions(opts ...grpc.ServerOption) Option {
	return func(o *options) { o.grpc = append(o.grpc, opts...) }
}

// New returns a gRPC server with the report service, the standard health
// service (serving) and server reflection registered, and the logging,
// recovery, metrics, authentication and concurrency-limit interceptors
// installed. The health server is returned so the caller can report
// NOT_SERVING while draining.
func New(e *reportgen.Engine, log *slog.Logger, l Limits, opt ...Option) (*grpc.Server, *health.Server) {
	var o options
	for _, f := range opt {
		f(&o)
	}
	l = l.within()
	log = slog.New(requestIDHandler{log.Handler()})
	// Order: the log sees every outcome (including refusals and recovered
	// panics) with the call id; auth runs before any work is admitted.
	unary := []grpc.UnaryServerInterceptor{unaryLog(log), unaryRecover(log)}
	stream := []grpc.StreamServerInterceptor{streamLog(log), streamRecover(log), reflectionOrder()}
	if o.metrics != nil {
		unary, stream = append(unary, o.metrics.unary()), append(stream, o.metrics.stream())
	}
	if a := newTokenAuth(o.tokens); a != nil {
		unary, stream = append(unary, a.unary()), append(stream, a.stream())
	}
	if c := newConcurrencyLimit(l.MaxConcurrentCalls, o.metrics); c != nil {
		unary, stream = append(unary, c.unary()), append(stream, c.stream())
	}
	opts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(l.MaxMessageBytes),
		// Requests and responses in buffers that fit them (bufpool.go).
		experimental.BufferPool(messagePool),
		grpc.ForceServerCodecV2(messageCodec{}),
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
	}
	if n := streamsPerConnection(l.MaxConcurrentCalls); n > 0 {
		opts = append(opts, grpc.MaxConcurrentStreams(n))
	}
	opts = append(opts, o.grpc...)
	s := grpc.NewServer(opts...)
	svc := NewService(e, log, l)
	svc.metrics = o.metrics
	svc.hl7 = o.hl7
	pb.RegisterReportServiceServer(s, svc)
	h := health.NewServer()
	h.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	h.SetServingStatus(pb.ReportService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, h)
	reflection.Register(s)
	return s, h
}

// GenerateReport renders one report.
func (s *Service) GenerateReport(ctx context.Context, req *pb.GenerateReportRequest) (*pb.GenerateReportResponse, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	start := time.Now()
	resp, err := s.engine.Generate(ctx, req)
	if err != nil {
		err = s.toStatus(ctx, err)
	}
	s.metrics.report(sourceUnary, start, status.Code(err))
	return resp, err
}

// ValidateDocument checks a document from any system.
func (s *Service) ValidateDocument(ctx context.Context, req *pb.ValidateDocumentRequest) (*pb.ValidateDocumentResponse, error) {
	if len(req.GetContent()) == 0 {
		return nil, badRequest([]issue.Violation{{Field: "content", RuleID: reportgen.RuleRequired, Description: "is required"}})
	}
	if _, ok := pb.DocumentKind_name[int32(req.GetKind())]; !ok {
		return nil, badRequest([]issue.Violation{{Field: "kind", RuleID: reportgen.RuleEnum, Description: "unknown document kind"}})
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	resp, err := s.engine.ValidateDocument(ctx, req.GetContent(), req.GetKind())
	switch {
	case errors.Is(err, reportgen.ErrUnknownKind):
		return nil, badRequest([]issue.Violation{{Field: "content", RuleID: reportgen.RuleFormat, Description: err.Error()}})
	case errors.Is(err, reportgen.ErrDocumentTooLarge):
		return nil, badRequest([]issue.Violation{{Field: "content", RuleID: reportgen.RuleLenDocument, Description: err.Error()}})
	case err != nil:
		return nil, s.toStatus(ctx, err)
	}
	if s.metrics != nil {
		for _, i := range resp.GetIssues() {
			if i.GetSeverity() == pb.Severity_SEVERITY_ERROR {
				s.metrics.validation.WithLabelValues(kindLabel(resp.GetKind()), "submitted", i.GetRuleId()).Inc()
			}
		}
	}
	return resp, nil
}

func kindLabel(k pb.DocumentKind) string {
	switch k {
	case pb.DocumentKind_DOCUMENT_KIND_CDA:
		return "cda"
	case pb.DocumentKind_DOCUMENT_KIND_SR:
		return "sr"
	case pb.DocumentKind_DOCUMENT_KIND_FHIR:
		return "fhir"
	case pb.DocumentKind_DOCUMENT_KIND_HTML:
		return "html"
	}
	return "unknown"
}

// ListTemplates lists the known templates, ordered by id: the set in use
// now, after any reload. The registry is read once, so one answer never
// mixes two sets.
func (s *Service) ListTemplates(context.Context, *pb.ListTemplatesRequest) (*pb.ListTemplatesResponse, error) {
	list := s.engine.Templates().List()
	resp := &pb.ListTemplatesResponse{Templates: make([]*pb.TemplateInfo, 0, len(list))}
	for _, t := range list {
		resp.Templates = append(resp.Templates, t.Info())
	}
	return resp, nil
}

// failure is the one mapping of engine errors for both faces of the
// service: toStatus turns it into a unary call's status, the stream sends
// it as a response. Messages name fields and rules only; wrapped internal
// errors are logged, not returned.
type failure struct {
	code       codes.Code
	msg        string
	violations []issue.Violation
	issues     issue.List
}

func (s *Service) classify(ctx context.Context, err error) failure {
	var ire *reportgen.InvalidRequestError
	var ide *reportgen.InvalidDocumentError
	switch {
	case errors.As(err, &ire):
		return failure{code: codes.InvalidArgument, msg: ire.Error(), violations: ire.Violations}
	case errors.As(err, &ide):
		s.metrics.countValidation(kindLabel(ide.Kind), "generated", ide.Issues)
		s.log.ErrorContext(ctx, "generated document failed validation", "kind", ide.Kind.String(), "errors", len(ide.Issues.Errors()), "first", firstError(ide))
		return failure{code: codes.Internal, msg: ide.Error(), issues: ide.Issues}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		st := status.FromContextError(err)
		return failure{code: st.Code(), msg: st.Message()}
	}
	s.log.ErrorContext(ctx, "internal error", "err", err.Error())
	return failure{code: codes.Internal, msg: "internal error"}
}

// proto is the stream form of a failure.
func (f failure) proto() *pb.Failure {
	out := &pb.Failure{Code: f.code.String(), Message: f.msg, Issues: reportgen.IssuesToProto(f.issues)}
	if len(f.violations) > 0 {
		out.FieldViolations = reportgen.ViolationsToProto(f.violations)
	}
	return out
}

// toStatus is the unary form: field violations as google.rpc.BadRequest,
// validation issues as a Failure detail.
func (s *Service) toStatus(ctx context.Context, err error) error {
	f := s.classify(ctx, err)
	if len(f.violations) > 0 {
		return badRequest(f.violations)
	}
	st := status.New(f.code, f.msg)
	if len(f.issues) > 0 {
		if d, derr := st.WithDetails(f.proto()); derr == nil {
			st = d
		}
	}
	return st.Err()
}

func firstError(e *reportgen.InvalidDocumentError) string {
	if errs := e.Issues.Errors(); len(errs) > 0 {
		return errs[0].RuleID + " " + errs[0].Location
	}
	return ""
}

// badRequest is the status of an invalid request: google.rpc.BadRequest
// with one field violation each, the rule id as its reason.
func badRequest(v []issue.Violation) error {
	br := &errdetails.BadRequest{}
	for _, f := range v {
		br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: f.Field, Description: f.Description, Reason: f.RuleID})
	}
	msg := "invalid request"
	if len(v) > 0 {
		msg = (&reportgen.InvalidRequestError{Violations: v}).Error()
	}
	st := status.New(codes.InvalidArgument, msg)
	if d, err := st.WithDetails(br); err == nil {
		st = d
	}
	return st.Err()
}
