package fhir_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/reportgen/reportgen/internal/fuzztest"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/fhir"
)

// FuzzValidate feeds any bytes to the Bundle checks: they must report,
// never panic, and an error-free verdict must come only with valid JSON.
func FuzzValidate(f *testing.F) {
	for _, ex := range contenttest.Load(f, content.Options{}) {
		b := encodeTB(f, ex.Doc)
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzztest.Run(t, func() error {
			l := fhir.Validate(b)
			for _, i := range l {
				if i.RuleID == "" || i.Message == "" {
					return fmt.Errorf("issue without rule or message: %+v", i)
				}
			}
			if !l.HasErrors() && !json.Valid(b) {
				return fmt.Errorf("no error for bytes that are not JSON")
			}
			return nil
		})
	})
}
