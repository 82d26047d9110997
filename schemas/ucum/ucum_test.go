package ucum_test

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/internal/fuzztest"
	"github.com/reportgen/reportgen/schemas/ucum"
)

// syncedDir is the synced schema folder of the repository.
const syncedDir = "../synced"

func load(t testing.TB) *ucum.System {
	t.Helper()
	s, err := ucum.Load(syncedDir)
	if err != nil {
		t.Fatalf("%v (sync the schemas: bash scripts/setup.sh)", err)
	}
	return s
}

// TestFunctionalTests checks every case of the validation part of the
// UCUM functional tests (ucum-functional-tests.xml, maintained by the
// UCUM organisation's implementers and synced with the essence): the
// verdict of each case is theirs, not this package's.
func TestFunctionalTests(t *testing.T) {
	s := load(t)
	b, err := os.ReadFile(filepath.Join(syncedDir, filepath.FromSlash(ucum.FunctionalTestsPath)))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []struct {
			ID     string `xml:"id,attr"`
			Unit   string `xml:"unit,attr"`
			Valid  string `xml:"valid,attr"`
			Reason string `xml:"reason,attr"`
		} `xml:"validation>case"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) < 500 {
		t.Fatalf("%d validation cases, want the 525 of the file", len(doc.Cases))
	}
	agree := 0
	for _, c := range doc.Cases {
		err := s.Check(c.Unit)
		want := c.Valid == "true"
		if (err == nil) != want {
			t.Errorf("case %s %q: valid %v, Check says %v (%s)", c.ID, c.Unit, want, err, c.Reason)
			continue
		}
		agree++
	}
	t.Logf("UCUM functional tests (validation): %d cases, %d agree", len(doc.Cases), agree)
}

// TestCheck covers the units reports use and the mistakes they make.
func TestCheck(t *testing.T) {
	s := load(t)
	for _, u := range []string{"mm", "cm3", "mg/dL", "10*3/uL", "[hnsf'U]", "%", "{ratio}", "mL/min/{1.73_m2}", "/min", "m2", "s-1", "kg.m-2", "(mm.mm)/mm", "1", "Cel", "mm[Hg]", "ug/(kg.min)"} {
		if err := s.Check(u); err != nil {
			t.Errorf("%q: %v", u, err)
		}
	}
	for _, u := range []string{"millimetre", "MM", "", "mm ", "m/", "12h", "mg/12h", "{a}rad2{b}", "[hnsf'U", "(mm", "mm)", "m+", "\u00b5m", "cm^3", strings.Repeat("m.", 200) + "m"} {
		if err := s.Check(u); err == nil {
			t.Errorf("%q passes", u)
		}
	}
}

// FuzzCheck runs Check on any input: it must return within the deadline
// (internal/fuzztest), and a unit it
// accepts must stay accepted inside parentheses and after a division.
func FuzzCheck(f *testing.F) {
	for _, u := range []string{"mm", "10*3/uL", "[hnsf'U]", "{ratio}", "mL/min/{1.73_m2}", "(kg.m)/s2", "millimetre", "g/12h"} {
		f.Add(u)
	}
	s := load(f)
	f.Fuzz(func(t *testing.T, u string) {
		fuzztest.Run(t, func() error {
			if s.Check(u) != nil || len(u) > ucum.MaxExpression-2 || strings.HasPrefix(u, "/") {
				return nil
			}
			if err := s.Check("(" + u + ")"); err != nil {
				return fmt.Errorf("%q passes but (%s) does not: %v", u, u, err)
			}
			if err := s.Check("m/" + u); err != nil && !strings.HasPrefix(u, "/") {
				return fmt.Errorf("%q passes but m/%s does not: %v", u, u, err)
			}
			return nil
		})
	})
}
