// Command fuzzrun fuzzes every fuzz target of the module: it finds each
// FuzzXxx function in the packages' tests (so a target a package adds is
// fuzzed with nothing to configure), builds one instrumented test binary
// per package, runs the targets (without minimisation unless asked), and prints per
// target the execs, the new interesting inputs and the verdict. A target
// that fails (a crash, a broken invariant, a hang) fails the run; its
// input is printed in full, as the corpus file to commit under the
// package's testdata/fuzz.
//
//	go run ./internal/fuzzrun -budget 5m30s   # CI: all targets within 5m30s of wall time after the builds
//	go run ./internal/fuzzrun -each 10m       # every target for 10 minutes
//	go run ./internal/fuzzrun -each 30s -run 'sr\.'
//
// The corpus each run finds is kept in Go's fuzz cache (the one `go test
// -fuzz` uses), so later runs start from it.
//
// Exit status: 0 every target passed; 1 some target failed; 2 bad
// command line; 3 the targets could not be listed or built.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// options are the command line.
type options struct {
	budget, each time.Duration
	// goal is the execs after which a run in budget mode hands the rest
	// of its share on (0 with -each: every target runs its full time).
	run           *regexp.Regexp
	jobs          int
	parallel      int
	minimize      string
	goal          int64
	cache         string
	list, verbose bool
}

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fuzzrun", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var run string
	fs.DurationVar(&o.budget, "budget", 0, "wall time for every target after the builds, shared out by speed (CI)")
	fs.DurationVar(&o.each, "each", 0, "fuzzing time of each target (instead of -budget)")
	fs.StringVar(&run, "run", "", "only targets whose `regexp` matches \"dir.FuzzName\" (e.g. 'sr\\.' or 'FuzzGenerate$')")
	fs.IntVar(&o.jobs, "jobs", 1, "targets fuzzed at once")
	fs.IntVar(&o.parallel, "parallel", 0, "fuzzing workers per target (0: cores divided by -jobs)")
	fs.StringVar(&o.minimize, "minimize", "0", "-fuzzminimizetime for each new interesting or failing input: a duration or a count (\"100x\"); 0 spends no time on it (a worker minimising does not fuzz, and inputs of the slow targets take seconds each)")
	fs.Int64Var(&o.goal, "goal", 30000, "with -budget: execs after which a target (past a quarter of its equal share) stops and hands the rest of its share to the targets after it")
	fs.StringVar(&o.cache, "cache", "", "fuzz cache folder (default: Go's, shared with go test -fuzz)")
	fs.BoolVar(&o.list, "list", false, "list the targets and exit")
	fs.BoolVar(&o.verbose, "v", false, "print Go's progress lines as they come")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fuzzrun: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if o.each > 0 {
		o.goal = 0
	}
	if !o.list && (o.budget > 0) == (o.each > 0) {
		fmt.Fprintln(stderr, "fuzzrun: give exactly one of -budget and -each")
		return 2
	}
	if o.jobs < 1 || o.parallel < 0 {
		fmt.Fprintln(stderr, "fuzzrun: -jobs must be at least 1 and -parallel at least 0")
		return 2
	}
	var err error
	if o.run, err = regexp.Compile(run); err != nil {
		fmt.Fprintf(stderr, "fuzzrun: -run: %v\n", err)
		return 2
	}
	if o.parallel == 0 {
		o.parallel = max(1, runtime.NumCPU()/o.jobs)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return fuzz(ctx, o, stdout, stderr)
}

func fuzz(ctx context.Context, o options, stdout, stderr io.Writer) int {
	start := time.Now()
	all, err := Discover(".", "./...")
	if err != nil {
		fmt.Fprintf(stderr, "fuzzrun: %v\n", err)
		return 3
	}
	var targets []Target
	for _, t := range all {
		if o.run.MatchString(t.ID()) {
			targets = append(targets, t)
		}
	}
	if o.list {
		for _, t := range targets {
			fmt.Fprintf(stdout, "%s %s\n", t.Rel, t.Name)
		}
		return 0
	}
	if len(targets) == 0 {
		fmt.Fprintln(stderr, "fuzzrun: no fuzz targets match")
		return 3
	}
	if o.cache == "" {
		out, err := exec.Command("go", "env", "GOCACHE").Output()
		if err != nil {
			fmt.Fprintf(stderr, "fuzzrun: go env GOCACHE: %v\n", err)
			return 3
		}
		o.cache = filepath.Join(strings.TrimSpace(string(out)), "fuzz")
	}
	work, err := os.MkdirTemp("", "fuzzrun-")
	if err != nil {
		fmt.Fprintf(stderr, "fuzzrun: %v\n", err)
		return 3
	}
	defer os.RemoveAll(work)

	mode := fmt.Sprintf("each target %v", o.each)
	if o.budget > 0 {
		mode = fmt.Sprintf("budget %v for all, exec goal %d", o.budget, o.goal)
	}
	fmt.Fprintf(stdout, "fuzzrun: %d targets in %d packages; %s; %d at a time, %d workers each, minimise %s\n",
		len(targets), countPackages(targets), mode, o.jobs, o.parallel, o.minimize)

	r := &runner{o: o, stdout: stdout, work: work, results: make([]*result, len(targets))}
	for i, t := range targets {
		r.results[i] = &result{target: t}
	}
	buildStart := time.Now()
	r.build(ctx)
	buildTime := time.Since(buildStart)
	fmt.Fprintf(stdout, "fuzzrun: built %d instrumented test binaries in %v\n", countPackages(targets), buildTime.Round(time.Second))

	// The budget starts after the builds: on a machine with a cold build
	// cache they take minutes, and counting them left the targets
	// seconds each (the slowest got under 10,000 execs). A margin for
	// the summary and for slots finishing unevenly.
	const margin = 5 * time.Second
	r.schedule(ctx, time.Now().Add(o.budget-margin))
	failed := r.summary(time.Since(start), buildTime)
	if ctx.Err() != nil {
		fmt.Fprintln(stdout, "fuzzrun: interrupted")
		return 1
	}
	if failed > 0 {
		return 1
	}
	return 0
}

func countPackages(ts []Target) int {
	seen := map[string]bool{}
	for _, t := range ts {
		seen[t.ImportPath] = true
	}
	return len(seen)
}

// result is what one target's run did.
type result struct {
	target Target
	// binary is the package's instrumented test binary; buildErr why
	// there is none.
	binary   string
	buildErr string
	// ran is set once the target has run; wall is how long it ran.
	ran    bool
	wall   time.Duration
	execs  int64
	newInt int64
	corpus int64
	// failure says why the target failed; crasher is its input's file.
	failure, crasher string
}

func (r *result) ok() bool { return r.failure == "" && r.buildErr == "" }

type runner struct {
	o options
	// dir is where go builds run: the module root ("" is the current
	// folder).
	dir string
	// mu orders whole lines and blocks of output from runs in parallel.
	mu      sync.Mutex
	stdout  io.Writer
	work    string
	results []*result
}

// build makes one instrumented test binary per package. `go test -fuzz`
// takes one package at a time, so the builds are separate commands. The
// package with the most dependencies is built first: it compiles most of
// the instrumented dependency graph into the build cache. The others
// then mostly compile their own package and link, which they do on every
// core at once; one after another, they took about a minute of CI's
// fuzzing budget.
func (r *runner) build(ctx context.Context) {
	first := map[string]*result{} // import path -> the result that builds it
	var pkgs []*result
	for _, res := range r.results {
		if _, ok := first[res.target.ImportPath]; !ok {
			first[res.target.ImportPath] = res
			pkgs = append(pkgs, res)
		}
	}
	sort.SliceStable(pkgs, func(i, j int) bool { return pkgs[i].target.Deps > pkgs[j].target.Deps })
	one := func(i int, res *result) {
		res.binary = filepath.Join(r.work, fmt.Sprintf("pkg%d.test", i))
		cmd := exec.CommandContext(ctx, "go", "test", "-c", "-fuzz=.", "-o", res.binary, res.target.ImportPath)
		cmd.Dir = r.dir
		if out, err := cmd.CombinedOutput(); err != nil {
			res.buildErr = fmt.Sprintf("%v: %s", err, strings.TrimSpace(string(out)))
			res.binary = ""
			r.mu.Lock()
			fmt.Fprintf(r.stdout, "fuzzrun: build %s: %s\n", res.target.Rel, res.buildErr)
			r.mu.Unlock()
		}
	}
	if len(pkgs) > 0 {
		one(0, pkgs[0])
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for i, res := range pkgs[min(1, len(pkgs)):] {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			one(i+1, res)
		}()
	}
	wg.Wait()
	for _, res := range r.results {
		if b := first[res.target.ImportPath]; b != res {
			res.binary, res.buildErr = b.binary, b.buildErr
		}
	}
}

// schedule runs every target that built, o.jobs at a time: for o.each
// each, or within the deadline as allot shares it out.
func (r *runner) schedule(ctx context.Context, deadline time.Time) {
	var runnable []*result
	for _, res := range r.results {
		if res.ok() {
			runnable = append(runnable, res)
		}
	}
	// Time flows only from earlier targets to later ones, so the cheap
	// ones go first: a target whose package reaches less code (fewer
	// dependencies: a parser) does more execs per second, reaches the
	// goal early and hands its time on to the end-to-end targets that
	// render and validate whole documents.
	sort.SliceStable(runnable, func(i, j int) bool { return runnable[i].target.Deps < runnable[j].target.Deps })
	slots := make(chan struct{}, r.o.jobs)
	var wg sync.WaitGroup
	for i, res := range runnable {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		share, most := r.o.each, r.o.each
		if r.o.each == 0 {
			share, most = allot(time.Until(deadline), len(runnable)-i, r.o.jobs)
		}
		wg.Go(func() {
			defer func() { <-slots }()
			r.runOne(ctx, res, share, most)
		})
	}
	wg.Wait()
}
