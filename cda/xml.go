package cda

import (
	"strings"
	"time"

	"github.com/reportgen/reportgen/content"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/uid"
)

// open starts an element with attributes given as name, value pairs.
// Attributes with an empty value are left out, which is what every
// optional CDA attribute needs.
func (e *encoder) open(tag string, attrs ...string) {
	e.w.start(tag)
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] != "" {
			e.w.attr(attrs[i], attrs[i+1])
		}
	}
}

// close ends the element opened last.
func (e *encoder) close() { e.w.end() }

// empty writes an element without content.
func (e *encoder) empty(tag string, attrs ...string) {
	e.open(tag, attrs...)
	e.close()
}

// textElement writes an element holding text; empty text leaves it empty.
func (e *encoder) textElement(tag, text string, attrs ...string) {
	e.open(tag, attrs...)
	if text != "" {
		e.w.text(text)
	}
	e.close()
}

func (e *encoder) templateID(root, extension string) {
	e.empty("templateId", "root", root, "extension", extension)
}

// nullFlavor writes an element that says why its value is missing, e.g.
// NI (no information) or UNK (unknown).
func (e *encoder) nullFlavor(tag, flavor string) { e.empty(tag, "nullFlavor", flavor) }

// id writes an II element.
func (e *encoder) id(what, root, extension string) { e.ii("id", what, root, extension) }

// ii writes an II with the given tag, checking the root: every root here
// is an OID (the DIR forbids UUIDs for the document id, and DICOM UIDs are
// OIDs), and a malformed one would make the identifier meaningless.
func (e *encoder) ii(tag, what, root, extension string) {
	e.checkUID(what, root)
	e.empty(tag, "root", root, "extension", extension)
}

// checkUID records an error when s is not a valid OID / DICOM UID.
func (e *encoder) checkUID(what, s string) {
	if err := uid.Check(s); err != nil {
		e.fail("%s: %w", what, err)
	}
}

// ids writes one II per identifier, the assigning authority as root. With
// none it writes a null flavor when allowed, else records an error.
func (e *encoder) ids(what string, ids []*pb.Identifier, required bool) {
	if len(ids) == 0 {
		if required {
			e.fail("%s needs at least one identifier", what)
		}
		e.nullFlavor("id", "NI")
		return
	}
	for _, i := range ids {
		if err := uid.Check(i.GetAssigningAuthorityOid()); err != nil {
			e.fail("%s identifier: %w", what, err)
		}
		e.empty("id", "root", i.GetAssigningAuthorityOid(), "extension", i.GetValue())
	}
}

// participantIDs writes the ids of the author, the legal authenticator or
// the reading physician, whom the header requires to be identified
// (CONF:1198-5449 ff.). A caller's request must give them (the request
// checks say so), so an empty list there is refused as with ids. A
// document transformed from an SR can only say what the SR says: DICOM
// has the person's identifiers as an optional code sequence, so they may
// be missing, and the person then has an identifier that is not known,
// which is nullFlavor UNK (not NI: the identifier exists). The SR reader
// and the transform report each one.
func (e *encoder) participantIDs(what string, ids []*pb.Identifier) {
	if len(ids) == 0 && e.doc.Transformed() {
		e.nullFlavor("id", "UNK")
		return
	}
	e.ids(what, ids, true)
}

// openCode starts a CD-like element for c, or one with null flavor UNK
// when c is unset; the caller writes its content and closes it.
func (e *encoder) openCode(tag string, c content.Code, attrs ...string) {
	e.open(tag, attrs...)
	e.codeAttrs(c)
}

// code writes a CD-like element for c, or one with null flavor UNK when c
// is unset.
func (e *encoder) code(tag string, c content.Code, attrs ...string) {
	e.openCode(tag, c, attrs...)
	e.close()
}

// cdValue writes an observation value of type CD.
func (e *encoder) cdValue(c content.Code) { e.code("value", c, "xsi:type", "CD") }

// codeAttrs writes c's code attributes on the element just started, or
// null flavor UNK when c is unset.
func (e *encoder) codeAttrs(c content.Code) {
	if c.IsZero() {
		e.w.attr("nullFlavor", "UNK")
		return
	}
	if c.OID == "" {
		// Without a code system the code cannot be interpreted.
		e.fail("a code of scheme %q has no code system OID", c.Designator)
	}
	e.w.attr("code", c.Value)
	e.w.attr("codeSystem", c.OID)
	if n := c.SchemeName(); n != "" {
		e.w.attr("codeSystemName", n)
	}
	if c.Meaning != "" {
		e.w.attr("displayName", c.Meaning)
	}
}

// time writes a TS element, refusing the zero time, which would otherwise
// be written as year 1.
func (e *encoder) time(tag, what string, t time.Time) {
	if t.IsZero() {
		e.fail("%s is missing", what)
	}
	e.w.start(tag)
	e.w.attrTime("value", t)
	e.w.end()
}

// addr writes an AD.US.FIELDED address, or null flavor NI without one.
func (e *encoder) addr(what string, a *pb.Address, use string) {
	if a == nil {
		e.nullFlavor("addr", "NI")
		return
	}
	e.open("addr", "use", use)
	street := a.GetStreet()
	if len(street) > 4 {
		e.fail("%s address has %d street lines; at most 4 fit", what, len(street))
	}
	if len(street) == 0 {
		e.nullFlavor("streetAddressLine", "NI")
	}
	for _, s := range street {
		e.textElement("streetAddressLine", s)
	}
	// The US Realm Header needs state and postal code for US addresses and
	// for addresses without country.
	us := a.GetCountry() == "" || strings.EqualFold(a.GetCountry(), "US") || strings.EqualFold(a.GetCountry(), "USA")
	e.addrPart("city", a.GetCity(), true)
	e.addrPart("state", a.GetState(), us)
	e.addrPart("postalCode", a.GetPostalCode(), us)
	e.addrPart("country", a.GetCountry(), false)
	e.close()
}

func (e *encoder) addrPart(tag, v string, required bool) {
	switch {
	case v != "":
		e.textElement(tag, v)
	case required:
		e.nullFlavor(tag, "NI")
	}
}

// telecoms writes the contact points, or null flavor NI without any.
func (e *encoder) telecoms(ts []*pb.Telecom) {
	if len(ts) == 0 {
		e.nullFlavor("telecom", "NI")
		return
	}
	for _, t := range ts {
		if t.GetValue() == "" {
			e.nullFlavor("telecom", "NI")
			continue
		}
		e.empty("telecom", "value", t.GetValue(), "use", t.GetUse())
	}
}

// firstTelecom writes exactly one contact point, for elements that allow
// only one.
func (e *encoder) firstTelecom(ts []*pb.Telecom) {
	if len(ts) > 1 {
		ts = ts[:1]
	}
	e.telecoms(ts)
}

// nameParts are the parts of one representation of a person name.
type nameParts struct {
	family, prefix, suffix string
	given                  []string
}

func partsOf(n *pb.PersonName) nameParts {
	return nameParts{family: n.GetFamily(), prefix: n.GetPrefix(), suffix: n.GetSuffix(), given: n.GetGiven()}
}

func groupParts(g *pb.PersonNameGroup) nameParts {
	return nameParts{family: g.GetFamily(), prefix: g.GetPrefix(), suffix: g.GetSuffix(), given: g.GetGiven()}
}

// The EntityNameUse codes of a name's ideographic and phonetic
// representations (CDA R2), written after the alphabetic one in DICOM
// component group order.
const (
	useIdeographic = "IDE"
	usePhonetic    = "SYL"
)

// patientName writes a PTN.US.FIELDED name: given names and one family
// name are required. The ideographic and phonetic representations follow
// as names of their own.
func (e *encoder) patientName(n *pb.PersonName) {
	if n.GetFamily() == "" || len(n.GetGiven()) == 0 {
		e.fail("patient name needs a family name and a given name")
	}
	e.open("name", "use", "L")
	e.fieldedName(partsOf(n))
	e.close()
	e.patientGroup(n.GetIdeographic(), useIdeographic)
	e.patientGroup(n.GetPhonetic(), usePhonetic)
}

func (e *encoder) patientGroup(g *pb.PersonNameGroup, use string) {
	if g == nil {
		return
	}
	if g.GetFamily() == "" || len(g.GetGiven()) == 0 {
		e.fail("patient name: the %s representation needs a family name and a given name", use)
	}
	e.open("name", "use", use)
	e.fieldedName(groupParts(g))
	e.close()
}

// personName writes a PN.US.FIELDED name, and one more per ideographic
// or phonetic representation. A name without given names is written as
// one string, the form that flavour allows for names that do not split
// into the patient-name parts.
func (e *encoder) personName(what string, n *pb.PersonName) {
	if n.GetFamily() == "" {
		e.fail("%s name needs a family name", what)
	}
	e.open("name")
	e.oneName(partsOf(n))
	e.close()
	if g := n.GetIdeographic(); g != nil {
		e.open("name", "use", useIdeographic)
		e.oneName(groupParts(g))
		e.close()
	}
	if g := n.GetPhonetic(); g != nil {
		e.open("name", "use", usePhonetic)
		e.oneName(groupParts(g))
		e.close()
	}
}

// oneName writes the content of a name element: fielded with given
// names, else prefix, family and suffix as one string.
func (e *encoder) oneName(n nameParts) {
	if len(n.given) > 0 {
		e.fieldedName(n)
		return
	}
	sep := false
	for _, p := range [...]string{n.prefix, n.family, n.suffix} {
		if p == "" {
			continue
		}
		if sep {
			e.w.text(" ")
		}
		e.w.text(p)
		sep = true
	}
}

func (e *encoder) fieldedName(n nameParts) {
	if n.prefix != "" {
		e.textElement("prefix", n.prefix)
	}
	for _, g := range n.given {
		e.textElement("given", g)
	}
	e.textElement("family", n.family)
	if n.suffix != "" {
		e.textElement("suffix", n.suffix)
	}
}
