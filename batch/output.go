package batch

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// tempPrefix starts the name of every file being written. Only a crash
// leaves one behind; the next run removes them.
const tempPrefix = ".tmp-"

// lockName is the lock file that keeps two batches out of one folder.
const lockName = ".reportgen-batch.lock"

// writeAtomic writes data to dir/name through a temporary file that is
// synced before it is renamed, so a file under its final name is always
// complete. Errors carry no path (see pathless).
func writeAtomic(dir, name string, data []byte) error {
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return fmt.Errorf("temporary name: %w", err)
	}
	tmp := filepath.Join(dir, tempPrefix+name+"-"+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create: %w", pathless(err))
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
		return fmt.Errorf("write: %w", pathless(err))
	}
	return nil
}

// syncDir makes the renames done in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("batch: sync output folder: %w", pathless(err))
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		// EINVAL: the file system cannot sync folders; nothing to do.
		return fmt.Errorf("batch: sync output folder: %w", pathless(err))
	}
	return nil
}

// removeTemps deletes the temporary files a killed run left in dir.
func removeTemps(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("batch: output folder: %w", pathless(err))
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) && e.Type().IsRegular() {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("batch: remove a temporary file: %w", pathless(err))
			}
		}
	}
	return nil
}

// lockDir takes an exclusive lock on the output folder for the life of
// the process (the kernel drops it when the process dies, SIGKILL
// included). It fails at once when another batch holds it.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("batch: lock output folder: %w", pathless(err))
	}
	if err := flock(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
