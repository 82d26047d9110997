// Package html owns the report as a page for people: a standalone HTML5
// document made from the content tree, the same tree the CDA and the SR
// are written from. The page is also the FHIR DiagnosticReport's
// presentedForm.
//
// The page carries no script and loads nothing: its style is inline, with
// print rules; every value is escaped by html/template. It is built for
// assistive technology: one h1, a heading per section in template order,
// tables with header cells and captions, a status notice with role
// "alert" that nobody can miss on a preliminary, corrected or addendum
// report.
package html
