package fhir

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	cpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/codes_go_proto"
	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"

	"github.com/reportgen/reportgen/content"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Code system URIs (FHIR R4 terminology, DICOM PS3.16 and IHE IMR).
const (
	SystemLOINC     = "http://loinc.org"
	SystemSNOMED    = "http://snomed.info/sct"
	SystemRadLex    = "http://radlex.org"
	SystemDCM       = "http://dicom.nema.org/resources/ontology/DCM"
	SystemUCUM      = "http://unitsofmeasure.org"
	SystemNUCC      = "http://nucc.org/provider-taxonomy"
	SystemURI       = "urn:ietf:rfc:3986"
	SystemDICOMUID  = "urn:dicom:uid"
	SystemNPI       = "http://hl7.org/fhir/sid/us-npi"
	SystemV2ID      = "http://terminology.hl7.org/CodeSystem/v2-0203"
	SystemV2Service = "http://terminology.hl7.org/CodeSystem/v2-0074"
	SystemObsCat    = "http://terminology.hl7.org/CodeSystem/observation-category"
	SystemEndpoint  = "http://terminology.hl7.org/CodeSystem/endpoint-connection-type"
)

// IMR profile canonical URLs.
const (
	ProfileBundle       = "https://profiles.ihe.net/RAD/IMR/StructureDefinition/imr-store-multimedia-report-bundle"
	ProfileReport       = "https://profiles.ihe.net/RAD/IMR/StructureDefinition/imr-diagnosticreport"
	ProfileImagingStudy = "https://profiles.ihe.net/RAD/IMR/StructureDefinition/imr-imagingstudy"
	ProfileEndpoint     = "https://profiles.ihe.net/RAD/IMR/StructureDefinition/imaging-study-endpoint"
	ProfileRequest      = "https://profiles.ihe.net/RAD/IMR/StructureDefinition/imr-servicerequest"
)

// OID of the NPI, which FHIR names by its own URI.
const oidNPI = "2.16.840.1.113883.4.6"

var systemsByOID = map[string]string{
	content.OIDLOINC:          SystemLOINC,
	content.OIDSNOMED:         SystemSNOMED,
	content.OIDRadLex:         SystemRadLex,
	content.OIDDCM:            SystemDCM,
	content.OIDUCUM:           SystemUCUM,
	"2.16.840.1.113883.6.101": SystemNUCC,
	oidNPI:                    SystemNPI,
}

// System returns the FHIR system URI of a code system or identifier
// issuer OID: the URI FHIR defines for it, else urn:oid:.
func System(oid string) string {
	if s, ok := systemsByOID[oid]; ok {
		return s
	}
	return "urn:oid:" + oid
}

func str(s string) *dpb.String { return &dpb.String{Value: s} }
func uri(s string) *dpb.Uri    { return &dpb.Uri{Value: s} }

func coding(c content.Code) *dpb.Coding {
	out := &dpb.Coding{System: uri(System(c.OID)), Code: &dpb.Code{Value: c.Value}}
	if c.Meaning != "" {
		out.Display = str(c.Meaning)
	}
	return out
}

func concept(c content.Code) *dpb.CodeableConcept {
	return &dpb.CodeableConcept{Coding: []*dpb.Coding{coding(c)}}
}

func fragment(id string) *dpb.Reference {
	return &dpb.Reference{Reference: &dpb.Reference_Fragment{Fragment: str(id)}}
}

func uriRef(u string) *dpb.Reference {
	return &dpb.Reference{Reference: &dpb.Reference_Uri{Uri: str(u)}}
}

// oidURI is an OID as a URI value, e.g. for identifiers under SystemURI.
func oidURI(oid string) string { return "urn:oid:" + oid }

// offset returns the FHIR form of a time's UTC offset, e.g. "-05:00".
func offset(t time.Time) string {
	_, sec := t.Zone()
	if sec == 0 {
		return "Z"
	}
	return t.Format("-07:00")
}

func dateTime(t time.Time) *dpb.DateTime {
	return &dpb.DateTime{ValueUs: t.UnixMicro(), Timezone: offset(t), Precision: dpb.DateTime_SECOND}
}

func instant(t time.Time) *dpb.Instant {
	return &dpb.Instant{ValueUs: t.UnixMicro(), Timezone: offset(t), Precision: dpb.Instant_SECOND}
}

// uuidFor derives a stable urn:uuid from the document id and a role, so
// the same document gives the same Bundle (fullUrls included) on every run.
func uuidFor(docID, role string) string {
	h := sha256.Sum256([]byte("reportgen-fhir\x00" + docID + "\x00" + role))
	h[6] = h[6]&0x0f | 0x80 // version 8: custom
	h[8] = h[8]&0x3f | 0x80 // RFC 9562 variant
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func humanName(n *pb.PersonName) *dpb.HumanName {
	if n == nil {
		return nil
	}
	h := &dpb.HumanName{Use: &dpb.HumanName_UseCode{Value: cpb.NameUseCode_OFFICIAL}}
	if n.GetFamily() != "" {
		h.Family = str(n.GetFamily())
	}
	for _, g := range n.GetGiven() {
		h.Given = append(h.Given, str(g))
	}
	if n.GetPrefix() != "" {
		h.Prefix = []*dpb.String{str(n.GetPrefix())}
	}
	if n.GetSuffix() != "" {
		h.Suffix = []*dpb.String{str(n.GetSuffix())}
	}
	return h
}

// identifier writes an issued identifier: the issuer OID as the system.
// An organisation named by OID alone (no value) is the OID as a URI.
func identifier(id *pb.Identifier) *dpb.Identifier {
	if id.GetValue() == "" {
		return &dpb.Identifier{System: uri(SystemURI), Value: str(oidURI(id.GetAssigningAuthorityOid()))}
	}
	out := &dpb.Identifier{System: uri(System(id.GetAssigningAuthorityOid())), Value: str(id.GetValue())}
	if n := id.GetAssigningAuthorityName(); n != "" {
		out.Assigner = &dpb.Reference{Display: str(n)}
	}
	return out
}

func identifiers(ids []*pb.Identifier) []*dpb.Identifier {
	var out []*dpb.Identifier
	for _, id := range ids {
		out = append(out, identifier(id))
	}
	return out
}

func address(a *pb.Address, home bool) []*dpb.Address {
	if a == nil {
		return nil
	}
	use := cpb.AddressUseCode_WORK
	if home {
		use = cpb.AddressUseCode_HOME
	}
	out := &dpb.Address{Use: &dpb.Address_UseCode{Value: use}}
	for _, l := range a.GetStreet() {
		out.Line = append(out.Line, str(l))
	}
	set := func(dst **dpb.String, v string) {
		if v != "" {
			*dst = str(v)
		}
	}
	set(&out.City, a.GetCity())
	set(&out.State, a.GetState())
	set(&out.PostalCode, a.GetPostalCode())
	set(&out.Country, a.GetCountry())
	return []*dpb.Address{out}
}

// telecoms maps the request's contact URIs to ContactPoints.
func telecoms(ts []*pb.Telecom) []*dpb.ContactPoint {
	var out []*dpb.ContactPoint
	for _, t := range ts {
		v := t.GetValue()
		sys, val := cpb.ContactPointSystemCode_URL, v
		for prefix, s := range map[string]cpb.ContactPointSystemCode_Value{
			"tel:": cpb.ContactPointSystemCode_PHONE, "mailto:": cpb.ContactPointSystemCode_EMAIL, "fax:": cpb.ContactPointSystemCode_FAX,
		} {
			if strings.HasPrefix(v, prefix) {
				sys, val = s, strings.TrimPrefix(v, prefix)
			}
		}
		if val == "" {
			continue
		}
		cp := &dpb.ContactPoint{System: &dpb.ContactPoint_SystemCode{Value: sys}, Value: str(val)}
		switch t.GetUse() {
		case "WP":
			cp.Use = &dpb.ContactPoint_UseCode{Value: cpb.ContactPointUseCode_WORK}
		case "HP", "H":
			cp.Use = &dpb.ContactPoint_UseCode{Value: cpb.ContactPointUseCode_HOME}
		case "MC":
			cp.Use = &dpb.ContactPoint_UseCode{Value: cpb.ContactPointUseCode_MOBILE}
		}
		out = append(out, cp)
	}
	return out
}

// decimal writes a measurement value (DICOM DS, as the request gives it)
// as a FHIR decimal, which allows no "+" sign, no leading zeros and no
// bare decimal point. The digits after the point are kept: they are the
// value's precision.
func decimal(s string) (string, error) {
	in := strings.TrimSpace(s)
	neg := false
	switch {
	case strings.HasPrefix(in, "+"):
		in = in[1:]
	case strings.HasPrefix(in, "-"):
		neg, in = true, in[1:]
	}
	mant, exp, hasExp := in, "", false
	if i := strings.IndexAny(in, "eE"); i >= 0 {
		mant, exp, hasExp = in[:i], in[i+1:], true
	}
	whole, frac, hasPoint := strings.Cut(mant, ".")
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	if mant == "" || mant == "." || !digits(whole) || !digits(frac) {
		return "", fmt.Errorf("value is not a decimal number")
	}
	out := whole
	if hasPoint && frac != "" {
		out += "." + frac
	}
	if hasExp {
		e := strings.TrimPrefix(exp, "+")
		en := strings.HasPrefix(e, "-")
		e = strings.TrimPrefix(e, "-")
		if e == "" || !digits(e) {
			return "", fmt.Errorf("value is not a decimal number")
		}
		e = strings.TrimLeft(e, "0")
		if !digits(e) {
			return "", fmt.Errorf("value is not a decimal number")
		}
		if e == "" {
			e = "0"
		}
		if en {
			e = "-" + e
		}
		out += "e" + e
	}
	if neg && strings.Trim(out, "0.e-") != "" {
		out = "-" + out
	}
	return out, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
