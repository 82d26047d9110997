package sr

import (
	"strings"
	"testing"
)

// TestCompiledConstraints checks the compiled relationship tables against
// the rows they are compiled from, for every value type and relationship
// the tables name and for values they do not.
func TestCompiledConstraints(t *testing.T) {
	vtList := append(strings.Split(knownVTList, ", "), "", "FOO")
	rels := append(strings.Split(relationshipList, ", "), "", "HAS NOTHING")
	// allowed is the plain reading of the tables: a row allows the triple.
	allowed := func(iod, source, rel, target string) bool {
		for _, c := range constraintTables[iod] {
			if c.rel == rel && (c.sources == nil || c.sources[source]) && c.targets[target] {
				return true
			}
		}
		return false
	}
	n := 0
	for uid, kind := range iodKindOf {
		for _, vt := range vtList {
			if got, want := valueTypeBits[kind].has(vtOf(vt)), valueTypes[uid][vt]; got != want {
				t.Errorf("%s: value type %q allowed %v, the table says %v", iodNames[uid], vt, got, want)
			}
		}
		for _, src := range vtList {
			for _, rel := range rels {
				for _, tgt := range vtList {
					got, want := allowedCode(kind, vtOf(src), relOf(rel), vtOf(tgt)), allowed(uid, src, rel, tgt)
					if got != want {
						t.Errorf("%s: %q %q %q allowed %v, the table says %v", iodNames[uid], src, rel, tgt, got, want)
					}
					if want {
						n++
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no triple is allowed: the tables did not load")
	}
}
