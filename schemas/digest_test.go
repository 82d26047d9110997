package schemas_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/schemas"
)

// TestDigestIsSHA256SumListing recomputes the digest from the synced
// files themselves, the way the Digest doc says sha256sum(1) does, so the
// number --version prints can be checked against a folder by hand.
func TestDigestIsSHA256SumListing(t *testing.T) {
	m, err := schemas.Load()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	err = filepath.WalkDir("synced", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel("synced", p)
		paths = append(paths, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatalf("synced folder (run scripts/setup.sh): %v", err)
	}
	slices.Sort(paths)
	var listing strings.Builder
	for _, p := range paths {
		b, err := os.ReadFile(filepath.Join("synced", p))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&listing, "%x  %s\n", sha256.Sum256(b), p)
	}
	sum := sha256.Sum256([]byte(listing.String()))
	if want := "sha256:" + hex.EncodeToString(sum[:]); m.Digest() != want {
		t.Errorf("Digest() = %s; the synced files' sha256sum listing hashes to %s", m.Digest(), want)
	}

	// Any change to one file's checksum changes the digest.
	m.Files[0].SHA256 = strings.Repeat("0", 64)
	if m.Digest() == "sha256:"+hex.EncodeToString(sum[:]) {
		t.Error("the digest ignores a changed checksum")
	}
}
