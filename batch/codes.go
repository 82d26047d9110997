package batch

import (
	"strings"

	"google.golang.org/grpc/codes"
)

// canonical are the gRPC status code names of the results file (the names
// of google.rpc.Code), e.g. INVALID_ARGUMENT.
var canonical = map[codes.Code]string{
	codes.OK:                 "OK",
	codes.Canceled:           "CANCELLED",
	codes.Unknown:            "UNKNOWN",
	codes.InvalidArgument:    "INVALID_ARGUMENT",
	codes.DeadlineExceeded:   "DEADLINE_EXCEEDED",
	codes.NotFound:           "NOT_FOUND",
	codes.AlreadyExists:      "ALREADY_EXISTS",
	codes.PermissionDenied:   "PERMISSION_DENIED",
	codes.ResourceExhausted:  "RESOURCE_EXHAUSTED",
	codes.FailedPrecondition: "FAILED_PRECONDITION",
	codes.Aborted:            "ABORTED",
	codes.OutOfRange:         "OUT_OF_RANGE",
	codes.Unimplemented:      "UNIMPLEMENTED",
	codes.Internal:           "INTERNAL",
	codes.Unavailable:        "UNAVAILABLE",
	codes.DataLoss:           "DATA_LOSS",
	codes.Unauthenticated:    "UNAUTHENTICATED",
}

func codeName(c codes.Code) string {
	if s, ok := canonical[c]; ok {
		return s
	}
	return "UNKNOWN"
}

// codeOf reads the code of a pb.Failure. Servers write it either as the
// canonical name or as Go's codes.Code.String() ("InvalidArgument"), so
// both are accepted; anything else is UNKNOWN.
func codeOf(s string) codes.Code {
	norm := strings.ToUpper(strings.ReplaceAll(s, "_", ""))
	if norm == "CANCELED" {
		return codes.Canceled
	}
	for c, name := range canonical {
		if strings.ReplaceAll(name, "_", "") == norm {
			return c
		}
	}
	return codes.Unknown
}

// transient tells failures that say nothing about the request (the server
// was stopping, a deadline passed) from final ones: a transient failure is
// retried, never recorded.
func transient(c codes.Code) bool {
	switch c {
	case codes.Canceled, codes.DeadlineExceeded, codes.Unavailable, codes.Aborted:
		return true
	}
	return false
}
