package sr

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/content"
)

// formatDA, formatTM and formatDT render times as DICOM DA, TM and DT
// (PS3.5 Table 6.2-1). Only DT carries the UTC offset; DA and TM are local
// to the offset in Timezone Offset From UTC.
func formatDA(t time.Time) string { return t.Format("20060102") }

func formatTM(t time.Time) string { return t.Format("150405.999999") }

func formatDT(t time.Time) string { return t.Format("20060102150405.999999-0700") }

// pn adds a PN attribute from name parts: Family^Given^Middle^Prefix^Suffix,
// the later given names being the middle names, then "=" and the
// ideographic and phonetic component groups when the name has them
// (PS3.5 6.2.1.1; ISO_IR 192 needs no escape sequences for them). A part
// holding ^ or = would shift the components, so it is refused rather
// than written.
func (a attrs) pn(t tag.Tag, n content.PersonName, required bool) {
	alpha, ok := a.pnGroup(t, n)
	if !ok {
		return
	}
	groups := []string{alpha, "", ""}
	for i, g := range []*content.PersonName{n.Ideographic, n.Phonetic} {
		if g == nil {
			continue
		}
		if groups[i+1], ok = a.pnGroup(t, *g); !ok {
			return
		}
	}
	for len(groups) > 1 && groups[len(groups)-1] == "" {
		groups = groups[:len(groups)-1]
	}
	v := strings.Join(groups, "=")
	if required {
		a.req(t, v)
		return
	}
	a.str(t, v)
}

// pnGroup writes one component group.
func (a attrs) pnGroup(t tag.Tag, n content.PersonName) (string, bool) {
	var given, middle string
	if len(n.Given) > 0 {
		given = n.Given[0]
		middle = strings.Join(n.Given[1:], " ")
	}
	parts := []string{n.Family, given, middle, n.Prefix, n.Suffix}
	for _, p := range parts {
		if strings.ContainsAny(p, "^=") {
			a.enc.failf("%s has a name part with ^ or =, which PN uses as delimiters: %w", attrName(t), ErrInvalidValue)
			return "", false
		}
	}
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, "^"), true
}

// maxCodeValue is the longest code value that fits Code Value (SH); longer
// ones go to Long Code Value (UC) (PS3.3 Table 8.8-1).
const maxCodeValue = 16

// codeItem returns one item of the Code Sequence Macro (PS3.3 Table 8.8-1).
func (e *encoder) codeItem(c content.Code) attrs {
	it := e.attrs()
	if utf8.RuneCountInString(c.Value) > maxCodeValue {
		it.req(tag.LongCodeValue, c.Value)
	} else {
		it.req(tag.CodeValue, c.Value)
	}
	it.req(tag.CodingSchemeDesignator, c.Designator)
	it.req(tag.CodeMeaning, c.Meaning)
	return it
}

// code adds a code sequence holding the one code c.
func (a attrs) code(t tag.Tag, c content.Code) {
	a.seq(t, a.enc.codeItem(c))
}
