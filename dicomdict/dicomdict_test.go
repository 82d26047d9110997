package dicomdict

import (
	"testing"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

func TestSOPClassName(t *testing.T) {
	for uid, want := range map[string]string{
		"1.2.840.10008.5.1.4.1.1.2":     "CT Image Storage",
		"1.2.840.10008.5.1.4.1.1.88.22": "Enhanced SR Storage",
	} {
		if got, ok := SOPClassName(uid); !ok || got != want {
			t.Errorf("SOPClassName(%s) = %q, %v; want %q", uid, got, ok, want)
		}
	}
	if _, ok := SOPClassName("1.2.3"); ok {
		t.Error("unknown UID reported as known")
	}
}

func TestSchemes(t *testing.T) {
	for _, s := range []pb.CodingScheme{
		pb.CodingScheme_CODING_SCHEME_LOINC, pb.CodingScheme_CODING_SCHEME_SNOMED_CT, pb.CodingScheme_CODING_SCHEME_RADLEX,
		pb.CodingScheme_CODING_SCHEME_DCM, pb.CodingScheme_CODING_SCHEME_UCUM,
	} {
		sc, ok := SchemeOf(s)
		if !ok || sc.Designator == "" || sc.OID == "" {
			t.Errorf("SchemeOf(%v) = %+v, %v", s, sc, ok)
			continue
		}
		// Each API scheme reads back from its designator: one table both ways.
		if back, ok := SchemeByDesignator(sc.Designator); !ok || back.API != s {
			t.Errorf("SchemeByDesignator(%s) = %+v, %v; want API %v", sc.Designator, back, ok, s)
		}
	}
	if _, ok := SchemeOf(pb.CodingScheme_CODING_SCHEME_LOCAL); ok {
		t.Error("LOCAL has a scheme of its own")
	}
	if s, ok := SchemeByDesignator("SRT"); !ok || s.OID != OIDSNOMED {
		t.Errorf("SRT = %+v, %v; want the SNOMED CT OID", s, ok)
	}
	if _, ok := SchemeByDesignator("DCMUID"); ok {
		t.Error("DCMUID is read as a content coding scheme")
	}
	if n, _ := SchemeName(OIDSNOMED); n != "SNOMED CT" {
		t.Errorf("SchemeName(SNOMED) = %q", n)
	}
}
