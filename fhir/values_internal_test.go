package fhir

import "testing"

func TestDecimal(t *testing.T) {
	for in, want := range map[string]string{
		"12": "12", "+5": "5", "-0.50": "-0.50", "007": "7", ".5": "0.5", "5.": "5", "0": "0", "-0": "0",
		"1.5e3": "1.5e3", "2E+03": "2e3", "3e-02": "3e-2", " 4 ": "4",
	} {
		got, err := decimal(in)
		if err != nil || got != want {
			t.Errorf("decimal(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", ".", "abc", "1..2", "1e", "--1", "1,5"} {
		if got, err := decimal(in); err == nil {
			t.Errorf("decimal(%q) = %q, want an error", in, got)
		}
	}
}
