package templates_test

import (
	"fmt"
	"log"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/templates"
)

// Load reads the built-in templates and, over them, those of a folder;
// Builtin is Load("").
func ExampleLoad() {
	reg, err := templates.Load("")
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range reg.List() {
		fmt.Println(t.ID)
	}
	// Output:
	// chest-radiograph
	// ct-abdomen-pelvis
	// ct-chest
	// generic
	// mammography
	// mr-brain
	// us-abdomen
}

// Choose picks the template for a report that names none, and says why.
func ExampleRegistry_Choose() {
	reg, err := templates.Builtin()
	if err != nil {
		log.Fatal(err)
	}
	screening := &pb.Code{Code: "24606-6", Scheme: pb.CodingScheme_CODING_SCHEME_LOINC, DisplayName: "MG Breast Screening"}
	t, why := reg.Choose(&pb.ImagingStudy{ProcedureCode: screening}, nil)
	fmt.Println(t.ID, why)
	t, why = reg.Choose(&pb.ImagingStudy{Modalities: []string{"OT"}}, nil)
	fmt.Println(t.ID, why)
	// Output:
	// mammography procedure_code
	// generic generic
}
