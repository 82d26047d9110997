// Package intake turns an HL7 v2 ORU^R01 into documents and its
// acknowledgement: parse, map to a GenerateReportRequest, render and
// validate with the engine, queue the deliveries durably, answer.
//
// The answer is AA only when both documents are made, validated and, with
// an outbox, stored durably with their deliveries (so the message can no
// longer be lost); AE names each problem of the content by its HL7
// location and rule; AR rejects the envelope (type, version, size) or
// says the message could not be taken now and should be sent again. A
// resend of an accepted message (same MSH-3, MSH-4 and MSH-10) gets the
// stored ACK and makes no second document.
//
// A correction (OBR-25 C) or addendum (A) follows the last report made
// for the same order: an index of the identities of the last report per
// order (accession number, else order number, with its authority) is kept
// beside the outbox for that.
package intake
