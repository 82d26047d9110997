package hl7v2

import (
	"strconv"
	"strings"
	"time"
)

// HD is a hierarchic designator: a namespace id and a universal id of a
// type (ISO for an OID).
type HD struct {
	Namespace, UniversalID, UniversalIDType string
}

// hdAt reads an HD whose parts are the given three consecutive
// sub-values of v (components of a field, or subcomponents of a
// component).
func hdFrom(ns, uid, typ Value) HD {
	return HD{Namespace: ns.Text(), UniversalID: uid.Text(), UniversalIDType: typ.Text()}
}

// OID returns the universal id when it is an ISO OID.
func (h HD) OID() string {
	if strings.EqualFold(h.UniversalIDType, "ISO") {
		return h.UniversalID
	}
	return ""
}

// IsEmpty reports whether no part is set.
func (h HD) IsEmpty() bool {
	return h.Namespace == "" && h.UniversalID == "" && h.UniversalIDType == ""
}

// TS is a point in time as HL7 sends it (TS or DTM): YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ].
type TS struct {
	// Time holds the parsed fields; without an offset its location is UTC
	// and HasOffset is false.
	Time      time.Time
	HasOffset bool
	// Digits is how many of YYYYMMDDHHMMSS were given: 4, 6, 8, 10, 12 or 14.
	Digits int
}

// parseTS reads a TS/DTM. The second component of a v2.3 TS (degree of
// precision) is ignored.
func parseTS(s string) (TS, string) {
	s = strings.TrimSpace(s)
	off := ""
	if k := strings.IndexAny(s, "+-"); k >= 0 {
		s, off = s[:k], s[k:]
	}
	frac := ""
	if k := strings.IndexByte(s, '.'); k >= 0 {
		s, frac = s[:k], s[k+1:]
	}
	for _, c := range s + frac {
		if c < '0' || c > '9' {
			return TS{}, "is not an HL7 time stamp (YYYYMMDDHHMMSS[.S][+/-ZZZZ])"
		}
	}
	n := len(s)
	switch n {
	case 4, 6, 8, 10, 12, 14:
	default:
		return TS{}, "is not an HL7 time stamp (YYYYMMDDHHMMSS[.S][+/-ZZZZ])"
	}
	if frac != "" && n != 14 || len(frac) > 4 {
		return TS{}, "has fractional seconds without whole seconds, or more than 4 digits of them"
	}
	full := s + "00000101000000"[n:] // pad: month and day 01, the rest 0
	loc := time.UTC
	if off != "" {
		if len(off) != 5 {
			return TS{}, "has a UTC offset that is not +ZZZZ or -ZZZZ"
		}
		h, err1 := strconv.Atoi(off[1:3])
		m, err2 := strconv.Atoi(off[3:5])
		if err1 != nil || err2 != nil || m > 59 || h > 14 {
			return TS{}, "has a UTC offset that is not +ZZZZ or -ZZZZ"
		}
		secs := h*3600 + m*60
		if off[0] == '-' {
			secs = -secs
		}
		loc = time.FixedZone("", secs)
	}
	t, err := time.ParseInLocation("20060102150405", full, loc)
	if err != nil {
		return TS{}, "is not an existing date and time"
	}
	if frac != "" {
		ns, _ := strconv.Atoi((frac + "000000000")[:9])
		t = t.Add(time.Duration(ns))
	}
	return TS{Time: t, HasOffset: off != "", Digits: n}, ""
}

// CE is a coded element (CE, CWE, CNE): identifier, text and coding
// system, and the alternate triple.
type CE struct {
	Code, Text, System          string
	AltCode, AltText, AltSystem string
}

func ceFrom(v Value) CE {
	return CE{
		Code: v.Component(1).Text(), Text: v.Component(2).Text(), System: v.Component(3).Text(),
		AltCode: v.Component(4).Text(), AltText: v.Component(5).Text(), AltSystem: v.Component(6).Text(),
	}
}

// Person is a person's name and identifier as XCN, CNN and XPN carry
// them.
type Person struct {
	ID                                    string
	Family, Given, Middle, Suffix, Prefix string
	Degree                                string
	Authority                             HD
}

// IsEmpty reports whether neither name nor id is set.
func (p Person) IsEmpty() bool { return p.ID == "" && p.Family == "" && p.Given == "" }

// xcnFrom reads an XCN (or, with the same layout in subcomponents, a CNN
// inside an NDL): id ^ family ^ given ^ middle ^ suffix ^ prefix ^ degree ^
// source table ^ assigning authority (as subcomponents of one component
// in XCN, as three subcomponents in CNN).
func xcnFrom(v Value) Person {
	p := Person{
		ID: v.Component(1).Text(), Family: v.Component(2).Text(), Given: v.Component(3).Text(),
		Middle: v.Component(4).Text(), Suffix: v.Component(5).Text(), Prefix: v.Component(6).Text(),
		Degree: v.Component(7).Text(),
	}
	if v.level >= 2 {
		// CNN inside NDL: authority is subcomponents 9, 10, 11.
		p.Authority = hdFrom(v.Component(9), v.Component(10), v.Component(11))
	} else {
		a := v.Component(9)
		p.Authority = hdFrom(a.Sub(1), a.Sub(2), a.Sub(3))
	}
	return p
}

// xpnFrom reads an XPN: family (FN: surname as its first subcomponent) ^
// given ^ middle ^ suffix ^ prefix ^ degree ^ name type.
func xpnFrom(v Value) (p Person, nameType string) {
	return Person{
		Family: v.Component(1).Sub(1).Text(), Given: v.Component(2).Text(), Middle: v.Component(3).Text(),
		Suffix: v.Component(4).Text(), Prefix: v.Component(5).Text(), Degree: v.Component(6).Text(),
	}, v.Component(7).Text()
}
