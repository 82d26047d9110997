package sr

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/suyashkumar/dicom"

	"github.com/reportgen/reportgen/content"
)

// encodeWithLibrary is Encode with suyashkumar/dicom's Write in place of
// the package's writer: the same attribute list, turned into the
// library's elements and written by the library, as Encode did before it
// had a writer of its own. It is the reference the writer is held to
// (writer_crosscheck_test.go): both must give the same bytes for every
// document.
func encodeWithLibrary(doc *content.Document) ([]byte, error) {
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
			if len(v)%2 == 1 && libraryPadsWithNUL(a.vr) {
				// suyashkumar/dicom v1.1.0 pads odd-length values of these
				// VRs with NUL instead of the space PS3.5 §6.2 prescribes;
				// a trailing space is insignificant padding in them, so
				// adding it here gives the standard encoding, as the
				// encoder did for UC before it had its own writer.
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

// libraryPadsWithNUL lists the character VRs other than UI that the
// library pads with NUL. Of them the encoder writes DA, whose valid values
// are even, and UC.
func libraryPadsWithNUL(vr string) bool {
	switch vr {
	case "AS", "DA", "UC", "UR":
		return true
	}
	return false
}
