package dictation_test

import (
	"fmt"

	"github.com/reportgen/reportgen/dictation"
)

// Split finds the headings of a dictated report; Sections turns the parts
// into report sections, and the signature line is no part of any.
func ExampleSplit() {
	text := "EXAM: CT chest without contrast.\n" +
		"FINDINGS: No nodules. No effusion.\n" +
		"IMPRESSION: Normal chest CT.\n" +
		"Electronically signed by Dr. A. Example\n"
	parts := dictation.Split(text)
	for _, p := range parts {
		fmt.Printf("%-24s footer=%-5v %q\n", p.Kind, p.Footer, dictation.Body(text, p))
	}
	for _, s := range dictation.Sections(text, parts) {
		fmt.Println(s.GetKind(), s.GetText())
	}
	// Output:
	// SECTION_KIND_TECHNIQUE   footer=false "CT chest without contrast."
	// SECTION_KIND_FINDINGS    footer=false "No nodules. No effusion."
	// SECTION_KIND_IMPRESSION  footer=false "Normal chest CT."
	// SECTION_KIND_UNSPECIFIED footer=true  "Electronically signed by Dr. A. Example"
	// SECTION_KIND_TECHNIQUE CT chest without contrast.
	// SECTION_KIND_FINDINGS No nodules. No effusion.
	// SECTION_KIND_IMPRESSION Normal chest CT.
}
