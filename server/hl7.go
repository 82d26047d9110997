package server

import (
	"context"
	"time"

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
	start := time.Now()
	resp := s.hl7.GenerateReportFromHL7(ctx, req)
	s.metrics.report(sourceHL7, start, ackOutcome(resp.GetAckCode()))
	return resp, nil
}

// ackOutcome names an HL7 answer as a report outcome, in the gRPC code
// names the other sources use: the call succeeds whatever the HL7 answer,
// but a report is made only under AA. AE is the content's fault
// (InvalidArgument); AR asks for the message again (Aborted, "retry").
func ackOutcome(c pb.Hl7AckCode) codes.Code {
	switch c {
	case pb.Hl7AckCode_HL7_ACK_CODE_AA:
		return codes.OK
	case pb.Hl7AckCode_HL7_ACK_CODE_AE:
		return codes.InvalidArgument
	case pb.Hl7AckCode_HL7_ACK_CODE_AR:
		return codes.Aborted
	}
	return codes.Unknown
}
