package sr

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

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
	d := new(docEncoder)
	meta, ds, err := d.assemble(doc)
	if err != nil {
		return nil, err
	}
	elems, err := d.list.libraryElements(meta.id)
	if err != nil {
		return nil, err
	}
	main, err := d.list.libraryElements(ds.id)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := dicom.Write(&buf, dicom.Dataset{Elements: append(elems, main...)}); err != nil {
		return nil, fmt.Errorf("sr: write: %w", err)
	}
	return buf.Bytes(), nil
}

// libraryElements returns dataset s as the library's elements, in
// ascending tag order: the library writes them in slice order.
func (l *attrList) libraryElements(s int32) ([]*dicom.Element, error) {
	var out []*dicom.Element
	for i := l.sets[s].first; i != none; i = l.attrs[i].next {
		a := l.attrs[i]
		var data any
		switch a.vr {
		case "SQ":
			items := [][]*dicom.Element{}
			for it := a.items; it != none; it = l.sets[it].next {
				item, err := l.libraryElements(it)
				if err != nil {
					return nil, err
				}
				items = append(items, item)
			}
			data = items
		case "OB":
			data = []byte(a.value)
		default:
			// One string: the library joins the values of a
			// multi-valued attribute with backslashes, which the value
			// already holds.
			v := a.value
			if a.vr == "UC" && len(v)%2 == 1 {
				// suyashkumar/dicom v1.1.0 pads odd-length UC (and UR)
				// values with NUL instead of the space PS3.5 §6.2
				// prescribes; a trailing space is insignificant padding in
				// UC, so adding it here gives the standard encoding.
				v += " "
			}
			data = []string{v}
		}
		el, err := dicom.NewElement(a.tag, data)
		if err != nil {
			return nil, fmt.Errorf("sr: %s: %w", attrName(a.tag), err)
		}
		out = append(out, el)
	}
	slices.SortStableFunc(out, func(x, y *dicom.Element) int { return x.Tag.Compare(y.Tag) })
	for i := 1; i < len(out); i++ {
		if out[i].Tag == out[i-1].Tag {
			return nil, fmt.Errorf("sr: write: %s added twice: %w", attrName(out[i].Tag), ErrUnsupported)
		}
	}
	return out, nil
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
