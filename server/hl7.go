package server

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// HL7Intake answers HL7 v2 messages: parse, map, render, store, ACK.
// Package intake implements it; the server only carries the call.
type HL7Intake interface {
	GenerateReportFromHL7(ctx context.Context, req *pb.GenerateReportFromHL7Request) *pb.GenerateReportFromHL7Response
}

// WithHL7 serves GenerateReportFromHL7 with this intake (the one the MLLP
// listener uses, with its outbox and mapping options). Without it the RPC
// answers FAILED_PRECONDITION.
func WithHL7(in HL7Intake) Option { return func(o *options) { o.hl7 = in } }

// GenerateReportFromHL7 renders the report of an HL7 v2 ORU^R01. The HL7
// answer, whatever its code, is a successful call; only an empty message
// fails (INVALID_ARGUMENT), before any work.
func (s *Service) GenerateReportFromHL7(ctx context.Context, req *pb.GenerateReportFromHL7Request) (*pb.GenerateReportFromHL7Response, error) {
	if len(req.GetMessage()) == 0 {
		return nil, badRequest([]issue.Violation{{Field: "message", RuleID: reportgen.RuleRequired, Description: "is required: an HL7 v2 ORU^R01"}})
	}
	if s.hl7 == nil {
		return nil, status.Error(codes.FailedPrecondition, "the HL7 v2 intake is not configured on this server")
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return s.hl7.GenerateReportFromHL7(ctx, req), nil
}
