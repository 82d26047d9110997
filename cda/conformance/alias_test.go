package conformance_test

import (
	"bytes"
	"slices"
	"testing"
)

// TestIssuesOutliveTheDocument: Check reads the document in place, without
// a copy, so nothing it returns may share the document's bytes. A
// document with many issues is checked, then overwritten: the issues must
// stay as they were, and checking another document must not change them.
func TestIssuesOutliveTheDocument(t *testing.T) {
	c := checker(t)
	ct := doc(t, "ct-chest-measurements")
	broken := mutate(t, ct, all(rm(pt+"/name/family"), prepend(pt+"/name", "Jones "), set(cd+"/id", "root", "Isabella-Jones"),
		set(cd+"/effectiveTime", "value", "20261321120000-0500"), set(qtyObs+"/value", "unit", "millimetre"),
		set(findings+"/text/paragraph[2]/content", "ID", "s4.1"), set(evidence+"/id", "root", "2.25.1")))
	got := c.Check(broken)
	if len(got) < 5 {
		t.Fatalf("expected several issues, got %v", got)
	}
	want := slices.Clone(got)
	for i := range want {
		want[i].Location = string(bytes.Clone([]byte(want[i].Location)))
		want[i].Message = string(bytes.Clone([]byte(want[i].Message)))
	}
	for i := range broken {
		broken[i] = 'x'
	}
	if other := c.Check(doc(t, "chest-radiograph")); other.HasErrors() {
		t.Fatalf("the other document: %v", other.Errors())
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("issue %d changed with the document's bytes: %v, was %v", i, got[i], want[i])
		}
	}
}
