package server

import (
	"context"
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/reportgen/reportgen"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// TransformDocument renders an existing TID 2000 DICOM SR as a CDA
// Diagnostic Imaging Report (PS3.20). Bad input fails with
// INVALID_ARGUMENT and field violations; an SR that is broken, not TID
// 2000 or not representable fails with FAILED_PRECONDITION, the request
// itself being well-formed: the details list every issue.
func (s *Service) TransformDocument(ctx context.Context, req *pb.TransformDocumentRequest) (*pb.TransformDocumentResponse, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	resp, err := s.engine.TransformDocument(ctx, req)
	var se *reportgen.SourceError
	switch {
	case errors.As(err, &se):
		return nil, sourceStatus(se)
	case err != nil:
		return nil, s.toStatus(ctx, err)
	}
	return resp, nil
}

// sourceStatus is the FAILED_PRECONDITION of an SR that cannot be
// transformed. The details carry the issues twice: as the standard
// google.rpc.PreconditionFailure, one violation per error issue, for
// generic clients, and as the service's Failure with every issue and its
// severity. Issue messages name rules and places, never values.
func sourceStatus(se *reportgen.SourceError) error {
	msg := se.Error()
	st := status.New(codes.FailedPrecondition, msg)
	pf := &errdetails.PreconditionFailure{}
	for _, i := range se.Issues.Errors() {
		pf.Violations = append(pf.Violations, &errdetails.PreconditionFailure_Violation{Type: i.RuleID, Subject: i.Location, Description: i.Message})
	}
	failure := &pb.Failure{Code: codes.FailedPrecondition.String(), Message: msg, Issues: reportgen.IssuesToProto(se.Issues)}
	if d, err := st.WithDetails(pf, failure); err == nil {
		st = d
	}
	return st.Err()
}
