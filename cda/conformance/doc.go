// Package conformance owns reportgen's own conformance check of HL7 C-CDA
// R2.1 Diagnostic Imaging Reports (DIR V3 on the US Realm Header V3): every
// SHALL of those templates, of the DIR section and entry templates and of
// the US Realm data-type flavours that applies to a DIR, checked on the
// documents the service generates and on documents from other systems.
//
// Its verdicts follow HL7's official C-CDA R2.1 schematron ("errors"
// phase): whenever the schematron reports an error on a document, Check
// reports an error with the same CONF number (the assert's id, e.g.
// a-1198-5363 is "CONF:1198-5363"). It runs in well under a millisecond
// where the schematron under xsltproc takes about half a second.
//
// Check goes further than the schematron in three documented ways:
//
//   - Where the schematron tests a repeated element existentially (XPath
//     "a/b[cond]" passes when any b qualifies), Check applies the
//     conformance statement to each element, as the IG words it, and
//     points at the element that fails.
//   - SHALLs of the IG that the schematron does not test (its asserts read
//     test="." or not(tested)) are checked where they can be decided from
//     the document; they carry their CONF number too. Examples: the
//     authenticator and referring-physician constraints, serviceEvent
//     classCode and code, section code and text content, the content rules
//     of the Physician Reading Study Performer.
//   - Project rules of shared/spec/validation-rules.md that keep a report
//     self-consistent (narrative IDs and references, images cited as
//     evidence listed in the DICOM Object Catalog) carry their CDA-* id.
//
// A document is checked as a DIR whatever templateIds it claims: a missing
// DIR or US Realm Header templateId is itself an error (the schematron
// silently skips such documents).
//
// Messages name the rule and the place, never the values found there.
package conformance
