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
	compat  map[string]bool // root:extension pairs of the compatible-id rule
	ucum    *ucum.System    // the units PQ values may have
	parsers sync.Pool       // of *parser, reused from document to document
}

// Option configures a Checker.
type Option func(*Checker)

// WithUCUM gives the UCUM essence that PQ units are checked against
// (ucum.Load on the synced schema folder). It is required: a checker
// that could not tell a unit from a typo would pass wrong documents.
func WithUCUM(s *ucum.System) Option { return func(c *Checker) { c.ucum = s } }

// New returns a ready Checker. It fails without WithUCUM.
func New(opts ...Option) (*Checker, error) {
	c := &Checker{compat: make(map[string]bool, len(compatTemplateIDs))}
	for _, id := range compatTemplateIDs {
		c.compat[id] = true
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

// run collects the issues of one document.
type run struct {
	c    *Checker
	root *node
	out  issue.List
	// Gathered while walking the body, checked at the end.
	ids        map[string]*node // narrative IDs
	refs       []localRef       // references whose @value starts with "#"
	sopObs     []sopRef         // every SOP Instance Observation
	catalogSOP map[string]bool
	// Caches that keep the cost linear in the document's size.
	position    map[*node]int             // XPath position among same-name siblings
	unversioned map[*node]map[string]bool // templateId roots without extension, per parent
	dropped     int                       // issues beyond maxIssues
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
	if len(r.out) >= maxIssues {
		r.dropped++
		return
	}
	r.out = append(r.out, issue.Issue{Severity: sev, RuleID: rule, Location: r.path(at), Message: msg})
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
	if r.position == nil {
		r.position = map[*node]int{}
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
	r := &run{c: c, root: d.root, ids: map[string]*node{}, catalogSOP: map[string]bool{}}
	cd := d.root
	if !cd.is("ClinicalDocument") {
		r.err("CONF:1198-5252", cd, "the root element is not an HL7 v3 ClinicalDocument")
		return r.out
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
	r.valueRules(cd)
	r.body(cd)
	r.walk(cd)
	r.crossChecks()
	r.warnings(cd)
	if r.dropped > 0 {
		r.out = append(r.out, issue.Issue{Severity: issue.Info, RuleID: RuleLimit, Location: "/ClinicalDocument",
			Message: fmt.Sprintf("%d further issues were not listed", r.dropped)})
	}
	return r.out
}
