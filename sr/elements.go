package sr

import (
	"fmt"
	"slices"
	"strings"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// encoder carries the first error of an encoding run, so module and item
// builders can add attributes without checking an error after each one.
type encoder struct {
	err error
	// where names the part being encoded for error messages, e.g.
	// "content item 1.5.2"; never a value.
	where string
}

func (e *encoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

func (e *encoder) failf(format string, args ...any) {
	e.fail(fmt.Errorf("sr: %s: "+format, append([]any{e.where}, args...)...))
}

// attrs collects the elements of one dataset or sequence item. The library
// writes elements in slice order, so sorted puts them in the ascending tag
// order PS3.5 §7.1 requires.
type attrs struct {
	enc   *encoder
	elems []*dicom.Element
}

func (e *encoder) attrs() *attrs { return &attrs{enc: e} }

func tagString(t tag.Tag) string { return fmt.Sprintf("(%04X,%04X)", t.Group, t.Element) }

func attrName(t tag.Tag) string {
	if info, err := tag.Find(t); err == nil {
		return info.Name + " " + tagString(t)
	}
	return tagString(t)
}

// str adds a string attribute as given, empty or not: Type 2 semantics.
func (a *attrs) str(t tag.Tag, values ...string) {
	info, err := tag.Find(t)
	if err != nil {
		a.enc.failf("%s is not in the data dictionary: %w", tagString(t), ErrUnsupported)
		return
	}
	vr := info.VRs[0]
	if textVR(vr) {
		values = dicomText(values)
	}
	// The encoder does not judge values against their VRs: that is the
	// validator's reading of PS3.5 (vr.go), which runs on the bytes
	// written, and the two must not share one reading (package extval's
	// point). It only refuses what it cannot encode at all.
	total := len(values) - 1
	for _, v := range values {
		total += len(v)
	}
	if !longLength(vr) && total > 0xfffe {
		a.enc.failf("%s is %d bytes, more than a %s element can hold: %w", attrName(t), total, vr, ErrInvalidValue)
		return
	}
	if vr == "UC" && total%2 == 1 {
		// suyashkumar/dicom v1.1.0 pads odd-length UC (and UR) values with
		// NUL instead of the space PS3.5 §6.2 prescribes; a trailing space
		// is insignificant padding in UC, so adding it here gives the
		// standard encoding.
		values = slices.Clone(values)
		values[len(values)-1] += " "
	}
	a.add(t, values)
}

// req adds a Type 1 string attribute, failing when the value is empty.
func (a *attrs) req(t tag.Tag, v string) {
	if strings.TrimSpace(v) == "" {
		a.enc.failf("%s is required: %w", attrName(t), ErrMissingValue)
		return
	}
	a.str(t, v)
}

// opt adds a Type 3 string attribute only when it has a value.
func (a *attrs) opt(t tag.Tag, v string) {
	if v != "" {
		a.str(t, v)
	}
}

// seq adds a sequence; no items gives the empty sequence of a Type 2
// attribute.
func (a *attrs) seq(t tag.Tag, items ...*attrs) {
	data := make([][]*dicom.Element, 0, len(items))
	for _, it := range items {
		data = append(data, it.sorted())
	}
	a.add(t, data)
}

// bytes adds a binary (OB) attribute.
func (a *attrs) bytes(t tag.Tag, b []byte) { a.add(t, b) }

func (a *attrs) add(t tag.Tag, data any) {
	el, err := dicom.NewElement(t, data)
	if err != nil {
		a.enc.failf("%s: %w", attrName(t), err)
		return
	}
	a.elems = append(a.elems, el)
}

// sorted returns the elements in ascending tag order; a tag added twice is
// an encoder bug, reported rather than written.
func (a *attrs) sorted() []*dicom.Element {
	out := slices.Clone(a.elems)
	slices.SortStableFunc(out, func(x, y *dicom.Element) int { return x.Tag.Compare(y.Tag) })
	for i := 1; i < len(out); i++ {
		if out[i].Tag == out[i-1].Tag {
			a.enc.failf("%s added twice: %w", attrName(out[i].Tag), ErrUnsupported)
		}
	}
	return out
}

// dicomText writes TAB as a space in the text VRs (LT, ST, UT): XML, and so
// the report and its CDA, allow TAB, but DICOM text allows only CR, LF, FF
// and ESC as control characters (PS3.5 6.1.3). The request checks refuse
// every other control character and warn of each field whose TABs this
// changes, so nothing is changed silently.
func dicomText(values []string) []string {
	out := values
	for i, v := range values {
		if !strings.ContainsRune(v, '\t') {
			continue
		}
		if &out[0] == &values[0] {
			out = slices.Clone(values)
		}
		out[i] = strings.ReplaceAll(v, "\t", " ")
	}
	return out
}
