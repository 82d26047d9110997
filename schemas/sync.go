package schemas

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// maxFileSize bounds a download or copy; the largest HL7 file is a few MB.
const maxFileSize = 64 << 20

// ChecksumError says a file does not have the manifest's checksum.
type ChecksumError struct {
	Path      string
	Got, Want string
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("%s: sha256 %s, manifest wants %s", e.Path, e.Got, e.Want)
}

// Source supplies the bytes of one manifest file.
type Source interface {
	Open(ctx context.Context, f File) (io.ReadCloser, error)
}

// DirSource reads files from a local folder laid out like the manifest. A
// file that comes in an archive may also be there as that archive, under
// the name its URL ends with (as npm pack writes it).
type DirSource string

// Open opens the file below the folder, or extracts it from its archive
// there. A file in neither place gives an error wrapping fs.ErrNotExist.
func (d DirSource) Open(_ context.Context, f File) (io.ReadCloser, error) {
	fh, err := os.Open(filepath.Join(string(d), filepath.FromSlash(f.Path)))
	if err == nil || f.Archive == nil || !errors.Is(err, fs.ErrNotExist) {
		return fh, err
	}
	a, err := os.Open(filepath.Join(string(d), f.archiveName()))
	if err != nil {
		return nil, err
	}
	defer a.Close()
	return extract(a, f)
}

// Sources tries each source in turn: a file comes from the first that has
// it (the others say fs.ErrNotExist).
type Sources []Source

// Open opens the file from the first source that has it.
func (s Sources) Open(ctx context.Context, f File) (io.ReadCloser, error) {
	err := error(fs.ErrNotExist)
	for _, src := range s {
		rc, e := src.Open(ctx, f)
		if e == nil {
			return rc, nil
		}
		if !errors.Is(e, fs.ErrNotExist) {
			return nil, e
		}
		err = e
	}
	return nil, err
}

// extract reads the archive of f from r, refuses it unless it has the
// manifest's archive checksum, and returns the member's bytes.
func extract(r io.Reader, f File) (io.ReadCloser, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("archive larger than %d bytes", maxFileSize)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != f.Archive.SHA256 {
		return nil, &ChecksumError{Path: f.archiveName(), Got: got, Want: f.Archive.SHA256}
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("archive %s: %w", f.archiveName(), err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("archive %s has no %s", f.archiveName(), f.Archive.Member)
		}
		if err != nil {
			return nil, fmt.Errorf("archive %s: %w", f.archiveName(), err)
		}
		if h.Name != f.Archive.Member || h.Typeflag != tar.TypeReg {
			continue
		}
		m, err := io.ReadAll(io.LimitReader(tr, maxFileSize+1))
		if err != nil {
			return nil, fmt.Errorf("archive %s: %w", f.archiveName(), err)
		}
		return io.NopCloser(bytes.NewReader(m)), nil
	}
}

// HTTPSource downloads files from their pinned upstream URLs.
type HTTPSource struct{ Client *http.Client }

// Open downloads the file.
func (h HTTPSource) Open(ctx context.Context, f File) (io.ReadCloser, error) {
	c := h.Client
	if c == nil {
		c = &http.Client{Timeout: 2 * time.Minute}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s", f.URL, resp.Status)
	}
	if f.Archive != nil {
		defer resp.Body.Close()
		return extract(resp.Body, f)
	}
	return resp.Body, nil
}

// Sync fills dest with every manifest file from src. Each file is checked
// against its checksum before it is renamed into place, so dest never holds
// an unverified file under a manifest name. It returns the first error;
// files already synced stay.
func Sync(ctx context.Context, m Manifest, src Source, dest string) error {
	for _, f := range m.Files {
		if err := syncFile(ctx, f, src, dest); err != nil {
			return fmt.Errorf("schemas sync %s: %w", f.Path, err)
		}
	}
	return nil
}

func syncFile(ctx context.Context, f File, src Source, dest string) error {
	target := filepath.Join(dest, filepath.FromSlash(f.Path))
	if got, err := fileSHA256(target); err == nil && got == f.SHA256 {
		return nil // already there and verified: nothing to fetch
	}
	rc, err := src.Open(ctx, f)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), ".sync-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(rc, maxFileSize+1))
	if err != nil {
		tmp.Close()
		return err
	}
	if n > maxFileSize {
		tmp.Close()
		return fmt.Errorf("larger than %d bytes", maxFileSize)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		tmp.Close()
		return &ChecksumError{Path: f.Path, Got: got, Want: f.SHA256}
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), target)
}

// ErrNotSynced says the schema folder is missing or incomplete.
var ErrNotSynced = errors.New("schema set is not synced")

// Verify checks that dir holds every file of the validation set with its
// checksum (rendering files are not needed to validate). The error names
// the first bad file and the command that fixes it.
func Verify(m Manifest, dir string) error {
	for _, f := range m.Files {
		if f.Purpose == PurposeRendering {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		got, err := fileSHA256(p)
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w: %s is missing from %s; run: %s", ErrNotSynced, f.Path, dir, SyncCommandHint)
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %v; run: %s", ErrNotSynced, f.Path, err, SyncCommandHint)
		}
		if got != f.SHA256 {
			return fmt.Errorf("%w: %w; run: %s", ErrNotSynced, &ChecksumError{Path: f.Path, Got: got, Want: f.SHA256}, SyncCommandHint)
		}
	}
	return nil
}

func fileSHA256(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
