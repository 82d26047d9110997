package sr

import (
	"slices"
	"strconv"

	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/issue"
)

// Validate checks a DICOM Part 10 SR file against the SR rules of
// validation-rules.md part A that need no knowledge of the request: file
// structure, IOD, module attributes, content items, evidence, UIDs, values
// and the root of TID 2000, which every report of this project follows.
// It returns every issue found; a file it cannot read is one error issue.
// It reads any bytes without panicking: every length and type is checked
// before use.
//
// Locations are tag paths with 1-based item numbers, e.g.
// "(0040,A730)[2]/(0040,A730)[1]/(0040,A160)". Messages name attributes
// and rules, never values, since values can be patient data.
func Validate(b []byte) issue.List {
	a := getArena()
	defer a.release()
	if f := a.parse(b); f != nil {
		validateFile(f, &a.issues)
	}
	if len(a.issues) == 0 {
		return nil
	}
	return slices.Clone(a.issues)
}

// validateFile applies every rule to a parsed file, adding to l. Read
// shares it, so a file is parsed once.
func validateFile(f *file, l *issue.List) {
	a := f.arena
	v := validator{l: l, f: f, ds: f.ds, refs: a.refs[:0], byRef: a.byRef[:0], text: a.text[:0]}
	v.fileRules()
	v.iodRule()
	v.moduleRules()
	v.contentRules()
	v.templateRules()
	v.evidenceRules()
	v.valueRules()
	// The scratch goes back to the arena, emptied: its strings share the
	// file's bytes.
	clear(v.refs)
	clear(v.byRef)
	a.refs, a.byRef, a.text = v.refs[:0], v.byRef[:0], v.text[:0]
}

// validator holds one run of Validate. Its strings are views of the file
// (dataset.view): they live as long as the run.
type validator struct {
	l  *issue.List
	f  *file
	ds *dataset
	// iod is the SOP Class UID when it names an SR IOD, else "": the IOD
	// tables are then not applied.
	iod  string
	kind iodKind // the IOD of iod for the compiled tables
	// refs are the instances referenced by IMAGE, COMPOSITE and WAVEFORM
	// items, for the evidence check.
	refs []instanceRef
	// byRef are the by-reference content items, checked once the tree
	// has been walked.
	byRef []byRefItem
	// text is scratch for values decoded from their character set.
	text []byte
}

// instanceRef is a reference to an instance from the Referenced SOP
// Sequence item sop.
type instanceRef struct {
	class, instance string
	sop             *dataset
}

// byRefItem is a by-reference content item, its Relationship Type and
// the value type of its parent.
type byRefItem struct {
	ds            *dataset
	rel, parentVT string
}

// owner names what a required attribute belongs to in a message: name,
// followed by the item number when there is one, or the item of sequence
// seq. The message is made only for an issue.
type owner struct {
	name string
	item int
	seq  tag.Tag
}

func (o owner) String() string {
	switch {
	case o.seq != (tag.Tag{}):
		return tagName(o.seq) + " item"
	case o.item > 0:
		return o.name + " " + strconv.Itoa(o.item)
	}
	return o.name
}

// need reports a missing Type 1 or Type 2 attribute of ds under rule: Type
// 1 must have a value (a sequence at least one item), Type 2 must be
// present.
func (v *validator) need(rule string, ds *dataset, t tag.Tag, typ int, what owner) *element {
	e := ds.get(t)
	switch {
	case e == nil:
		v.l.Errorf(rule, ds.at(t), "Type %d attribute %s of %s is missing", typ, tagName(t), what.String())
	case typ == 1 && e.empty():
		v.l.Errorf(rule, e.loc(), "Type 1 attribute %s of %s is empty", tagName(t), what.String())
	}
	return e
}
