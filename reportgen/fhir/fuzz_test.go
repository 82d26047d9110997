package fhir_test

import (
	"testing"

	"github.com/reportgen/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/reportgen/fhir"
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
		l := fhir.Validate(b)
		for _, i := range l {
			if i.RuleID == "" || i.Message == "" {
				t.Fatalf("issue without rule or message: %+v", i)
			}
		}
	})
}
