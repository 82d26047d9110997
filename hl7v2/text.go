package hl7v2

import (
	"fmt"
	"strings"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/dictation"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// textTypes are the OBX-2 value types that carry report text.
var textTypes = map[string]bool{"TX": true, "FT": true, "ST": true}

// instanceUIDNames are OBX-3 texts of the UIDs of an SR made elsewhere
// (IHE RAD-28, RAD-128): the documents made here get their own, so these
// are not read.
var instanceUIDNames = map[string]bool{
	"series instance uid": true, "sop instance uid": true, "sr instance uid": true, "sop class uid": true,
}

// bodyCodes are OBX-3 codes of a whole report body rather than of one
// section: LOINC 18782-3 "Radiology Study observation (narrative)" and the
// document code 18748-4.
var bodyCodes = map[string]bool{"18782-3": true, "18748-4": true}

// readText reads the report text, in one of the two shapes senders use:
//
//   - One text, usually one OBX per line, all with the same OBX-3 (a
//     local code, the ASTM "&GDT" general description, LOINC 18782-3, ...):
//     the lines, joined by line breaks, are the report's dictation and go
//     through the dictation split into sections by their headings.
//   - OBX-3 coded per section, with at least one section other than
//     Findings: LOINC section codes of DICOM CID 7001
//     (59776-5 Findings, 19005-8 Impression, ...), their DICOM codes, the
//     ASTM "&IMP" impression and "&ADT" addendum, or an OBX-3 text that is
//     a heading ("Impression"): each section's lines become its text; a
//     whole-body code among them is the Findings.
//
// TX values repeat (each repetition a line); FT line breaks (\.br\) are
// line breaks; an empty OBX-5 is an empty line. A message without text
// OBX but with NTE after OBR, as some older systems send reports, takes
// the notes as the text.
func (x *mapper) readText(r *pb.Report) {
	type textOBX struct {
		seg   *Segment
		lines []string
		kind  pb.SectionKind
		body  bool // a whole-body or unknown code
		known bool
	}
	var texts []textOBX
	for _, obx := range x.o.obx {
		vt := strings.ToUpper(obx.Field(2).Component(1).Text())
		name := strings.ToLower(obx.Field(3).Component(2).Text())
		switch {
		case isStudyUID(obx), instanceUIDNames[name]:
			continue
		case !textTypes[vt]:
			x.warn(obx.Field(2).Location(), "value-type", "value type not read: the report text comes from TX, FT and ST observations")
			continue
		}
		t := textOBX{seg: obx, lines: valueLines(obx.Field(5))}
		t.kind, t.body, t.known = x.sectionOf(obx.Field(3))
		texts = append(texts, t)
	}
	if len(texts) == 0 {
		var lines []string
		for _, n := range x.o.nte {
			lines = append(lines, valueLines(n.Field(3))...)
		}
		if strings.TrimSpace(strings.Join(lines, "")) == "" {
			x.fail(x.o.obr.Location(), CodeRequiredField, "report-text", "no report text: send it in OBX segments of value type TX, FT or ST")
			return
		}
		x.mp.TextLocation = x.o.nte[0].Field(3).Location()
		r.Dictation = strings.Join(lines, "\n")
		x.from("report.dictation", x.mp.TextLocation)
		return
	}
	x.mp.TextLocation = texts[0].seg.Field(5).Location()
	// All text of the body or the Findings (also an OBX-3 such as
	// "^Report", which reads as a Findings heading) is one dictation: the
	// split finds any headings inside it. Only several section kinds make
	// the coded shape.
	allBody := true
	for _, t := range texts {
		allBody = allBody && (t.body || t.kind == pb.SectionKind_SECTION_KIND_FINDINGS)
	}
	if allBody {
		var lines []string
		for _, t := range texts {
			lines = append(lines, t.lines...)
		}
		r.Dictation = strings.Join(lines, "\n")
		x.from("report.dictation", x.mp.TextLocation)
		x.from("report.sections", x.mp.TextLocation)
		return
	}
	type section struct {
		kind  pb.SectionKind
		runs  []string
		first Location
		last  *Segment
	}
	var order []*section
	byKind := map[pb.SectionKind]*section{}
	var prev *Segment
	for _, t := range texts {
		k := t.kind
		if t.body {
			k = pb.SectionKind_SECTION_KIND_FINDINGS
			if !t.known {
				x.warn(t.seg.Field(3).Location(), "section-code", "not a known section code; its text is read as Findings")
			}
		}
		s, ok := byKind[k]
		if !ok {
			s = &section{kind: k, first: t.seg.Field(5).Location()}
			byKind[k] = s
			order = append(order, s)
		}
		text := strings.Join(t.lines, "\n")
		if s.last != nil && s.last == prev {
			s.runs[len(s.runs)-1] += "\n" + text // the same run of lines
		} else {
			s.runs = append(s.runs, text)
		}
		s.last, prev = t.seg, t.seg
	}
	for _, s := range order {
		var runs []string
		for _, run := range s.runs {
			if t := strings.TrimSpace(run); t != "" {
				runs = append(runs, t)
			}
		}
		if len(runs) == 0 {
			continue
		}
		x.from(fmt.Sprintf("report.sections[%d]", len(r.Sections)), s.first)
		r.Sections = append(r.Sections, &pb.Section{Kind: s.kind, Text: strings.Join(runs, "\n\n")})
	}
	x.from("report.sections", x.mp.TextLocation)
	if len(r.Sections) == 0 {
		x.fail(x.mp.TextLocation, CodeRequiredField, "report-text", "the report text is empty")
	}
}

// valueLines returns the lines of a text field: each repetition, split
// at its line breaks.
func valueLines(f Value) []string {
	reps := f.Repetitions()
	if len(reps) == 0 {
		return []string{""}
	}
	var out []string
	for _, rep := range reps {
		t := strings.ReplaceAll(rep.Literal(), "\r\n", "\n")
		out = append(out, strings.Split(t, "\n")...)
	}
	return out
}

// astmCodes are the ASTM E1238 suffix codes older RIS and dictation
// systems still send in OBX-3 ("&GDT"): general description (the whole
// body), impression and addendum.
var astmCodes = map[string]pb.SectionKind{
	"GDT": pb.SectionKind_SECTION_KIND_UNSPECIFIED,
	"IMP": pb.SectionKind_SECTION_KIND_IMPRESSION,
	"ADT": pb.SectionKind_SECTION_KIND_ADDENDUM,
}

// sectionOf reads OBX-3 as a section: its kind, or body true for a code
// of a whole report body or one not known (known then false).
func (x *mapper) sectionOf(id Value) (kind pb.SectionKind, body, known bool) {
	raw := id.Component(1).Raw()
	astm := strings.ToUpper(strings.TrimPrefix(raw, string(x.m.Delims.Subcomponent)))
	if k, ok := astmCodes[astm]; ok && (len(raw) == 3 || len(raw) == 4 && raw[0] == x.m.Delims.Subcomponent) {
		return k, k == pb.SectionKind_SECTION_KIND_UNSPECIFIED, true
	}
	code := id.Component(1).Text()
	sys := strings.ToUpper(id.Component(3).Text())
	if bodyCodes[code] && (sys == "" || sys == "LN" || sys == "LOINC") {
		return 0, true, true
	}
	for k, h := range content.Headings {
		switch {
		case code == h.LOINC.Value && (sys == "" || sys == "LN" || sys == "LOINC"),
			code == h.DCM.Value && (sys == "" || sys == "DCM"):
			return k, false, true
		}
	}
	if k, ok := headingKind(id.Component(2).Text()); ok {
		return k, false, true
	}
	return 0, true, false
}

// headingKind asks the dictation splitter whether an OBX-3 text is a
// section heading, so that OBX-3 texts and dictated headings are read by
// the same synonyms. The splitter only splits a text that has a Findings
// heading, so the question is put after one.
func headingKind(title string) (pb.SectionKind, bool) {
	title = strings.TrimSpace(title)
	if title == "" || strings.ContainsAny(title, ":\r\n") || len(title) > 64 {
		return 0, false
	}
	probe := "FINDINGS:\n.\n" + title + ":\n."
	parts := dictation.Split(probe)
	if len(parts) == 2 && parts[1].Heading != "" && parts[1].HeadingStart == len("FINDINGS:\n.\n") {
		return parts[1].Kind, true
	}
	return 0, false
}
