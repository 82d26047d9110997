package extval_test

import (
	"testing"

	"github.com/reportgen/reportgen/internal/extval"
	"github.com/reportgen/reportgen/internal/samples"
)

// TestPixelMedOnSamples runs PixelMed's DicomSRValidator on the public
// samples, which follow no template it knows (internal/samples):
// it must find their IODs, no root template, and list every content item
// as not in a template. One run costs seconds of CPU, so only one sample
// runs; the parsing of other outputs is tested without the JVM.
func TestPixelMedOnSamples(t *testing.T) {
	t.Parallel()
	r, err := extval.PixelMedSR(samples.Path(t, "sr/reportsi.dcm"))
	if err != nil {
		t.Fatal(err)
	}
	if r.IOD != "BasicTextSR" || r.RootTemplate != "" {
		t.Errorf("IOD %q, root template %q; want BasicTextSR and none", r.IOD, r.RootTemplate)
	}
	if len(r.NotInTemplate) != 9 || len(r.Errors) != 0 {
		t.Errorf("%d items not in template (want 9), errors %q (want none)", len(r.NotInTemplate), r.Errors)
	}
}
