// Package dicomdict holds the parts of the DICOM dictionary the service
// needs at run time, generated from a machine-readable extract of the
// standard: the storage SOP classes (PS3.4).
package dicomdict

//go:generate go run ./internal/gen -in sops.json -out sopclasses.go

// SOPClassName returns the name of a storage SOP class, e.g. "CT Image
// Storage", and whether the UID is a known storage SOP class.
func SOPClassName(uid string) (string, bool) {
	n, ok := sopClasses[uid]
	return n, ok
}
