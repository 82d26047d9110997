package sr

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/suyashkumar/dicom"
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
	switch {
	case doc == nil:
		return nil, fmt.Errorf("sr: no document: %w", ErrMissingValue)
	case doc.Report == nil:
		return nil, fmt.Errorf("sr: document has no report: %w", ErrMissingValue)
	case doc.Root == nil:
		return nil, fmt.Errorf("sr: document has no content tree: %w", ErrMissingValue)
	case doc.ReportTime.IsZero():
		return nil, fmt.Errorf("sr: document has no report time: %w", ErrMissingValue)
	}
	d := newDocEncoder(doc)
	ds := d.dataset()
	if d.err != nil {
		return nil, d.err
	}
	d.where = "file meta information"
	meta := d.attrs()
	meta.bytes(tag.FileMetaInformationVersion, []byte{0, 1})
	meta.req(tag.MediaStorageSOPClassUID, d.sopClass)
	meta.req(tag.MediaStorageSOPInstanceUID, doc.Identity.SOPInstanceUID)
	meta.req(tag.TransferSyntaxUID, ExplicitVRLittleEndian)
	meta.req(tag.ImplementationClassUID, implementationClassUID)
	meta.req(tag.ImplementationVersionName, implementationVersionName)
	elems := append(meta.sorted(), ds...)
	if d.err != nil {
		return nil, d.err
	}
	var buf bytes.Buffer
	if err := dicom.Write(&buf, dicom.Dataset{Elements: elems}); err != nil {
		return nil, fmt.Errorf("sr: write: %w", err)
	}
	return buf.Bytes(), nil
}

// docEncoder encodes one document.
type docEncoder struct {
	encoder
	doc      *content.Document
	sopClass string
}

func newDocEncoder(doc *content.Document) *docEncoder {
	d := &docEncoder{doc: doc, sopClass: doc.Identity.SOPClassUID}
	if d.sopClass == "" {
		d.sopClass = content.ChooseIOD(doc.Root)
	}
	return d
}

// dataset returns the sorted main dataset: every module of the SR IODs
// (PS3.3 Table A.35.x-1).
func (d *docEncoder) dataset() []*dicom.Element {
	a := d.attrs()
	d.patient(a)
	d.generalStudy(a)
	d.srSeries(a)
	d.generalEquipment(a)
	d.documentGeneral(a)
	d.documentContent(a)
	d.sopCommon(a)
	d.where = "dataset"
	return a.sorted()
}
