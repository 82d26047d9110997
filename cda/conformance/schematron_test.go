package conformance_test

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/reportgen/reportgen/internal/extval"
	"github.com/reportgen/reportgen/issue"
)

// The official schematron's errors phase, compiled once per test binary:
// compiling takes seconds under xsltproc.
var (
	schOnce sync.Once
	schDir  string
	sch     *extval.Schematron
	schErr  error
)

// The warnings phase, for the warnings Check gives.
var (
	warnOnce sync.Once
	warnDir  string
	warnSch  *extval.Schematron
	warnErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range []string{schDir, warnDir} {
		if d != "" {
			os.RemoveAll(d)
		}
	}
	os.Exit(code)
}

func warningsPhase(t testing.TB) *extval.Schematron {
	t.Helper()
	warnOnce.Do(func() {
		warnDir, warnErr = os.MkdirTemp("", "conformance-warn-")
		if warnErr != nil {
			return
		}
		warnSch, warnErr = extval.CompileSchematron(ccdaSch, "warnings", warnDir)
	})
	if warnErr != nil {
		t.Fatalf("schematron warnings phase: %v", warnErr)
	}
	return warnSch
}

func schematron(t testing.TB) *extval.Schematron {
	t.Helper()
	schOnce.Do(func() {
		if _, err := os.Stat(ccdaSch); err != nil {
			schErr = err
			return
		}
		schDir, schErr = os.MkdirTemp("", "conformance-sch-")
		if schErr != nil {
			return
		}
		sch, schErr = extval.CompileSchematron(ccdaSch, "errors", schDir)
	})
	if schErr != nil {
		t.Fatalf("schematron: %v (sync the schemas: bash scripts/setup.sh)", schErr)
	}
	return sch
}

var confInText = regexp.MustCompile(`CONF:(\d+-\d+)`)

// svrlRule names a failed assert by its CONF number the way Check does:
// the assert id without the "a-" prefix and the "-c" / "-branch-…"
// suffixes (a-1198-31206-branch-30698-c is CONF:1198-31206), or, for the
// id-less compatible-templateId assert, the first CONF number of its text.
func svrlRule(a extval.SVRLAssert) string {
	id := strings.TrimPrefix(a.ID, "a-")
	if i := strings.Index(id, "-branch-"); i >= 0 {
		id = id[:i]
	}
	id = strings.TrimSuffix(id, "-c")
	if id != "" {
		return "CONF:" + id
	}
	if m := confInText.FindStringSubmatch(a.Text); m != nil {
		return "CONF:" + m[1]
	}
	return "unknown:" + a.Text
}

// schematronRules runs the errors phase on doc and returns the set of
// rules it reports.
func schematronRules(t *testing.T, doc []byte) map[string]bool {
	t.Helper()
	failed, err := schematron(t).Run(doc)
	if err != nil {
		t.Fatalf("schematron did not run: %v", err)
	}
	out := map[string]bool{}
	for _, f := range failed {
		out[svrlRule(f)] = true
	}
	return out
}

// errorRules returns the set of rules of the errors in l.
func errorRules(l issue.List) map[string]bool {
	out := map[string]bool{}
	for _, i := range l.Errors() {
		out[i.RuleID] = true
	}
	return out
}

func sorted(m map[string]bool) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// TestGoodDocumentsSchematron is the other half of the good-document
// check: the official schematron finds no error in any of them either.
func TestGoodDocumentsSchematron(t *testing.T) {
	for _, g := range goodDocs(t) {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			if got := schematronRules(t, g.xml); len(got) > 0 {
				t.Errorf("schematron errors: %v", sorted(got))
			}
		})
	}
}

// TestWarningsFollowSchematron checks that every warning Check gives on the
// good documents is one the schematron's warnings phase gives there too:
// warnings mirror its SHOULD asserts and invent none.
func TestWarningsFollowSchematron(t *testing.T) {
	c := checker(t)
	w := warningsPhase(t)
	for _, g := range goodDocs(t) {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			failed, err := w.Run(g.xml)
			if err != nil {
				t.Fatal(err)
			}
			theirs := map[string]bool{}
			for _, f := range failed {
				theirs[svrlRule(f)] = true
			}
			for _, i := range c.Check(g.xml) {
				if i.Severity == issue.Warning && !theirs[i.RuleID] {
					t.Errorf("warning %s is not in the schematron's warnings phase (%v)", i, sorted(theirs))
				}
			}
		})
	}
}
