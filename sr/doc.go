// Package sr writes, checks and reads the DICOM Structured Report of a
// radiology report: a Basic Text or Enhanced SR instance (PS3.3 A.35.1,
// A.35.2) holding the TID 2000 content tree (PS3.16) as a Part 10 file.
//
// Encode turns a content.Document into the file. Validate checks any SR
// file, ours or another system's, against the IOD, module and content item
// rules of the project (validation-rules.md part A) and reports issues
// rather than failing, whatever the input bytes are. Read parses a TID
// 2000 SR, ours or another system's, back into the findings model, so that
// it can be rendered as a CDA (DICOM PS3.20); an SR it cannot read
// faithfully gives the reasons, never a partial report. Read decodes the
// sections into a content tree, by the template rows of package content,
// and maps the tree with content.SectionsOf, the inverse of content.Build.
//
// Attributes are named by the tag package of suyashkumar/dicom, whose
// data dictionary also gives the encoder each attribute's VR. Encode lays
// the bytes out itself, straight from its attribute list (writer.go); the
// package's tests hand the same list to the library's Write and require
// the same bytes for every document.
package sr
