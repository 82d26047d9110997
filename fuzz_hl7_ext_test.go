package reportgen_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/reportgen/reportgen/hl7v2"
	"github.com/reportgen/reportgen/internal/fuzztest"
)

// FuzzGenerateHL7: any bytes as an HL7 v2 ORU^R01 message, taken the
// way the HL7 intake takes one: parsed, mapped to a request, and the
// request generated. A message that parses and maps must give a request
// that is refused with field violations or answered with valid
// documents, like any other request (checkGenerated); a mapping that
// reports no request must say why.
func FuzzGenerateHL7(f *testing.F) {
	e := newEngine(f)
	opt := hl7v2.MapOptions{
		Authorities:        map[string]string{"GHH": "2.16.840.1.113883.19.5"},
		PatientIDAuthority: "2.16.840.1.113883.19.5.1",
		PlacerAuthority:    "2.16.840.1.113883.19.5.2",
		FillerAuthority:    "2.16.840.1.113883.19.5.3",
		TimeZone:           time.UTC,
	}
	files, err := filepath.Glob(filepath.Join("hl7v2", "testdata", "*.hl7"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no HL7 v2 samples to seed from: %v", err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzztest.Run(t, func() error {
			m, errs := hl7v2.Parse(b, hl7v2.ParseOptions{})
			if m == nil || errs.HasErrors() {
				return nil
			}
			mp, merrs := hl7v2.MapORU(m, opt)
			if mp == nil {
				if !merrs.HasErrors() {
					return fmt.Errorf("no request and no error from the mapping")
				}
				return nil
			}
			if mp.Request == nil {
				return fmt.Errorf("a mapping without a request")
			}
			return generateOutcome(e, mp.Request)
		})
	})
}
