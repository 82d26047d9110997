// Package ucum checks unit expressions against the Unified Code for Units
// of Measure: the case-sensitive grammar of the UCUM specification (§§1–7,
// "Syntax Rules") over the prefixes and unit atoms of the UCUM essence
// file, the machine-readable table UCUM publishes (ucum-essence.xml).
//
// The essence file is not committed: it is synced with the HL7 schemas
// (package schemas) and verified by its checksum, and Load reads it from
// the synced folder. A System is immutable and safe for concurrent use.
package ucum

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// EssencePath is the essence file inside a synced schema folder.
const (
	EssencePath = "ucum/ucum-essence.xml"
	// FunctionalTestsPath is the UCUM functional tests, synced beside
	// the essence for the tests of this package.
	FunctionalTestsPath = "ucum/ucum-functional-tests.xml"
)

// MaxExpression bounds the length of an expression Check parses; no unit
// of a report comes near it, and the bound keeps a hostile document's
// unit from costing more than its bytes.
const MaxExpression = 256

// System is the UCUM essence: prefixes and unit atoms.
type System struct {
	// Version and Revision are the essence file's, e.g. "1.9" and
	// "$Revision: 16410 $".
	Version, Revision string
	prefixes          map[string]bool
	// atoms maps each unit atom (base units and derived units) to
	// whether it is metric, i.e. takes a prefix.
	atoms map[string]bool
	// maxPrefix is the longest prefix symbol.
	maxPrefix int
}

// Load reads the essence from the synced schema folder dir.
func Load(dir string) (*System, error) {
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(EssencePath)))
	if err != nil {
		return nil, fmt.Errorf("ucum: %w", err)
	}
	defer f.Close()
	return Parse(f)
}

// Parse reads an essence file.
func Parse(r io.Reader) (*System, error) {
	var doc struct {
		Version  string `xml:"version,attr"`
		Revision string `xml:"revision,attr"`
		Prefixes []struct {
			Code string `xml:"Code,attr"`
		} `xml:"prefix"`
		BaseUnits []struct {
			Code string `xml:"Code,attr"`
		} `xml:"base-unit"`
		Units []struct {
			Code     string `xml:"Code,attr"`
			IsMetric string `xml:"isMetric,attr"`
		} `xml:"unit"`
	}
	d := xml.NewDecoder(io.LimitReader(r, 8<<20))
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		// Editions up to 1.9 declare encoding="ascii"; their bytes are
		// ASCII, which UTF-8 reads unchanged.
		switch strings.ToLower(label) {
		case "ascii", "us-ascii":
			return in, nil
		}
		return nil, fmt.Errorf("unsupported encoding %q", label)
	}
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("ucum: essence: %w", err)
	}
	s := &System{Version: doc.Version, Revision: doc.Revision, prefixes: map[string]bool{}, atoms: map[string]bool{}}
	for _, p := range doc.Prefixes {
		s.prefixes[p.Code] = true
		s.maxPrefix = max(s.maxPrefix, len(p.Code))
	}
	for _, b := range doc.BaseUnits {
		s.atoms[b.Code] = true // base units are metric
	}
	for _, u := range doc.Units {
		s.atoms[u.Code] = u.IsMetric == "yes"
	}
	if len(s.prefixes) == 0 || len(doc.BaseUnits) == 0 || len(doc.Units) == 0 {
		return nil, errors.New("ucum: essence has no prefixes, base units or units")
	}
	return s, nil
}

// Units returns the number of unit atoms and of prefixes, for messages.
func (s *System) Units() (atoms, prefixes int) { return len(s.atoms), len(s.prefixes) }

// SyntaxError says why an expression is not UCUM. Its message names the
// position and the rule; the expression itself is a unit, not patient
// data, but it is not repeated either, so messages stay short.
type SyntaxError struct {
	Pos int // byte offset
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("not a UCUM unit: %s (at offset %d)", e.Msg, e.Pos)
}

// Check reports why expr is not a valid UCUM case-sensitive expression,
// or nil. The grammar (UCUM §§ 1–7):
//
//	main-term   = "/" term | term
//	term        = term "." component | term "/" component | component
//	component   = annotatable annotation | annotatable | annotation
//	            | factor [annotation] | "(" term ")"
//	annotatable = simple-unit exponent | simple-unit
//	simple-unit = ATOM | PREFIX ATOM   (the atom metric)
//	exponent    = [ "+" | "-" ] digits
//	factor      = digits
//	annotation  = "{" printable ASCII but curly braces "}"
func (s *System) Check(expr string) error {
	if expr == "" {
		return &SyntaxError{0, "the expression is empty"}
	}
	if len(expr) > MaxExpression {
		return &SyntaxError{MaxExpression, fmt.Sprintf("longer than %d characters", MaxExpression)}
	}
	p := &parser{s: s, in: expr}
	if p.peek() == '/' {
		p.pos++
	}
	if err := p.term(0); err != nil {
		return err
	}
	if p.pos != len(p.in) {
		return p.fail("unexpected character")
	}
	return nil
}

type parser struct {
	s   *System
	in  string
	pos int
}

func (p *parser) peek() byte {
	if p.pos < len(p.in) {
		return p.in[p.pos]
	}
	return 0
}

func (p *parser) fail(msg string) error { return &SyntaxError{p.pos, msg} }

// term = component { ("." | "/") component }. depth bounds the nesting of
// parentheses, which MaxExpression bounds already; it is the recursion's
// own guard.
func (p *parser) term(depth int) error {
	if depth > MaxExpression {
		return p.fail("parentheses nested too deep")
	}
	for {
		if err := p.component(depth); err != nil {
			return err
		}
		switch p.peek() {
		case '.', '/':
			p.pos++
			if p.pos == len(p.in) {
				return p.fail("an operator is not followed by a term")
			}
		default:
			return nil
		}
	}
}

func (p *parser) component(depth int) error {
	c := p.peek()
	switch {
	case c == 0:
		return p.fail("a term is missing")
	case c == '(':
		p.pos++
		if err := p.term(depth + 1); err != nil {
			return err
		}
		if p.peek() != ')' {
			return p.fail("a parenthesis is not closed")
		}
		p.pos++
		return nil
	case c == '{':
		return p.annotation()
	case isDigit(c) && !p.tenPower():
		for isDigit(p.peek()) {
			p.pos++
		}
		// A factor takes only an annotation ("1{cells}"): "12h" is not
		// UCUM (it is "12.h").
		if p.peek() == '{' {
			return p.annotation()
		}
		if n := p.peek(); n != 0 && n != '.' && n != '/' && n != ')' {
			return p.fail("a number is followed by something other than an operator")
		}
		return nil
	}
	if err := p.simpleUnit(); err != nil {
		return err
	}
	// exponent
	start := p.pos
	if n := p.peek(); n == '+' || n == '-' {
		p.pos++
	}
	if isDigit(p.peek()) {
		for isDigit(p.peek()) {
			p.pos++
		}
	} else if p.pos != start {
		return p.fail("a sign is not followed by an exponent")
	}
	if p.peek() == '{' {
		return p.annotation()
	}
	return nil
}

// tenPower reports whether the input at pos is the special atom 10* or
// 10^ (UCUM §14), which starts with digits.
func (p *parser) tenPower() bool {
	rest := p.in[p.pos:]
	return strings.HasPrefix(rest, "10*") || strings.HasPrefix(rest, "10^")
}

// annotation = "{" ASCII 33–126 but "{" and "}" "}" (UCUM §12).
func (p *parser) annotation() error {
	p.pos++ // {
	for {
		c := p.peek()
		switch {
		case c == 0:
			return p.fail("an annotation is not closed")
		case c == '}':
			p.pos++
			// An annotation ends its component.
			if n := p.peek(); n != 0 && n != '.' && n != '/' && n != ')' {
				return p.fail("an annotation is followed by something other than an operator")
			}
			return nil
		case c < 33 || c > 126 || c == '{':
			return p.fail("an annotation holds a character other than printable ASCII")
		}
		p.pos++
	}
}

// simpleUnit reads the symbol of a unit, with or without prefix, and finds
// it in the essence: the whole symbol as an atom, else a prefix followed
// by a metric atom. Square brackets enclose any characters of an atom
// (e.g. [hnsf'U], [in_i'H2O]); outside them the symbol ends at an
// operator, a parenthesis, a brace, a digit or a sign.
func (p *parser) simpleUnit() error {
	start := p.pos
	if p.tenPower() {
		p.pos += 3
	} else {
		for {
			c := p.peek()
			if c == '[' {
				end := strings.IndexByte(p.in[p.pos:], ']')
				if end < 0 {
					return p.fail("a square bracket is not closed")
				}
				p.pos += end + 1
				continue
			}
			if c == 0 || c == '.' || c == '/' || c == '(' || c == ')' || c == '{' || c == '}' || c == '+' || c == '-' || isDigit(c) || c < 33 || c > 126 {
				break
			}
			p.pos++
		}
	}
	sym := p.in[start:p.pos]
	if sym == "" {
		return &SyntaxError{start, "a unit symbol is missing"}
	}
	if _, ok := p.s.atoms[sym]; ok {
		return nil
	}
	for n := 1; n <= p.s.maxPrefix && n < len(sym); n++ {
		if p.s.prefixes[sym[:n]] && p.s.atoms[sym[n:]] {
			return nil
		}
	}
	return &SyntaxError{start, "a symbol is neither a UCUM unit atom nor a prefix with a metric atom (UCUM is case-sensitive)"}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
