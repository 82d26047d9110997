// Package hl7v2 reads and writes HL7 version 2 messages as radiology
// reporting systems exchange them: the message model (segments, fields,
// repetitions, components, subcomponents), the parser with its delimiters,
// escape sequences and character sets (MSH-18), original-mode
// acknowledgements with ERR segments, the mapping of an ORU^R01 result
// message to a GenerateReportRequest, and the outbound ORU^R01 that
// carries a generated report to a downstream system.
//
// Every problem is an *Error that names the place in the message as HL7
// people write it (PID-3, OBR-25, OBX[4]-5) and the rule broken. Errors
// never repeat a value of the message: messages carry patient data.
package hl7v2
