// Package fhir owns the FHIR R4 output: the content tree written as the
// transaction Bundle that IHE Radiology's Interactive Multimedia Report
// (IMR) profile stores (Store Multimedia Report, RAD-141), and the checks
// of such a Bundle.
//
// The Bundle holds what the IMR Bundle profile allows as entries, the
// DiagnosticReport, its ServiceRequest and its ImagingStudy. The people
// and the organisation (Patient, Practitioner, Organization) and the
// result Observations are contained in the DiagnosticReport, since the
// profile's entry slicing is closed; the ImagingStudy and ServiceRequest
// name the patient by identifier. Identifiers are the ones the CDA and
// the SR carry: the study UID as urn:oid:, the accession number under its
// issuer, the CDA document and set ids.
//
// Resources are built as the R4 protocol buffers of
// github.com/google/fhir/go and written by its jsonformat marshaller;
// Validate parses them back with jsonformat's validating unmarshaller and
// then applies the IMR profile's required elements.
package fhir
