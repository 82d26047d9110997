// Package uid makes and checks DICOM UIDs, which double as the OIDs of CDA
// document identifiers.
//
// New identities are "2.25." followed by a UUID read as a decimal integer
// (PS3.5 B.2, ITU-T X.667), or a suffix under a configured organisation
// root. Both are valid DICOM UIDs and valid OIDs, and neither is a UUID
// string, which the C-CDA DIR forbids in ClinicalDocument/id.
package uid

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"

	"github.com/google/uuid"
)

// MaxLen is the longest UID DICOM allows (PS3.5 §9.1).
const MaxLen = 64

// minSuffixDigits is the shortest suffix allowed under an organisation root.
const minSuffixDigits = 30

// Generator makes UIDs, at random or derived from a namespace and a name.
// The zero value makes random 2.25 UIDs.
type Generator struct {
	// Root, when set, is an organisation OID under which UIDs are made as
	// Root + "." + a decimal number; otherwise 2.25 is used.
	Root string
}

// NewGenerator returns a generator under root ("" for 2.25), checking that
// the root leaves room for a unique suffix.
func NewGenerator(root string) (Generator, error) {
	if root == "" {
		return Generator{}, nil
	}
	if err := Check(root); err != nil {
		return Generator{}, fmt.Errorf("uid root: %w", err)
	}
	// The suffix must keep at least 30 decimal digits (about 99 bits) so
	// that random UIDs do not collide in practice.
	if MaxLen-len(root)-1 < minSuffixDigits {
		return Generator{}, fmt.Errorf("uid root is %d characters; at most %d leave room for a unique suffix", len(root), MaxLen-1-minSuffixDigits)
	}
	return Generator{Root: root}, nil
}

// New returns a new random UID.
func (g Generator) New() string {
	u := uuid.New()
	return g.fromBytes(u[:])
}

// Derive returns a UID that depends only on the generator's root, the
// namespace and the parts, so a rerun of the same input gives the same
// identities. Parts are length-prefixed so ("ab","c") and ("a","bc") differ.
func (g Generator) Derive(namespace string, parts ...string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d:%s", len(namespace), namespace)
	for _, p := range parts {
		fmt.Fprintf(h, "|%d:%s", len(p), p)
	}
	sum := h.Sum(nil)
	var u uuid.UUID
	copy(u[:], sum[:16])
	// Mark it as a name-based (version 8, custom) RFC 9562 UUID.
	u[6] = (u[6] & 0x0f) | 0x80
	u[8] = (u[8] & 0x3f) | 0x80
	return g.fromBytes(u[:])
}

func (g Generator) fromBytes(b []byte) string {
	n := new(big.Int).SetBytes(b)
	if g.Root == "" {
		return "2.25." + n.String()
	}
	// Keep the suffix within the 64-character limit; the big.Int has no
	// leading zeros, so the result stays a valid UID component.
	max := MaxLen - len(g.Root) - 1
	if max < 39 {
		n.Mod(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(max)), nil))
	}
	return g.Root + "." + n.String()
}

// Errors returned by Check.
var (
	ErrEmpty     = errors.New("is empty")
	ErrTooLong   = errors.New("is longer than 64 characters")
	ErrSyntax    = errors.New("is not dotted decimal: only digits and dots, no empty components")
	ErrZeroLead  = errors.New("has a component with a leading zero")
	ErrOneNumber = errors.New("has only one component")
)

// Check reports why s is not a valid UID (PS3.5 §9.1): digits and dots
// only, no empty component, no leading zero in a component, at least two
// components, at most 64 characters.
func Check(s string) error {
	if s == "" {
		return ErrEmpty
	}
	if len(s) > MaxLen {
		return ErrTooLong
	}
	comps := 0
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			c := s[start:i]
			if c == "" {
				return ErrSyntax
			}
			if len(c) > 1 && c[0] == '0' {
				return ErrZeroLead
			}
			comps++
			start = i + 1
			continue
		}
		if s[i] < '0' || s[i] > '9' {
			return ErrSyntax
		}
	}
	if comps < 2 {
		return ErrOneNumber
	}
	// The first arc of an OID is 0, 1 or 2.
	if s[0] > '2' || (s[1] != '.') {
		return fmt.Errorf("%w: the first component must be 0, 1 or 2", ErrSyntax)
	}
	return nil
}

// Valid reports whether s is a valid UID.
func Valid(s string) bool { return Check(s) == nil }
