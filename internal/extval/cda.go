package extval

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// SkeletonDir is the ISO schematron XSLT 1 implementation that python3-lxml
// ships. It is the reference skeleton, so schematron verdicts do not depend
// on a converter of the project's own.
var SkeletonDir = "/usr/lib/python3/dist-packages/lxml/isoschematron/resources/xsl/iso-schematron-xslt1"

// XMLLint validates doc against the W3C XML schema xsd with xmllint and
// returns the lines in which xmllint reports a problem with the document:
// schema validity errors and XML parser errors. No lines means the document
// is valid. The error result is kept for failures that say nothing about
// the document: xmllint missing, or a schema that does not load.
func XMLLint(xsd string, doc []byte) ([]string, error) {
	if _, err := os.Stat(xsd); err != nil {
		return nil, fmt.Errorf("extval: xmllint schema: %w", err)
	}
	// --nonet: the CDA schema imports only local files; a network fetch would
	// mean a broken schema set, and tests must not depend on the internet.
	cmd := exec.Command("xmllint", "--noout", "--nonet", "--schema", xsd, "-")
	cmd.Stdin = bytes.NewReader(doc)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	runErr := cmd.Run()
	var exit *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exit) {
		return nil, fmt.Errorf("extval: run xmllint: %w", runErr)
	}
	all := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	var found []string
	for _, l := range all {
		if strings.Contains(l, "failed to compile") || strings.HasPrefix(l, "Schemas parser error") {
			return nil, fmt.Errorf("extval: xmllint cannot load schema %s: %s", xsd, l)
		}
		// Problems with stdin are reported as "-:<line>: ..."; the lines
		// after a parser error only quote the source and point at it.
		if strings.HasPrefix(l, "-:") {
			found = append(found, l)
		}
	}
	if runErr == nil {
		return found, nil
	}
	if len(found) == 0 {
		// A failure without a located message must still fail the document.
		found = []string{fmt.Sprintf("xmllint exited with status %d: %s", exit.ExitCode(), strings.Join(all, " | "))}
	}
	return found, nil
}

// Schematron is an ISO schematron schema compiled to an XSLT 1 stylesheet,
// ready to run on documents with xsltproc. It is safe for concurrent use.
type Schematron struct {
	xsl string
}

// SVRLAssert is one failed assert of a schematron run, as reported in SVRL.
type SVRLAssert struct {
	// ID is the assert's id, e.g. "a-1198-8416".
	ID string
	// Location is the XPath of the context node the assert failed on.
	Location string
	// Text is the assert's message with whitespace collapsed; the C-CDA
	// schematron puts the CONF number in it.
	Text string
	// Role is the assert's role attribute, often empty.
	Role string
}

// String formats the assert on one line.
func (a SVRLAssert) String() string {
	return fmt.Sprintf("%s at %s: %s", a.ID, a.Location, a.Text)
}

// CompileSchematron compiles the schematron sch for phase ("" for all
// patterns) into dir with the ISO skeleton: include, abstract-pattern
// expansion, then the SVRL stylesheet. A voc.xml beside sch is copied next
// to the stylesheet, because the C-CDA schematron reads its value sets with
// document('voc.xml'), which XSLT resolves against the stylesheet's own
// location.
func CompileSchematron(sch, phase, dir string) (*Schematron, error) {
	for _, f := range []string{"iso_dsdl_include.xsl", "iso_abstract_expand.xsl", "iso_svrl_for_xslt1.xsl"} {
		if _, err := os.Stat(filepath.Join(SkeletonDir, f)); err != nil {
			return nil, fmt.Errorf("extval: schematron skeleton (install python3-lxml): %w", err)
		}
	}
	if _, err := os.Stat(sch); err != nil {
		return nil, fmt.Errorf("extval: schematron: %w", err)
	}
	base := strings.TrimSuffix(filepath.Base(sch), filepath.Ext(sch))
	included := filepath.Join(dir, base+".included.sch")
	expanded := filepath.Join(dir, base+".expanded.sch")
	name := base
	if phase != "" {
		name += "." + phase
	}
	compiled := filepath.Join(dir, name+".xsl")
	if err := xsltproc(nil, included, filepath.Join(SkeletonDir, "iso_dsdl_include.xsl"), sch); err != nil {
		return nil, fmt.Errorf("extval: schematron include step: %w", err)
	}
	if err := xsltproc(nil, expanded, filepath.Join(SkeletonDir, "iso_abstract_expand.xsl"), included); err != nil {
		return nil, fmt.Errorf("extval: schematron expand step: %w", err)
	}
	var params []string
	if phase != "" {
		params = []string{"--stringparam", "phase", phase}
	}
	if err := xsltproc(params, compiled, filepath.Join(SkeletonDir, "iso_svrl_for_xslt1.xsl"), expanded); err != nil {
		return nil, fmt.Errorf("extval: schematron compile step: %w", err)
	}
	voc := filepath.Join(filepath.Dir(sch), "voc.xml")
	if _, err := os.Stat(voc); err == nil {
		if err := copyFile(voc, filepath.Join(dir, "voc.xml")); err != nil {
			return nil, fmt.Errorf("extval: schematron value sets: %w", err)
		}
	}
	return &Schematron{xsl: compiled}, nil
}

// Run checks doc and returns the failed asserts of the compiled phase. The
// error result means the check did not run, e.g. doc is not well-formed XML.
func (s *Schematron) Run(doc []byte) (failed []SVRLAssert, err error) {
	cmd := exec.Command("xsltproc", s.xsl, "-")
	cmd.Stdin = bytes.NewReader(doc)
	var out, stderr bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("extval: run schematron: %w: %s", err, firstLines(stderr.String(), 5))
	}
	failed, err = parseSVRL(&out)
	if err != nil {
		return nil, fmt.Errorf("extval: read SVRL: %w", err)
	}
	return failed, nil
}

const svrlNS = "http://purl.oclc.org/dsdl/svrl"

func parseSVRL(r io.Reader) ([]SVRLAssert, error) {
	dec := xml.NewDecoder(r)
	var out []SVRLAssert
	var cur *SVRLAssert
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space == svrlNS && t.Name.Local == "failed-assert" {
				cur = &SVRLAssert{}
				text.Reset()
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "id":
						cur.ID = a.Value
					case "location":
						cur.Location = a.Value
					case "role":
						cur.Role = a.Value
					}
				}
			}
		case xml.CharData:
			if cur != nil {
				text.Write(t)
			}
		case xml.EndElement:
			if cur != nil && t.Name.Space == svrlNS && t.Name.Local == "failed-assert" {
				cur.Text = strings.Join(strings.Fields(text.String()), " ")
				out = append(out, *cur)
				cur = nil
			}
		}
	}
}

func xsltproc(params []string, out, xsl, in string) error {
	args := append([]string{"-o", out}, params...)
	args = append(args, xsl, in)
	cmd := exec.Command("xsltproc", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("xsltproc %s: %w: %s", filepath.Base(xsl), err, firstLines(stderr.String(), 5))
	}
	return nil
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, " | ")
}

// XMLLintFiles validates the files against the W3C XML schema xsd in one
// xmllint run and returns, per file that has any, the lines in which
// xmllint reports a problem. A file xmllint does not say validates counts
// as failed too, so a crash or a cut output cannot pass a file.
func XMLLintFiles(xsd string, paths []string) (map[string][]string, error) {
	if _, err := os.Stat(xsd); err != nil {
		return nil, fmt.Errorf("extval: xmllint schema: %w", err)
	}
	cmd := exec.Command("xmllint", append([]string{"--noout", "--nonet", "--schema", xsd}, paths...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	var exit *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exit) {
		return nil, fmt.Errorf("extval: run xmllint: %w", runErr)
	}
	found := map[string][]string{}
	valid := map[string]bool{}
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.Contains(l, "failed to compile") || strings.HasPrefix(l, "Schemas parser error") {
			return nil, fmt.Errorf("extval: xmllint cannot load schema %s: %s", xsd, l)
		}
		for _, p := range paths {
			switch {
			case l == p+" validates":
				valid[p] = true
			case strings.HasPrefix(l, p+":"):
				found[p] = append(found[p], l)
			}
		}
	}
	for _, p := range paths {
		if !valid[p] && len(found[p]) == 0 {
			found[p] = []string{p + ": xmllint did not report it valid"}
		}
	}
	return found, nil
}

// RunFiles checks the files in one xsltproc run (the stylesheet is
// compiled once) and returns the failed asserts of each, in order. The
// error result means the check did not run on every file.
func (s *Schematron) RunFiles(paths []string) ([][]SVRLAssert, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	cmd := exec.Command("xsltproc", append([]string{s.xsl}, paths...)...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("extval: run schematron: %w: %s", err, firstLines(stderr.String(), 5))
	}
	// xsltproc writes one result document per input, each with its own
	// XML declaration.
	docs := strings.Split(out.String(), "<?xml ")
	if len(docs) > 0 && strings.TrimSpace(docs[0]) == "" {
		docs = docs[1:]
	}
	if len(docs) != len(paths) {
		return nil, fmt.Errorf("extval: schematron gave %d results for %d files: %s", len(docs), len(paths), firstLines(stderr.String(), 5))
	}
	res := make([][]SVRLAssert, len(paths))
	for i, d := range docs {
		failed, err := parseSVRL(strings.NewReader("<?xml " + d))
		if err != nil {
			return nil, fmt.Errorf("extval: read SVRL of %s: %w", paths[i], err)
		}
		res[i] = failed
	}
	return res, nil
}

// XMLLintMany validates every document of docs against xsd in one xmllint
// process (the schema is compiled once, which is most of a run) and
// returns, per document, the lines that report a problem with it; no
// lines means valid. The error result is for failures that say nothing
// about the documents.
func XMLLintMany(xsd string, docs [][]byte) ([][]string, error) {
	dir, err := os.MkdirTemp("", "xmllint-")
	if err != nil {
		return nil, fmt.Errorf("extval: %w", err)
	}
	defer os.RemoveAll(dir)
	names := make([]string, len(docs))
	for i, d := range docs {
		names[i] = filepath.Join(dir, fmt.Sprintf("doc%05d.xml", i))
		if err := os.WriteFile(names[i], d, 0o644); err != nil {
			return nil, fmt.Errorf("extval: %w", err)
		}
	}
	found, err := XMLLintFiles(xsd, names)
	if err != nil {
		return nil, err
	}
	res := make([][]string, len(docs))
	for i, n := range names {
		res[i] = found[n]
	}
	return res, nil
}

// RunMany checks every non-nil document of docs and returns the failed
// asserts of each (nil for a nil document). The documents are split over
// one xsltproc process per core, so the large stylesheet is compiled once
// per process rather than once per document.
func (s *Schematron) RunMany(docs [][]byte) ([][]SVRLAssert, error) {
	dir, err := os.MkdirTemp("", "schematron-")
	if err != nil {
		return nil, fmt.Errorf("extval: %w", err)
	}
	defer os.RemoveAll(dir)
	var idx []int
	var paths []string
	for i, d := range docs {
		if d == nil {
			continue
		}
		p := filepath.Join(dir, fmt.Sprintf("doc%05d.xml", i))
		if err := os.WriteFile(p, d, 0o644); err != nil {
			return nil, fmt.Errorf("extval: %w", err)
		}
		idx, paths = append(idx, i), append(paths, p)
	}
	n := max(1, runtime.GOMAXPROCS(0))
	size := (len(paths) + n - 1) / n
	res := make([][]SVRLAssert, len(docs))
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := 0; w < n && w*size < len(paths); w++ {
		lo, hi := w*size, min(len(paths), (w+1)*size)
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := s.RunFiles(paths[lo:hi])
			if err != nil {
				errs[w] = err
				return
			}
			for k, f := range got {
				res[idx[lo+k]] = f
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return res, nil
}
