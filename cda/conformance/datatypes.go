package conformance

// US Realm data-type flavours. The schematron applies them only at the
// places the header, DIR and entry templates bind them; the same places
// are used here.

// headerDataTypes applies PTN.US.FIELDED, PN.US.FIELDED, AD.US.FIELDED and
// DTM.US.FIELDED to the header elements bound to them.
func (r *run) headerDataTypes(cd *node) {
	for _, n := range r.all(cd, "recordTarget", "patientRole", "patient", "name") {
		r.patientName(n)
	}
	for _, path := range personNamePaths {
		for _, n := range r.all(cd, path...) {
			r.personName(n)
		}
	}
	for _, path := range addressPaths {
		for _, n := range r.all(cd, path...) {
			r.address(n)
		}
	}
	for _, path := range dateTimePaths {
		for _, n := range r.all(cd, path...) {
			r.dateTime(n)
		}
	}
	for _, n := range r.all(cd, "componentOf", "encompassingEncounter", "effectiveTime") {
		r.dateInterval(n)
	}
}

// personNamePaths are the header names bound to PN.US.FIELDED
// (2.16.840.1.113883.10.20.22.5.1.1) in the US Realm Header V3 and DIR V3.
var personNamePaths = [][]string{
	{"recordTarget", "patientRole", "patient", "guardian", "guardianPerson", "name"},
	{"author", "assignedAuthor", "assignedPerson", "name"},
	{"dataEnterer", "assignedEntity", "assignedPerson", "name"},
	{"informant", "assignedEntity", "assignedPerson", "name"},
	{"informationRecipient", "intendedRecipient", "informationRecipient", "name"},
	{"legalAuthenticator", "assignedEntity", "assignedPerson", "name"},
	{"authenticator", "assignedEntity", "assignedPerson", "name"},
	{"participant", "associatedEntity", "associatedPerson", "name"},
}

// addressPaths are the header addresses bound to AD.US.FIELDED
// (2.16.840.1.113883.10.20.22.5.2).
var addressPaths = [][]string{
	{"recordTarget", "patientRole", "addr"},
	{"recordTarget", "patientRole", "patient", "guardian", "addr"},
	{"recordTarget", "patientRole", "providerOrganization", "addr"},
	{"author", "assignedAuthor", "addr"},
	{"dataEnterer", "assignedEntity", "addr"},
	{"informant", "assignedEntity", "addr"},
	{"custodian", "assignedCustodian", "representedCustodianOrganization", "addr"},
	{"legalAuthenticator", "assignedEntity", "addr"},
	{"authenticator", "assignedEntity", "addr"},
}

// dateTimePaths are the header times bound to DTM.US.FIELDED
// (2.16.840.1.113883.10.20.22.5.4).
var dateTimePaths = [][]string{
	{"effectiveTime"},
	{"author", "time"},
	{"legalAuthenticator", "time"},
	{"authenticator", "time"},
}

// patientName is US Realm Patient Name PTN.US.FIELDED (CONF:81-7157,
// 7159, 7278).
func (r *run) patientName(n *node) {
	null := n.hasAttr("nullFlavor")
	if !null && !n.has("given") {
		r.err("CONF:81-7157", n, "patient name SHALL contain at least one given")
	}
	if !null && n.count("family") != 1 {
		r.err("CONF:81-7159", n, "patient name SHALL contain exactly one family")
	}
	if n.mixedText() {
		r.err("CONF:81-7278", n, "patient name SHALL NOT have mixed content other than white space")
	}
}

// personName is US Realm Person Name PN.US.FIELDED (CONF:81-9371, 9372):
// either a fielded name with given and family and no loose text, or a
// single string without parts.
func (r *run) personName(n *node) {
	if n.hasAttr("nullFlavor") {
		return
	}
	fielded := n.has("given") && n.has("family") && !n.mixedText()
	// XPath string(text()) is the first text node only.
	plain := n.elementCount() == 0 && len(normalizeSpace(n.firstText())) != 0
	if !fielded && !plain {
		r.err("CONF:81-9371", n, "person name SHALL be a fielded name (PTN.US.FIELDED) or a string")
		r.err("CONF:81-9372", n, "a person name string SHALL NOT contain name parts")
	}
}

// address is US Realm Address AD.US.FIELDED (CONF:81-7291, 7292, 7296,
// 10024, 10025). The country tests compare string values exactly as the
// schematron does: any country other than the literal "US" lifts the
// state and postal code requirement.
func (r *run) address(n *node) {
	null := n.hasAttr("nullFlavor")
	if sl := n.count("streetAddressLine"); !null && (sl < 1 || sl > 4) {
		r.err("CONF:81-7291", n, "address SHALL contain one to four streetAddressLine")
	}
	if !null && n.count("city") != 1 {
		r.err("CONF:81-7292", n, "address SHALL contain exactly one city")
	}
	if n.mixedText() {
		r.err("CONF:81-7296", n, "address SHALL NOT have mixed content other than white space")
	}
	if null {
		return
	}
	us, other := false, false
	countries := r.children(n, "country")
	for _, c := range countries {
		if c.stringValue() == "US" {
			us = true
		} else {
			other = true
		}
	}
	needsParts := !other && (us || len(countries) == 0)
	if needsParts && !n.has("state") {
		r.err("CONF:81-10024", n, "a US address (country US or absent) SHALL contain state")
	}
	if needsParts && !n.has("postalCode") {
		r.err("CONF:81-10025", n, "a US address (country US or absent) SHALL contain postalCode")
	}
}

// dateTime is US Realm Date and Time DTM.US.FIELDED: at least day
// precision unless null (CONF:81-10127).
func (r *run) dateTime(n *node) {
	if n.hasAttr("nullFlavor") {
		return
	}
	if len([]rune(n.val("value"))) < 8 {
		r.err("CONF:81-10127", n, "time SHALL be precise to the day")
	}
}

// dateInterval is US Realm Date and Time DT.US.FIELDED: @value, low/@value
// and high/@value, where present, at least day precision (CONF:81-10078).
func (r *run) dateInterval(n *node) {
	short := func(v string, ok bool) bool { return ok && len([]rune(v)) < 8 }
	bad := short(n.attr("value"))
	for _, part := range []string{"low", "high"} {
		// The schematron reads the first low/high only.
		if p := n.child(part); p != nil && short(p.attr("value")) {
			bad = true
		}
	}
	if bad {
		r.err("CONF:81-10078", n, "time SHALL be precise to the day")
	}
}

// normalizeSpace is XPath normalize-space for the rules' purposes: it only
// matters whether anything is left.
func normalizeSpace(s string) string {
	start, end := 0, len(s)
	for start < end && isSpace(s[start]) {
		start++
	}
	for end > start && isSpace(s[end-1]) {
		end--
	}
	return s[start:end]
}
