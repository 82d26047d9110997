package conformance

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// The checker reads documents with its own small XML reader instead of
// encoding/xml, etree or libxml2: on the service's machines parsing a
// typical report with etree alone takes about 0.7 ms and walking a libxml2
// tree through cgo about 0.65 ms, which would spend the whole 1 ms budget
// before any rule ran. This reader slices names and values out of one copy
// of the input and links nodes without per-node slices.
//
// It is deliberately narrow: it accepts well-formed XML 1.0 in UTF-8,
// US-ASCII or ISO-8859-1, resolves namespaces, and refuses what a CDA
// document never needs and a hostile one could abuse: a DOCTYPE (so no
// entity can be declared, let alone loaded from outside) and references
// to any entity but the five predefined ones.

// Namespaces the rules look at.
const (
	nsHL7  = "urn:hl7-org:v3"
	nsXSI  = "http://www.w3.org/2001/XMLSchema-instance"
	nsXML  = "http://www.w3.org/XML/1998/namespace"
	nsSDTC = "urn:hl7-org:sdtc"
)

// Limits that keep a hostile document from costing more than a large
// legitimate one; a C-CDA report nests about 20 deep and has a few
// thousand nodes.
const (
	maxDepth      = 256
	maxNodes      = 1 << 20
	maxAttrs      = 256 // per element
	maxNSBindings = 128 // in scope at once
)

type nodeKind uint8

const (
	elementNode nodeKind = iota
	textNode
)

// node is an element or a text node. Children form a singly linked list;
// text nodes hold the decoded character data of one XPath text node
// (adjacent text and CDATA merged, split by comments and elements).
type node struct {
	kind   nodeKind
	hl7    bool   // an element in the HL7 v3 namespace (space == nsHL7)
	space  string // namespace URI of an element
	local  string // local name of an element
	text   string // content of a text node
	attrs  []attr
	parent *node
	first  *node
	last   *node
	next   *node
}

type attr struct {
	space, local, value string
}

// document is a parsed XML document.
type document struct {
	root *node
}

// parseError describes why a document could not be read; it says where,
// never what text was there.
type parseError struct {
	offset int
	msg    string
}

func (e *parseError) Error() string {
	return fmt.Sprintf("byte %d: %s", e.offset, e.msg)
}

type nsBinding struct {
	prefix, uri string
}

// parser reads one document. A Checker keeps parsers in a pool, so the
// node and attribute blocks, the open-element stack and the namespace
// stack of one document serve the next one instead of being allocated
// anew (on a typical report they were half of the checker's time, most of
// it the garbage collector's).
type parser struct {
	s     string
	pos   int
	ns    []nsBinding
	stack []open
	nodes int // nodes made for this document, against maxNodes
	// Node and attribute blocks: blocks[:cur] are full, blocks[cur] has
	// its first used nodes taken. Nodes are handed out as pointers into
	// the blocks, so a block never grows or moves.
	blocks     [][]node
	cur, used  int
	attrBlocks [][]attr
	attrCur    int
	attrUsed   int
	// Text of the current text node when it comes in several pieces
	// (text, references, CDATA); a single piece is kept as a slice of s.
	text      []byte
	textPiece string
	textParts int
	doc       document
}

// Block sizes, and how much a pooled parser keeps between documents: a
// typical report has about 900 nodes and 1,500 attributes; a hostile one
// may have a million, which are left to the garbage collector.
const (
	nodeBlock     = 512
	attrBlock     = 1024
	keepNodes     = 16 * nodeBlock
	keepAttrs     = 8 * attrBlock
	maxPooledText = 64 << 10
)

// reset prepares a parser for the document s.
func (p *parser) reset(s string) {
	p.s, p.pos, p.nodes = s, 0, 0
	p.ns, p.stack = p.ns[:0], p.stack[:0]
	p.cur, p.used, p.attrCur, p.attrUsed = 0, 0, 0, 0
	p.text, p.textPiece, p.textParts = p.text[:0], "", 0
}

// release drops every reference into the document just read, so that a
// pooled parser holds no document text, and lets go of blocks beyond
// what a large legitimate document needs.
func (p *parser) release() {
	for i := 0; i <= p.cur && i < len(p.blocks); i++ {
		n := len(p.blocks[i])
		if i == p.cur {
			n = p.used
		}
		clear(p.blocks[i][:n])
	}
	for i := 0; i <= p.attrCur && i < len(p.attrBlocks); i++ {
		n := len(p.attrBlocks[i])
		if i == p.attrCur {
			n = p.attrUsed
		}
		clear(p.attrBlocks[i][:n])
	}
	if len(p.blocks) > keepNodes/nodeBlock {
		clear(p.blocks[keepNodes/nodeBlock:])
		p.blocks = p.blocks[:keepNodes/nodeBlock]
	}
	if len(p.attrBlocks) > keepAttrs/attrBlock {
		clear(p.attrBlocks[keepAttrs/attrBlock:])
		p.attrBlocks = p.attrBlocks[:keepAttrs/attrBlock]
	}
	clear(p.ns[:cap(p.ns)])
	clear(p.stack[:cap(p.stack)])
	if cap(p.text) > maxPooledText {
		p.text = nil
	}
	if cap(p.ns) > maxNSBindings*2 {
		p.ns = nil
	}
	if cap(p.stack) > maxDepth*2 {
		p.stack = nil
	}
	p.reset("")
}

// attrSpace returns an empty slice with room for k attributes, carved from
// the attribute blocks so that elements do not each allocate one.
func (p *parser) attrSpace(k int) []attr {
	if k > attrBlock/4 {
		return make([]attr, 0, k)
	}
	if p.attrCur < len(p.attrBlocks) && attrBlock-p.attrUsed < k {
		p.attrCur++
		p.attrUsed = 0
	}
	if p.attrCur == len(p.attrBlocks) {
		p.attrBlocks = append(p.attrBlocks, make([]attr, attrBlock))
		p.attrUsed = 0
	}
	b := p.attrBlocks[p.attrCur]
	l := p.attrUsed
	p.attrUsed += k
	return b[l : l : l+k]
}

// parse reads b into a document whose nodes live in p until p.release.
func (p *parser) parse(b []byte) (*document, error) {
	s, err := decodeInput(b)
	if err != nil {
		return nil, err
	}
	p.reset(s)
	return p.document()
}

// decodeInput returns the document as UTF-8 text, without a byte order
// mark.
//
// A UTF-8 document is not copied: the string shares b's bytes (a copy of
// a typical report was the checker's largest allocation). That is sound
// because the caller does not change b while Check runs, and nothing Check
// returns or keeps refers to the document's text: locations and messages
// are built afresh, and the pooled parser and run clear every reference
// into the document when Check returns (TestIssuesOutliveTheDocument).
func decodeInput(b []byte) (string, error) {
	if len(b) >= 2 && (b[0] == 0xFE && b[1] == 0xFF || b[0] == 0xFF && b[1] == 0xFE) {
		return "", &parseError{0, "UTF-16 documents are not supported"}
	}
	b = trimBOM(b)
	enc := declaredEncoding(b)
	switch enc {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		if !utf8.Valid(b) {
			return "", &parseError{invalidUTF8At(b), "invalid UTF-8"}
		}
		if len(b) == 0 {
			return "", nil
		}
		return unsafe.String(&b[0], len(b)), nil
	case "iso-8859-1", "latin1", "iso_8859-1", "l1":
		// Every byte of ISO-8859-1 is the code point of the same value.
		var sb strings.Builder
		sb.Grow(len(b) + len(b)/8)
		for _, c := range b {
			sb.WriteRune(rune(c))
		}
		return sb.String(), nil
	}
	return "", &parseError{0, "unsupported character encoding declared"}
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// declaredEncoding returns the lower-cased encoding pseudo-attribute of
// the XML declaration, or "".
func declaredEncoding(b []byte) string {
	if len(b) < 5 || string(b[:5]) != "<?xml" {
		return ""
	}
	end := -1
	for i := 5; i+1 < len(b) && i < 512; i++ {
		if b[i] == '?' && b[i+1] == '>' {
			end = i
			break
		}
	}
	if end < 0 {
		return ""
	}
	decl := unsafe.String(&b[5], end-5) // read here only, never kept
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if !strings.HasPrefix(rest, "=") {
		return ""
	}
	rest = strings.TrimLeft(rest[1:], " \t\r\n")
	if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	j := strings.IndexByte(rest[1:], q)
	if j < 0 {
		return ""
	}
	return strings.ToLower(rest[1 : 1+j])
}

func (p *parser) fail(msg string) error {
	return &parseError{p.pos, msg}
}

func (p *parser) newNode(kind nodeKind) (*node, error) {
	p.nodes++
	if p.nodes > maxNodes {
		return nil, p.fail("document has too many nodes to check")
	}
	if p.cur < len(p.blocks) && p.used == nodeBlock {
		p.cur++
		p.used = 0
	}
	if p.cur == len(p.blocks) {
		p.blocks = append(p.blocks, make([]node, nodeBlock))
		p.used = 0
	}
	n := &p.blocks[p.cur][p.used]
	p.used++
	n.kind = kind
	return n, nil
}

func appendChild(parent, child *node) {
	child.parent = parent
	if parent.last == nil {
		parent.first = child
	} else {
		parent.last.next = child
	}
	parent.last = child
}

// addText adds a piece of character data to the current text node.
func (p *parser) addText(piece string) {
	switch p.textParts {
	case 0:
		p.textPiece = piece
	case 1:
		p.text = append(append(p.text[:0], p.textPiece...), piece...)
	default:
		p.text = append(p.text, piece...)
	}
	p.textParts++
}

// flush ends the current text node.
func (p *parser) flush() error {
	if p.textParts == 0 {
		return nil
	}
	txt := p.textPiece
	if p.textParts > 1 {
		txt = string(p.text)
	}
	p.textPiece, p.textParts = "", 0
	blank := isBlank(txt)
	if len(p.stack) == 0 {
		if !blank {
			return p.fail("text outside the root element")
		}
		return nil
	}
	// White space between child elements is never looked at: the
	// rules read text only of elements without element children
	// (names, address parts) or ask for text that is not blank. Not
	// keeping it saves a third of the nodes of an indented document.
	if parent := p.stack[len(p.stack)-1].n; blank && parent.last != nil && parent.last.kind == elementNode {
		return nil
	}
	t, err := p.newNode(textNode)
	if err != nil {
		return err
	}
	t.text = txt
	appendChild(p.stack[len(p.stack)-1].n, t)
	return nil
}

func (p *parser) document() (*document, error) {
	d := &p.doc
	d.root = nil
	if strings.HasPrefix(p.s, "<?xml") && len(p.s) > 5 && isSpace(p.s[5]) {
		end := strings.Index(p.s, "?>")
		if end < 0 {
			return nil, p.fail("unterminated XML declaration")
		}
		p.pos = end + 2
	}
	s := p.s
	for p.pos < len(s) {
		if s[p.pos] != '<' {
			// Indentation between tags, most of a document's text, needs
			// neither a search for '<' nor decoding.
			i := p.pos
			for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
				i++
			}
			if i < len(s) && s[i] == '<' {
				p.addText(s[p.pos:i])
				p.pos = i
				continue
			}
			end := strings.IndexByte(s[p.pos:], '<')
			if end < 0 {
				end = len(s) - p.pos
			}
			raw := s[p.pos : p.pos+end]
			txt, err := p.decodeText(raw)
			if err != nil {
				return nil, err
			}
			p.addText(txt)
			p.pos += end
			continue
		}
		rest := s[p.pos:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				return nil, p.fail("unterminated comment")
			}
			if err := p.flush(); err != nil {
				return nil, err
			}
			p.pos += 4 + end + 3
		case strings.HasPrefix(rest, "<![CDATA["):
			if len(p.stack) == 0 {
				return nil, p.fail("CDATA outside the root element")
			}
			end := strings.Index(rest[9:], "]]>")
			if end < 0 {
				return nil, p.fail("unterminated CDATA section")
			}
			p.addText(rest[9 : 9+end])
			p.pos += 9 + end + 3
		case strings.HasPrefix(rest, "<!"):
			// DOCTYPE and any other markup declaration: refused, so that
			// no entity can be declared or fetched.
			return nil, p.fail("DOCTYPE and markup declarations are not accepted")
		case strings.HasPrefix(rest, "<?"):
			end := strings.Index(rest[2:], "?>")
			if end < 0 {
				return nil, p.fail("unterminated processing instruction")
			}
			if strings.EqualFold(strings.TrimRight(rest[2:min(2+end, 6)], " \t\r\n"), "xml") {
				return nil, p.fail("misplaced XML declaration")
			}
			if err := p.flush(); err != nil {
				return nil, err
			}
			p.pos += 2 + end + 2
		case strings.HasPrefix(rest, "</"):
			if err := p.flush(); err != nil {
				return nil, err
			}
			if len(p.stack) == 0 {
				return nil, p.fail("end tag without start tag")
			}
			p.pos += 2
			qname := p.name()
			if qname == "" {
				return nil, p.fail("malformed end tag")
			}
			p.skipSpace()
			if p.pos >= len(s) || s[p.pos] != '>' {
				return nil, p.fail("malformed end tag")
			}
			p.pos++
			top := p.stack[len(p.stack)-1]
			if top.n.local != localPart(qname) || top.n.space != p.lookupElementNS(qname) {
				return nil, p.fail("end tag does not match start tag")
			}
			p.ns = p.ns[:len(p.ns)-top.pushed]
			p.stack = p.stack[:len(p.stack)-1]
		default:
			if err := p.flush(); err != nil {
				return nil, err
			}
			if len(p.stack) == 0 && d.root != nil {
				return nil, p.fail("more than one root element")
			}
			if len(p.stack) >= maxDepth {
				return nil, p.fail("elements nested too deep to check")
			}
			n, pushed, selfClosing, err := p.startTag()
			if err != nil {
				return nil, err
			}
			if len(p.stack) == 0 {
				d.root = n
			} else {
				appendChild(p.stack[len(p.stack)-1].n, n)
			}
			if selfClosing {
				p.ns = p.ns[:len(p.ns)-pushed]
			} else {
				p.stack = append(p.stack, open{n, pushed})
			}
		}
	}
	if err := p.flush(); err != nil {
		return nil, err
	}
	if len(p.stack) > 0 {
		return nil, p.fail("document ends inside an element")
	}
	if d.root == nil {
		return nil, p.fail("no root element")
	}
	return d, nil
}

// open is an element whose end tag has not been read yet, with the number
// of namespace bindings its start tag declared.
type open struct {
	n      *node
	pushed int
}

// isBlank reports whether s is nothing but XML white space.
func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

func (p *parser) skipSpace() {
	for p.pos < len(p.s) && isSpace(p.s[p.pos]) {
		p.pos++
	}
}

// name reads a qualified name. It accepts any run of characters that are
// not XML delimiters: the CDA schema check rejects odd names anyway, and
// the rules only compare names with known ones.
func (p *parser) name() string {
	start := p.pos
	for p.pos < len(p.s) && !nameStop[p.s[p.pos]] {
		p.pos++
	}
	return p.s[start:p.pos]
}

// nameStop marks the bytes that end a name.
var nameStop = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\n>/=<\"'&") {
		t[c] = true
	}
	return t
}()

func localPart(q string) string {
	if i := strings.IndexByte(q, ':'); i >= 0 {
		return q[i+1:]
	}
	return q
}

func (p *parser) lookup(prefix string) (string, bool) {
	for i := len(p.ns) - 1; i >= 0; i-- {
		if p.ns[i].prefix == prefix {
			return p.ns[i].uri, true
		}
	}
	switch prefix {
	case "":
		return "", true
	case "xml":
		return nsXML, true
	}
	return "", false
}

func (p *parser) lookupElementNS(q string) string {
	prefix := ""
	if i := strings.IndexByte(q, ':'); i >= 0 {
		prefix = q[:i]
	}
	uri, _ := p.lookup(prefix)
	return uri
}

type rawAttr struct {
	qname, value string
}

// startTag reads "<name attr="v" ...>" or "/>" from p.pos, which is at
// '<', and pushes the namespace bindings it declares.
func (p *parser) startTag() (*node, int, bool, error) {
	s := p.s
	p.pos++
	qname := p.name()
	if c := strings.IndexByte(qname, ':'); qname == "" || c == 0 || c == len(qname)-1 || c > 0 && strings.IndexByte(qname[c+1:], ':') >= 0 {
		return nil, 0, false, p.fail("malformed element name")
	}
	var raws [16]rawAttr
	attrs := raws[:0]
	selfClosing := false
	for {
		hadSpace := p.pos < len(s) && isSpace(s[p.pos])
		p.skipSpace()
		if p.pos >= len(s) {
			return nil, 0, false, p.fail("document ends inside a start tag")
		}
		if s[p.pos] == '>' {
			p.pos++
			break
		}
		if s[p.pos] == '/' {
			if p.pos+1 >= len(s) || s[p.pos+1] != '>' {
				return nil, 0, false, p.fail("malformed start tag")
			}
			p.pos += 2
			selfClosing = true
			break
		}
		if !hadSpace {
			return nil, 0, false, p.fail("attributes must be separated by white space")
		}
		an := p.name()
		if an == "" {
			return nil, 0, false, p.fail("malformed attribute")
		}
		p.skipSpace()
		if p.pos >= len(s) || s[p.pos] != '=' {
			return nil, 0, false, p.fail("attribute without value")
		}
		p.pos++
		p.skipSpace()
		if p.pos >= len(s) || (s[p.pos] != '"' && s[p.pos] != '\'') {
			return nil, 0, false, p.fail("attribute value must be quoted")
		}
		// One scan finds the closing quote and tells whether the value
		// holds a '<' or anything to decode.
		q := s[p.pos]
		end, class := p.pos+1, attrPlain
		for ; end < len(s) && s[end] != q; end++ {
			class = max(class, attrByte[s[end]])
		}
		if end == len(s) {
			return nil, 0, false, p.fail("unterminated attribute value")
		}
		if class == attrLess {
			return nil, 0, false, p.fail("'<' in attribute value")
		}
		v := s[p.pos+1 : end]
		if class == attrDecode {
			var err error
			if v, err = p.decodeRefs(v, true); err != nil {
				return nil, 0, false, err
			}
		}
		p.pos = end + 1
		if len(attrs) >= maxAttrs {
			return nil, 0, false, p.fail("too many attributes on one element")
		}
		for _, a := range attrs {
			if a.qname == an {
				return nil, 0, false, p.fail("repeated attribute")
			}
		}
		attrs = append(attrs, rawAttr{an, v})
	}

	n, err := p.newNode(elementNode)
	if err != nil {
		return nil, 0, false, err
	}
	pushed := 0
	for _, a := range attrs {
		switch {
		case a.qname == "xmlns":
			p.ns = append(p.ns, nsBinding{"", a.value})
			pushed++
		case strings.HasPrefix(a.qname, "xmlns:"):
			if a.value == "" {
				return nil, 0, false, p.fail("empty namespace name for a prefix")
			}
			p.ns = append(p.ns, nsBinding{a.qname[6:], a.value})
			pushed++
		}
	}
	if len(p.ns) > maxNSBindings {
		return nil, 0, false, p.fail("too many namespace declarations in scope")
	}
	prefix, local := "", qname
	if i := strings.IndexByte(qname, ':'); i >= 0 {
		prefix, local = qname[:i], qname[i+1:]
	}
	uri, ok := p.lookup(prefix)
	if !ok {
		return nil, 0, false, p.fail("undeclared namespace prefix")
	}
	n.space, n.local, n.hl7 = uri, local, uri == nsHL7
	if len(attrs) > pushed {
		n.attrs = p.attrSpace(len(attrs) - pushed)
		for _, a := range attrs {
			if a.qname == "xmlns" || strings.HasPrefix(a.qname, "xmlns:") {
				continue
			}
			var sp, lo string
			if i := strings.IndexByte(a.qname, ':'); i >= 0 {
				u, ok := p.lookup(a.qname[:i])
				if !ok || a.qname[:i] == "" {
					return nil, 0, false, p.fail("undeclared namespace prefix on attribute")
				}
				sp, lo = u, a.qname[i+1:]
			} else {
				lo = a.qname
			}
			for _, b := range n.attrs {
				if b.space == sp && b.local == lo {
					return nil, 0, false, p.fail("repeated attribute")
				}
			}
			n.attrs = append(n.attrs, attr{sp, lo, a.value})
		}
	}
	return n, pushed, selfClosing, nil
}

// decodeText resolves the character and predefined entity references of
// character data.
func (p *parser) decodeText(raw string) (string, error) {
	if strings.IndexByte(raw, '&') < 0 && strings.IndexByte(raw, '\r') < 0 {
		return raw, nil
	}
	return p.decodeRefs(raw, false)
}

// Classes of the bytes of an attribute value: attrDecode marks those
// decodeRefs changes (references, and white space that normalisation
// turns into spaces), attrLess the '<' no value may hold.
const (
	attrPlain uint8 = iota
	attrDecode
	attrLess
)

var attrByte = func() (t [256]uint8) {
	for _, c := range []byte("&\r\t\n") {
		t[c] = attrDecode
	}
	t['<'] = attrLess
	return t
}()

// decodeRefs resolves character and predefined entity references; in an
// attribute value (inAttr) it also turns white-space characters into
// spaces, as XML attribute-value normalisation does.
func (p *parser) decodeRefs(raw string, inAttr bool) (string, error) {
	if !inAttr && strings.Contains(raw, "]]>") {
		return "", p.fail("']]>' in character data")
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '&':
			end := strings.IndexByte(raw[i:], ';')
			if end < 0 {
				return "", p.fail("unterminated entity reference")
			}
			ref := raw[i+1 : i+end]
			switch ref {
			case "lt":
				b.WriteByte('<')
			case "gt":
				b.WriteByte('>')
			case "amp":
				b.WriteByte('&')
			case "quot":
				b.WriteByte('"')
			case "apos":
				b.WriteByte('\'')
			default:
				r, ok := charRef(ref)
				if !ok {
					return "", p.fail("reference to an undeclared entity")
				}
				b.WriteRune(r)
			}
			i += end
		case c == '\r':
			// Line ends are normalised to LF; "\r\n" counts once.
			if i+1 < len(raw) && raw[i+1] == '\n' {
				continue
			}
			if inAttr {
				b.WriteByte(' ')
			} else {
				b.WriteByte('\n')
			}
		case inAttr && (c == '\t' || c == '\n'):
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func charRef(ref string) (rune, bool) {
	if len(ref) < 2 || ref[0] != '#' {
		return 0, false
	}
	var v uint64
	var err error
	if ref[1] == 'x' {
		v, err = strconv.ParseUint(ref[2:], 16, 32)
	} else {
		v, err = strconv.ParseUint(ref[1:], 10, 32)
	}
	if err != nil {
		return 0, false
	}
	r := rune(v)
	// XML Char production: no NUL, no surrogates, nothing above U+10FFFF,
	// and of the C0 controls only tab, LF and CR.
	if r == 0 || (r < 0x20 && r != 0x9 && r != 0xA && r != 0xD) || (r >= 0xD800 && r <= 0xDFFF) || r == 0xFFFE || r == 0xFFFF || r > 0x10FFFF {
		return 0, false
	}
	return r, true
}
