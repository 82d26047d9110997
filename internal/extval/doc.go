// Package extval runs the independent validators (xmllint, the HL7
// schematron under xsltproc, dcmtk, dicom3tools) for tests.
//
// The validators are other people's programs on purpose: a document that
// passes only the project's own checks proves little, because the same
// misreading of a standard can sit in the encoder and in its validator.
// Runners return what the tool found about the document as data and keep
// the error result for failures to run the tool at all.
package extval
