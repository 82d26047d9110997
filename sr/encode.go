package sr

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/uid"
)

// Errors wrapped by Encode, so callers can tell bad input from a bug.
var (
	// ErrInvalidValue says a value does not fit its DICOM VR, e.g. a Code
	// Meaning longer than the 64 characters of LO. Values are never
	// truncated to fit.
	ErrInvalidValue = errors.New("value does not fit its VR")
	// ErrMissingValue says a value the SR requires is absent.
	ErrMissingValue = errors.New("required value is missing")
	// ErrUnsupported says the document holds something the encoder cannot
	// express, e.g. an unknown value type or a content tree that is too deep.
	ErrUnsupported = errors.New("cannot be encoded")
)

// Transfer syntax and character set of every file Encode writes.
const (
	// ExplicitVRLittleEndian is the Transfer Syntax UID of the files.
	ExplicitVRLittleEndian = "1.2.840.10008.1.2.1"
	// CharsetUTF8 is the Specific Character Set that selects UTF-8
	// (PS3.3 C.12.1.1.2), so names and text need no escape sequences.
	CharsetUTF8 = "ISO_IR 192"
)

// implementationClassUID identifies this encoder in the file meta
// information (PS3.7 D.3.3.2). It is derived, not random, so every build
// writes the same one.
var implementationClassUID = uid.Generator{}.Derive("reportgen implementation class", "sr")

const implementationVersionName = "REPORTGEN_1"

// maxDepth bounds the content tree: TID 2000 is four levels deep, and the
// bound turns a cyclic tree into an error instead of endless recursion.
const maxDepth = 64

// Encode writes doc as a DICOM Part 10 SR file (Explicit VR Little Endian,
// UTF-8). The IOD is doc.Identity.SOPClassUID, or the simplest that holds
// the tree when that is empty. It never truncates a value; a value that
// does not fit its VR is written as given and refused by Validate, which
// the engine runs on every file it returns. Error messages name
// attributes and content item positions, never values.
func Encode(doc *content.Document) ([]byte, error) {
	d := encoders.Get().(*docEncoder)
	defer d.release()
	meta, ds, err := d.assemble(doc)
	if err != nil {
		return nil, err
	}
	w := writer{list: &d.list, buf: d.buf[:0], order: d.order[:0]}
	w.file(meta.id, ds.id)
	d.buf, d.order = w.buf, w.order
	if w.err != nil {
		return nil, w.err
	}
	// The caller owns the file; the buffer goes back to the pool.
	return slices.Clone(w.buf), nil
}

// encoders keeps attribute lists and buffers from one document to the
// next: a typical report then allocates almost nothing but its file.
var encoders = sync.Pool{New: func() any { return new(docEncoder) }}

// maxPooled and maxPooledAttrs bound what is kept for the next document:
// one very large report must not pin its memory for the life of the
// process. A typical report needs a tenth of either.
const (
	maxPooled      = 1 << 20
	maxPooledAttrs = 1 << 14
)

// release puts d back in the pool, emptied.
func (d *docEncoder) release() {
	if cap(d.buf) > maxPooled || cap(d.list.attrs) > maxPooledAttrs {
		return
	}
	d.list.reset()
	d.doc, d.sopClass, d.err, d.where = nil, "", nil, ""
	d.path, d.buf, d.order = d.path[:0], d.buf[:0], d.order[:0]
	encoders.Put(d)
}

// assemble builds the attribute list of doc: the file meta information
// and the main dataset.
func (d *docEncoder) assemble(doc *content.Document) (meta, ds attrs, err error) {
	switch {
	case doc == nil:
		return meta, ds, fmt.Errorf("sr: no document: %w", ErrMissingValue)
	case doc.Report == nil:
		return meta, ds, fmt.Errorf("sr: document has no report: %w", ErrMissingValue)
	case doc.Root == nil:
		return meta, ds, fmt.Errorf("sr: document has no content tree: %w", ErrMissingValue)
	case doc.ReportTime.IsZero():
		return meta, ds, fmt.Errorf("sr: document has no report time: %w", ErrMissingValue)
	}
	d.doc, d.sopClass = doc, doc.Identity.SOPClassUID
	if d.sopClass == "" {
		d.sopClass = content.ChooseIOD(doc.Root)
	}
	ds = d.dataset()
	if d.err != nil {
		return meta, ds, d.err
	}
	d.at("file meta information")
	meta = d.attrs()
	meta.bytes(tag.FileMetaInformationVersion, fileMetaVersion)
	meta.req(tag.MediaStorageSOPClassUID, d.sopClass)
	meta.req(tag.MediaStorageSOPInstanceUID, doc.Identity.SOPInstanceUID)
	meta.req(tag.TransferSyntaxUID, ExplicitVRLittleEndian)
	meta.req(tag.ImplementationClassUID, implementationClassUID)
	meta.req(tag.ImplementationVersionName, implementationVersionName)
	return meta, ds, d.err
}

// fileMetaVersion is File Meta Information Version 00H 01H (PS3.10
// §7.1).
const fileMetaVersion = "\x00\x01"

// docEncoder encodes one document.
type docEncoder struct {
	encoder
	doc      *content.Document
	sopClass string
	// buf and order are the writer's, kept for the next document.
	buf   []byte
	order []int32
	// studies and series are scratch for grouping the evidence.
	studies []evidenceStudy
	series  []evidenceSeries
}

// dataset returns the main dataset: every module of the SR IODs (PS3.3
// Table A.35.x-1).
func (d *docEncoder) dataset() attrs {
	a := d.attrs()
	d.patient(a)
	d.generalStudy(a)
	d.srSeries(a)
	d.generalEquipment(a)
	d.documentGeneral(a)
	d.documentContent(a)
	d.sopCommon(a)
	return a
}
