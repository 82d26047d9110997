package samples_test

import (
	"bytes"
	"testing"

	"github.com/reportgen/reportgen/internal/samples"
)

// TestCDAVariants derives every variant: each edit must still match HL7's
// example, and each variant differs from the good one as its name says.
func TestCDAVariants(t *testing.T) {
	good := samples.CDAVariant(t, samples.DIRGood)
	if bytes.Count(good, []byte(`extension="2015-08-01"`)) != 2 {
		t.Errorf("the good variant claims the R2.1 header and DIR templates %d times, want 2", bytes.Count(good, []byte(`extension="2015-08-01"`)))
	}
	tests := []struct {
		name string
		gone string // a fragment of the good variant the variant lacks
	}{
		{samples.DIRNoID, `<id root="2.16.840.1.113883.19.4.27"`},
		{samples.DIRNoDocumentationOf, `<documentationOf>`},
		{samples.DIROldExtension, `<templateId root="2.16.840.1.113883.10.20.22.1.5" extension="2015-08-01"/>`},
		{samples.DIRTruncated, `</ClinicalDocument>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := samples.CDAVariant(t, tt.name)
			if !bytes.Contains(good, []byte(tt.gone)) || bytes.Contains(v, []byte(tt.gone)) {
				t.Errorf("%s still has %q, or the good variant lacks it", tt.name, tt.gone)
			}
		})
	}
}
