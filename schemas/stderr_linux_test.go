package schemas_test

import (
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestValidatePrintsNothing: libxml2 prints a parser error to standard
// error with the document's text around it unless told not to; the
// validator must keep documents out of the service's logs, whether it
// streams the document or parses it into a tree.
func TestValidatePrintsNothing(t *testing.T) {
	v := loadCDA(t)
	const secret = "Isabella Jones 1961-03-02"
	docs := []string{
		`<ClinicalDocument xmlns="urn:hl7-org:v3"><title>` + secret + `</titl></ClinicalDocument>`,
		`<ClinicalDocument xmlns="urn:hl7-org:v3"><title>` + secret + `&nbsp;</title></ClinicalDocument>`,
		`<!DOCTYPE d SYSTEM "d.dtd"><ClinicalDocument xmlns="urn:hl7-org:v3"><title>` + secret + `&e;</title></ClinicalDocument>`,
		`<ClinicalDocument xmlns="urn:hl7-org:v3"><x:title>` + secret + `</x:title></ClinicalDocument>`,
		`<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:a="rel"><title>` + secret + `</title></ClinicalDocument>`,
		`<ClinicalDocument xmlns="urn:hl7-org:v3" xml:id="a"><title xml:id="a">` + secret + `</title></ClinicalDocument>`,
		strings.Replace(minimalCDA, `<effectiveTime value="20261120"/>`, `<effectiveTime value="`+secret+`"/>`, 1),
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved, err := syscall.Dup(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Dup3(int(w.Fd()), 2, 0); err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if !v.Validate([]byte(d)).HasErrors() {
			t.Errorf("no error on %q", d)
		}
	}
	restoreErr := syscall.Dup3(saved, 2, 0)
	syscall.Close(saved)
	w.Close()
	if restoreErr != nil {
		t.Fatal(restoreErr)
	}
	printed, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(printed) > 0 {
		t.Errorf("Validate printed to standard error:\n%s", printed)
	}
}
