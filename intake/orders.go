package intake

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// orders remembers, per order, the identities of the last report made,
// as the predecessor of a later correction or addendum. One small file
// per order under DIR/xx/yy/, named by a digest of the order key (which
// holds an accession number: it is never used as a name).
type orders struct {
	dir string
}

func (o *orders) path(key string) (dir, file string) {
	sum := sha256.Sum256([]byte(key))
	h := hex.EncodeToString(sum[:16])
	dir = filepath.Join(o.dir, h[:2], h[2:4])
	return dir, filepath.Join(dir, h+".json")
}

// get returns the last report of the order, if any.
func (o *orders) get(key string) (*pb.PredecessorDocument, bool, error) {
	_, file := o.path(key)
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("order index: read: %w", pathless(err))
	}
	p := &pb.PredecessorDocument{}
	if err := protojson.Unmarshal(b, p); err != nil {
		return nil, false, fmt.Errorf("order index: an entry is damaged: %w", err)
	}
	return p, true, nil
}

// put records the last report of the order durably and returns a function
// that puts back what was there before (for a message that then fails to
// be stored).
func (o *orders) put(key string, p *pb.PredecessorDocument) (undo func(), err error) {
	dir, file := o.path(key)
	old, had, err := o.get(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("order index: %w", pathless(err))
	}
	b, err := protojson.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("order index: %w", err)
	}
	if err := writeDurably(dir, file, b); err != nil {
		return nil, err
	}
	return func() {
		if had {
			if b, err := protojson.Marshal(old); err == nil {
				writeDurably(dir, file, b)
			}
			return
		}
		os.Remove(file)
		syncDir(dir)
	}, nil
}

func writeDurably(dir, file string, b []byte) error {
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := filepath.Join(dir, ".tmp-"+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("order index: %w", pathless(err))
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, file)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("order index: write: %w", pathless(err))
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("order index: %w", pathless(err))
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("order index: sync: %w", pathless(err))
	}
	return nil
}

func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// predecessorOf is the identity of a rendered report as the predecessor
// of the next one.
func predecessorOf(resp *pb.GenerateReportResponse) *pb.PredecessorDocument {
	p := &pb.PredecessorDocument{}
	for _, d := range resp.GetDocuments() {
		if c := d.GetCda(); c != nil {
			p.CdaDocumentId, p.CdaSetId, p.CdaVersionNumber = c.GetDocumentId(), c.GetSetId(), c.GetVersionNumber()
		}
		if s := d.GetSr(); s != nil {
			p.SrStudyInstanceUid, p.SrSeriesInstanceUid = s.GetStudyInstanceUid(), s.GetSeriesInstanceUid()
			p.SrSopInstanceUid, p.SrSopClassUid = s.GetSopInstanceUid(), s.GetSopClassUid()
		}
	}
	return proto.Clone(p).(*pb.PredecessorDocument)
}
