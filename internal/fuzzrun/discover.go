package main

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Target is one fuzz target: a FuzzXxx function of a package's tests.
type Target struct {
	// ImportPath is the package's import path; Rel the same relative to
	// the module root ("./sr"), for messages and re-run hints.
	ImportPath, Rel string
	// Dir is the package folder: the test binary runs there, so the
	// seed corpus testdata/fuzz/<Name> is found and crashers land in it.
	Dir string
	// Name is the function's name.
	Name string
	// Package is the package's name.
	Package string
	// Deps counts the package's transitive imports: the build of the one
	// with most fills the build cache for the others.
	Deps int
}

// ID names the target in logs: the package folder and the function. The
// module root's package has no folder of its own, so it goes by its
// import path's last element, as Go names it.
func (t Target) ID() string {
	if t.Rel == "." {
		return path.Base(t.ImportPath) + "." + t.Name
	}
	return strings.TrimPrefix(t.Rel, "./") + "." + t.Name
}

// Discover lists every fuzz target of the packages matched by patterns
// (e.g. "./..."), as `go test` would run them: FuzzXxx functions with a
// single *testing.F parameter in the package's test files for the
// current build context. The files come from `go list`, so build
// constraints are honoured; the functions are found by parsing them, so
// nothing has to be compiled.
func Discover(dir string, patterns ...string) ([]Target, error) {
	args := append([]string{"list", "-e", "-f", "{{.ImportPath}}\t{{.Dir}}\t{{.Module.Dir}}\t{{join .TestGoFiles \",\"}}\t{{join .XTestGoFiles \",\"}}\t{{.Name}}\t{{len .Deps}}"}, patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var targets []Target
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 7 {
			return nil, fmt.Errorf("go list: unexpected line %q", sc.Text())
		}
		importPath, pkgDir, modDir := f[0], f[1], f[2]
		deps, err := strconv.Atoi(f[6])
		if err != nil {
			return nil, fmt.Errorf("go list: dependency count %q: %w", f[6], err)
		}
		rel := "."
		if r, err := filepath.Rel(modDir, pkgDir); err == nil && modDir != "" {
			rel = "./" + filepath.ToSlash(r)
			if r == "." {
				rel = "."
			}
		}
		var files []string
		for _, list := range f[3:5] {
			if list != "" {
				files = append(files, strings.Split(list, ",")...)
			}
		}
		seen := map[string]bool{}
		for _, name := range files {
			names, err := fuzzFuncs(filepath.Join(pkgDir, name))
			if err != nil {
				return nil, err
			}
			for _, n := range names {
				// An internal and an external test file of one package
				// cannot both define a name: the test binary would not
				// build. Guard anyway, so a target runs once.
				if !seen[n] {
					seen[n] = true
					targets = append(targets, Target{ImportPath: importPath, Rel: rel, Dir: pkgDir, Name: n, Package: f[5], Deps: deps})
				}
			}
		}
	}
	sort.SliceStable(targets, func(i, j int) bool {
		if targets[i].ImportPath != targets[j].ImportPath {
			return targets[i].ImportPath < targets[j].ImportPath
		}
		return targets[i].Name < targets[j].Name
	})
	return targets, nil
}

// fuzzFuncs returns the fuzz targets declared in one Go test file.
func fuzzFuncs(path string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return fuzzFuncsOf(f), nil
}

// fuzzFuncsOf applies the testing package's rule: a top-level function
// named Fuzz followed by nothing or by a character that is not a
// lower-case letter, taking one *testing.F.
func fuzzFuncsOf(f *ast.File) []string {
	testing := ""
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "testing" {
			testing = "testing"
			if imp.Name != nil {
				testing = imp.Name.Name
			}
		}
	}
	if testing == "" || testing == "_" {
		return nil
	}
	var names []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || !isFuzzName(fn.Name.Name) {
			continue
		}
		params := fn.Type.Params.List
		if len(params) != 1 || len(params[0].Names) > 1 || fn.Type.TypeParams != nil {
			continue
		}
		star, ok := params[0].Type.(*ast.StarExpr)
		if !ok {
			continue
		}
		sel, ok := star.X.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "F" {
			continue
		}
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == testing {
			names = append(names, fn.Name.Name)
		}
	}
	return names
}

func isFuzzName(name string) bool {
	rest, ok := strings.CutPrefix(name, "Fuzz")
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return !unicode.IsLower(r)
}
