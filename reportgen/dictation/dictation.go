// Package dictation splits a dictated report body, one free text as
// voice-recognition systems produce it, into report sections by its
// headings.
//
// A heading is a known section name (History, Clinical information,
// Indication, Technique, Procedure, Comparison, Findings, Impression,
// Conclusion, Opinion, Summary, Recommendation, Addendum and their
// variants, in any letter case) that either
//
//   - starts a line, after optional white space, list numbering ("1.",
//     "2)", "IV.", "A.") or bullet and emphasis marks ("-", "*", "#"), and
//     is followed by ":" or a dash, or stands alone on its line, or is
//     written in capitals and followed by text that is not; or
//   - follows the end of a sentence on the same line, written in capitals
//     and followed by ":" ("... are clear. IMPRESSION: Normal.").
//
// A heading word in the middle of a sentence is not a heading ("no
// findings: the lungs are clear"), nor is a line that starts with a
// lower-case heading word when the line before it ends mid-sentence (a
// wrapped line).
//
// The split loses nothing: the sections, in order, cover the whole text,
// each as heading then text, so concatenating text[HeadingStart:TextStart]
// and text[TextStart:TextEnd] over all sections gives the input back byte
// for byte. Text before the first heading becomes a Technique section
// (in dictation it is the name of the examination). A dictation without a
// Findings heading is not split at all: the whole text becomes the
// Findings section, because a report needs one (CONF:81-8532) and where
// the findings are cannot be guessed. Repeated headings of one kind are
// merged, in order, into one section of the report.
package dictation

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// PreambleKind is the kind given to text before the first heading.
const PreambleKind = pb.SectionKind_SECTION_KIND_TECHNIQUE

// Section is one part of a dictation: a heading and the text after it.
// Offsets are byte offsets into the dictation.
type Section struct {
	Kind pb.SectionKind
	// Heading is the heading as written, without surrounding space, e.g.
	// "IMPRESSION:" or "2. Findings -"; "" for a part without heading.
	Heading      string
	HeadingStart int
	TextStart    int
	TextEnd      int
}

// Proto returns the section as the API reports it.
func (s Section) Proto() *pb.DictationSection {
	return &pb.DictationSection{Kind: s.Kind, Heading: s.Heading,
		HeadingStart: int32(s.HeadingStart), TextStart: int32(s.TextStart), TextEnd: int32(s.TextEnd)}
}

// synonyms maps a heading, lower case with single spaces, to its kind.
var synonyms = map[string]pb.SectionKind{}

func init() {
	add := func(k pb.SectionKind, names ...string) {
		for _, n := range names {
			synonyms[n] = k
		}
	}
	add(pb.SectionKind_SECTION_KIND_HISTORY, "history", "histories", "clinical history", "clinical information", "clinical info",
		"clinical", "clinical indication", "clinical indications", "indication", "indications", "clinical details",
		"clinical data", "clinical notes", "clinical question", "clinical presentation", "reason for exam",
		"reason for examination", "reason for study", "reason for referral", "reason for request", "patient history",
		"medical history", "relevant history", "brief history", "history of present illness")
	add(pb.SectionKind_SECTION_KIND_TECHNIQUE, "technique", "techniques", "procedure", "procedures", "procedure details",
		"procedure description", "exam", "examination", "exam performed", "examination performed", "study", "protocol",
		"methods", "method", "imaging technique", "scan technique")
	add(pb.SectionKind_SECTION_KIND_COMPARISON, "comparison", "comparisons", "comparison study", "comparison studies",
		"comparison exam", "comparison exams", "comparison examination", "comparison examinations", "prior study",
		"prior studies", "prior exam", "prior exams", "prior examinations", "priors", "previous study", "previous studies",
		"previous examinations")
	add(pb.SectionKind_SECTION_KIND_FINDINGS, "findings", "finding", "observations", "report")
	add(pb.SectionKind_SECTION_KIND_IMPRESSION, "impression", "impressions", "conclusion", "conclusions", "opinion",
		"summary", "summary of findings", "diagnosis", "diagnoses", "assessment", "interpretation", "final impression",
		"overall impression", "clinical impression", "radiological impression", "radiologic impression")
	add(pb.SectionKind_SECTION_KIND_RECOMMENDATION, "recommendation", "recommendations", "follow up", "followup",
		"follow up recommendation", "follow up recommendations", "advice", "suggestion", "suggestions")
	add(pb.SectionKind_SECTION_KIND_ADDENDUM, "addendum", "addenda")
	add(pb.SectionKind_SECTION_KIND_COMPLICATIONS, "complication", "complications")
}

// strongInline are the headings recognised after a sentence on the same
// line when written with a capital and then small letters ("... clear.
// Impression: normal."). The others are ordinary words too often ("...
// motion. Exam: otherwise normal.") and count there only in capitals.
var strongInline = map[string]bool{
	"findings": true, "impression": true, "impressions": true, "conclusion": true, "conclusions": true,
	"recommendation": true, "recommendations": true, "comparison": true, "history": true,
	"clinical history": true, "indication": true, "technique": true, "addendum": true,
}

// maxHeadingWords bounds a heading phrase ("history of present illness").
const maxHeadingWords = 4

// heading is a heading found in the text.
type heading struct {
	kind         pb.SectionKind
	start, textS int
}

// Split splits a dictation into sections; see the package comment. It
// accepts any string, including invalid UTF-8, and never fails.
func Split(text string) []Section {
	hs := findHeadings(text)
	if !slices.ContainsFunc(hs, func(h heading) bool { return h.kind == pb.SectionKind_SECTION_KIND_FINDINGS }) {
		return []Section{{Kind: pb.SectionKind_SECTION_KIND_FINDINGS, TextEnd: len(text)}}
	}
	var out []Section
	if hs[0].start > 0 {
		out = append(out, Section{Kind: PreambleKind, TextEnd: hs[0].start})
	}
	for i, h := range hs {
		end := len(text)
		if i+1 < len(hs) {
			end = hs[i+1].start
		}
		out = append(out, Section{Kind: h.kind, Heading: strings.TrimSpace(text[h.start:h.textS]),
			HeadingStart: h.start, TextStart: h.textS, TextEnd: end})
	}
	return out
}

// Sections turns a split into the report's sections: the text of each part
// with line ends normalised and surrounding space trimmed, parts of one
// kind merged in order (separated by a blank line), parts without text
// left out. Section order is the order in which each kind first has text.
func Sections(text string, parts []Section) []*pb.Section {
	var kinds []pb.SectionKind
	bodies := map[pb.SectionKind]*strings.Builder{}
	for _, p := range parts {
		body := Body(text, p)
		if body == "" {
			continue
		}
		b, ok := bodies[p.Kind]
		if !ok {
			b = &strings.Builder{}
			bodies[p.Kind] = b
			kinds = append(kinds, p.Kind)
		} else {
			b.WriteString("\n\n")
		}
		b.WriteString(body)
	}
	out := make([]*pb.Section, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, &pb.Section{Kind: k, Text: bodies[k].String()})
	}
	return out
}

// Body returns the text of one part as a report section holds it.
func Body(text string, p Section) string {
	if p.TextStart < 0 || p.TextEnd > len(text) || p.TextStart > p.TextEnd {
		return ""
	}
	b := strings.ReplaceAll(text[p.TextStart:p.TextEnd], "\r\n", "\n")
	b = strings.ReplaceAll(b, "\r", "\n")
	return strings.TrimFunc(b, isSpace)
}

// isSpace is white space, including the byte order mark and zero-width
// spaces dictation systems leave at the start of a text.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B'
}

// isBlank is white space within a line.
func isBlank(r rune) bool { return r != '\n' && r != '\r' && isSpace(r) }

func findHeadings(s string) []heading {
	var hs []heading
	// listItem: the last non-blank line was a numbered line that is not
	// a heading, so a numbered line now continues that list: in
	// "1. Normal.\n2. Findings: stable." the second item is no heading.
	listItem := false
	for ls := 0; ls < len(s); {
		le := lineEnd(s, ls)
		if n := len(hs); n > 0 && le <= hs[n-1].textS {
			// The underline of the heading before: part of that heading.
			ls = nextLine(s, le)
			continue
		}
		numbered := isNumbered(s, ls, le)
		h, ok := lineHeading(s, ls, le)
		if ok && numbered && listItem {
			ok = false
		}
		if ok {
			hs = append(hs, h)
			hs = append(hs, inlineHeadings(s, h.textS, le)...)
		} else {
			// From after any numbering: the "2." of a list item is not
			// the end of a sentence.
			hs = append(hs, inlineHeadings(s, skipMarkers(s, skipFunc(s, ls, le, isBlank), le), le)...)
		}
		if !restBlank(s, ls, le) {
			listItem = numbered && !ok
		}
		ls = nextLine(s, le)
	}
	return hs
}

// isNumbered reports whether the line starts with list numbering.
func isNumbered(s string, ls, le int) bool {
	p := skipFunc(s, ls, le, isBlank)
	return skipNumbering(s, p, le) > p
}

// lineEnd returns the offset of the line break ending the line that starts
// at ls (or len(s)). "\n", "\r\n" and a lone "\r" all end lines.
func lineEnd(s string, ls int) int {
	if i := strings.IndexAny(s[ls:], "\r\n"); i >= 0 {
		return ls + i
	}
	return len(s)
}

func nextLine(s string, le int) int {
	if le < len(s) && s[le] == '\r' && le+1 < len(s) && s[le+1] == '\n' {
		return le + 2
	}
	return le + 1
}

// lineHeading recognises a heading at the start of the line [ls, le).
func lineHeading(s string, ls, le int) (heading, bool) {
	p := skipFunc(s, ls, le, isBlank)
	start := p
	p = skipMarkers(s, p, le)
	ps, pe, ok := phrase(s, p, le)
	if !ok {
		return heading{}, false
	}
	first, _ := utf8.DecodeRuneInString(s[ps:])
	if unicode.IsLower(first) && !afterSentence(s, ls) {
		// A wrapped line: "... there are no acute\nfindings: ..." is
		// one sentence, not a heading.
		return heading{}, false
	}
	ts, ok := delimiter(s, ps, pe, le, true)
	if !ok {
		return heading{}, false
	}
	if ts == le {
		// A heading on its own line may be underlined: "FINDINGS\n====".
		// The rule belongs to the heading, not to the text.
		if nl := nextLine(s, le); nl < len(s) {
			ne := lineEnd(s, nl)
			if u := strings.TrimFunc(s[nl:ne], isBlank); len(u) >= 3 && strings.Trim(u, "-=_") == "" {
				ts = ne
			}
		}
	}
	return heading{kind: synonyms[normal(s[ps:firstPhraseEnd(s, ps, pe)])], start: start, textS: ts}, true
}

// inlineHeadings finds headings that follow the end of a sentence within
// [from, le): capitalised ("IMPRESSION:" or "Impression:") and followed by
// a colon.
func inlineHeadings(s string, from, le int) []heading {
	var hs []heading
	for p := from; p < le; {
		r, n := utf8.DecodeRuneInString(s[p:])
		p += n
		if r != '.' && r != '!' && r != '?' {
			continue
		}
		q := skipFunc(s, p, le, func(r rune) bool { return strings.ContainsRune(`)"'’”`, r) })
		q2 := skipFunc(s, q, le, isBlank)
		if q2 == q {
			continue // "e.g." or "1.5": no space after the stop
		}
		ps, pe, ok := phrase(s, q2, le)
		if !ok {
			continue
		}
		if first, _ := utf8.DecodeRuneInString(s[ps:]); !unicode.IsUpper(first) {
			continue
		}
		if !capitals(s[ps:pe]) && !strongInline[normal(s[ps:firstPhraseEnd(s, ps, pe)])] {
			continue
		}
		ts, ok := delimiter(s, ps, pe, le, false)
		if !ok {
			continue
		}
		hs = append(hs, heading{kind: synonyms[normal(s[ps:firstPhraseEnd(s, ps, pe)])], start: ps, textS: ts})
		p = ts
	}
	return hs
}

// afterSentence reports whether the line starting at ls follows the start
// of the text, a blank line, or a line that ends a sentence or a heading.
func afterSentence(s string, ls int) bool {
	p := ls
	// Step over the line break that ends the previous line.
	switch {
	case p >= 2 && s[p-2:p] == "\r\n":
		p -= 2
	case p >= 1 && (s[p-1] == '\n' || s[p-1] == '\r'):
		p--
	}
	for p > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:p])
		switch {
		case r == '\n' || r == '\r':
			return true // the previous line is blank
		case isBlank(r):
			p -= n
		default:
			return strings.ContainsRune(".:!?;)]", r)
		}
	}
	return true
}

// skipMarkers skips list numbering, bullets and emphasis marks before a
// heading: "1.", "2)", "(3)", "IV.", "A)", "- ", "* ", "•", "#", "**".
func skipMarkers(s string, p, le int) int {
	for range 3 {
		q := p
		r, n := rune(0), 0
		if q < le {
			r, n = utf8.DecodeRuneInString(s[q:])
		}
		switch {
		case strings.ContainsRune(emphasis, r):
			q = skipFunc(s, q, le, func(r rune) bool { return strings.ContainsRune(emphasis, r) })
		case r == '-' || r == '–':
			// A dash is a bullet only when a space follows: "-Findings"
			// is left alone.
			if q+n >= le || !isBlank(rune(s[q+n])) {
				return p
			}
			q += n
		default:
			q = skipNumbering(s, q, le)
		}
		if q == p {
			return p
		}
		p = skipFunc(s, q, le, isBlank)
	}
	return p
}

// emphasis are the bullet and emphasis marks skipped around headings.
const emphasis = "*_#•·"

func skipNumbering(s string, p, le int) int {
	q := p
	if q < le && s[q] == '(' {
		q++
	}
	digits := 0
	for q < le && s[q] >= '0' && s[q] <= '9' && digits < 3 {
		q++
		digits++
	}
	if digits == 0 {
		// A roman numeral or a single letter, followed by . or ) and a
		// space: "IV. FINDINGS", "A) Impression".
		for q < le && strings.IndexByte("IVXivx", s[q]) >= 0 && q-p < 4 {
			q++
		}
		if q == p && q < le && isASCIILetter(s[q]) {
			q++
		}
		if q == p || q >= le || (s[q] != '.' && s[q] != ')') || q+1 >= le || !isBlank(rune(s[q+1])) {
			return p
		}
		return q + 1
	}
	if q < le && (s[q] == '.' || s[q] == ')') {
		return q + 1
	}
	return p
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func skipFunc(s string, p, le int, f func(rune) bool) int {
	for p < le {
		r, n := utf8.DecodeRuneInString(s[p:])
		if !f(r) {
			break
		}
		p += n
	}
	return p
}

// word returns the end of the word starting at p: letters, with inner
// hyphens and apostrophes ("follow-up").
func word(s string, p, le int) int {
	q := p
	for q < le {
		r, n := utf8.DecodeRuneInString(s[q:])
		if unicode.IsLetter(r) {
			q += n
			continue
		}
		if (r == '-' || r == '\'') && q > p && q+n < le {
			if r2, _ := utf8.DecodeRuneInString(s[q+n:]); unicode.IsLetter(r2) {
				q += n
				continue
			}
		}
		break
	}
	return q
}

// phrase matches the longest known heading at p, then any further
// headings joined to it by "/", "&", "," or "and" ("HISTORY/INDICATION",
// "FINDINGS AND IMPRESSION"). It returns the span of the whole compound.
func phrase(s string, p, le int) (start, end int, ok bool) {
	end, ok = single(s, p, le)
	if !ok {
		return 0, 0, false
	}
	for range 3 {
		q := skipFunc(s, end, le, isBlank)
		switch {
		case q < le && (s[q] == '/' || s[q] == '&' || s[q] == ','):
			q++
		case q+3 <= le && strings.EqualFold(s[q:q+3], "and") && q+3 < le && isBlank(rune(s[q+3])):
			q += 3
		default:
			return p, end, true
		}
		q = skipFunc(s, q, le, isBlank)
		e, more := single(s, q, le)
		if !more {
			return p, end, true
		}
		end = e
	}
	return p, end, true
}

// single matches one heading of up to maxHeadingWords words at p.
func single(s string, p, le int) (int, bool) {
	ends := []int{}
	q := p
	for len(ends) < maxHeadingWords {
		e := word(s, q, le)
		if e == q {
			break
		}
		ends = append(ends, e)
		q = skipFunc(s, e, le, func(r rune) bool { return r == ' ' || r == '\t' })
	}
	for i := len(ends) - 1; i >= 0; i-- {
		if _, ok := synonyms[normal(s[p:ends[i]])]; ok {
			return ends[i], true
		}
	}
	return 0, false
}

// firstPhraseEnd returns the end of the first heading of a compound: its
// kind names the section.
func firstPhraseEnd(s string, ps, pe int) int {
	e, _ := single(s, ps, pe)
	return e
}

// normal lower-cases a heading and reduces hyphens and runs of spaces to
// single spaces.
func normal(h string) string {
	h = strings.ToLower(strings.ReplaceAll(h, "-", " "))
	return strings.Join(strings.Fields(h), " ")
}

// capitals reports whether every letter of h is upper case.
func capitals(h string) bool {
	letters := 0
	for _, r := range h {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			letters++
		}
	}
	return letters > 1
}

// delimiter checks what follows a heading phrase [ps, pe) and returns
// where the section text starts. ":" and dashes always delimit; at the
// start of a line (lineStart) so do a line of its own, a final ".", and,
// for a heading in capitals, text that is not in capitals ("IMPRESSION
// Normal chest", "IMPRESSION 1. ...").
func delimiter(s string, ps, pe, le int, lineStart bool) (int, bool) {
	q := skipFunc(s, pe, le, func(r rune) bool { return r == '*' || r == '_' })
	q2 := skipFunc(s, q, le, isBlank)
	spaced := q2 > q
	q = q2
	r, n := rune(0), 0
	if q < le {
		r, n = utf8.DecodeRuneInString(s[q:])
	}
	ok := false
	switch {
	case r == ':' || r == '：':
		q += n
		if q < le && (s[q] == ':' || s[q] == '-') {
			q++
		}
		ok = true
	case !lineStart:
		return 0, false
	case r == '-' || r == '–' || r == '—':
		for q < le {
			r, n := utf8.DecodeRuneInString(s[q:])
			if r != '-' && r != '–' && r != '—' {
				break
			}
			q += n
		}
		ok = true
	case r == '.' && restBlank(s, q+1, le):
		q++
		ok = true
	case q >= le || restBlank(s, q, le):
		ok = true
	case spaced && capitals(s[ps:pe]) && !capitalWordAt(s, q, le):
		ok = true
	}
	if !ok {
		return 0, false
	}
	q = skipFunc(s, q, le, func(r rune) bool { return r == '*' || r == '_' })
	return skipFunc(s, q, le, isBlank), true
}

func restBlank(s string, p, le int) bool { return skipFunc(s, p, le, isBlank) == le }

// capitalWordAt reports whether the word at p is written in capitals, as
// the rest of an all-capitals sentence would be ("FINDINGS CONSISTENT
// WITH ..." is a sentence, not a heading).
func capitalWordAt(s string, p, le int) bool {
	e := word(s, p, le)
	return e > p && capitals(s[p:e])
}
