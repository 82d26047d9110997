package conformance

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/reportgen/reportgen/issue"
	"github.com/reportgen/reportgen/schemas/ucum"
)

// RuleXML is the rule id of documents that cannot be read as XML.
const RuleXML = "XML"

// Checker checks DIR documents. It holds no per-document state, so one
// Checker is safe for concurrent use.
type Checker struct {
	compat  map[templateRef]bool // templateIds of the compatible-id rule
	ucum    *ucum.System         // the units PQ values may have
	parsers sync.Pool            // of *parser, reused from document to document
	runs    sync.Pool            // of *run, likewise
}

// Option configures a Checker.
type Option func(*Checker)

// WithUCUM gives the UCUM essence that PQ units are checked against
// (ucum.Load on the synced schema folder). It is required: a checker
// that could not tell a unit from a typo would pass wrong documents.
func WithUCUM(s *ucum.System) Option { return func(c *Checker) { c.ucum = s } }

// New returns a ready Checker. It fails without WithUCUM.
func New(opts ...Option) (*Checker, error) {
	c := &Checker{compat: make(map[templateRef]bool, len(compatTemplateIDs))}
	for _, id := range compatTemplateIDs {
		root, ext, _ := strings.Cut(id, ":")
		c.compat[templateRef{root, ext}] = true
	}
	for _, o := range opts {
		o(c)
	}
	if c.ucum == nil {
		return nil, errors.New("conformance: no UCUM essence (WithUCUM): PQ units could not be checked")
	}
	return c, nil
}

// Check parses doc and returns every violation of the DIR rules: errors for
// SHALL statements, warnings for the SHOULDs checked. A document that is
// not well-formed XML gives a single error with rule id RuleXML. Entities
// other than the five predefined ones are refused, never loaded.
func (c *Checker) Check(doc []byte) issue.List {
	p, _ := c.parsers.Get().(*parser)
	if p == nil {
		p = new(parser)
	}
	defer func() {
		p.release()
		c.parsers.Put(p)
	}()
	d, err := p.parse(doc)
	if err != nil {
		var out issue.List
		out.Errorf(RuleXML, "", "not a readable XML document: %v", err)
		return out
	}
	return c.check(d)
}

// run collects the issues of one document. A Checker keeps runs in a
// pool with the parsers: the maps, lists and node-list arena of one
// document serve the next.
type run struct {
	c    *Checker
	root *node
	// The issues in the order Check reports them, one list per segment
	// (see check), and the segment add writes to.
	segs [segments]segment
	seg  int
	// Gathered while walking the body, checked at the end.
	ids          map[string]*node // narrative IDs
	refs         []localRef       // references whose @value starts with "#"
	sopObs       []sopRef         // every SOP Instance Observation
	catalogSOP   map[string]bool
	catalogIDs   int // un-versioned catalog templateIds below the root
	claimsR21Doc bool
	// Caches that keep the cost linear in the document's size.
	position    map[*node]int             // XPath position among same-name siblings
	unversioned map[*node]map[string]bool // templateId roots without extension, per parent
	arena       []*node                   // node lists (see take)
	key         []byte                    // scratch for map lookups
}

// The segments of a run's issue list. The walk over the body gathers
// the issues of the value rules and of the templates in one pass, but
// Check reports the value rules' issues before the body's, and those
// before the templates': each goes to its own segment, and the segments
// are joined in order at the end.
const (
	segHeader    = iota // header rules, and the value rules of the header
	segValues           // value rules of every element (TS, PQ)
	segBody             // structured body
	segTemplates        // templates, narrative IDs, compatible ids
	segEnd              // cross-checks and warnings
	segments
)

// segment is one part of a run's issue list. Each segment keeps at most
// maxIssues issues and counts the rest: the first maxIssues of the joined
// list are then always kept.
type segment struct {
	list    issue.List
	dropped int
}

// newRun returns a pooled or new run for the document rooted at root.
func (c *Checker) newRun(root *node) *run {
	r, _ := c.runs.Get().(*run)
	if r == nil {
		r = &run{ids: map[string]*node{}, catalogSOP: map[string]bool{}, position: map[*node]int{}}
	}
	r.c, r.root = c, root
	return r
}

// Beyond these sizes a run's maps and lists are left to the garbage
// collector rather than kept in the pool: a hostile document may fill
// them with a million entries.
const (
	keepMapEntries = 1024
	keepListItems  = 4096
)

// release clears a run for the pool, keeping nothing of its document.
func (c *Checker) release(r *run) {
	r.c, r.root, r.seg, r.catalogIDs, r.claimsR21Doc = nil, nil, 0, 0, false
	r.segs = [segments]segment{}
	r.ids = reuseMap(r.ids)
	r.catalogSOP = reuseMap(r.catalogSOP)
	r.position = reuseMap(r.position)
	r.unversioned = nil
	r.refs = reuseList(r.refs)
	r.sopObs = reuseList(r.sopObs)
	r.arena = reuseList(r.arena)
	r.key = reuseList(r.key)
	c.runs.Put(r)
}

func reuseMap[K comparable, V any](m map[K]V) map[K]V {
	if len(m) > keepMapEntries {
		return map[K]V{}
	}
	clear(m)
	return m
}

func reuseList[T any](l []T) []T {
	if cap(l) > keepListItems {
		return nil
	}
	clear(l[:cap(l)])
	return l[:0]
}

// maxIssues bounds the issues of one document: a hostile document could
// otherwise repeat a broken element until the list costs more than the
// check. Past it, one RuleLimit issue says how many were left out.
const maxIssues = 1000

// RuleLimit is the rule id of the note that further issues were left out.
const RuleLimit = "DIR-LIMIT"

func (r *run) err(rule string, at *node, msg string) { r.add(issue.Error, rule, at, msg) }

func (r *run) warn(rule string, at *node, msg string) { r.add(issue.Warning, rule, at, msg) }

func (r *run) add(sev issue.Severity, rule string, at *node, msg string) {
	s := &r.segs[r.seg]
	if len(s.list) >= maxIssues {
		s.dropped++
		return
	}
	s.list = append(s.list, issue.Issue{Severity: sev, RuleID: rule, Location: r.path(at), Message: msg})
}

// issues joins the segments: the first maxIssues issues in order, and one
// RuleLimit issue that counts the rest.
func (r *run) issues() issue.List {
	n, dropped := 0, 0
	for _, s := range r.segs {
		n += len(s.list)
		dropped += s.dropped
	}
	if n == 0 && dropped == 0 {
		return nil
	}
	out := make(issue.List, 0, min(n, maxIssues)+1)
	for _, s := range r.segs {
		k := min(len(s.list), maxIssues-len(out))
		out = append(out, s.list[:k]...)
		dropped += len(s.list) - k
	}
	if dropped > 0 {
		out = append(out, issue.Issue{Severity: issue.Info, RuleID: RuleLimit, Location: "/ClinicalDocument",
			Message: fmt.Sprintf("%d further issues were not listed", dropped)})
	}
	return out
}

// path is the location of n as an XPath, e.g.
// "/ClinicalDocument/documentationOf[1]/serviceEvent[1]". Elements outside
// the HL7 namespace are written with a local-name() test.
func (r *run) path(n *node) string {
	if n == nil {
		return ""
	}
	var steps []string
	for m := n; m != nil; m = m.parent {
		name := m.local
		if m.space != nsHL7 {
			name = "*[local-name()='" + m.local + "']"
		}
		if m.parent == nil {
			steps = append(steps, name)
			break
		}
		steps = append(steps, name+"["+strconv.Itoa(r.positionOf(m))+"]")
	}
	var b strings.Builder
	for i := len(steps) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(steps[i])
	}
	return b.String()
}

// positionOf returns the XPath position of m among its same-name
// siblings, numbering all children of m's parent on first use.
func (r *run) positionOf(m *node) int {
	if p, ok := r.position[m]; ok {
		return p
	}
	type name struct{ space, local string }
	seen := map[name]int{}
	for k := m.parent.first; k != nil; k = k.next {
		if k.kind == elementNode {
			nm := name{k.space, k.local}
			seen[nm]++
			r.position[k] = seen[nm]
		}
	}
	return r.position[m]
}

// each applies a constraint to every element of els, reporting each one
// that fails ok. When els is empty and missing is not nil, the constraint
// fails once at missing: that is the case of a required element whose
// parent is absent, which the schematron's unguarded XPath also fails.
func (r *run) each(els []*node, missing *node, rule, msg string, ok func(*node) bool) {
	if len(els) == 0 {
		if missing != nil {
			r.err(rule, missing, msg)
		}
		return
	}
	for _, e := range els {
		if !ok(e) {
			r.err(rule, e, msg)
		}
	}
}

// guard returns at when els is not empty, else nil: for constraints of
// the form "X, if present, SHALL contain Y" whose XPath fails when X is
// present and no Y qualifies.
func guard(els []*node, at *node) *node {
	if len(els) == 0 {
		return nil
	}
	return at
}

func (c *Checker) check(d *document) issue.List {
	r := c.newRun(d.root)
	defer c.release(r)
	cd := d.root
	if !cd.is("ClinicalDocument") {
		r.err("CONF:1198-5252", cd, "the root element is not an HL7 v3 ClinicalDocument")
		return r.issues()
	}
	r.headerTemplates(cd)
	r.headerIdentity(cd)
	r.recordTarget(cd)
	r.authors(cd)
	r.dataEnterer(cd)
	r.custodian(cd)
	r.informationRecipients(cd)
	r.legalAuthenticator(cd)
	r.authenticators(cd)
	r.participants(cd)
	r.inFulfillmentOf(cd)
	r.documentationOf(cd)
	r.relatedDocument(cd)
	r.componentOf(cd)
	r.headerDataTypes(cd)
	r.headerValues(cd)
	// One pass over every element: value rules, templates, narrative IDs
	// and references, the catalog's ids (segValues, segTemplates).
	r.claimsR21Doc = r.claimsR21Document(cd)
	r.visit(cd, nil, false)
	r.seg = segBody
	r.body(cd)
	r.seg = segEnd
	r.crossChecks()
	r.warnings(cd)
	return r.issues()
}
