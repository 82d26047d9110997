package sr

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/suyashkumar/dicom/pkg/tag"
)

// element is one data element as read by the validator's parser. Values
// stay slices of the input; nothing is decoded until a rule asks.
type element struct {
	tag   uint32
	vr    string
	value []byte     // raw value bytes, nil for sequences
	items []*dataset // items of a sequence
	isSeq bool
	loc   string // tag path, e.g. "(0040,A730)[2]/(0040,A160)"
}

// dataset is a list of elements in file order: the main dataset, the file
// meta information or one sequence item.
type dataset struct {
	elems []*element
	loc   string // tag path of the item, "" for the main dataset
}

// Tags the validator reads, as group<<16|element.
const (
	tSpecificCharacterSet = 0x00080005
	tSOPClassUID          = 0x00080016
	tSOPInstanceUID       = 0x00080018
	tModality             = 0x00080060
	tCodeValue            = 0x00080100
	tCodingScheme         = 0x00080102
	tCodeMeaning          = 0x00080104
	tLongCodeValue        = 0x00080119
	tURNCodeValue         = 0x00080120
	tRefPPSSeq            = 0x00081111
	tRefSeriesSeq         = 0x00081115
	tRefSOPClassUID       = 0x00081150
	tRefSOPInstanceUID    = 0x00081155
	tRefSOPSeq            = 0x00081199
	tPatientSex           = 0x00100040
	tStudyInstanceUID     = 0x0020000D
	tSeriesInstanceUID    = 0x0020000E
	tMeasUnitsSeq         = 0x004008EA
	tVerifyingOrg         = 0x0040A027
	tVerificationDT       = 0x0040A030
	tRelationshipType     = 0x0040A010
	tValueType            = 0x0040A040
	tConceptNameSeq       = 0x0040A043
	tContinuity           = 0x0040A050
	tVerifyingObsSeq      = 0x0040A073
	tVerifyingObsName     = 0x0040A075
	tVerifyingObsIDSeq    = 0x0040A088
	tDateTime             = 0x0040A120
	tDate                 = 0x0040A121
	tTime                 = 0x0040A122
	tPersonName           = 0x0040A123
	tUID                  = 0x0040A124
	tTextValue            = 0x0040A160
	tConceptCodeSeq       = 0x0040A168
	tMeasuredValueSeq     = 0x0040A300
	tNumericValue         = 0x0040A30A
	tNumericQualifierSeq  = 0x0040A301
	tPredecessorSeq       = 0x0040A360
	tRefRequestSeq        = 0x0040A370
	tCurrentEvidenceSeq   = 0x0040A375
	tOtherEvidenceSeq     = 0x0040A385
	tCompletionFlag       = 0x0040A491
	tVerificationFlag     = 0x0040A493
	tPreliminaryFlag      = 0x0040A496
	tContentTemplateSeq   = 0x0040A504
	tContentSeq           = 0x0040A730
	tRefContentItemID     = 0x0040DB73

	tMetaGroupLength  = 0x00020000
	tMetaVersion      = 0x00020001
	tMediaSOPClass    = 0x00020002
	tMediaSOPInstance = 0x00020003
	tTransferSyntax   = 0x00020010
	tImplClassUID     = 0x00020012
)

func tagPath(t uint32) string { return fmt.Sprintf("(%04X,%04X)", t>>16, t&0xffff) }

// tagName returns "Name (gggg,eeee)" from the data dictionary.
func tagName(t uint32) string {
	if info, err := tag.Find(tag.Tag{Group: uint16(t >> 16), Element: uint16(t)}); err == nil {
		return info.Name + " " + tagPath(t)
	}
	return tagPath(t)
}

// get returns the element with tag t, or nil.
func (d *dataset) get(t uint32) *element {
	if d == nil {
		return nil
	}
	for _, e := range d.elems {
		if e.tag == t {
			return e
		}
	}
	return nil
}

// at returns the path of tag t inside d, present or not, for issues about
// a missing attribute.
func (d *dataset) at(t uint32) string {
	if d == nil || d.loc == "" {
		return tagPath(t)
	}
	return d.loc + "/" + tagPath(t)
}

// str returns the first value of the string element t in d, without
// padding; "" when absent, empty or not a string.
func (d *dataset) str(t uint32) string {
	e := d.get(t)
	if e == nil {
		return ""
	}
	vs := e.strings()
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// seq returns the items of sequence t in d; nil when absent or not a
// sequence.
func (d *dataset) seq(t uint32) []*dataset {
	e := d.get(t)
	if e == nil || !e.isSeq {
		return nil
	}
	return e.items
}

// text returns the value as a string with its padding removed. Bytes that
// are not UTF-8 are read as Latin-1, so that counts of characters stay
// right for single-byte character sets.
func (e *element) text() string {
	if e == nil || e.isSeq || !stringVR(e.vr) {
		return ""
	}
	b := e.value
	if textVR(e.vr) {
		// Leading spaces are significant in text VRs; only trailing
		// padding goes.
		b = trimRight(b, " ")
	} else {
		b = trimRight(b, " \x00")
	}
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// strings returns the values of a string element, split at backslashes
// (except in the text VRs) and trimmed of padding.
func (e *element) strings() []string {
	s := e.text()
	if s == "" {
		return nil
	}
	if textVR(e.vr) {
		return []string{s}
	}
	vs := strings.Split(s, "\\")
	for i, v := range vs {
		vs[i] = strings.Trim(v, " \x00")
	}
	return vs
}

// empty reports whether the element has no value: zero length, only
// padding, or a sequence without items.
func (e *element) empty() bool {
	if e.isSeq {
		return len(e.items) == 0
	}
	if stringVR(e.vr) {
		return len(trimRight(trimLeft(e.value, " "), " \x00")) == 0
	}
	return len(e.value) == 0
}

// uint32s returns the values of a UL element.
func (e *element) uint32s() []uint32 {
	if e == nil || e.vr != "UL" {
		return nil
	}
	out := make([]uint32, 0, len(e.value)/4)
	for i := 0; i+4 <= len(e.value); i += 4 {
		out = append(out, binary.LittleEndian.Uint32(e.value[i:]))
	}
	return out
}

func trimRight(b []byte, cut string) []byte {
	for len(b) > 0 && strings.IndexByte(cut, b[len(b)-1]) >= 0 {
		b = b[:len(b)-1]
	}
	return b
}

func trimLeft(b []byte, cut string) []byte {
	for len(b) > 0 && strings.IndexByte(cut, b[0]) >= 0 {
		b = b[1:]
	}
	return b
}
