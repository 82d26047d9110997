package conformance

import "strings"

// Helpers that read the tree the way the schematron's XPath does: "cda:x"
// steps match elements in the HL7 v3 namespace only, and attribute names
// without a prefix have no namespace.

// is reports whether n is the HL7 element local.
func (n *node) is(local string) bool {
	return n != nil && n.hl7 && n.local == local
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

// The rules select elements into node lists that live until the end of
// the run: r.take carves them out of the run's arena, so that the few
// hundred selections of a document allocate nothing once a pooled run has
// its arena.

// arenaBlock is the size of one block of the node-list arena.
const arenaBlock = 1024

// take returns a node list of length k from the arena.
func (r *run) take(k int) []*node {
	if cap(r.arena)-len(r.arena) < k {
		r.arena = make([]*node, 0, max(arenaBlock, k))
	}
	l := len(r.arena)
	r.arena = r.arena[:l+k]
	return r.arena[l : l+k : l+k]
}

// children returns the HL7 child elements of n named local.
func (r *run) children(n *node, local string) []*node {
	k := n.count(local)
	if k == 0 {
		return nil
	}
	out := r.take(k)
	i := 0
	for c := n.first; c != nil; c = c.next {
		if c.is(local) {
			out[i] = c
			i++
		}
	}
	return out
}

// all returns the elements reached from n by the child steps of path, in
// document order, like the XPath "a/b/c".
func (r *run) all(n *node, path ...string) []*node {
	if n == nil || len(path) == 0 {
		return nil
	}
	cur := r.children(n, path[0])
	for _, step := range path[1:] {
		k := 0
		for _, c := range cur {
			k += c.count(step)
		}
		if k == 0 {
			return nil
		}
		next := r.take(k)
		i := 0
		for _, c := range cur {
			for e := c.first; e != nil; e = e.next {
				if e.is(step) {
					next[i] = e
					i++
				}
			}
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
