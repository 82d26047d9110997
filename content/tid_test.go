package content

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"testing"
)

// TestRowLabels checks that each row's annotation ("// TID n row m")
// names the row it stands above, so that grepping a label finds the one
// row it names.
func TestRowLabels(t *testing.T) {
	src, err := os.ReadFile("tid.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^\t// TID (\d+) row (\d+)\b.*\n(?:\t//.*\n)*\t\w+ = &Row\{TID: (\d+), Row: (\d+),`)
	seen := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		if m[1] != m[3] || m[2] != m[4] {
			t.Errorf("label TID %s row %s stands above TID %s row %s", m[1], m[2], m[3], m[4])
		}
		label := m[1] + "/" + m[2]
		if seen[label] {
			t.Errorf("TID %s row %s is labelled twice", m[1], m[2])
		}
		seen[label] = true
	}
	n := 0
	for id, rows := range Templates {
		for i, r := range rows {
			n++
			if r.TID != id || r.Row != i+1 {
				t.Errorf("Templates[%d][%d] is %s", id, i, r)
			}
			if !seen[strconv.Itoa(r.TID)+"/"+strconv.Itoa(r.Row)] {
				t.Errorf("%s has no label", r)
			}
			if r.Include == 0 && len(r.Types) == 0 {
				t.Errorf("%s has neither a value type nor an included template", r)
			}
		}
	}
	if n != len(seen) {
		t.Errorf("%d labelled rows, %d rows in Templates", len(seen), n)
	}
}

// TestRowNode checks that a row's node carries what the row fixes.
func TestRowNode(t *testing.T) {
	n := TID1204Language.Node()
	if n.Relationship != HasConceptMod || n.Type != CodeValue || n.Concept != ConceptLanguage {
		t.Errorf("TID 1204 language node = %+v", n)
	}
	if got := TID2000SectionObsContext.String(); got != fmt.Sprintf("TID %d row %d", 2000, 9) {
		t.Errorf("String() = %q", got)
	}
	if !TID1210EquivalentMeaning.Allows(Text) || !TID1210EquivalentMeaning.Allows(CodeValue) || TID1210EquivalentMeaning.Allows(Num) {
		t.Error("TID 1210 allows TEXT or CODE only")
	}
}
