package conformance

// sopRef is a SOP Instance Observation and whether it lies in the DICOM
// Object Catalog.
type sopRef struct {
	obs       *node
	inCatalog bool
}

// localRef is a "#id" reference and the section it occurs in.
type localRef struct {
	ref, section *node
}

// crossChecks runs the rules that relate distant parts of the document,
// after walk has gathered them.
func (r *run) crossChecks() {
	r.narrativeRefs()
	r.imageCatalog()
}

// narrativeID is CDA-NARR-01 (project rule): narrative IDs are unique
// NCNames, so that references can resolve. It records the ID for
// narrativeRefs.
func (r *run) narrativeID(n *node, id string) {
	if !isNCName(id) {
		r.err("CDA-NARR-01", n, "@ID SHALL be an XML NCName")
	}
	if _, dup := r.ids[id]; dup {
		r.err("CDA-NARR-01", n, "@ID SHALL be unique in the document")
		return
	}
	r.ids[id] = n
}

// narrativeRefs is CDA-NARR-02 (project rule, after CDA R2 §4.3.5.1):
// every "#id" reference of an entry resolves to an element of the same
// section's narrative block.
func (r *run) narrativeRefs() {
	for _, lr := range r.refs {
		target := r.ids[lr.ref.val("value")[1:]]
		if target == nil || !inText(target, lr.section) {
			r.err("CDA-NARR-02", lr.ref, "reference SHALL point to an ID in the narrative text of its section")
		}
	}
}

// inText reports whether n lies in section/text of section.
func inText(n, section *node) bool {
	for m := n; m != nil && m.parent != nil; m = m.parent {
		if m.is("text") && m.parent == section {
			return true
		}
	}
	return false
}

// inCatalog reports whether the catalog lists the SOP instance with the
// class, looking the key up without making a string of it.
func (r *run) inCatalog(instance, class string) bool {
	r.key = append(append(append(r.key[:0], instance...), ' '), class...)
	return r.catalogSOP[string(r.key)]
}

// imageCatalog checks that images cited anywhere are listed in the DICOM
// Object Catalog: the catalog SHALL be present when the document references
// DICOM objects (CONF:81-8527; its IG severity is SHALL, the schematron
// does not test it), and every SOP Instance Observation used as evidence
// names an instance the catalog lists (CDA-ENT-16, project rule).
func (r *run) imageCatalog() {
	catalogPresent := len(r.catalogSOP) > 0 || r.catalogIDs > 0
	for _, so := range r.sopObs {
		o := so.obs
		if so.inCatalog {
			continue
		}
		if !catalogPresent {
			r.err("CONF:81-8527", o, "a document that references DICOM images SHALL contain the DICOM Object Catalog section")
			return
		}
		class := o.child("code").val("code")
		for _, id := range r.children(o, "id") {
			if !r.inCatalog(id.val("root"), class) {
				r.err("CDA-ENT-16", o, "an image cited as evidence SHALL be listed, with the same SOP Instance and SOP Class UIDs, in the DICOM Object Catalog")
				break
			}
		}
	}
}
