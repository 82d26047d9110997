package fhir_test

import (
	"strings"
	"testing"

	"github.com/reportgen/reportgen/fhir"
)

// TestValidateNamesNoValues checks that issues name rules and element
// paths, never what the document holds.
func TestValidateNamesNoValues(t *testing.T) {
	for _, b := range []string{
		`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","birthDate":"SECRET"}}]}`,
		`{"resourceType":"Bundle","type":"SECRET"}`,
		`{"resourceType":"Patient","SECRET":1}`,
		`{"resourceType":"SECRET"}`,
		`{"resourceType":"Patient","id":"SECRET NAME"}`,
		`SECRET`,
		`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","name":[{"family":"SECRET"}]}}]}`,
	} {
		l := fhir.Validate([]byte(b))
		if !l.HasErrors() {
			t.Errorf("%s: no error", b)
		}
		for _, i := range l {
			if strings.Contains(i.Message+i.Location, "SECRET") {
				t.Errorf("issue shows document content: %v", i)
			}
		}
	}
}
