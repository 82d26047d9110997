package conformance

import "strings"

// Helpers that read the tree the way the schematron's XPath does: "cda:x"
// steps match elements in the HL7 v3 namespace only, and attribute names
// without a prefix have no namespace.

// is reports whether n is the HL7 element local.
func (n *node) is(local string) bool {
	return n != nil && n.kind == elementNode && n.local == local && n.space == nsHL7
}

// child returns the first HL7 child element named local, or nil.
func (n *node) child(local string) *node {
	if n == nil {
		return nil
	}
	for k := n.first; k != nil; k = k.next {
		if k.is(local) {
			return k
		}
	}
	return nil
}

// children returns the HL7 child elements named local.
func (n *node) children(local string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for k := n.first; k != nil; k = k.next {
		if k.is(local) {
			out = append(out, k)
		}
	}
	return out
}

// count returns the number of HL7 child elements named local.
func (n *node) count(local string) int {
	if n == nil {
		return 0
	}
	c := 0
	for k := n.first; k != nil; k = k.next {
		if k.is(local) {
			c++
		}
	}
	return c
}

// has reports whether n has an HL7 child element named local.
func (n *node) has(local string) bool { return n.child(local) != nil }

// all returns the elements reached from n by the child steps of path, in
// document order, like the XPath "a/b/c".
func (n *node) all(path ...string) []*node {
	cur := []*node{n}
	for _, step := range path {
		var next []*node
		for _, c := range cur {
			for k := c.first; k != nil; k = k.next {
				if k.is(step) {
					next = append(next, k)
				}
			}
		}
		if len(next) == 0 {
			return nil
		}
		cur = next
	}
	return cur
}

// attr returns the value of the attribute local without namespace.
func (n *node) attr(local string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.attrs {
		if a.local == local && a.space == "" {
			return a.value, true
		}
	}
	return "", false
}

// val returns the attribute local, or "" when it is absent.
func (n *node) val(local string) string {
	v, _ := n.attr(local)
	return v
}

// hasAttr reports whether the attribute local is present.
func (n *node) hasAttr(local string) bool {
	_, ok := n.attr(local)
	return ok
}

// attrIs reports whether the attribute local is present with value v.
func (n *node) attrIs(local, v string) bool {
	got, ok := n.attr(local)
	return ok && got == v
}

// xsiType returns xsi:type as written (the schematron compares the
// literal, so "cda:PQ" is not "PQ").
func (n *node) xsiType() string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if a.local == "type" && a.space == nsXSI {
			return a.value
		}
	}
	return ""
}

// countTemplate counts templateId children with root, and with extension
// ext when ext is not "" ("-" asks for no extension at all).
func (n *node) countTemplate(root, ext string) int {
	if n == nil {
		return 0
	}
	c := 0
	for k := n.first; k != nil; k = k.next {
		if !k.is("templateId") || k.val("root") != root {
			continue
		}
		e, has := k.attr("extension")
		switch {
		case ext == "":
			c++
		case ext == "-" && !has:
			c++
		case ext != "-" && has && e == ext:
			c++
		}
	}
	return c
}

// hasTemplate reports whether n carries templateId root (any extension).
func (n *node) hasTemplate(root string) bool { return n.countTemplate(root, "") > 0 }

// elementCount is XPath count(*): child elements of any namespace.
func (n *node) elementCount() int {
	c := 0
	for k := n.first; k != nil; k = k.next {
		if k.kind == elementNode {
			c++
		}
	}
	return c
}

// mixedText reports whether n has direct text that is not white space,
// XPath text()[normalize-space()].
func (n *node) mixedText() bool {
	for k := n.first; k != nil; k = k.next {
		if k.kind == textNode && strings.TrimSpace(k.text) != "" {
			return true
		}
	}
	return false
}

// firstText is XPath string(text()): the first direct text node.
func (n *node) firstText() string {
	for k := n.first; k != nil; k = k.next {
		if k.kind == textNode {
			return k.text
		}
	}
	return ""
}

// stringValue is the XPath string value: all descendant text.
func (n *node) stringValue() string {
	if n.kind == textNode {
		return n.text
	}
	var b strings.Builder
	var walk func(*node)
	walk = func(m *node) {
		for k := m.first; k != nil; k = k.next {
			if k.kind == textNode {
				b.WriteString(k.text)
			} else {
				walk(k)
			}
		}
	}
	walk(n)
	return b.String()
}

// hasContent reports whether n has an element child or non-blank text.
func (n *node) hasContent() bool {
	return n.elementCount() > 0 || n.mixedText()
}
