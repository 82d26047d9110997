package conformance

// Section templates.
const (
	tidCatalog  = "2.16.840.1.113883.10.20.6.1.1"
	tidFindings = "2.16.840.1.113883.10.20.6.1.2"
)

// body checks the structured body of a DIR: exactly one component with a
// structuredBody (CONF:1198-14907, 30695), exactly one Findings Section
// (CONF:1198-30696), the DICOM Object Catalog first and only once
// (CONF:1198-31206), and the IG constraints on the other sections
// (CONF:1198-31057, 31207, 31211, 31212, 31061, 31210).
func (r *run) body(cd *node) {
	comps := r.children(cd, "component")
	if len(comps) != 1 {
		r.err("CONF:1198-14907", cd, "SHALL contain exactly one component")
	}
	r.each(comps, cd, "CONF:1198-30695", "component SHALL contain exactly one structuredBody", func(n *node) bool { return n.count("structuredBody") == 1 })
	bodies := r.all(cd, "component", "structuredBody")
	r.each(bodies, cd, "CONF:1198-30696", "structuredBody SHALL contain exactly one component with a Findings Section (DIR) (templateId 2.16.840.1.113883.10.20.6.1.2)", func(b *node) bool {
		n := 0
		for _, c := range r.children(b, "component") {
			k := 0
			for _, s := range r.children(c, "section") {
				if s.hasTemplate(tidFindings) {
					k++
				}
			}
			if k == 1 {
				n++
			}
		}
		return n == 1
	})

	// The schematron counts un-versioned catalog templateIds anywhere in
	// the document and wants the first body component to hold one.
	catalogs := r.catalogIDs
	for _, b := range bodies {
		comps := r.children(b, "component")
		for _, c := range comps {
			for _, s := range r.children(c, "section") {
				if s.countTemplate(tidCatalog, "-") == 0 {
					continue
				}
				first := len(comps) > 0 && comps[0].child("section").countTemplate(tidCatalog, "-") > 0
				if catalogs != 1 || !first {
					r.err("CONF:1198-31206", c, "the DICOM Object Catalog section, if present, SHALL be the first section of the body, and appear once")
				}
			}
		}
		for _, c := range comps {
			s := c.child("section")
			if s == nil || s.hasTemplate(tidCatalog) {
				continue
			}
			r.sectionIG(s, s.hasTemplate(tidFindings), false)
		}
	}
}

// sectionIG applies the DIR's untested section SHALLs to a section and,
// recursively, to its nested sections. The Findings Section template
// constrains only its templateId, so code and text are not required of it.
func (r *run) sectionIG(s *node, findings, nested bool) {
	if !findings {
		codes := r.children(s, "code")
		if len(codes) != 1 {
			r.err("CONF:1198-31057", s, "section SHALL contain exactly one code")
		}
		for _, c := range codes {
			if !c.hasAttr("code") {
				r.err("CONF:1198-31207", c, "section code SHALL have @code")
			}
		}
		if !s.has("text") && !s.has("component") {
			r.err("CONF:1198-31212", s, "section SHALL contain a text element or at least one component")
		}
	}
	if nested {
		if c := s.child("code"); c != nil && dirSectionCodes[c.val("code")] {
			r.err("CONF:1198-31211", s, "sections listed in DIR Section Type Codes SHALL be top-level sections")
		}
	}
	for _, t := range r.children(s, "text") {
		if !t.hasContent() {
			r.err("CONF:1198-31061", t, "section text SHALL contain PCDATA or child elements")
		}
	}
	for _, c := range r.children(s, "component") {
		if c.elementCount() == 0 {
			r.err("CONF:1198-31210", c, "a nested component SHALL contain child elements")
			continue
		}
		for _, sub := range r.children(c, "section") {
			r.sectionIG(sub, false, true)
		}
	}
}

// dirSectionCodes is value set DIR Section Type Codes
// 2.16.840.1.113883.11.20.9.59 (DCM and LOINC codes; the two code systems
// do not share code values, so the code alone identifies the concept).
var dirSectionCodes = map[string]bool{
	"121181": true, "121060": true, "121062": true, "121064": true, "121066": true,
	"121068": true, "121070": true, "121072": true, "121074": true, "121076": true,
	"121078": true, "121109": true, "121110": true, "121113": true, "121111": true,
	"121180":  true,
	"11329-0": true, "55115-0": true, "55111-9": true, "55114-3": true, "18834-2": true,
	"18782-3": true, "19005-8": true, "18783-1": true, "55110-1": true, "55107-7": true,
	"18785-6": true, "55108-5": true, "55109-3": true, "55112-7": true, "55113-5": true,
}
