package main

import (
	"context"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	out := `fuzz: elapsed: 0s, gathering baseline coverage: 0/3 completed
fuzz: elapsed: 0s, gathering baseline coverage: 3/3 completed, now fuzzing with 2 workers
fuzz: elapsed: 3s, execs: 10959 (3650/sec), new interesting: 68 (total: 71)
fuzz: elapsed: 20s, execs: 111640 (7604/sec), new interesting: 295 (total: 298)
PASS`
	var p Progress
	for _, l := range strings.Split(out, "\n") {
		p.Line(l)
	}
	if p.Elapsed != 20*time.Second || p.Execs != 111640 || p.Rate != 7604 || p.NewInteresting != 295 || p.Corpus != 298 || p.Lines != 2 || p.Failed || p.ShutdownRace() {
		t.Errorf("read as %+v", p)
	}

	fail := `fuzz: elapsed: 1s, execs: 404 (402/sec), new interesting: 2 (total: 5)
--- FAIL: FuzzGenerateFields (1.21s)
    --- FAIL: FuzzGenerateFields (0.00s)
        fuzz_ext_test.go:101: report.patient.telecoms[0].use set to "W": ...

    Failing input written to testdata/fuzz/FuzzGenerateFields/adf1590fe1788da8
    To re-run:
    go test -run=FuzzGenerateFields/adf1590fe1788da8
FAIL`
	p = Progress{}
	for _, l := range strings.Split(fail, "\n") {
		p.Line(l)
	}
	if !p.Failed || p.Crasher != "testdata/fuzz/FuzzGenerateFields/adf1590fe1788da8" || p.Execs != 404 || p.ShutdownRace() {
		t.Errorf("failure read as %+v", p)
	}

	// Go 1.26's end-of-fuzztime race: a bare context error, no input.
	race := `fuzz: elapsed: 11s, execs: 16500 (1640/sec), new interesting: 99 (total: 216)
--- FAIL: FuzzRead (10.76s)
    context deadline exceeded
FAIL`
	p = Progress{}
	for _, l := range strings.Split(race, "\n") {
		p.Line(l)
	}
	if !p.ShutdownRace() {
		t.Errorf("the shutdown race read as %+v", p)
	}
	// The same message from a target's own check is a failure.
	p = Progress{}
	for _, l := range strings.Split("--- FAIL: FuzzX (1.00s)\n    --- FAIL: FuzzX (0.00s)\n        x_test.go:9: context deadline exceeded\n    Failing input written to testdata/fuzz/FuzzX/1\nFAIL", "\n") {
		p.Line(l)
	}
	if p.ShutdownRace() {
		t.Errorf("a failing input read as the shutdown race: %+v", p)
	}
	p = Progress{}
	p.Line("fuzz: elapsed: 4s, minimizing")
	if !p.Minimizing {
		t.Errorf("minimising not seen")
	}

	// Without coverage instrumentation the coordinator gives no counts of
	// interesting inputs.
	p = Progress{}
	p.Line("fuzz: elapsed: 6s, execs: 300 (50/sec)")
	if p.Execs != 300 || p.Lines != 1 || p.NewInteresting != 0 {
		t.Errorf("uninstrumented line read as %+v", p)
	}
}

func TestFuzzFuncs(t *testing.T) {
	src := `package x_test
import (
	tt "testing"
)
func FuzzA(f *tt.F) {}
func Fuzz(f *tt.F) {}
func Fuzzy(f *tt.F) {}             // "Fuzz" then a lower-case letter: not a target
func FuzzB(t *tt.T) {}             // a test's parameter
func FuzzC(f *tt.F, more int) {}   // two parameters
func (r R) FuzzD(f *tt.F) {}       // a method
func Fuzz_E(f *tt.F) {}
func FuzzÉ(f *tt.F) {}
type R struct{}
`
	f, err := parser.ParseFile(token.NewFileSet(), "x_test.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := fuzzFuncsOf(f)
	if want := []string{"FuzzA", "Fuzz", "Fuzz_E", "FuzzÉ"}; !slices.Equal(got, want) {
		t.Errorf("targets %v, want %v", got, want)
	}
}

// TestDiscover finds this module's targets, internal and external test
// files alike, each once.
func TestDiscover(t *testing.T) {
	ts, err := Discover("../..", "./...")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, tg := range ts {
		if seen[tg.ID()] {
			t.Errorf("%s listed twice", tg.ID())
		}
		seen[tg.ID()] = true
	}
	for _, want := range []string{"reportgen.FuzzGenerate", "sr.FuzzValidate", "templates.FuzzParseFile", "batch.FuzzJSONL"} {
		if !seen[want] {
			t.Errorf("%s not found in %v", want, slices.Sorted(maps.Keys(seen)))
		}
	}
}

func TestAllot(t *testing.T) {
	s := time.Second
	for _, tt := range []struct {
		remaining   time.Duration
		left, jobs  int
		share, most time.Duration
	}{
		// 200 s for 10 targets: 20 s each, and no more.
		{200 * s, 10, 1, 20 * s, 20 * s},
		// Two at a time: twice the share.
		{200 * s, 10, 2, 40 * s, 40 * s},
		// The last target may use all that is left.
		{30 * s, 1, 1, 30 * s, 30 * s},
		// Too little time: the floor.
		{10 * s, 50, 1, floor, floor},
	} {
		share, most := allot(tt.remaining, tt.left, tt.jobs)
		if share != tt.share || most != tt.most {
			t.Errorf("allot(%v, %d, %d) = %v, %v; want %v, %v", tt.remaining, tt.left, tt.jobs, share, most, tt.share, tt.most)
		}
	}
}

func TestEnough(t *testing.T) {
	s := time.Second
	for _, tt := range []struct {
		elapsed time.Duration
		execs   int64
		want    bool
	}{
		{2 * s, 1e6, false}, // goal reached within a quarter of its share: runs on
		{3 * s, 1e6, true},  // goal reached past a quarter: hands the rest on
		{9 * s, 100, false}, // goal not reached: runs on to its share
		{12 * s, 100, true}, // share used
		{12 * s, 1e6, true}, // share used, goal reached
	} {
		if got := enough(tt.elapsed, 12*s, 12*s, tt.execs, 30000); got != tt.want {
			t.Errorf("enough(%v, %d execs) = %v, want %v", tt.elapsed, tt.execs, got, tt.want)
		}
	}
}

// TestBuild builds a module's fuzz binaries as fuzz does: one per package
// (also when two packages share a name), none shared, and a broken
// package reported as its own with the others still built.
func TestBuild(t *testing.T) {
	for _, tt := range []struct {
		name string
		pkgs map[string]string // folder -> package name
		bad  string            // a folder whose test does not compile
	}{
		{"distinct names", map[string]string{"a": "alpha", "b": "beta"}, ""},
		{"one name twice", map[string]string{"a": "x", "b/x": "x", "c": "gamma"}, ""},
		{"a broken package", map[string]string{"a": "alpha", "b": "beta", "c": "gamma"}, "b"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mod := t.TempDir()
			write := func(name, text string) {
				t.Helper()
				p := filepath.Join(mod, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("go.mod", "module example.com/m\n\ngo 1.22\n")
			for dir, name := range tt.pkgs {
				write(dir+"/p.go", "package "+name+"\n")
				body := "func FuzzP(f *testing.F) { f.Fuzz(func(t *testing.T, b []byte) {}) }\n"
				if dir == tt.bad {
					body += "var _ = undefined\n"
				}
				write(dir+"/p_test.go", "package "+name+"\n\nimport \"testing\"\n\n"+body)
			}
			targets, err := Discover(mod, "./...")
			if err != nil {
				t.Fatal(err)
			}
			if len(targets) != len(tt.pkgs) {
				t.Fatalf("found %d targets, want %d", len(targets), len(tt.pkgs))
			}
			var out strings.Builder
			r := &runner{dir: mod, stdout: &out, work: t.TempDir()}
			for _, tg := range targets {
				r.results = append(r.results, &result{target: tg})
			}
			r.build(context.Background())
			binaries := map[string]bool{}
			for _, res := range r.results {
				broken := strings.TrimPrefix(res.target.Rel, "./") == tt.bad
				switch {
				case broken && res.buildErr == "":
					t.Errorf("%s: broken package built", res.target.Rel)
				case broken && !strings.Contains(out.String(), res.target.Rel):
					t.Errorf("%s: build failure not reported: %q", res.target.Rel, out.String())
				case !broken && res.buildErr != "":
					t.Errorf("%s: %s", res.target.Rel, res.buildErr)
				case !broken:
					if fi, err := os.Stat(res.binary); err != nil || fi.Mode()&0o100 == 0 {
						t.Errorf("%s: no binary at %q: %v", res.target.Rel, res.binary, err)
					}
					if binaries[res.binary] {
						t.Errorf("%s: binary %s shared with another package", res.target.Rel, res.binary)
					}
					binaries[res.binary] = true
				}
			}
		})
	}
}
