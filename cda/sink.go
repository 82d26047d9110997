package cda

import (
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// sink receives the document from the encoder in document order: a start
// tag, its attributes, then the element's content, then its end. The
// encoder says what the document holds; a sink decides its form. Two sinks
// exist, and the encoder cannot tell them apart:
//
//   - writer (writer.go) puts bytes straight into a pooled buffer. It is
//     what Encode uses.
//   - treeBuilder (below) builds an etree document, which etree then
//     serialises. It is EncodeTree, for callers that want to edit the
//     document as a tree, and the reference the writer is tested
//     against: both must give the same bytes for every document.
type sink interface {
	// start opens a child element of the open element (or the root).
	start(tag string)
	// attr adds an attribute to the element just started, before any
	// content. Empty values are written: leaving out optional
	// attributes is the encoder's decision.
	attr(name, value string)
	// attrJoin adds an attribute whose value is a+b, without the caller
	// building the string (e.g. "#" and a narrative ID).
	attrJoin(name, a, b string)
	// attrTime adds an HL7 TS attribute: t with seconds and UTC offset.
	attrTime(name string, t time.Time)
	// attrInt adds an integer attribute.
	attrInt(name string, v int)
	// text adds character data, even empty: an empty text still makes the
	// element non-empty, as etree's CreateText does.
	text(s string)
	// end closes the open element.
	end()
}

// tsLayout is the HL7 TS form with seconds and UTC offset, the precision
// DTM.US.FIELDED asks for.
const tsLayout = "20060102150405-0700"

// The document's framing: the XML declaration before the root element, a
// line end after it.
const (
	xmlDeclTarget = "xml"
	xmlDeclInst   = `version="1.0" encoding="UTF-8"`
	xmlDecl       = "<?" + xmlDeclTarget + " " + xmlDeclInst + "?>\n"
)

// treeBuilder is the etree sink.
type treeBuilder struct {
	doc   *etree.Document
	stack []*etree.Element
}

func newTreeBuilder() *treeBuilder {
	x := etree.NewDocument()
	x.CreateProcInst(xmlDeclTarget, xmlDeclInst)
	x.CreateText("\n")
	return &treeBuilder{doc: x}
}

func (t *treeBuilder) top() *etree.Element { return t.stack[len(t.stack)-1] }

func (t *treeBuilder) start(tag string) {
	var el *etree.Element
	if len(t.stack) == 0 {
		el = t.doc.CreateElement(tag)
	} else {
		el = t.top().CreateElement(tag)
	}
	t.stack = append(t.stack, el)
}

func (t *treeBuilder) attr(name, value string)    { t.top().CreateAttr(name, value) }
func (t *treeBuilder) attrJoin(name, a, b string) { t.top().CreateAttr(name, a+b) }
func (t *treeBuilder) attrTime(name string, v time.Time) {
	t.top().CreateAttr(name, v.Format(tsLayout))
}
func (t *treeBuilder) attrInt(name string, v int) { t.top().CreateAttr(name, strconv.Itoa(v)) }
func (t *treeBuilder) text(s string)              { t.top().CreateText(s) }
func (t *treeBuilder) end()                       { t.stack = t.stack[:len(t.stack)-1] }

// finish lays the tree out and sets the serialisation the package's
// documents use.
func (t *treeBuilder) finish() *etree.Document {
	indent(t.doc.Root(), 0)
	// Escape only what XML requires, so text reads as written.
	t.doc.WriteSettings.CanonicalText = true
	t.doc.WriteSettings.CanonicalAttrVal = true
	t.doc.CreateText("\n")
	return t.doc
}

// indent lays out the element tree with tabs. Elements holding text are
// left alone: in the narrative block added whitespace would change what the
// reader sees. The writer lays its output out by the same rule.
func indent(el *etree.Element, depth int) {
	if len(el.ChildElements()) == 0 {
		return
	}
	for _, t := range el.Child {
		if c, ok := t.(*etree.CharData); ok && strings.TrimSpace(c.Data) != "" {
			return
		}
	}
	kids := el.ChildElements()
	// Detach from the end, which keeps etree's child indexes consistent.
	for len(el.Child) > 0 {
		el.RemoveChildAt(len(el.Child) - 1)
	}
	pad := "\n" + strings.Repeat("\t", depth+1)
	for _, k := range kids {
		el.CreateText(pad)
		el.AddChild(k)
		indent(k, depth+1)
	}
	el.CreateText("\n" + strings.Repeat("\t", depth))
}
