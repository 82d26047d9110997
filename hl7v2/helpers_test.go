package hl7v2

import (
	"strings"
	"testing"
)

// baseSegments is a complete v2.5.1 ORU^R01 as a dictation system sends
// it: the report one OBX per line, headings in the text.
var baseSegments = []string{
	`MSH|^~\&|VOICE|GHH^2.16.840.1.113883.19.5^ISO|REPORTGEN|RAD|20261121163100-0500||ORU^R01^ORU_R01|MSG00001|P|2.5.1|||||USA|UNICODE UTF-8`,
	`PID|1||MRN-902211^^^GHH&2.16.840.1.113883.19.5&ISO^MR||Jones^Isabella^M^^^^L||19610302|F|||100 Main St^^Springfield^IL^62701^USA||^PRN^PH^^1^555^5551000`,
	`PV1|1|O||||||1234567890^Referrer^Rita^^^Dr.^^^NPI&2.16.840.1.113883.4.6&ISO`,
	`ORC|RE|PO-7781^EPIC^2.16.840.1.113883.19.5.99.2^ISO|ACC20261121042^RIS^2.16.840.1.113883.19.5.99.1^ISO`,
	`OBR|1|PO-7781^EPIC^2.16.840.1.113883.19.5.99.2^ISO|ACC20261121042^RIS^2.16.840.1.113883.19.5.99.1^ISO|24628-0^CT Chest W contrast IV^LN|||20261121150200-0500|||||||||||||||20261121163100-0500||CT|F||||||Nodule follow-up|1992738471&Chen&Wei&&&&&&NPI&2.16.840.1.113883.4.6&ISO`,
	`OBX|1|ST|113014^DICOM Study^DCM||2.25.81238935250787612234425351362419106101||||||F`,
	`OBX|2|TX|18782-3^Radiology Study observation^LN|1|FINDINGS:||||||F`,
	`OBX|3|TX|18782-3^Radiology Study observation^LN|1|The right upper lobe nodule has grown to 12 mm.||||||F`,
	`OBX|4|TX|18782-3^Radiology Study observation^LN|1|||||||F`,
	`OBX|5|TX|18782-3^Radiology Study observation^LN|1|IMPRESSION:||||||F`,
	`OBX|6|TX|18782-3^Radiology Study observation^LN|1|Growing nodule.||||||F`,
}

// message joins segments with CR.
func message(segs []string) []byte {
	return []byte(strings.Join(segs, "\r") + "\r")
}

// edit returns a copy of segs with field n of the first segment named
// name set to v (n counts as in HL7: MSH-3 is the first after MSH-2).
func edit(segs []string, name string, n int, v string) []string {
	out := append([]string(nil), segs...)
	for i, s := range out {
		if !strings.HasPrefix(s, name+"|") {
			continue
		}
		f := strings.Split(s, "|")
		k := n
		if name == "MSH" {
			k = n - 1
		}
		for len(f) <= k {
			f = append(f, "")
		}
		f[k] = v
		out[i] = strings.Join(f, "|")
		return out
	}
	panic("no segment " + name)
}

// without returns segs without the segments named name.
func without(segs []string, name string) []string {
	var out []string
	for _, s := range segs {
		if !strings.HasPrefix(s, name+"|") {
			out = append(out, s)
		}
	}
	return out
}

func mustParse(t *testing.T, b []byte) *Message {
	t.Helper()
	m, errs := Parse(b, ParseOptions{})
	if m == nil || errs.HasErrors() {
		t.Fatalf("parse: %v", errs)
	}
	return m
}

// testOptions configure the namespaces the base message uses.
var testOptions = MapOptions{Authorities: map[string]string{"GHH": "2.16.840.1.113883.19.5"}}
