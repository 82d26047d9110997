// Package dictation splits a dictated report body, one free text as
// voice-recognition systems produce it, into report sections by its
// headings.
//
// A heading is a known section name (History, Indication, Reason for
// exam, Technique, Procedure, Comparison, Findings, Impression,
// Conclusion, Recommendation, Addendum and their variants, in any letter
// case) that
//
//   - starts a line, after optional white space, list numbering ("1.",
//     "2)", "IV.", "A.") or bullet and emphasis marks ("-", "*", "#"), and
//     is followed by ":" or a dash, or stands alone on its line, or is
//     written in capitals and followed by text that is not. A line that
//     starts with a lower-case heading word counts when it follows the
//     start of the text, a blank line, the end of a sentence, a heading
//     line of another kind ("history: cough" / "findings: ...") or a
//     title line; after any other line it is a wrapped sentence ("... no
//     new\nfindings: ...").
//   - follows the end of a sentence on the same line ("... are clear.
//     IMPRESSION: Normal.", "... clear. impression: normal."), or follows
//     the text of a heading earlier on the same line ("Indication: cough
//     Comparison: none Findings: ..."), and is followed by ":". Words that
//     are ordinary prose too often (exam, study, report, summary, ...)
//     count there only in capitals, and a heading word after "no", "the",
//     "in", "of" and the like is prose ("no findings: the lungs ...").
//
// A signature or footer line ("Electronically signed by ...", "Dictated
// by: ...", "Transcribed by ...") is a part of its own, marked Footer,
// up to the next heading; it is no report section.
//
// The split loses nothing: the parts, in order, cover the whole text, each
// as heading then text, so concatenating text[HeadingStart:TextStart] and
// text[TextStart:TextEnd] over all parts gives the input back byte for
// byte. Text without any heading is one Findings part (CONF:81-8532: the
// findings are where the text is). Text before the first heading is the
// name of the examination (Technique) when it is one short line, or when
// a Findings heading follows; otherwise it is the findings. A dictation
// with headings but no Findings heading is split all the same (an
// impression-only report); the engine then writes the Findings Section as
// "no information". Repeated headings of one kind are merged, in order,
// into one section of the report.
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
	// Footer marks a signature or footer part ("Electronically signed
	// by ..."): kind UNSPECIFIED, no heading, and no part of any section.
	Footer bool
}

// Proto returns the section as the API reports it.
func (s Section) Proto() *pb.DictationSection {
	return &pb.DictationSection{Kind: s.Kind, Heading: s.Heading,
		HeadingStart: int32(s.HeadingStart), TextStart: int32(s.TextStart), TextEnd: int32(s.TextEnd), Footer: s.Footer}
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
		"clinical", "clinical details", "clinical data", "clinical notes", "clinical presentation", "patient history",
		"medical history", "relevant history", "brief history", "history of present illness")
	// The reason the study was done is its own section (LOINC 18785-6),
	// the one the templates title Indication.
	add(pb.SectionKind_SECTION_KIND_REASON_FOR_STUDY, "indication", "indications", "clinical indication", "clinical indications",
		"reason for exam", "reason for examination", "reason for study", "reason for referral", "reason for request",
		"reason for the exam", "reason for the examination", "reason for procedure", "clinical question")
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

// weakInline are the headings that, inside a line, are ordinary words too
// often ("Study limited by motion. Exam: otherwise normal."): they count
// there only in capitals.
var weakInline = map[string]bool{
	"exam": true, "examination": true, "study": true, "report": true, "summary": true, "opinion": true,
	"diagnosis": true, "diagnoses": true, "assessment": true, "interpretation": true, "observations": true,
	"method": true, "methods": true, "protocol": true, "advice": true, "suggestion": true, "suggestions": true,
	"clinical": true, "finding": true, "procedures": true, "histories": true,
}

// prose are words after which a heading word is part of a sentence: "no
// findings:", "in summary:", "the impression:", "no new\nfindings".
var prose = map[string]bool{
	"no": true, "not": true, "new": true, "acute": true, "of": true, "the": true, "a": true, "an": true,
	"and": true, "or": true, "with": true, "without": true, "any": true, "all": true, "other": true,
	"additional": true, "these": true, "those": true, "such": true, "significant": true, "further": true,
	"following": true, "for": true, "in": true, "on": true, "to": true, "by": true, "from": true,
	"than": true, "as": true, "is": true, "are": true, "were": true, "was": true, "be": true, "some": true,
	"several": true, "two": true, "three": true, "multiple": true, "similar": true, "prior": true,
	"previous": true, "recent": true, "our": true, "your": true, "my": true, "this": true, "that": true,
	"overall": true, "final": true, "at": true, "see": true, "per": true,
}

// footers start signature and footer lines, lower case. The first group
// counts anywhere a word starts; the second at the start of a line or
// after the end of a sentence.
var (
	footersAnywhere = []string{"report electronically signed", "electronically signed", "digitally signed", "signed electronically", "dictated by", "transcribed by"}
	footersAtStart  = []string{"signed by", "dictated by", "transcribed by", "reported by", "verified by", "read by",
		"dictated:", "transcribed:", "signed:", "signed on", "attending radiologist:", "radiologist:", "dictated and signed"}
)

// maxHeadingWords bounds a heading phrase ("history of present illness").
const maxHeadingWords = 4

// heading is a heading (or the start of a footer) found in the text.
type heading struct {
	kind         pb.SectionKind
	start, textS int
	footer       bool
}

// Split splits a dictation into sections; see the package comment. It
// accepts any string, including invalid UTF-8, and never fails.
func Split(text string) []Section {
	hs := findHeadings(text)
	if len(hs) == 0 {
		return []Section{{Kind: pb.SectionKind_SECTION_KIND_FINDINGS, TextEnd: len(text)}}
	}
	var out []Section
	if hs[0].start > 0 {
		out = append(out, Section{Kind: preambleKind(text[:hs[0].start], hs), TextEnd: hs[0].start})
	}
	for i, h := range hs {
		end := len(text)
		if i+1 < len(hs) {
			end = hs[i+1].start
		}
		sec := Section{Kind: h.kind, HeadingStart: h.start, TextStart: h.textS, TextEnd: end, Footer: h.footer}
		if !h.footer {
			sec.Heading = strings.TrimSpace(text[h.start:h.textS])
		}
		out = append(out, sec)
	}
	return out
}

// preambleKind is the kind of the text before the first heading: the
// name of the examination (Technique) when it is one short line or a
// Findings heading follows, else the findings themselves.
func preambleKind(pre string, hs []heading) pb.SectionKind {
	if slices.ContainsFunc(hs, func(h heading) bool { return h.kind == pb.SectionKind_SECTION_KIND_FINDINGS }) {
		return PreambleKind
	}
	p := strings.TrimFunc(pre, isSpace)
	if p == "" || (len(p) <= maxTitle && !strings.ContainsAny(p, "\r\n") && !strings.HasSuffix(p, ".")) {
		return PreambleKind
	}
	return pb.SectionKind_SECTION_KIND_FINDINGS
}

// maxTitle is the longest line taken for the name of the examination.
const maxTitle = 80

// Sections turns a split into the report's sections: the text of each part
// with line ends normalised and surrounding space trimmed, parts of one
// kind merged in order (separated by a blank line), parts without text
// left out. Section order is the order in which each kind first has text.
func Sections(text string, parts []Section) []*pb.Section {
	var kinds []pb.SectionKind
	bodies := map[pb.SectionKind]*strings.Builder{}
	for _, p := range parts {
		body := Body(text, p)
		if body == "" || p.Footer {
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

// lineContext is what a line's heading depends on from the lines before.
type lineContext struct {
	// afterHeadingLine: the last non-blank line started with a heading
	// of kind prevKind.
	afterHeadingLine bool
	prevKind         pb.SectionKind
	// afterTitle: the last non-blank line is the first line of the text.
	afterTitle bool
	// curKind is the kind of the part the line would continue
	// (UNSPECIFIED before the first heading and in a footer).
	curKind pb.SectionKind
	// inFooter: the current part is a footer.
	inFooter bool
}

func findHeadings(s string) []heading {
	var hs []heading
	// listItem: the last non-blank line was a numbered line that is not
	// a heading, so a numbered line now continues that list: in
	// "1. Normal.\n2. Findings: stable." the second item is no heading.
	listItem := false
	var ctx lineContext
	lines := 0
	for ls := 0; ls < len(s); {
		le := lineEnd(s, ls)
		if n := len(hs); n > 0 && le <= hs[n-1].textS {
			// The underline of the heading before: part of that heading.
			ls = nextLine(s, le)
			continue
		}
		ctx.afterTitle = lines == 1
		ctx.inFooter = len(hs) > 0 && hs[len(hs)-1].footer
		ctx.curKind = pb.SectionKind_SECTION_KIND_UNSPECIFIED
		if len(hs) > 0 {
			ctx.curKind = hs[len(hs)-1].kind
		}
		numbered := isNumbered(s, ls, le)
		h, ok := lineHeading(s, ls, le, ctx)
		if ok && numbered && listItem {
			ok = false
		}
		if ok {
			hs = append(hs, h)
			hs = append(hs, inlineHeadings(s, h.textS, le, h, ctx.inFooter || h.footer)...)
		} else {
			// From after any numbering: the "2." of a list item is not
			// the end of a sentence.
			hs = append(hs, inlineHeadings(s, skipMarkers(s, skipFunc(s, ls, le, isBlank), le), le, heading{}, ctx.inFooter)...)
		}
		if !restBlank(s, ls, le) {
			listItem = numbered && !ok
			ctx.afterHeadingLine = ok && !h.footer
			if ok {
				ctx.prevKind = h.kind
			}
			lines++
		}
		ls = nextLine(s, le)
	}
	return hs
}

// footerAt reports whether a footer phrase starts at p; anywhere is false
// for the phrases that count only at a line start or after a sentence.
func footerAt(s string, p, le int, anywhere bool) bool {
	lists := [][]string{footersAnywhere}
	if !anywhere {
		lists = append(lists, footersAtStart)
	}
	for _, l := range lists {
		for _, f := range l {
			if p+len(f) <= le && strings.EqualFold(s[p:p+len(f)], f) {
				// A whole word: "signed by" but not "signed byte".
				if e := p + len(f); e == le || !isWordByte(s[e]) || strings.HasSuffix(f, ":") {
					return true
				}
			}
		}
	}
	return false
}

func isWordByte(c byte) bool { return isASCIILetter(c) || c >= 0x80 }

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

// lineHeading recognises a heading, or the start of a footer, at the
// start of the line [ls, le).
func lineHeading(s string, ls, le int, ctx lineContext) (heading, bool) {
	p := skipFunc(s, ls, le, isBlank)
	start := p
	if footerAt(s, p, le, false) {
		if ctx.inFooter {
			return heading{}, false // the footer goes on
		}
		return heading{start: start, textS: start, footer: true}, true
	}
	p = skipMarkers(s, p, le)
	ps, pe, ok := phrase(s, p, le)
	if !ok {
		return heading{}, false
	}
	kind := synonyms[normal(s[ps:firstPhraseEnd(s, ps, pe)])]
	ts, ok := delimiter(s, ps, pe, le, true)
	if !ok {
		return heading{}, false
	}
	first, _ := utf8.DecodeRuneInString(s[ps:])
	if unicode.IsLower(first) && !afterSentence(s, ls) && !spokenHeading(s, ls, pe, le, ctx, kind) {
		// A wrapped line: "... there are no acute\nfindings: ..." is
		// one sentence, not a heading.
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
	return heading{kind: kind, start: start, textS: ts}, true
}

// spokenHeading reports whether a line starting with a lower-case heading
// word of kind k (the phrase ending at pe) is a spoken heading although
// the line before does not end a sentence: the heading is followed by ":"
// or stands alone on its line, names another section than the one it
// would continue, and the line before does not end with a word that makes
// it part of that sentence ("... no new\nfindings: ..."). So "history:
// cough" / "comparison: none" / "findings: ..." are headings, a wrapped
// sentence is not.
func spokenHeading(s string, ls, pe, le int, ctx lineContext, k pb.SectionKind) bool {
	q := skipFunc(s, pe, le, isBlank)
	if q < le && s[q] != ':' && !strings.HasPrefix(s[q:], "：") {
		return false
	}
	if k == ctx.curKind {
		return false
	}
	return !prose[strings.ToLower(lastWord(s, ls))]
}

// lastWord returns the last word before offset p, across white space.
func lastWord(s string, p int) string {
	e := p
	for e > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:e])
		if !isSpace(r) {
			break
		}
		e -= n
	}
	b := e
	for b > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:b])
		if !unicode.IsLetter(r) {
			break
		}
		b -= n
	}
	return s[b:e]
}

// inlineHeadings finds headings within [from, le) of a line: after the
// end of a sentence, or after the text of a heading earlier on the line
// (prev, zero when the line has none), each followed by ":". It also
// finds footers that start inside the line, unless inFooter.
func inlineHeadings(s string, from, le int, prev heading, inFooter bool) []heading {
	var hs []heading
	lineHeading := prev.textS > 0 && !prev.footer
	for p := from; p < le; {
		r, n := utf8.DecodeRuneInString(s[p:])
		wordStart := p > from && isBlank(prevRune(s, p)) && unicode.IsLetter(r)
		sentence := false
		q := p
		if r == '.' || r == '!' || r == '?' {
			q = skipFunc(s, p+n, le, func(r rune) bool { return strings.ContainsRune(`)"'’”`, r) })
			q2 := skipFunc(s, q, le, isBlank)
			if q2 == q {
				p += n
				continue // "e.g." or "1.5": no space after the stop
			}
			q, sentence = q2, true
		} else if !wordStart {
			p += n
			continue
		}
		if !inFooter && footerAt(s, q, le, !sentence) {
			h := heading{start: q, textS: q, footer: true}
			hs = append(hs, h)
			inFooter, lineHeading = true, false
			p = q + 1
			continue
		}
		if inFooter {
			// A footer ends at a strong heading with a colon, as an
			// addendum after the signature: "... 10:22 Addendum: ...".
			if h, ok := inlineHeading(s, q, le, false, true); ok && strongInline[normal(s[h.start:firstPhraseEnd(s, h.start, h.textS)])] {
				hs = append(hs, h)
				inFooter, lineHeading = false, true
				p = h.textS
				continue
			}
			p = max(q, p+n)
			continue
		}
		if !sentence && !lineHeading {
			p = max(q, p+n)
			continue
		}
		h, ok := inlineHeading(s, q, le, sentence, lineHeading)
		if !ok {
			p = max(q, p+n)
			continue
		}
		hs = append(hs, h)
		lineHeading = true
		p = h.textS
	}
	return hs
}

// inlineHeading recognises a heading at q inside a line, after the end of
// a sentence (sentence) or after a heading's text on the same line
// (afterHeading).
func inlineHeading(s string, q, le int, sentence, afterHeading bool) (heading, bool) {
	ps, pe, ok := phrase(s, q, le)
	if !ok {
		return heading{}, false
	}
	name := normal(s[ps:firstPhraseEnd(s, ps, pe)])
	switch {
	case capitals(s[ps:pe]):
	case weakInline[name]:
		return heading{}, false
	case !sentence && prose[strings.ToLower(lastWord(s, ps))]:
		// "There are no findings: ..." is a sentence.
		return heading{}, false
	case sentence && !strongInline[name] && !afterHeading:
		return heading{}, false
	}
	ts, ok := delimiter(s, ps, pe, le, false)
	if !ok {
		return heading{}, false
	}
	return heading{kind: synonyms[name], start: ps, textS: ts}, true
}

func prevRune(s string, p int) rune {
	r, _ := utf8.DecodeLastRuneInString(s[:p])
	return r
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
