package corpus

import (
	"math/rand/v2"
	"strings"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Dictation styles: how people dictate, each scored on its own.
const (
	// StyleCapsLines: capitalised headings, each starting its own line
	// ("FINDINGS: ...", "IMPRESSION\n...", "Findings – ..."), with title
	// lines, CRLF, numbered impressions, signature lines and addenda.
	StyleCapsLines = "caps-lines"
	// StyleInline: headings inline on one line ("Indication: cough
	// Comparison: none Findings: ... Impression: ...").
	StyleInline = "inline"
	// StyleSpokenLines: lower-case spoken headings on their own lines
	// ("history: cough" / "comparison: none" / "findings: ...").
	StyleSpokenLines = "spoken-lines"
	// StyleLowerOneLine: everything on one line in lower case.
	StyleLowerOneLine = "lower-one-line"
	// StyleProse: text without headings, heading words inside its
	// sentences; it must stay one Findings part.
	StyleProse = "prose"
)

// Styles lists the styles in scoring order.
var Styles = []string{StyleCapsLines, StyleInline, StyleSpokenLines, StyleLowerOneLine, StyleProse}

// Part is one expected part of a split dictation. Parts tile the text: a
// part ends where the next begins.
type Part struct {
	Kind pb.SectionKind
	// Footer marks a signature or footer part (Kind UNSPECIFIED).
	Footer bool
	// HeadingStart is where the part starts, TextStart where its text
	// starts (after the heading and its delimiter); equal without heading.
	HeadingStart, TextStart int
}

// Dictation is one generated dictation and the split it must give.
type Dictation struct {
	Style string
	Text  string
	Parts []Part
	// NoFindings: the dictation has no Findings heading (an
	// impression-only report).
	NoFindings bool
}

// section is one section of a generated report before it is written.
type section struct {
	kind pb.SectionKind
	// headings are the ways the heading is written, in capitals.
	headings []string
	text     string
}

var headingNames = map[pb.SectionKind][]string{
	pb.SectionKind_SECTION_KIND_REASON_FOR_STUDY: {"INDICATION", "REASON FOR EXAM", "CLINICAL INDICATION", "INDICATIONS"},
	pb.SectionKind_SECTION_KIND_HISTORY:          {"HISTORY", "CLINICAL HISTORY", "CLINICAL INFORMATION"},
	pb.SectionKind_SECTION_KIND_COMPARISON:       {"COMPARISON", "COMPARISON STUDIES", "PRIOR STUDIES"},
	pb.SectionKind_SECTION_KIND_TECHNIQUE:        {"TECHNIQUE", "PROCEDURE"},
	pb.SectionKind_SECTION_KIND_FINDINGS:         {"FINDINGS"},
	pb.SectionKind_SECTION_KIND_IMPRESSION:       {"IMPRESSION", "CONCLUSION", "IMPRESSIONS"},
	pb.SectionKind_SECTION_KIND_RECOMMENDATION:   {"RECOMMENDATION", "RECOMMENDATIONS"},
	pb.SectionKind_SECTION_KIND_ADDENDUM:         {"ADDENDUM"},
}

// report is the content of one generated report.
type report struct {
	title    string
	sections []section
	footer   string
	addendum string
}

func pick(r *rand.Rand, l []string) string { return l[r.IntN(len(l))] }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// newReport draws the sections of one report. About one in eight has no
// findings, as in real archives.
func newReport(r *rand.Rand, s Seeds, noFindings bool) report {
	var rep report
	add := func(k pb.SectionKind, list string) {
		rep.sections = append(rep.sections, section{kind: k, headings: headingNames[k], text: pick(r, s[list])})
	}
	if chance(r, 0.25) {
		rep.title = pick(r, s["title"])
	}
	reason, history := chance(r, 0.8), chance(r, 0.3)
	if chance(r, 0.5) {
		if reason {
			add(pb.SectionKind_SECTION_KIND_REASON_FOR_STUDY, "indication")
		}
		if history {
			add(pb.SectionKind_SECTION_KIND_HISTORY, "history")
		}
	} else {
		if history {
			add(pb.SectionKind_SECTION_KIND_HISTORY, "history")
		}
		if reason {
			add(pb.SectionKind_SECTION_KIND_REASON_FOR_STUDY, "indication")
		}
	}
	if chance(r, 0.3) {
		add(pb.SectionKind_SECTION_KIND_TECHNIQUE, "technique")
	}
	if chance(r, 0.7) {
		add(pb.SectionKind_SECTION_KIND_COMPARISON, "comparison")
	}
	if !noFindings {
		add(pb.SectionKind_SECTION_KIND_FINDINGS, "findings")
	}
	add(pb.SectionKind_SECTION_KIND_IMPRESSION, "impression")
	if chance(r, 0.15) {
		add(pb.SectionKind_SECTION_KIND_RECOMMENDATION, "recommendation")
	}
	if chance(r, 0.35) {
		rep.footer = pick(r, s["footer"])
		if chance(r, 0.25) {
			rep.addendum = pick(r, s["addendum"])
		}
	}
	return rep
}

// writer builds a dictation and its expected parts.
type writer struct {
	b     strings.Builder
	parts []Part
}

func (w *writer) pos() int { return w.b.Len() }

func (w *writer) write(s string) { w.b.WriteString(s) }

// heading writes a heading, its delimiter and the section text.
func (w *writer) heading(k pb.SectionKind, h, delim, text string) {
	start := w.pos()
	w.write(h)
	w.write(delim)
	// The text starts after the delimiter and the blanks on the heading's
	// line; a heading alone on its line ends at the line break.
	w.parts = append(w.parts, Part{Kind: k, HeadingStart: start, TextStart: start + len(h) + len(strings.TrimRight(delim, "\r\n"))})
	w.write(text)
}

func (w *writer) plain(k pb.SectionKind, footer bool, text string) {
	start := w.pos()
	w.parts = append(w.parts, Part{Kind: k, Footer: footer, HeadingStart: start, TextStart: start})
	w.write(text)
}

// titleCase writes a heading with a capital first letter only.
func titleCase(h string) string {
	l := strings.ToLower(h)
	return strings.ToUpper(l[:1]) + l[1:]
}

// Dictations generates n dictations of each style from the seeds, the same
// ones for the same seed.
func Dictations(s Seeds, n int, seed uint64) []Dictation {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	var out []Dictation
	for _, style := range Styles {
		for i := range n {
			noFindings := i%8 == 7
			rep := newReport(r, s, noFindings)
			var d Dictation
			switch style {
			case StyleCapsLines:
				d = capsLines(r, rep)
			case StyleInline:
				d = oneLine(r, rep, false)
			case StyleSpokenLines:
				d = spokenLines(r, rep)
			case StyleLowerOneLine:
				d = oneLine(r, rep, true)
			case StyleProse:
				d = prose(r, s)
				noFindings = false
			}
			d.Style, d.NoFindings = style, noFindings
			out = append(out, d)
		}
	}
	return out
}

func capsLines(r *rand.Rand, rep report) Dictation {
	nl := "\n"
	if chance(r, 0.2) {
		nl = "\r\n"
	}
	sep := nl
	if chance(r, 0.5) {
		sep = nl + nl
	}
	w := &writer{}
	if rep.title != "" {
		w.plain(pb.SectionKind_SECTION_KIND_TECHNIQUE, false, rep.title+sep)
	}
	delims := []string{": ", ": ", ": ", ":" + nl, nl, " - ", " – "}
	for i, sec := range rep.sections {
		h := pick(r, sec.headings)
		if chance(r, 0.3) {
			h = titleCase(h)
		}
		d := pick(r, delims)
		if d == nl && h != strings.ToUpper(h) {
			d = ":" + nl
		}
		text := strings.ReplaceAll(sec.text, "\n", nl)
		if strings.HasPrefix(text, "1.") && !strings.HasSuffix(d, nl) {
			// A numbered list starts on the line after its heading.
			d = ":" + nl
		}
		if i < len(rep.sections)-1 || rep.footer != "" {
			text += sep
		}
		w.heading(sec.kind, h, d, text)
	}
	if rep.footer != "" {
		w.plain(pb.SectionKind_SECTION_KIND_UNSPECIFIED, true, rep.footer)
		if rep.addendum != "" {
			w.write(sep)
			w.heading(pb.SectionKind_SECTION_KIND_ADDENDUM, "ADDENDUM", ": ", rep.addendum)
		}
	}
	if chance(r, 0.5) {
		w.write(nl)
	}
	return Dictation{Text: w.b.String(), Parts: w.parts}
}

// oneLine writes the report on one line: headings capitalised ("Findings:")
// or, with lower, the whole text in lower case.
func oneLine(r *rand.Rand, rep report, lower bool) Dictation {
	w := &writer{}
	if rep.title != "" {
		w.plain(pb.SectionKind_SECTION_KIND_TECHNIQUE, false, rep.title+"\n")
	}
	for i, sec := range rep.sections {
		h := titleCase(pick(r, sec.headings))
		text := strings.ReplaceAll(sec.text, "\n\n", " ")
		text = strings.ReplaceAll(text, "\n", " ")
		if i < len(rep.sections)-1 || rep.footer != "" {
			text += " "
		}
		d := ": "
		if chance(r, 0.1) {
			d = ":  "
		}
		w.heading(sec.kind, h, d, text)
	}
	if rep.footer != "" {
		w.plain(pb.SectionKind_SECTION_KIND_UNSPECIFIED, true, rep.footer)
		if rep.addendum != "" {
			w.write(" ")
			w.heading(pb.SectionKind_SECTION_KIND_ADDENDUM, "Addendum", ": ", rep.addendum)
		}
	}
	text := w.b.String()
	if lower {
		// Lower-casing keeps every byte offset: the seeds are ASCII.
		text = strings.ToLower(text)
	}
	return Dictation{Text: text, Parts: w.parts}
}

func spokenLines(r *rand.Rand, rep report) Dictation {
	w := &writer{}
	if rep.title != "" {
		w.plain(pb.SectionKind_SECTION_KIND_TECHNIQUE, false, rep.title+"\n")
	}
	for i, sec := range rep.sections {
		h := strings.ToLower(pick(r, sec.headings))
		d := ": "
		switch {
		case strings.HasPrefix(sec.text, "1."):
			d = ":\n"
		case chance(r, 0.15):
			d = "\n"
		case chance(r, 0.1):
			d = ":"
			if strings.HasPrefix(sec.text, " ") {
				d = ": "
			}
		}
		text := sec.text
		if d == ":" {
			d = ": "
		}
		if i < len(rep.sections)-1 || rep.footer != "" {
			text += "\n"
		}
		w.heading(sec.kind, h, d, text)
	}
	if rep.footer != "" {
		w.plain(pb.SectionKind_SECTION_KIND_UNSPECIFIED, true, rep.footer)
		if rep.addendum != "" {
			w.write("\n")
			w.heading(pb.SectionKind_SECTION_KIND_ADDENDUM, "addendum", ": ", rep.addendum)
		}
	}
	return Dictation{Text: w.b.String(), Parts: w.parts}
}

func prose(r *rand.Rand, s Seeds) Dictation {
	n := 1 + r.IntN(3)
	var b []string
	for range n {
		if chance(r, 0.6) {
			b = append(b, pick(r, s["prose"]))
		} else {
			b = append(b, pick(r, s["findings"]))
		}
	}
	sep := " "
	if chance(r, 0.5) {
		sep = "\n"
	}
	text := strings.Join(b, sep)
	return Dictation{Text: text, Parts: []Part{{Kind: pb.SectionKind_SECTION_KIND_FINDINGS}}}
}
