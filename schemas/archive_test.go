package schemas_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/reportgen/reportgen/schemas"
)

func tgz(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for name, data := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestSyncArchiveMember syncs a file published only inside a package
// tarball, through the fallback a local copy without it takes, and checks
// that a verified copy is not fetched again and that Verify does not need
// a rendering file.
func TestSyncArchiveMember(t *testing.T) {
	xsl := []byte("<xsl:stylesheet/>")
	archive := tgz(t, map[string][]byte{"package/README": []byte("x"), "package/a/CDA.xsl": xsl})
	gets := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets++
		w.Write(archive)
	}))
	defer srv.Close()
	m := schemas.Manifest{Files: []schemas.File{{Path: "cda-xsl/CDA.xsl", URL: srv.URL + "/p.tgz", Member: "package/a/CDA.xsl", SHA256: sum(xsl), Purpose: schemas.PurposeRendering}}}
	dest := t.TempDir()
	if err := schemas.Verify(m, dest); err != nil {
		t.Fatalf("Verify wants a rendering file: %v", err)
	}
	src := schemas.FallbackSource{First: schemas.DirSource(t.TempDir()), Then: schemas.HTTPSource{Client: srv.Client()}}
	for range 2 {
		if err := schemas.Sync(context.Background(), m, src, dest); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(filepath.Join(dest, "cda-xsl", "CDA.xsl"))
	if err != nil || !bytes.Equal(got, xsl) {
		t.Fatalf("synced member = %q, %v", got, err)
	}
	if gets != 1 {
		t.Errorf("archive fetched %d times, want 1 (the second sync finds a verified copy)", gets)
	}
	m.Files[0].Member = "package/missing.xsl"
	if err := schemas.Sync(context.Background(), m, schemas.HTTPSource{Client: srv.Client()}, t.TempDir()); err == nil {
		t.Error("a missing archive member synced")
	}
}
