package sr_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// The negative tests break encoded files on purpose. They edit the dataset
// with suyashkumar/dicom: its reader handles the well-formed files Encode
// writes, and its writer keeps the element order it is given, which lets a
// test also write elements out of order.

// step leads into item Item (1-based) of sequence Tag.
type step struct {
	Tag  tag.Tag
	Item int
}

// edit is a change to the element list of one dataset or item.
type edit func(t *testing.T, elems []*dicom.Element) []*dicom.Element

// mutate parses b, applies e to the dataset at path and writes the file.
func mutate(t *testing.T, b []byte, path []step, e edit) []byte {
	t.Helper()
	ds, err := dicom.Parse(bytes.NewReader(b), int64(len(b)), nil)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	ds.Elements = at(t, ds.Elements, path, e)
	var out bytes.Buffer
	if err := dicom.Write(&out, ds, dicom.SkipVRVerification(), dicom.SkipValueTypeVerification()); err != nil {
		t.Fatalf("write: %v", err)
	}
	return out.Bytes()
}

// at applies e to the element list that path leads to, rebuilding each
// sequence on the way because the library keeps item elements unexported.
func at(t *testing.T, elems []*dicom.Element, path []step, e edit) []*dicom.Element {
	t.Helper()
	if len(path) == 0 {
		return e(t, elems)
	}
	i := index(elems, path[0].Tag)
	if i < 0 {
		t.Fatalf("no %v on the path", path[0].Tag)
	}
	items := itemsOf(t, elems[i])
	n := path[0].Item
	if n < 1 || n > len(items) {
		t.Fatalf("%v has %d items, not %d", path[0].Tag, len(items), n)
	}
	items[n-1] = at(t, items[n-1], path[1:], e)
	out := slices.Clone(elems)
	out[i] = newElement(t, path[0].Tag, items)
	return out
}

func itemsOf(t *testing.T, e *dicom.Element) [][]*dicom.Element {
	t.Helper()
	seq, ok := e.Value.GetValue().([]*dicom.SequenceItemValue)
	if !ok {
		t.Fatalf("%v is not a sequence", e.Tag)
	}
	var items [][]*dicom.Element
	for _, it := range seq {
		items = append(items, slices.Clone(it.GetValue().([]*dicom.Element)))
	}
	return items
}

func index(elems []*dicom.Element, tg tag.Tag) int {
	return slices.IndexFunc(elems, func(e *dicom.Element) bool { return e.Tag == tg })
}

func newElement(t *testing.T, tg tag.Tag, data any) *dicom.Element {
	t.Helper()
	e, err := dicom.NewElement(tg, data)
	if err != nil {
		t.Fatalf("new element %v: %v", tg, err)
	}
	return e
}

// remove drops attribute tg.
func remove(tg tag.Tag) edit {
	return func(t *testing.T, elems []*dicom.Element) []*dicom.Element {
		i := index(elems, tg)
		if i < 0 {
			t.Fatalf("remove: no %v", tg)
		}
		return slices.Delete(slices.Clone(elems), i, i+1)
	}
}

// set gives attribute tg the value data, adding it in tag order when
// absent.
func set(tg tag.Tag, data any) edit {
	return func(t *testing.T, elems []*dicom.Element) []*dicom.Element {
		e := newElement(t, tg, data)
		out := slices.Clone(elems)
		if i := index(out, tg); i >= 0 {
			out[i] = e
			return out
		}
		i, _ := slices.BinarySearchFunc(out, tg, func(x *dicom.Element, y tag.Tag) int { return x.Tag.Compare(y) })
		return slices.Insert(out, i, e)
	}
}

// appendRaw adds e at the end, out of tag order.
func appendRaw(e *dicom.Element) edit {
	return func(_ *testing.T, elems []*dicom.Element) []*dicom.Element {
		return append(slices.Clone(elems), e)
	}
}

// removeItem drops item n (1-based) of sequence tg.
func removeItem(tg tag.Tag, n int) edit {
	return func(t *testing.T, elems []*dicom.Element) []*dicom.Element {
		i := index(elems, tg)
		if i < 0 {
			t.Fatalf("removeItem: no %v", tg)
		}
		items := itemsOf(t, elems[i])
		items = slices.Delete(items, n-1, n)
		out := slices.Clone(elems)
		out[i] = newElement(t, tg, items)
		return out
	}
}

// all applies several edits to the same element list.
func all(edits ...edit) edit {
	return func(t *testing.T, elems []*dicom.Element) []*dicom.Element {
		for _, e := range edits {
			elems = e(t, elems)
		}
		return elems
	}
}

// TestMutateRoundTrip guards the negative tests: without an edit, the
// library must give back the file byte for byte, so every difference a
// negative test makes is the one it means.
func TestMutateRoundTrip(t *testing.T) {
	for name, b := range encodedExamples(t) {
		got := mutate(t, b, nil, func(_ *testing.T, e []*dicom.Element) []*dicom.Element { return e })
		if !bytes.Equal(got, b) {
			t.Errorf("%s: parse and write changed the file", name)
		}
	}
}
