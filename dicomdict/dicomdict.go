// Package dicomdict holds the parts of the DICOM dictionary the service
// needs at run time, each written once: the storage SOP classes (PS3.4),
// the coded concepts and context groups it writes and reads (PS3.16), and
// the coding schemes with their designators and OIDs (PS3.16 Section 8).
//
// Two files are generated from committed inputs; regenerate with
// `go generate ./dicomdict/`:
//   - sopclasses.go from sops.json, the storage SOP class list of
//     innolitics/dicom-standard (standard/sops.json at commit 7f4749d,
//     parsed from the DICOM 2024e web edition; MIT licence, © 2017
//     Innolitics, LLC);
//   - concepts.go from concepts.csv, the concepts of PS3.16 the service
//     uses, one row each with its code meaning and the part of the
//     standard that defines its use. A new code is one row there.
package dicomdict

//go:generate go run ./internal/gen -in sops.json -out sopclasses.go
//go:generate go run ./internal/genconcepts -in concepts.csv -out concepts.go

// SOPClassName returns the name of a storage SOP class, e.g. "CT Image
// Storage", and whether the UID is a known storage SOP class.
func SOPClassName(uid string) (string, bool) {
	n, ok := sopClasses[uid]
	return n, ok
}
