package sr_test

import (
	"regexp"
	"slices"
	"testing"

	"github.com/reportgen/reportgen/internal/extval"
	"github.com/reportgen/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/reportgen/sr"
)

// pixelMedTitles is CID 7000 as the packaged PixelMed build (20220618)
// knows it: its 2007 edition. PixelMed checks a TID 2000 tree only below a
// root whose concept is one of these, and reports every item of any other
// tree as "not in template"; the current CID 7000 is larger (it has, e.g.,
// 24627-2 CT Chest and 24590-2 MR Brain, which the examples use) and is a
// baseline group anyway (tid2000.md §9).
var pixelMedTitles = map[string]bool{
	"18745-0": true, "11540-2": true, "11538-6": true, "11539-4": true, "18747-6": true,
	"18748-4": true, "11522-0": true, "18760-9": true, "11541-0": true, "18755-9": true,
	"18756-7": true, "18757-5": true, "11525-3": true, "18758-3": true, "11528-7": true,
	"18750-0": true, "11524-0": true, "18752-6": true, "18754-2": true, "18782-3": true,
}

// pixelMedDivergences are the only "not in template" reports accepted,
// each a content item the current standard allows that the packaged
// PixelMed build (20220618) does not know. Anything else fails the test.
var pixelMedDivergences = []struct {
	path *regexp.Regexp
	why  string
}{
	{regexp.MustCompile(`/(TEXT|CODE|NUM) \([^)]*\)/CODE \(363698007,SCT,"Finding Site"\): Content Item not in template$`),
		"finding site as HAS CONCEPT MOD of a finding: PS3.20 Table C.4-6 maps it to the CDA targetSiteCode; without it the SR would say less than the CDA"},
	{regexp.MustCompile(`/NUM \([^)]*\)/IMAGE \([^)]*\): Content Item not in template$`),
		"the image a measurement was made on, INFERRED FROM under the NUM (TID 1400-1404 include TID 320 Image or Spatial Coordinates); PixelMed's TID 2001 has no such row and rejects the alternative (IMAGE beside the NUM) as an error"},
}

func knownDivergence(w string) bool {
	for _, d := range pixelMedDivergences {
		if d.path.MatchString(w) {
			return true
		}
	}
	return false
}

// TestPixelMedExamples has PixelMed's DicomSRValidator, the one
// independent validator that checks the content tree against TID 2000,
// judge every example: no error and no content item outside the template.
// The trees use the retired DCM heading codes, the only ones that build
// knows, and a title outside its CID 7000 is replaced by the generic
// (18748-4, LN, "Diagnostic Imaging Report") so that it checks the tree at
// all. Runs are slow (seconds of CPU and 0.3 GB each); the runner lets two
// go at once.
func TestPixelMedExamples(t *testing.T) {
	for _, ex := range contenttest.Load(t, content.Options{HeadingCodes: content.HeadingDCM}) {
		t.Run(ex.Name, func(t *testing.T) {
			t.Parallel()
			if c := ex.Doc.Root.Concept; c.Designator != "LN" || !pixelMedTitles[c.Value] {
				generic := content.LOINC("18748-4", "Diagnostic Imaging Report")
				ex.Doc.Root.Concept, ex.Doc.DocumentCode = generic, generic
				t.Logf("title %s replaced by 18748-4 for PixelMed's CID 7000", c.Value)
			}
			b, err := sr.Encode(ex.Doc)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			r, err := extval.PixelMedSR(writeTemp(t, b))
			if err != nil {
				t.Fatal(err)
			}
			if r.RootTemplate != "TID_2000" {
				t.Errorf("PixelMed found root template %q, want TID_2000", r.RootTemplate)
			}
			for _, e := range r.Errors {
				t.Errorf("PixelMed: %s", e)
			}
			for _, w := range r.NotInTemplate {
				if knownDivergence(w) {
					t.Logf("PixelMed (known divergence, see pixelMedDivergences): %s", w)
					continue
				}
				t.Errorf("PixelMed: %s", w)
			}
			for _, w := range r.Warnings {
				if !slices.Contains(r.NotInTemplate, w) {
					t.Logf("PixelMed: %s", w)
				}
			}
		})
	}
}
