package intake

import (
	"context"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// ackCodes maps MSA-1 to the API enum.
var ackCodes = map[string]pb.Hl7AckCode{
	"AA": pb.Hl7AckCode_HL7_ACK_CODE_AA, "AE": pb.Hl7AckCode_HL7_ACK_CODE_AE, "AR": pb.Hl7AckCode_HL7_ACK_CODE_AR,
}

// GenerateReportFromHL7 handles a message for the RPC of that name
// (server.HL7Intake) and returns its answer in the API's terms.
func (in *Intake) GenerateReportFromHL7(ctx context.Context, req *pb.GenerateReportFromHL7Request) *pb.GenerateReportFromHL7Response {
	res := in.Handle(ctx, req.GetMessage(), Options{Predecessor: req.GetPredecessor()})
	out := &pb.GenerateReportFromHL7Response{
		AckCode: ackCodes[string(res.Code)], Ack: res.Ack, Request: res.Request, Report: res.Response, Duplicate: res.Duplicate,
	}
	for _, p := range res.Problems {
		out.Problems = append(out.Problems, &pb.Hl7Problem{
			Location: p.Location.String(), Rule: p.Rule, Message: p.Message, Severity: string(p.Severity), Code: int32(p.Code),
		})
	}
	return out
}
