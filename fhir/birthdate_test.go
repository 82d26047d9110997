package fhir_test

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/fhir"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// TestPartialBirthDate: a birth date known to the month or year keeps its
// precision in the Patient.
func TestPartialBirthDate(t *testing.T) {
	ex := contenttest.Load(t, content.Options{})[0]
	for _, bd := range []string{"1952-03", "1952", "1952-03-14"} {
		r := proto.Clone(ex.Request.GetReport()).(*pb.Report)
		r.Patient.BirthDate = bd
		d, err := content.Build(r, contenttest.Identity(ex.Name), content.Options{})
		if err != nil {
			t.Fatal(err)
		}
		b := encodeTB(t, d)
		if l := fhir.Validate(b); l.HasErrors() {
			t.Fatalf("%s: %v", bd, l)
		}
		if !strings.Contains(string(b), `"birthDate":"`+bd+`"`) {
			t.Errorf("birth date %s not kept", bd)
		}
	}
}
