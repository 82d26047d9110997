package schemas_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/reportgen/reportgen/schemas"
)

// TestSyncRenderingFile syncs a rendering file published only inside a
// package tarball, through a local folder without it, and checks that a
// verified copy is not fetched again and that Verify does not need a
// rendering file.
func TestSyncRenderingFile(t *testing.T) {
	xsl := []byte("<xsl:stylesheet/>")
	archive := tgz(t, "package/a/CDA.xsl", xsl)
	gets := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets++
		w.Write(archive)
	}))
	defer srv.Close()
	m := schemas.Manifest{Files: []schemas.File{{
		Path: "cda-xsl/CDA.xsl", URL: srv.URL + "/p-1.0.0.tgz", SHA256: sum(xsl), Purpose: schemas.PurposeRendering,
		Archive: &schemas.Archive{SHA256: sum(archive), Member: "package/a/CDA.xsl"},
	}}}
	dest := t.TempDir()
	if err := schemas.Verify(m, dest); err != nil {
		t.Fatalf("Verify wants a rendering file: %v", err)
	}
	src := schemas.Sources{schemas.DirSource(t.TempDir()), schemas.HTTPSource{Client: srv.Client()}}
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
}
