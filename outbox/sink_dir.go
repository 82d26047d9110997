package outbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/reportgen/reportgen/batch"
)

// Dir delivers the CDA and the SR to a folder in the batch output layout:
// NAME.cda.xml and NAME.sr.dcm, each written to a temporary name (.tmp-),
// fsynced and renamed, so a file under its final name is always complete.
// NAME is the record's Name; when a file of that name holds another
// document, NAME--ID is used instead, so no document ever replaces
// another's.
type Dir struct {
	Path string
}

// NewDir checks the folder and removes temporary files a crash left there.
func NewDir(path string) (*Dir, error) {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("deliver dir: %w", unwrapPath(err))
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("deliver dir: %w", unwrapPath(err))
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) && e.Type().IsRegular() {
			os.Remove(filepath.Join(path, e.Name()))
		}
	}
	return &Dir{Path: path}, nil
}

// Name implements Sink.
func (d *Dir) Name() string { return "dir" }

// Deliver implements Sink.
func (d *Dir) Deliver(_ context.Context, r *Record) error {
	files := []struct{ suffix, kind string }{{batch.SuffixCDA, PayloadCDA}, {batch.SuffixSR, PayloadSR}}
	name := r.Name
	for _, f := range files {
		data, ok := r.Payloads[f.kind]
		if !ok {
			continue
		}
		old, err := os.ReadFile(filepath.Join(d.Path, name+f.suffix))
		if err == nil && !bytes.Equal(old, data) {
			name = r.Name + "--" + r.ID
			break
		}
	}
	for _, f := range files {
		data, ok := r.Payloads[f.kind]
		if !ok {
			continue
		}
		if err := writeFile(d.Path, name+f.suffix, data); err != nil {
			return err
		}
	}
	return syncDir(d.Path)
}

func writeFile(dir, name string, data []byte) error {
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := filepath.Join(dir, tempPrefix+name+"-"+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("deliver dir: create: %w", unwrapPath(err))
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("deliver dir: the folder is gone: %w", unwrapPath(err))
		}
		return fmt.Errorf("deliver dir: write: %w", unwrapPath(err))
	}
	return nil
}
