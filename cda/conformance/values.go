package conformance

import (
	"regexp"
	"strconv"
	"strings"
)

// Rules on values that neither the CDA schema nor HL7's schematron check,
// each an error with its rule id: the CDA schema's TS pattern takes month
// 13 and a two-digit offset, its CS type any token as a language, and
// the schematron tests that languageCode, administrativeGenderCode and
// relatedDocument are there, not what they hold.

// Rule ids of the value rules that carry no CONF number of their own.
const (
	RuleTS   = "CDA-DT-01" // TS literal: a real date and time, a complete UTC offset
	RulePQ   = "CDA-DT-02" // PQ: a value or a nullFlavor
	RuleUCUM = "CDA-DT-03" // PQ unit: a UCUM case-sensitive expression
)

// headerValues applies the value rules of the header's single elements.
func (r *run) headerValues(cd *node) {
	r.languageCode(cd)
	r.genderCodes(cd)
	if n := cd.count("relatedDocument"); n > 1 {
		r.err("CONF:1198-8432", r.children(cd, "relatedDocument")[1], "ClinicalDocument MAY contain zero or one relatedDocument: a DIR has at most one")
	}
}

// values applies the value rules to the HL7 element n: its @value as a TS
// when n is one, as a PQ when n is one.
func (r *run) values(n *node) {
	pq := isPQ(n)
	if v, ok := n.attr("value"); ok && isTSElement(n.local) && !pq {
		r.tsLiteral(n, v)
	}
	if pq {
		r.pq(n)
	}
}

// isTSElement reports whether the elements named local (of the CDA header
// and the DIR templates) have a TS @value (or, as low, high and center, a
// part of an IVL_TS): effectiveTime, time, birthTime, expirationTime and
// the interval parts. A low or high of a PQ interval is told apart by its
// xsi:type or its unit.
func isTSElement(local string) bool {
	switch local {
	case "effectiveTime", "time", "birthTime", "expirationTime", "low", "high", "center":
		return true
	}
	return false
}

// isPQ reports whether n is a PQ: xsi:type PQ or IVL_PQ, or a low or high
// carrying a unit (an IVL_PQ's parts).
func isPQ(n *node) bool {
	t := n.xsiType()
	if i := strings.IndexByte(t, ':'); i >= 0 {
		t = t[i+1:]
	}
	if t == "PQ" || t == "IVL_PQ" {
		return true
	}
	return (n.local == "low" || n.local == "high") && n.hasAttr("unit")
}

// tsLiteral checks a TS @value: a real calendar date, hours 0-23, minutes
// and seconds 0-59 (60 for a leap second), precision in whole components,
// and a UTC offset of exactly four digits from -1200 to +1400 (HL7 V3
// Data Types R1, TS: "+/-ZZzz").
func (r *run) tsLiteral(n *node, v string) {
	// The TS literal of HL7 V3 data types R1: YYYY[MM[DD[HH[MM[SS[.S+]]]]]]
	// [+/-ZZzz].
	m, ok := tsParts(v)
	if !ok {
		// The CDA schema's TS pattern reports it (or allows it, e.g. a
		// fraction without seconds); say it here too, by this rule.
		r.err(RuleTS, n, "the time is not a TS literal YYYYMMDDHHMMSS.S+ZZzz")
		return
	}
	num := func(s string) int { x, _ := strconv.Atoi(s); return x }
	for i := 3; i <= 6; i++ {
		// each component needs the ones before it
		if m[i] != "" && m[i-1] == "" {
			r.err(RuleTS, n, "the time is not a TS literal YYYYMMDDHHMMSS.S+ZZzz")
			return
		}
	}
	if m[7] != "" && m[6] == "" {
		r.err(RuleTS, n, "the time has a fraction without seconds")
		return
	}
	if m[2] != "" {
		month := num(m[2])
		if month < 1 || month > 12 {
			r.err(RuleTS, n, "the time's month is not 01 to 12")
			return
		}
		if m[3] != "" {
			if d := num(m[3]); d < 1 || d > daysIn(num(m[1]), month) {
				r.err(RuleTS, n, "the time's day does not exist in its month")
				return
			}
		}
	}
	if (m[4] != "" && num(m[4]) > 23) || (m[5] != "" && num(m[5]) > 59) || (m[6] != "" && num(m[6]) > 60) {
		r.err(RuleTS, n, "the time of day is out of range (hours 00-23, minutes 00-59, seconds 00-60)")
		return
	}
	if off := m[8]; off != "" {
		if m[4] == "" {
			r.err(RuleTS, n, "a UTC offset is only meaningful with a time of day")
			return
		}
		if len(off) != 5 {
			r.err(RuleTS, n, "the UTC offset is not complete: it needs a sign, two digits of hours and two of minutes (+/-ZZzz)")
			return
		}
		h, mm := num(off[1:3]), num(off[3:])
		ok := mm <= 59 && (off[0] == '+' && (h < 14 || h == 14 && mm == 0) || off[0] == '-' && (h < 12 || h == 12 && mm == 0))
		if !ok {
			r.err(RuleTS, n, "the UTC offset is out of range (-1200 to +1400)")
		}
	}
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// bcp47 is the syntax of a BCP 47 (RFC 5646) language tag: language,
// then optional script, region, variants, extensions and private use;
// or a private-use tag. Subtags are ASCII letters and digits joined by
// hyphens: "en_US" and "english" are not tags.
var bcp47 = regexp.MustCompile(`^(?i:(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*(?:-x(?:-[a-z\d]{1,8})+)?|x(?:-[a-z\d]{1,8})+)$`)

// LanguageTag reports whether s is a BCP 47 language tag as
// CONF:1198-5372 reads it. The request checks ask the same question of a
// report's language, so that no request passes them and then fails here.
func LanguageTag(s string) bool { return bcp47.MatchString(s) }

// languageCode checks ClinicalDocument/languageCode/@code against BCP 47:
// the Language value set (2.16.840.1.113883.1.11.11526) the IG binds it to
// is RFC 5646's tags (CONF:1198-5372).
func (r *run) languageCode(cd *node) {
	for _, lc := range r.children(cd, "languageCode") {
		if lc.hasAttr("nullFlavor") {
			continue
		}
		if c, ok := lc.attr("code"); !ok || !bcp47.MatchString(c) {
			r.err("CONF:1198-5372", lc, "languageCode SHALL be selected from ValueSet Language (a BCP 47 tag such as en-US)")
		}
	}
}

// administrativeGender is the value set Administrative Gender (HL7 V3)
// 2.16.840.1.113883.1.11.1 (voc.xml): F, M and UN of code system
// 2.16.840.1.113883.5.1.
var administrativeGender = map[string]bool{"F": true, "M": true, "UN": true}

const genderSystem = "2.16.840.1.113883.5.1"

// genderCodes checks the patient's administrativeGenderCode: a code of the
// value set with its code system, or a nullFlavor (CONF:1198-6394).
func (r *run) genderCodes(cd *node) {
	for _, g := range r.all(cd, "recordTarget", "patientRole", "patient", "administrativeGenderCode") {
		if g.hasAttr("nullFlavor") && !g.hasAttr("code") {
			continue
		}
		if !administrativeGender[g.val("code")] || g.val("codeSystem") != genderSystem {
			r.err("CONF:1198-6394", g, "administrativeGenderCode SHALL be selected from ValueSet Administrative Gender (HL7 V3): F, M or UN of code system 2.16.840.1.113883.5.1")
		}
	}
}

// pq checks a PQ: a value or a nullFlavor (HL7 V3 Data Types R1, PQ: a
// non-null PQ has a value), and a unit that is a UCUM case-sensitive
// expression (the PQ unit is UCUM by definition; C-CDA binds it to UCUM
// Units of Measure, case sensitive, 2.16.840.1.113883.1.11.12839). An
// IVL_PQ is checked through its parts.
func (r *run) pq(n *node) {
	if t := n.xsiType(); strings.HasSuffix(t, "IVL_PQ") {
		return
	}
	_, hasValue := n.attr("value")
	if !hasValue && !n.hasAttr("nullFlavor") {
		r.err(RulePQ, n, "a PQ SHALL have a value or a nullFlavor")
	}
	u, ok := n.attr("unit")
	if !ok {
		return // unit defaults to "1"
	}
	if err := r.c.ucum.Check(u); err != nil {
		r.err(RuleUCUM, n, "the PQ unit SHALL be a UCUM case-sensitive unit: "+err.Error())
	}
}
