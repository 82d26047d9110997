package outbox

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// store keeps records as files; see the package comment for the layout.
// Errors name the operation, not the paths (a file name is a message id,
// which is harmless, but paths of the host are not the caller's business).
type store struct {
	dir string
}

const (
	extPending = ".json"
	extDone    = ".done"
	tempPrefix = ".tmp-"
)

func validID(id string) bool {
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func (s *store) path(id, ext string) string {
	return filepath.Join(s.dir, id[:2], id+ext)
}

// write stores data under id+ext durably: temporary file, fsync, rename,
// fsync of the folder.
func (s *store) write(id, ext string, data []byte) error {
	shard := filepath.Join(s.dir, id[:2])
	if _, err := os.Stat(shard); errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(shard, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("outbox: create a shard folder: %w", unwrapPath(err))
		}
		if err := syncDir(s.dir); err != nil {
			return err
		}
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := filepath.Join(shard, tempPrefix+id+"-"+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("outbox: create a record: %w", unwrapPath(err))
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, s.path(id, ext))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("outbox: write a record: %w", unwrapPath(err))
	}
	return syncDir(shard)
}

func (s *store) remove(id, ext string) error {
	if err := os.Remove(s.path(id, ext)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("outbox: remove a record: %w", unwrapPath(err))
	}
	return syncDir(filepath.Join(s.dir, id[:2]))
}

func (s *store) read(id, ext string) (*Record, error) {
	b, err := os.ReadFile(s.path(id, ext))
	if err != nil {
		return nil, err
	}
	r := &Record{}
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("outbox: record %s is damaged: %w", id, err)
	}
	if r.Sinks == nil {
		r.Sinks = map[string]*Delivery{}
	}
	return r, nil
}

func (s *store) save(r *Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("outbox: encode a record: %w", err)
	}
	return s.write(r.ID, extPending, b)
}

// done replaces a delivered record by its tombstone (without payloads).
func (s *store) done(r *Record) error {
	t := *r
	t.Payloads = nil
	b, err := json.Marshal(&t)
	if err != nil {
		return fmt.Errorf("outbox: encode a record: %w", err)
	}
	if err := s.write(r.ID, extDone, b); err != nil {
		return err
	}
	return s.remove(r.ID, extPending)
}

// scan lists pending records, removes interrupted writes and the pending
// file of a record that is also done (a crash between the two steps of
// done). It runs when the outbox opens, before any write.
func (s *store) scan() ([]*Record, error) {
	var pending []*Record
	err := s.eachShard(func(dir string, files []os.DirEntry) error {
		done := map[string]bool{}
		for _, f := range files {
			if id, ok := strings.CutSuffix(f.Name(), extDone); ok {
				done[id] = true
			}
		}
		for _, f := range files {
			name := f.Name()
			switch {
			case strings.HasPrefix(name, tempPrefix):
				os.Remove(filepath.Join(dir, name))
			case strings.HasSuffix(name, extPending):
				id := strings.TrimSuffix(name, extPending)
				if !validID(id) {
					continue
				}
				if done[id] {
					os.Remove(filepath.Join(dir, name))
					continue
				}
				r, err := s.read(id, extPending)
				if err != nil {
					return err
				}
				pending = append(pending, r)
			}
		}
		return nil
	})
	return pending, err
}

// prune removes tombstones last written before t.
func (s *store) prune(t time.Time) (int, error) {
	n := 0
	err := s.eachShard(func(dir string, files []os.DirEntry) error {
		for _, f := range files {
			if !strings.HasSuffix(f.Name(), extDone) {
				continue
			}
			if info, err := f.Info(); err == nil && info.ModTime().Before(t) {
				if os.Remove(filepath.Join(dir, f.Name())) == nil {
					n++
				}
			}
		}
		return nil
	})
	return n, err
}

func (s *store) eachShard(f func(dir string, files []os.DirEntry) error) error {
	shards, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("outbox: read the folder: %w", unwrapPath(err))
	}
	for _, sh := range shards {
		if !sh.IsDir() || len(sh.Name()) != 2 {
			continue
		}
		dir := filepath.Join(s.dir, sh.Name())
		files, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("outbox: read a shard: %w", unwrapPath(err))
		}
		if err := f(dir, files); err != nil {
			return err
		}
	}
	return nil
}

// syncDir makes renames in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("outbox: sync a folder: %w", unwrapPath(err))
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("outbox: sync a folder: %w", unwrapPath(err))
	}
	return nil
}

// unwrapPath drops the path from an *fs.PathError or *os.LinkError.
func unwrapPath(err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}
