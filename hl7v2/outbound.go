package hl7v2

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/reportgen/reportgen/content"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Outbound describes the ORU^R01 that carries a generated report on to a
// downstream system (an EHR, a RIS, dcm4chee): the header, patient and
// order of the message received, then OBX segments with the SR's UIDs,
// the report as one TX line per OBX coded by section, and the CDA as
// base64 in an ED observation, as IHE RAD and dcm4chee pass a CDA in HL7
// v2.
type Outbound struct {
	// Source is the message the report was made from; its PID, PV1, ORC
	// and OBR are carried over (re-encoded in UTF-8 with the standard
	// delimiters).
	Source *Message
	// Application and Facility are MSH-3 and MSH-4; PeerApplication and
	// PeerFacility MSH-5 and MSH-6.
	Application, Facility, PeerApplication, PeerFacility string
	// ControlID is MSH-10. Given the same source it should be the same, so
	// the receiver can drop a redelivery.
	ControlID string
	// Now is MSH-7.
	Now time.Time
	// Sections are the report text.
	Sections []OutSection
	// CDA is the CDA document.
	CDA []byte
	// SR identifies the SR document.
	SR *pb.SrIdentity
}

// OutSection is one section of the report text.
type OutSection struct {
	// Code is the section's code (LOINC for the standard kinds).
	Code content.Code
	// Heading is the heading line written before the text ("" for none).
	Heading string
	// Text is the section text; line breaks separate OBX segments.
	Text string
}

// ReportSections returns the text of a rendered report by section: the
// parts of the dictation split, as dictated (heading and text), or the
// sections of the request with their titles.
func ReportSections(req *pb.GenerateReportRequest, resp *pb.GenerateReportResponse) []OutSection {
	r := req.GetReport()
	var out []OutSection
	if d := r.GetDictation(); d != "" {
		for _, p := range resp.GetDictationSections() {
			hs, ts, te := int(p.GetHeadingStart()), int(p.GetTextStart()), int(p.GetTextEnd())
			if hs < 0 || hs > ts || ts > te || te > len(d) {
				continue
			}
			text := strings.TrimSpace(strings.ReplaceAll(d[ts:te], "\r\n", "\n"))
			if text == "" {
				continue
			}
			out = append(out, OutSection{Code: sectionCode(p.GetKind(), nil), Heading: strings.TrimSpace(d[hs:ts]), Text: text})
		}
		return out
	}
	for _, s := range r.GetSections() {
		title := s.GetTitle()
		if title == "" {
			title = content.Headings[s.GetKind()].Title
		}
		if title == "" && s.GetCode() != nil {
			title = s.GetCode().GetDisplayName()
		}
		heading := ""
		if title != "" {
			heading = strings.ToUpper(title) + ":"
		}
		out = append(out, OutSection{Code: sectionCode(s.GetKind(), s.GetCode()), Heading: heading, Text: strings.TrimSpace(s.GetText())})
	}
	return out
}

func sectionCode(k pb.SectionKind, coded *pb.Code) content.Code {
	if h, ok := content.Headings[k]; ok {
		return h.LOINC
	}
	if coded != nil {
		return content.FromProto(coded)
	}
	return content.Headings[pb.SectionKind_SECTION_KIND_FINDINGS].LOINC
}

// obxStatus maps OBR-25 to OBX-11 (HL7 table 0085 has no addendum
// status: an addendum's observations are final).
var obxStatus = map[string]string{"P": "P", "F": "F", "C": "C", "A": "F"}

// BuildORU writes the outbound message in UTF-8 (MSH-18 UNICODE UTF-8),
// v2.5.1, original acknowledgement mode.
func BuildORU(o Outbound) []byte {
	d := DefaultDelimiters
	w := NewWriter(d)
	w.Segment("MSH", d.Encode(o.Application), d.Encode(o.Facility), d.Encode(o.PeerApplication), d.Encode(o.PeerFacility),
		Timestamp(o.Now), "", d.Comps("ORU", "R01", "ORU_R01"), d.Encode(o.ControlID), "P", "2.5.1",
		"", "", "", "", "", CharsetUTF8.Name())
	src := o.Source
	status := ""
	for _, name := range []string{"PID", "PV1", "ORC", "OBR"} {
		s := src.First(name)
		if s == nil {
			continue
		}
		fields := transcode(s, d)
		switch name {
		case "ORC":
			// Observations to follow (HL7 table 0119).
			setField(&fields, 1, "RE")
		case "OBR":
			status = s.Field(25).Text()
		}
		w.Segment(name, fields...)
	}
	st := obxStatus[status]
	n := 0
	obx := func(vt, id, sub, value string) {
		n++
		w.Segment("OBX", strconv.Itoa(n), vt, id, sub, value, "", "", "", "", "", st)
	}
	if o.SR != nil {
		obx("ST", d.Comps("113014", "DICOM Study", "DCM"), "", d.Encode(o.SR.GetStudyInstanceUid()))
		obx("ST", d.Comps("", "Series Instance UID"), "", d.Encode(o.SR.GetSeriesInstanceUid()))
		obx("ST", d.Comps("", "SOP Instance UID"), "", d.Encode(o.SR.GetSopInstanceUid()))
		obx("ST", d.Comps("", "SOP Class UID"), "", d.Encode(o.SR.GetSopClassUid()))
	}
	for i, s := range o.Sections {
		id := d.Comps(s.Code.Value, s.Code.Meaning, s.Code.Designator)
		sub := strconv.Itoa(i + 1)
		if s.Heading != "" {
			obx("TX", id, sub, d.Encode(s.Heading))
		}
		for _, line := range strings.Split(s.Text, "\n") {
			obx("TX", id, sub, d.Encode(strings.TrimRight(line, "\r")))
		}
	}
	if len(o.CDA) > 0 {
		// ED: source application ^ type of data ^ subtype ^ encoding ^
		// data. Base64 holds none of the delimiters.
		ed := d.JoinComps("", "TEXT", "XML", "Base64", base64.StdEncoding.EncodeToString(o.CDA))
		obx("ED", d.Comps("18748-4", "Diagnostic imaging study", "LN"), "", ed)
	}
	return w.Bytes()
}

// transcode re-encodes a segment's fields (1 onwards) with delimiters d,
// decoding each value in the source's delimiters and character set.
func transcode(s *Segment, d Delimiters) []string {
	out := make([]string, 0, s.Len())
	for n := 1; n <= s.Len(); n++ {
		f := s.Field(n)
		var reps []string
		for _, rep := range f.Repetitions() {
			var comps []string
			for c := range strings.Split(rep.Raw(), string(s.msg.Delims.Component)) {
				comp := rep.Component(c + 1)
				var subs []string
				for k := range strings.Split(comp.Raw(), string(s.msg.Delims.Subcomponent)) {
					subs = append(subs, comp.Sub(k+1).Text())
				}
				comps = append(comps, d.join(d.Subcomponent, subs, true))
			}
			reps = append(reps, d.join(d.Component, comps, false))
		}
		out = append(out, d.join(d.Repetition, reps, false))
	}
	return out
}

func setField(fields *[]string, n int, v string) {
	for len(*fields) < n {
		*fields = append(*fields, "")
	}
	(*fields)[n-1] = v
}
