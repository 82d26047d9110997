package conformance

// SHOULD statements reported as warnings. Each mirrors an assert of the
// schematron's warnings phase with the same CONF number; the set is
// chosen for what helps a report's reader or sender, not for coverage.
// The warnings phase's a-1198-8422 ("SHOULD contain a Physician Reading
// Study Performer (V2)") is left out on purpose: the project emits the
// un-versioned performer id because the V2 one cannot pass the errors
// phase (shared/spec/cda-dir.md §1.1), so it would fire on every report.

// warnings runs the SHOULD checks.
func (r *run) warnings(cd *node) {
	if cd.count("legalAuthenticator") != 1 {
		r.warn("CONF:1198-5579", cd, "SHOULD contain exactly one legalAuthenticator (a final report is signed)")
	}
	for _, bt := range r.all(cd, "recordTarget", "patientRole", "patient", "birthTime") {
		if !bt.hasAttr("nullFlavor") && len([]rune(bt.val("value"))) < 8 {
			r.warn("CONF:1198-5300", bt, "birthTime SHOULD be precise to the day")
		}
	}
	for _, path := range dateTimePaths {
		for _, t := range r.all(cd, path...) {
			r.timePrecision(t)
		}
	}
	for _, s := range r.all(cd, "documentationOf", "serviceEvent") {
		if !s.has("id") {
			r.warn("CONF:1198-8418", s, "serviceEvent SHOULD contain an id (the Study Instance UID)")
		}
	}
	for _, b := range r.all(cd, "component", "structuredBody") {
		n := 0
		for _, c := range r.children(b, "component") {
			for _, s := range r.children(c, "section") {
				if s.hasTemplate(tidCatalog) {
					n++
				}
			}
		}
		if n != 1 {
			r.warn("CONF:1198-30698", b, "structuredBody SHOULD contain one DICOM Object Catalog section")
		}
		for _, c := range r.children(b, "component") {
			for _, s := range r.children(c, "section") {
				if s.hasTemplate(tidCatalog) {
					continue
				}
				if s.count("title") != 1 {
					r.warn("CONF:1198-31058", s, "section SHOULD contain a title")
				}
				if s.count("text") != 1 {
					r.warn("CONF:1198-31059", s, "section SHOULD contain a text")
				}
			}
		}
	}
}

// timePrecision is the DTM.US.FIELDED SHOULDs: precise to the minute
// (CONF:81-10128) and, when more precise than the day, with a time zone
// offset (CONF:81-10130).
func (r *run) timePrecision(t *node) {
	v, ok := t.attr("value")
	if t.hasAttr("nullFlavor") {
		return
	}
	if len([]rune(v)) < 12 {
		r.warn("CONF:81-10128", t, "time SHOULD be precise to the minute")
	}
	if ok && len([]rune(v)) >= 10 && !containsAny(v, "+-") {
		r.warn("CONF:81-10130", t, "time more precise than the day SHOULD carry a time zone offset")
	}
}

func containsAny(s, chars string) bool {
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(chars); j++ {
			if s[i] == chars[j] {
				return true
			}
		}
	}
	return false
}

// effectiveTimeWarnings are the observation templates that SHOULD have an
// effectiveTime, with the rule that says so.
var effectiveTimeWarnings = []struct {
	template uint32
	rule     string
}{{tTextObs, "CONF:81-9294"}, {tCodeObs, "CONF:81-9309"}, {tQuantity, "CONF:81-9326"}}

// entryWarnings is the SHOULDs of the DIR entries: effectiveTime on Text,
// Code and Quantity Measurement Observations (CONF:81-9294, 9309, 9326),
// a narrative reference on Text Observations (CONF:81-15938), and the
// ASSERTION code and coded value of Purpose of Reference
// (CONF:81-19208, 9273). n is an observation with the templates m.
func (r *run) entryWarnings(n *node, m uint32) {
	for _, e := range effectiveTimeWarnings {
		if m&e.template != 0 && n.count("effectiveTime") != 1 {
			r.warn(e.rule, n, "observation SHOULD contain an effectiveTime")
		}
	}
	if m&tTextObs != 0 {
		for _, t := range r.children(n, "text") {
			if t.count("reference") != 1 {
				r.warn("CONF:81-15938", t, "Text Observation text SHOULD contain a reference to the narrative")
			}
		}
	}
	if m&tPurpose != 0 {
		ok := false
		for _, c := range r.children(n, "code") {
			if c.attrIs("code", "ASSERTION") && c.attrIs("codeSystem", "2.16.840.1.113883.5.4") {
				ok = true
			}
		}
		if !ok {
			r.warn("CONF:81-19208", n, "Purpose of Reference code SHOULD be ASSERTION (ActCode)")
		}
		if countTyped(n, "value", "CD") != 1 {
			r.warn("CONF:81-9273", n, `Purpose of Reference SHOULD contain one value with xsi:type="CD"`)
		}
	}
}
