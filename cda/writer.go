package cda

import (
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// writer is the sink of Encode: it writes the document straight into a
// buffer, with no tree in between, and lays it out as the etree sink does
// (treeBuilder.finish): an element whose children are all elements gets
// each child on a line of its own, indented by tabs; an element with text
// of its own keeps its content exactly as written, nested elements
// included, because in the narrative block added white space would change
// what the reader sees.
//
// Whether an element holds text is known only at its end tag, so the
// writer does not write line breaks as it goes. It records where each
// would go (an edit), and at an end tag keeps the element's edits or drops
// them; finish copies the buffer once, applying the edits kept. White
// space alone is not text: an indented element loses such text, as it
// does in etree's layout, so the writer records that text as a cut.
//
// Escaping is etree's canonical one (WriteSettings CanonicalText and
// CanonicalAttrVal): in text &, <, > and CR; in attribute values &, <, ",
// TAB, LF and CR; in both, characters XML does not allow and invalid UTF-8
// become U+FFFD.
type writer struct {
	buf   []byte
	stack []frame
	edits []edit
}

// frame is an element whose end tag has not been written.
type frame struct {
	tag      string
	open     bool // the start tag still takes attributes: '>' not written
	children bool // it has content (an empty text counts, as in etree)
	elems    bool // it has child elements
	text     bool // it has text that is not white space
	mark     int  // len(edits) when its content began
}

// edit is a line break with n tabs inserted before buf[at], or, with cut,
// n bytes of buf from at left out.
type edit struct {
	at, n int
	cut   bool
}

// maxPooled bounds the buffers kept for reuse, so that one huge document
// does not pin its memory after it is gone.
const maxPooled = 1 << 20

var writers = sync.Pool{New: func() any {
	return &writer{buf: make([]byte, 0, 32<<10), stack: make([]frame, 0, 32), edits: make([]edit, 0, 512)}
}}

func getWriter() *writer { return writers.Get().(*writer) }

func putWriter(w *writer) {
	if cap(w.buf) > maxPooled || cap(w.edits) > maxPooled/16 {
		return
	}
	w.buf, w.stack, w.edits = w.buf[:0], w.stack[:0], w.edits[:0]
	writers.Put(w)
}

// content marks the open element as having content, ending its start tag.
func (w *writer) content() *frame {
	f := &w.stack[len(w.stack)-1]
	if f.open {
		w.buf = append(w.buf, '>')
		f.open = false
	}
	f.children = true
	return f
}

func (w *writer) start(tag string) {
	if depth := len(w.stack); depth > 0 {
		w.content().elems = true
		w.edits = append(w.edits, edit{at: len(w.buf), n: depth})
	}
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, tag...)
	w.stack = append(w.stack, frame{tag: tag, open: true, mark: len(w.edits)})
}

func (w *writer) attrStart(name string) {
	w.buf = append(w.buf, ' ')
	w.buf = append(w.buf, name...)
	w.buf = append(w.buf, '=', '"')
}

func (w *writer) attr(name, value string) {
	w.attrStart(name)
	w.buf = appendEscaped(w.buf, value, &attrEscapes)
	w.buf = append(w.buf, '"')
}

func (w *writer) attrJoin(name, a, b string) {
	w.attrStart(name)
	w.buf = appendEscaped(w.buf, a, &attrEscapes)
	w.buf = appendEscaped(w.buf, b, &attrEscapes)
	w.buf = append(w.buf, '"')
}

// attrTime and attrInt write only digits, signs and letters of the
// layout: nothing to escape.
func (w *writer) attrTime(name string, t time.Time) {
	w.attrStart(name)
	w.buf = t.AppendFormat(w.buf, tsLayout)
	w.buf = append(w.buf, '"')
}

func (w *writer) attrInt(name string, v int) {
	w.attrStart(name)
	w.buf = strconv.AppendInt(w.buf, int64(v), 10)
	w.buf = append(w.buf, '"')
}

func (w *writer) text(s string) {
	f := w.content()
	at := len(w.buf)
	w.buf = appendEscaped(w.buf, s, &textEscapes)
	if strings.TrimSpace(s) != "" {
		f.text = true
	} else if len(w.buf) > at {
		w.edits = append(w.edits, edit{at: at, n: len(w.buf) - at, cut: true})
	}
}

func (w *writer) end() {
	f := w.stack[len(w.stack)-1]
	w.stack = w.stack[:len(w.stack)-1]
	if !f.children {
		w.buf = append(w.buf, '/', '>')
		return
	}
	if f.elems && !f.text {
		// Laid out: the end tag on a line of its own.
		w.edits = append(w.edits, edit{at: len(w.buf), n: len(w.stack)})
	} else {
		// Written as is, nested elements included.
		w.edits = w.edits[:f.mark]
	}
	w.buf = append(w.buf, '<', '/')
	w.buf = append(w.buf, f.tag...)
	w.buf = append(w.buf, '>')
}

// finish returns the document: the XML declaration, the root element
// laid out, a final line end. The bytes are the caller's; the buffer
// goes back to the pool.
func (w *writer) finish() []byte {
	size := len(xmlDecl) + len(w.buf) + 1
	for _, e := range w.edits {
		if e.cut {
			size -= e.n
		} else {
			size += 1 + e.n
		}
	}
	out := make([]byte, 0, size)
	out = append(out, xmlDecl...)
	last := 0
	for _, e := range w.edits {
		out = append(out, w.buf[last:e.at]...)
		if e.cut {
			last = e.at + e.n
			continue
		}
		out = append(out, '\n')
		for n := e.n; n > 0; n -= len(tabs) {
			out = append(out, tabs[:min(n, len(tabs))]...)
		}
		last = e.at
	}
	out = append(out, w.buf[last:]...)
	return append(out, '\n')
}

const tabs = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t"

// Replacements of ASCII bytes in text and in attribute values; "" leaves
// the byte as it is. C0 controls other than TAB, LF and CR are not XML
// characters.
var textEscapes, attrEscapes = escapes("&amp;", "&lt;", "&gt;", "", "", "", "&#xD;"),
	escapes("&amp;", "&lt;", "", "&quot;", "&#x9;", "&#xA;", "&#xD;")

func escapes(amp, lt, gt, quot, tab, lf, cr string) (t [utf8.RuneSelf]string) {
	for c := range 0x20 {
		t[c] = "\uFFFD"
	}
	t['&'], t['<'], t['>'], t['"'], t['\t'], t['\n'], t['\r'] = amp, lt, gt, quot, tab, lf, cr
	return t
}

// appendEscaped appends s with the replacements of table esc, and U+FFFD
// for invalid UTF-8 and for code points outside XML's Char production.
func appendEscaped(buf []byte, s string, esc *[utf8.RuneSelf]string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if r := esc[c]; r != "" {
				buf = append(buf, s[last:i]...)
				buf = append(buf, r...)
				last = i + 1
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || r > 0xD7FF && r < 0xE000 || r == 0xFFFE || r == 0xFFFF {
			buf = append(buf, s[last:i]...)
			buf = append(buf, "\uFFFD"...)
			last = i + n
		}
		i += n
	}
	return append(buf, s[last:]...)
}
