package cda

import (
	"strings"

	"github.com/beevik/etree"

	"github.com/reportgen/reportgen/content"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/uid"
)

// child appends an element with attributes given as name, value pairs.
// Attributes with an empty value are left out, which is what every
// optional CDA attribute needs.
func child(parent *etree.Element, tag string, attrs ...string) *etree.Element {
	el := parent.CreateElement(tag)
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] != "" {
			el.CreateAttr(attrs[i], attrs[i+1])
		}
	}
	return el
}

// textChild appends an element holding text.
func textChild(parent *etree.Element, tag, text string, attrs ...string) *etree.Element {
	el := child(parent, tag, attrs...)
	el.SetText(text)
	return el
}

func templateID(parent *etree.Element, root, extension string) {
	child(parent, "templateId", "root", root, "extension", extension)
}

// nullFlavor appends an element that says why its value is missing, e.g.
// NI (no information) or UNK (unknown).
func nullFlavor(parent *etree.Element, tag, flavor string) *etree.Element {
	return child(parent, tag, "nullFlavor", flavor)
}

// id appends an II element.
func (e *encoder) id(parent *etree.Element, what, root, extension string) {
	e.ii(parent, "id", what, root, extension)
}

// ii appends an II with the given tag, checking the root: every root here
// is an OID (the DIR forbids UUIDs for the document id, and DICOM UIDs are
// OIDs), and a malformed one would make the identifier meaningless.
func (e *encoder) ii(parent *etree.Element, tag, what, root, extension string) {
	e.checkUID(what, root)
	child(parent, tag, "root", root, "extension", extension)
}

// checkUID records an error when s is not a valid OID / DICOM UID.
func (e *encoder) checkUID(what, s string) {
	if err := uid.Check(s); err != nil {
		e.fail("%s: %w", what, err)
	}
}

// ids appends one II per identifier, the assigning authority as root. With
// none it writes a null flavor when allowed, else records an error.
func (e *encoder) ids(parent *etree.Element, what string, ids []*pb.Identifier, required bool) {
	if len(ids) == 0 {
		if required {
			e.fail("%s needs at least one identifier", what)
		}
		nullFlavor(parent, "id", "NI")
		return
	}
	for _, i := range ids {
		e.id(parent, what+" identifier", i.GetAssigningAuthorityOid(), i.GetValue())
	}
}

// participantIDs appends the ids of the author, the legal authenticator or
// the reading physician, whom the header requires to be identified
// (CONF:1198-5449 ff.). A caller's request must give them (the request
// checks say so), so an empty list there is refused as with ids. A
// document transformed from an SR can only say what the SR says: DICOM
// has the person's identifiers as an optional code sequence, so they may
// be missing, and the person then has an identifier that is not known,
// which is nullFlavor UNK (not NI: the identifier exists). The SR reader
// and the transform report each one.
func (e *encoder) participantIDs(parent *etree.Element, what string, ids []*pb.Identifier) {
	if len(ids) == 0 && e.doc.Transformed() {
		nullFlavor(parent, "id", "UNK")
		return
	}
	e.ids(parent, what, ids, true)
}

// code appends a CD-like element for c, or one with null flavor UNK when c
// is unset.
func (e *encoder) code(parent *etree.Element, tag string, c content.Code, attrs ...string) *etree.Element {
	el := child(parent, tag, attrs...)
	e.setCode(el, c)
	return el
}

// value appends an observation value of type CD.
func (e *encoder) cdValue(parent *etree.Element, c content.Code) *etree.Element {
	return e.code(parent, "value", c, "xsi:type", "CD")
}

// setCode writes c into el's code attributes, or null flavor UNK when c
// is unset.
func (e *encoder) setCode(el *etree.Element, c content.Code) {
	if c.IsZero() {
		el.CreateAttr("nullFlavor", "UNK")
		return
	}
	if c.OID == "" {
		// Without a code system the code cannot be interpreted.
		e.fail("a code of scheme %q has no code system OID", c.Designator)
	}
	el.CreateAttr("code", c.Value)
	el.CreateAttr("codeSystem", c.OID)
	if n := c.SchemeName(); n != "" {
		el.CreateAttr("codeSystemName", n)
	}
	if c.Meaning != "" {
		el.CreateAttr("displayName", c.Meaning)
	}
}

// addr appends an AD.US.FIELDED address, or null flavor NI without one.
func (e *encoder) addr(parent *etree.Element, what string, a *pb.Address, use string) {
	if a == nil {
		nullFlavor(parent, "addr", "NI")
		return
	}
	el := child(parent, "addr", "use", use)
	street := a.GetStreet()
	if len(street) > 4 {
		e.fail("%s address has %d street lines; at most 4 fit", what, len(street))
	}
	if len(street) == 0 {
		nullFlavor(el, "streetAddressLine", "NI")
	}
	for _, s := range street {
		textChild(el, "streetAddressLine", s)
	}
	part := func(tag, v string, required bool) {
		switch {
		case v != "":
			textChild(el, tag, v)
		case required:
			nullFlavor(el, tag, "NI")
		}
	}
	// The US Realm Header needs state and postal code for US addresses and
	// for addresses without country.
	us := a.GetCountry() == "" || strings.EqualFold(a.GetCountry(), "US") || strings.EqualFold(a.GetCountry(), "USA")
	part("city", a.GetCity(), true)
	part("state", a.GetState(), us)
	part("postalCode", a.GetPostalCode(), us)
	part("country", a.GetCountry(), false)
}

// telecoms appends the contact points, or null flavor NI without any.
func telecoms(parent *etree.Element, ts []*pb.Telecom) {
	if len(ts) == 0 {
		nullFlavor(parent, "telecom", "NI")
		return
	}
	for _, t := range ts {
		if t.GetValue() == "" {
			nullFlavor(parent, "telecom", "NI")
			continue
		}
		child(parent, "telecom", "value", t.GetValue(), "use", t.GetUse())
	}
}

// firstTelecom appends exactly one contact point, for elements that allow
// only one.
func firstTelecom(parent *etree.Element, ts []*pb.Telecom) {
	if len(ts) > 1 {
		ts = ts[:1]
	}
	telecoms(parent, ts)
}

// patientName appends a PTN.US.FIELDED name: given names and one family
// name are required. The ideographic and phonetic representations follow
// as names of their own, use "IDE" and "SYL" (CDA R2 EntityNameUse).
func (e *encoder) patientName(parent *etree.Element, n *pb.PersonName) {
	if n.GetFamily() == "" || len(n.GetGiven()) == 0 {
		e.fail("patient name needs a family name and a given name")
	}
	fieldedName(child(parent, "name", "use", "L"), n)
	for _, g := range groups(n) {
		if g.group.GetFamily() == "" || len(g.group.GetGiven()) == 0 {
			e.fail("patient name: the %s representation needs a family name and a given name", g.use)
		}
		fieldedName(child(parent, "name", "use", g.use), groupName(g.group))
	}
}

// nameGroup is an ideographic or phonetic representation with its
// EntityNameUse code.
type nameGroup struct {
	use   string
	group *pb.PersonNameGroup
}

// groups returns the representations of a name beside the alphabetic
// one, in DICOM component group order.
func groups(n *pb.PersonName) []nameGroup {
	var out []nameGroup
	if g := n.GetIdeographic(); g != nil {
		out = append(out, nameGroup{"IDE", g})
	}
	if g := n.GetPhonetic(); g != nil {
		out = append(out, nameGroup{"SYL", g})
	}
	return out
}

func groupName(g *pb.PersonNameGroup) *pb.PersonName {
	return &pb.PersonName{Family: g.GetFamily(), Given: g.GetGiven(), Prefix: g.GetPrefix(), Suffix: g.GetSuffix()}
}

// personName appends a PN.US.FIELDED name, and one more per ideographic
// or phonetic representation (use "IDE", "SYL"). A name without given
// names is written as one string, the form that flavour allows for names
// that do not split into the patient-name parts.
func (e *encoder) personName(parent *etree.Element, what string, n *pb.PersonName) {
	if n.GetFamily() == "" {
		e.fail("%s name needs a family name", what)
	}
	oneName(child(parent, "name"), n)
	for _, g := range groups(n) {
		oneName(child(parent, "name", "use", g.use), groupName(g.group))
	}
}

func oneName(el *etree.Element, n *pb.PersonName) {
	if len(n.GetGiven()) > 0 {
		fieldedName(el, n)
		return
	}
	var parts []string
	for _, p := range []string{n.GetPrefix(), n.GetFamily(), n.GetSuffix()} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	el.SetText(strings.Join(parts, " "))
}

func fieldedName(el *etree.Element, n *pb.PersonName) {
	if n.GetPrefix() != "" {
		textChild(el, "prefix", n.GetPrefix())
	}
	for _, g := range n.GetGiven() {
		textChild(el, "given", g)
	}
	textChild(el, "family", n.GetFamily())
	if n.GetSuffix() != "" {
		textChild(el, "suffix", n.GetSuffix())
	}
}
