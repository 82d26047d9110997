package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"unicode/utf8"
)

// maxJSONDepth bounds the nesting of a template file; the format needs 5.
const maxJSONDepth = 16

type jkind uint8

const (
	jObject jkind = iota + 1
	jArray
	jString
	jNumber
	jBool
	jNull
)

func (k jkind) String() string {
	switch k {
	case jObject:
		return "an object"
	case jArray:
		return "an array"
	case jString:
		return "a string"
	case jNumber:
		return "a number"
	case jBool:
		return "true or false"
	case jNull:
		return "null"
	}
	return "nothing"
}

// jvalue is one JSON value with the byte offset where it starts, so that
// every rule the loader checks can point at the line that breaks it. The
// standard decoder into structs loses positions, and a template author
// needs them more than anything else in an error.
type jvalue struct {
	kind   jkind
	off    int
	str    string
	num    json.Number
	b      bool
	fields []jfield // objects, in file order
	elems  []*jvalue
}

type jfield struct {
	name string
	off  int // offset of the key
	val  *jvalue
}

// field returns the object's field with the name, or nil.
func (v *jvalue) field(name string) *jfield {
	for i := range v.fields {
		if v.fields[i].name == name {
			return &v.fields[i]
		}
	}
	return nil
}

// syntaxError is a JSON syntax error at a byte offset.
type syntaxError struct {
	off  int
	rule string
	msg  string
}

func (e *syntaxError) Error() string { return e.msg }

// parseJSON reads one JSON value (the whole input) into a tree with
// offsets. Duplicate keys are refused: JSON allows them, but in a template
// the second would silently win.
func parseJSON(src []byte) (*jvalue, error) {
	if !utf8.Valid(src) {
		return nil, &syntaxError{off: firstInvalidUTF8(src), rule: RuleEncoding, msg: "the file is not valid UTF-8"}
	}
	p := &jparser{src: src, dec: json.NewDecoder(bytes.NewReader(src))}
	p.dec.UseNumber()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	off := p.next()
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &syntaxError{off: off, rule: RuleJSON, msg: "unexpected data after the template object"}
	}
	return v, nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

type jparser struct {
	src []byte
	dec *json.Decoder
}

// next returns the offset of the next token: the decoder's offset is the
// end of the previous token, before any white space and separators.
func (p *jparser) next() int {
	off := int(p.dec.InputOffset())
	for off < len(p.src) {
		switch p.src[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
			continue
		}
		break
	}
	return off
}

// token reads the next token, which starts at off.
func (p *jparser) token(off int) (json.Token, error) {
	tok, err := p.dec.Token()
	if err == nil {
		return tok, nil
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// The decoder may report the end of the previous token; the
		// author needs the bad one.
		return nil, &syntaxError{off: max(int(se.Offset), off), rule: RuleJSON, msg: "invalid JSON: " + se.Error()}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nil, &syntaxError{off: len(p.src), rule: RuleJSON, msg: "invalid JSON: the file ends too early"}
	}
	return nil, &syntaxError{off: off, rule: RuleJSON, msg: "invalid JSON: " + err.Error()}
}

func (p *jparser) value(depth int) (*jvalue, error) {
	off := p.next()
	if depth > maxJSONDepth {
		return nil, &syntaxError{off: off, rule: RuleLimit, msg: "nested deeper than the template format allows"}
	}
	tok, err := p.token(off)
	if err != nil {
		return nil, err
	}
	v := &jvalue{off: off}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			v.kind = jObject
			seen := map[string]bool{}
			for p.dec.More() {
				koff := p.next()
				ktok, err := p.token(koff)
				if err != nil {
					return nil, err
				}
				key, ok := ktok.(string)
				if !ok {
					return nil, &syntaxError{off: koff, rule: RuleJSON, msg: "invalid JSON: object key is not a string"}
				}
				if seen[key] {
					return nil, &syntaxError{off: koff, rule: RuleDuplicateKey, msg: "field \"" + key + "\" appears twice in the same object"}
				}
				val, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				seen[key] = true
				v.fields = append(v.fields, jfield{name: key, off: koff, val: val})
			}
		case '[':
			v.kind = jArray
			for p.dec.More() {
				e, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				v.elems = append(v.elems, e)
			}
		default:
			return nil, &syntaxError{off: off, rule: RuleJSON, msg: "invalid JSON: unexpected " + t.String()}
		}
		// The closing delimiter.
		if _, err := p.token(p.next()); err != nil {
			return nil, err
		}
	case string:
		v.kind, v.str = jString, t
	case json.Number:
		v.kind, v.num = jNumber, t
	case bool:
		v.kind, v.b = jBool, t
	case nil:
		v.kind = jNull
	}
	return v, nil
}

// lineCol turns a byte offset into a 1-based line and a 1-based column
// counted in characters, as editors show them.
func lineCol(src []byte, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	line = 1 + bytes.Count(src[:off], []byte{'\n'})
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	return line, 1 + utf8.RuneCount(src[start:off])
}
