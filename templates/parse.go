package templates

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/reportgen/reportgen/dicomdict"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Text limits of template fields. Section titles and display names end up
// in DICOM LO or CDA titles read beside them, so they follow LO.
const (
	maxTitle       = 256
	maxLO          = 64
	maxCodeValue   = 64
	maxDescription = 2048
)

var (
	idSyntax      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	versionSyntax = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$`)
	oidSyntax     = regexp.MustCompile(`^[0-2](\.(0|[1-9][0-9]*))+$`)
)

var topFields = []string{"format", "id", "version", "title", "description", "extends", "document_code", "sr_title",
	"procedure_codes", "default_for_modalities", "sr_iod", "sections"}

var sectionFields = []string{"kind", "code", "title", "required", "narrative", "observations", "description"}

var ruleFields = []string{"concept", "value", "answers", "required", "narrative", "description"}

var codeFields = []string{"code", "scheme", "display_name", "local_designator", "local_oid"}

// draft is one file as written, before extends is resolved: each
// inheritable field remembers whether the file set it.
type draft struct {
	file    string
	src     []byte
	builtin bool
	rootOff int

	id            string
	idOff         int
	version       string
	title         *string
	description   string
	extends       string
	extendsOff    int
	documentCode  *pb.Code
	srTitle       *pb.Code
	procedures    []*pb.Code
	hasProcedures bool
	modalities    []string
	hasModalities bool
	srIOD         SRIOD // "" when not set
	sections      []*draftSection
	hasSections   bool
	sectionsOff   int
}

type draftSection struct {
	off          int
	kind         pb.SectionKind
	code         *pb.Code
	title        *string
	required     *bool
	narrative    *Narrative
	hasNarrative bool
	rules        []*ObservationRule
	hasRules     bool
	description  *string
	rule         string
}

// fileLoader decodes one file and collects its problems.
type fileLoader struct {
	file string
	src  []byte
	errs LoadErrors
}

func (l *fileLoader) fail(off int, path, rule, format string, args ...any) {
	line, col := lineCol(l.src, off)
	l.errs = append(l.errs, &LoadError{File: l.file, Line: line, Column: col, Rule: rule, Path: path, Message: fmt.Sprintf(format, args...)})
}

// where names a place in the file for violations of template rules.
func (l *fileLoader) where(off int, path string) string {
	line, _ := lineCol(l.src, off)
	return fmt.Sprintf("%s:%d %s", l.file, line, path)
}

// parseFile decodes and checks one template file on its own; rules that
// need the other files (extends, duplicate ids) are checked by resolve.
func parseFile(name string, src []byte, builtin bool) (*draft, LoadErrors) {
	l := &fileLoader{file: name, src: src}
	root, err := parseJSON(src)
	if err != nil {
		var se *syntaxError
		if !errors.As(err, &se) {
			se = &syntaxError{rule: RuleJSON, msg: err.Error()}
		}
		l.fail(se.off, "", se.rule, "%s", se.msg)
		return nil, l.errs
	}
	if root.kind != jObject {
		l.fail(root.off, "", RuleType, "a template file holds one JSON object, not %s", root.kind)
		return nil, l.errs
	}
	d := &draft{file: name, src: src, builtin: builtin, rootOff: root.off}
	switch f := root.field("format"); {
	case f == nil:
		l.fail(root.off, "format", RuleRequired, "is required: %q", Format)
		return nil, l.errs
	case f.val.kind != jString || f.val.str != Format:
		// Nothing else is read: another format's fields would only
		// produce noise.
		l.fail(f.val.off, "format", RuleFormat, "must be %q; this reportgen cannot read another format", Format)
		return nil, l.errs
	}
	l.fields(root, "", topFields)

	if f := l.required(root, "", "id"); f != nil {
		if s, ok := l.str(f.val, "id"); ok {
			if !idSyntax.MatchString(s) {
				l.fail(f.val.off, "id", RuleID, "must be 1 to 64 of a-z, 0-9 and -, starting with a letter or digit")
			}
			d.id, d.idOff = s, f.val.off
		}
	}
	if f := l.required(root, "", "version"); f != nil {
		if s, ok := l.str(f.val, "version"); ok {
			if !versionSyntax.MatchString(s) {
				l.fail(f.val.off, "version", RuleVersion, "must be 1 to 32 of A-Z, a-z, 0-9, '.', '+' and '-', e.g. \"1.2.0\"")
			}
			d.version = s
		}
	}
	if f := root.field("title"); f != nil {
		if s, ok := l.text(f.val, "title", maxTitle, false); ok {
			d.title = &s
		}
	}
	if f := root.field("description"); f != nil {
		d.description, _ = l.text(f.val, "description", maxDescription, true)
	}
	if f := root.field("extends"); f != nil {
		if s, ok := l.str(f.val, "extends"); ok {
			if !idSyntax.MatchString(s) {
				l.fail(f.val.off, "extends", RuleExtends, "must be a template id")
			}
			d.extends, d.extendsOff = s, f.val.off
		}
	}
	if f := root.field("document_code"); f != nil {
		if c := l.code(f.val, "document_code"); c != nil {
			if c.GetScheme() != pb.CodingScheme_CODING_SCHEME_LOINC {
				l.fail(f.val.off, "document_code", RuleDocumentCode, "must be a LOINC code: the CDA document type is a LOINC document code (CONF:1198-32948)")
			}
			d.documentCode = c
		}
	}
	if f := root.field("sr_title"); f != nil {
		if c := l.code(f.val, "sr_title"); c != nil {
			if !dicomdict.IsDocumentTitle(c) {
				l.fail(f.val.off, "sr_title", RuleSRTitle, "must be a title of DICOM CID 7000 Diagnostic Imaging Report Document Title (PS3.16): the SR title of a report whose document code is not one")
			}
			d.srTitle = c
		}
	}
	if f := root.field("procedure_codes"); f != nil {
		d.procedures, d.hasProcedures = l.codes(f.val, "procedure_codes"), true
	}
	if f := root.field("default_for_modalities"); f != nil {
		d.modalities, d.hasModalities = l.modalities(f.val), true
	}
	if f := root.field("sr_iod"); f != nil {
		if s, ok := l.str(f.val, "sr_iod"); ok {
			switch SRIOD(s) {
			case SRIODAuto, SRIODBasicText, SRIODEnhanced, SRIODComprehensive:
				d.srIOD = SRIOD(s)
			default:
				l.fail(f.val.off, "sr_iod", RuleSRIOD, "must be auto, basic-text, enhanced or comprehensive")
			}
		}
	}
	if f := root.field("sections"); f != nil {
		d.hasSections, d.sectionsOff = true, f.val.off
		d.sections = l.sections(f.val)
	}
	if len(l.errs) > 0 {
		return nil, l.errs
	}
	return d, nil
}

// fields checks that v is an object with only the allowed fields.
func (l *fileLoader) fields(v *jvalue, path string, allowed []string) bool {
	if v.kind != jObject {
		l.fail(v.off, path, RuleType, "must be an object, not %s", v.kind)
		return false
	}
	for _, f := range v.fields {
		if !slices.Contains(allowed, f.name) {
			l.fail(f.off, join(path, f.name), RuleUnknownField, "is not a field of the template format; the fields here are %s", strings.Join(allowed, ", "))
		}
	}
	return true
}

func (l *fileLoader) required(obj *jvalue, path, name string) *jfield {
	f := obj.field(name)
	if f == nil {
		l.fail(obj.off, join(path, name), RuleRequired, "is required")
	}
	return f
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (l *fileLoader) str(v *jvalue, path string) (string, bool) {
	if v.kind != jString {
		l.fail(v.off, path, RuleType, "must be a string, not %s", v.kind)
		return "", false
	}
	return v.str, true
}

func (l *fileLoader) boolean(v *jvalue, path string) (bool, bool) {
	if v.kind != jBool {
		l.fail(v.off, path, RuleType, "must be true or false, not %s", v.kind)
		return false, false
	}
	return v.b, true
}

func (l *fileLoader) array(v *jvalue, path string, max int) ([]*jvalue, bool) {
	if v.kind != jArray {
		l.fail(v.off, path, RuleType, "must be an array, not %s", v.kind)
		return nil, false
	}
	if len(v.elems) > max {
		l.fail(v.off, path, RuleLimit, "has %d entries; at most %d are allowed", len(v.elems), max)
		return nil, false
	}
	return v.elems, true
}

// text checks a title or description: printable, bounded, and single-line
// unless multiline.
func (l *fileLoader) text(v *jvalue, path string, max int, multiline bool) (string, bool) {
	s, ok := l.str(v, path)
	if !ok {
		return "", false
	}
	switch {
	case strings.TrimSpace(s) == "":
		l.fail(v.off, path, RuleText, "must not be empty")
		return "", false
	case utf8.RuneCountInString(s) > max:
		l.fail(v.off, path, RuleText, "is %d characters; at most %d are allowed", utf8.RuneCountInString(s), max)
		return "", false
	case !printable(s, multiline):
		l.fail(v.off, path, RuleText, "must be printable text without control characters")
		return "", false
	}
	return s, true
}

// printable reports whether s holds no control characters (nor the
// non-characters U+FFFE, U+FFFF); where multiline is true, line feeds and
// tabs are allowed, as in a template's source.
func printable(s string, multiline bool) bool {
	allowed := ""
	if multiline {
		allowed = "\n\t"
	}
	return controlFree(s, allowed)
}

// controlFree reports whether s holds no control characters but those in
// allowed, and neither U+FFFE nor U+FFFF.
func controlFree(s, allowed string) bool {
	for _, r := range s {
		if (unicode.IsControl(r) && !strings.ContainsRune(allowed, r)) || r == '\uFFFE' || r == '\uFFFF' {
			return false
		}
	}
	return true
}

// code decodes a coded concept with the same rules the request checks
// apply, so a template can never put a code into a document that a
// request could not.
func (l *fileLoader) code(v *jvalue, path string) *pb.Code {
	if !l.fields(v, path, codeFields) {
		return nil
	}
	bad := len(l.errs)
	c := &pb.Code{}
	if f := l.required(v, path, "code"); f != nil {
		if s, ok := l.str(f.val, join(path, "code")); ok {
			if strings.TrimSpace(s) == "" || utf8.RuneCountInString(s) > maxCodeValue || !printable(s, false) || strings.ContainsRune(s, '\\') {
				l.fail(f.val.off, join(path, "code"), RuleCode, "must be 1 to %d printable characters without \\", maxCodeValue)
			}
			c.Code = s
		}
	}
	if f := l.required(v, path, "scheme"); f != nil {
		if s, ok := l.str(f.val, join(path, "scheme")); ok {
			sch, known := pb.CodingScheme_value["CODING_SCHEME_"+s]
			if !known || sch == 0 {
				l.fail(f.val.off, join(path, "scheme"), RuleCode, "must be LOINC, SNOMED_CT, RADLEX, DCM, UCUM or LOCAL")
			}
			c.Scheme = pb.CodingScheme(sch)
		}
	}
	if f := l.required(v, path, "display_name"); f != nil {
		if s, ok := l.text(f.val, join(path, "display_name"), maxLO, false); ok {
			if strings.ContainsRune(s, '\\') {
				l.fail(f.val.off, join(path, "display_name"), RuleCode, "must not contain \\ (DICOM LO)")
			}
			c.DisplayName = s
		}
	}
	des, oid := v.field("local_designator"), v.field("local_oid")
	if c.Scheme == pb.CodingScheme_CODING_SCHEME_LOCAL {
		if f := l.required(v, path, "local_designator"); f != nil {
			if s, ok := l.str(f.val, join(path, "local_designator")); ok {
				if s == "" || len(s) > 16 || !printable(s, false) || strings.ContainsRune(s, '\\') {
					l.fail(f.val.off, join(path, "local_designator"), RuleCode, "must be 1 to 16 printable characters (DICOM SH)")
				}
				c.LocalDesignator = s
			}
		}
		if f := l.required(v, path, "local_oid"); f != nil {
			if s, ok := l.str(f.val, join(path, "local_oid")); ok {
				if len(s) > 64 || !oidSyntax.MatchString(s) {
					l.fail(f.val.off, join(path, "local_oid"), RuleCode, "must be an OID such as 2.16.840.1.113883.19.5")
				}
				c.LocalOid = s
			}
		}
	} else {
		for _, f := range []*jfield{des, oid} {
			if f != nil {
				l.fail(f.off, join(path, f.name), RuleCode, "is only for LOCAL codes")
			}
		}
	}
	if len(l.errs) > bad {
		return nil
	}
	return c
}

func (l *fileLoader) codes(v *jvalue, path string) []*pb.Code {
	elems, ok := l.array(v, path, MaxCodes)
	if !ok {
		return nil
	}
	var out []*pb.Code
	for i, e := range elems {
		p := fmt.Sprintf("%s[%d]", path, i)
		c := l.code(e, p)
		if c == nil {
			continue
		}
		if slices.ContainsFunc(out, func(o *pb.Code) bool { return sameCode(o, c) }) {
			l.fail(e.off, p, RuleDuplicate, "lists %s twice", codeLabel(c))
			continue
		}
		out = append(out, c)
	}
	return out
}

func (l *fileLoader) modalities(v *jvalue) []string {
	elems, ok := l.array(v, "default_for_modalities", 16)
	if !ok {
		return nil
	}
	var out []string
	for i, e := range elems {
		p := fmt.Sprintf("default_for_modalities[%d]", i)
		s, ok := l.str(e, p)
		if !ok {
			continue
		}
		if !dicomdict.IsModality(s) {
			l.fail(e.off, p, RuleModality, "must be a DICOM Defined Term for Modality (PS3.3 C.7.3.1.1.1) such as MG")
			continue
		}
		out = append(out, s)
	}
	return out
}

func (l *fileLoader) sections(v *jvalue) []*draftSection {
	elems, ok := l.array(v, "sections", MaxSections)
	if !ok {
		return nil
	}
	if len(elems) == 0 {
		l.fail(v.off, "sections", RuleRequired, "must list at least the FINDINGS section")
		return nil
	}
	var out []*draftSection
	for i, e := range elems {
		p := fmt.Sprintf("sections[%d]", i)
		s := l.section(e, p)
		if s == nil {
			continue
		}
		if j := slices.IndexFunc(out, func(o *draftSection) bool { return sameSection(o.kind, o.code, s.kind, s.code) }); j >= 0 {
			l.fail(e.off, p, RuleDuplicate, "lists the same section as sections[%d]; a template lists each section once", j)
			continue
		}
		out = append(out, s)
	}
	return out
}

func sameSection(k1 pb.SectionKind, c1 *pb.Code, k2 pb.SectionKind, c2 *pb.Code) bool {
	return k1 == k2 && (k1 != pb.SectionKind_SECTION_KIND_CODED || sameCode(c1, c2))
}

func (l *fileLoader) section(v *jvalue, path string) *draftSection {
	if !l.fields(v, path, sectionFields) {
		return nil
	}
	bad := len(l.errs)
	s := &draftSection{off: v.off, rule: l.where(v.off, path)}
	if f := l.required(v, path, "kind"); f != nil {
		if name, ok := l.str(f.val, join(path, "kind")); ok {
			k, known := pb.SectionKind_value["SECTION_KIND_"+strings.TrimPrefix(name, "SECTION_KIND_")]
			if !known || k == 0 {
				l.fail(f.val.off, join(path, "kind"), RuleSectionKind, "unknown section kind; use HISTORY, REASON_FOR_STUDY, COMPARISON, TECHNIQUE, FINDINGS, IMPRESSION, RECOMMENDATION, ADDENDUM, COMPLICATIONS or CODED")
			}
			s.kind = pb.SectionKind(k)
		}
	}
	switch f := v.field("code"); {
	case s.kind == pb.SectionKind_SECTION_KIND_CODED && f == nil:
		l.fail(v.off, join(path, "code"), RuleSectionKind, "is required for a CODED section: it is the section code")
	case s.kind == pb.SectionKind_SECTION_KIND_CODED:
		s.code = l.code(f.val, join(path, "code"))
	case f != nil && s.kind != 0:
		l.fail(f.off, join(path, "code"), RuleSectionKind, "is only for CODED sections; the other kinds have fixed codes")
	}
	if f := v.field("title"); f != nil {
		if t, ok := l.text(f.val, join(path, "title"), maxLO, false); ok {
			s.title = &t
		}
	}
	if f := v.field("required"); f != nil {
		if b, ok := l.boolean(f.val, join(path, "required")); ok {
			s.required = &b
		}
	}
	if f := v.field("description"); f != nil {
		if t, ok := l.text(f.val, join(path, "description"), maxDescription, true); ok {
			s.description = &t
		}
	}
	if f := v.field("narrative"); f != nil {
		s.hasNarrative = true
		if src, ok := l.str(f.val, join(path, "narrative")); ok {
			n, err := compileNarrative(src, sectionNarrative, ValueAny)
			if err != nil {
				l.fail(f.val.off, join(path, "narrative"), RuleNarrative, "%v", err)
			}
			s.narrative = n
		}
	}
	if f := v.field("observations"); f != nil {
		s.hasRules = true
		s.rules = l.rules(f.val, join(path, "observations"))
	}
	if len(l.errs) > bad {
		return nil
	}
	return s
}

func (l *fileLoader) rules(v *jvalue, path string) []*ObservationRule {
	elems, ok := l.array(v, path, MaxObservations)
	if !ok {
		return nil
	}
	var out []*ObservationRule
	for i, e := range elems {
		p := fmt.Sprintf("%s[%d]", path, i)
		r := l.rule(e, p)
		if r == nil {
			continue
		}
		if slices.ContainsFunc(out, func(o *ObservationRule) bool { return sameCode(o.Concept, r.Concept) }) {
			l.fail(e.off, p, RuleDuplicate, "a rule for %s is already listed", codeLabel(r.Concept))
			continue
		}
		out = append(out, r)
	}
	return out
}

func (l *fileLoader) rule(v *jvalue, path string) *ObservationRule {
	if !l.fields(v, path, ruleFields) {
		return nil
	}
	bad := len(l.errs)
	r := &ObservationRule{Value: ValueAny, Rule: l.where(v.off, path)}
	if f := l.required(v, path, "concept"); f != nil {
		r.Concept = l.code(f.val, join(path, "concept"))
	}
	if f := v.field("value"); f != nil {
		if s, ok := l.str(f.val, join(path, "value")); ok {
			switch ValueType(s) {
			case ValueAny, ValueText, ValueCode, ValueMeasurement:
				r.Value = ValueType(s)
			default:
				l.fail(f.val.off, join(path, "value"), RuleObservation, "must be any, text, code or measurement")
			}
		}
	}
	if f := v.field("answers"); f != nil {
		if r.Value != ValueCode {
			l.fail(f.off, join(path, "answers"), RuleObservation, "answers are only for rules with \"value\": \"code\"")
		} else {
			r.Answers = l.codes(f.val, join(path, "answers"))
		}
	}
	if f := v.field("required"); f != nil {
		r.Required, _ = l.boolean(f.val, join(path, "required"))
	}
	if f := v.field("description"); f != nil {
		r.Description, _ = l.text(f.val, join(path, "description"), maxDescription, true)
	}
	if f := v.field("narrative"); f != nil {
		if src, ok := l.str(f.val, join(path, "narrative")); ok {
			n, err := compileNarrative(src, observationNarrative, r.Value)
			if err != nil {
				l.fail(f.val.off, join(path, "narrative"), RuleNarrative, "%v", err)
			}
			r.Narrative = n
		}
	}
	if len(l.errs) > bad {
		return nil
	}
	return r
}
