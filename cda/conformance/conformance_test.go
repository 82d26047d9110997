package conformance_test

import (
	"sync"
	"testing"

	"github.com/reportgen/reportgen/cda/conformance"
	"github.com/reportgen/reportgen/issue"
	"github.com/reportgen/reportgen/schemas/ucum/ucumtest"
)

func checker(t testing.TB) *conformance.Checker {
	t.Helper()
	c, err := conformance.New(conformance.WithUCUM(ucumtest.Load(t)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func doc(t testing.TB, name string) []byte {
	t.Helper()
	for _, g := range goodDocs(t) {
		if g.name == name {
			return g.xml
		}
	}
	t.Fatalf("no good document %s", name)
	return nil
}

// TestGoodDocuments: every document the service generates, and HL7's
// known-good DIR sample, passes without error.
func TestGoodDocuments(t *testing.T) {
	c := checker(t)
	for _, g := range goodDocs(t) {
		t.Run(g.name, func(t *testing.T) {
			for _, i := range c.Check(g.xml).Errors() {
				t.Errorf("%s", i)
			}
		})
	}
}

// TestLocation checks the form of locations: an XPath from the root with
// positions among same-name siblings.
func TestLocation(t *testing.T) {
	c := checker(t)
	for _, tc := range []struct {
		name string
		edit edit
		rule string
		want string
	}{
		{"serviceEvent", rm(se + "/code"), "CONF:1198-8419", "/ClinicalDocument/documentationOf[1]/serviceEvent[1]"},
		{"root", rm(cd + "/title"), "CONF:1198-5254", "/ClinicalDocument"},
		{"third section", set(textObs, "classCode", "COND"), "CONF:81-9288",
			"/ClinicalDocument/component[1]/structuredBody[1]/component[2]/section[1]/entry[1]/observation[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := c.Check(mutate(t, doc(t, "ct-chest-measurements"), tc.edit))
			for _, i := range got {
				if i.RuleID == tc.rule {
					if i.Location != tc.want {
						t.Errorf("location %s, want %s", i.Location, tc.want)
					}
					return
				}
			}
			t.Errorf("no %s in %v", tc.rule, got)
		})
	}
}

// TestConcurrent shares one Checker between goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	c := checker(t)
	docs := goodDocs(t)
	want := make([]issue.List, len(docs))
	for i, g := range docs {
		want[i] = c.Check(g.xml)
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, g := range docs {
				if got := c.Check(g.xml); len(got) != len(want[i]) {
					t.Errorf("%s: %d issues, want %d", g.name, len(got), len(want[i]))
				}
			}
		}()
	}
	wg.Wait()
}
