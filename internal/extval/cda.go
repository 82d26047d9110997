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
	"strings"
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

// XMLLintMany validates every document of docs against xsd in one xmllint
// process (the schema is compiled once, which is most of a run) and
// returns, per document, the lines that report a problem with it; no
// lines means valid. The error result is for failures that say nothing
// about the documents.
func XMLLintMany(xsd string, docs [][]byte) ([][]string, error) {
	if _, err := os.Stat(xsd); err != nil {
		return nil, fmt.Errorf("extval: xmllint schema: %w", err)
	}
	dir, err := os.MkdirTemp("", "xmllint-")
	if err != nil {
		return nil, fmt.Errorf("extval: %w", err)
	}
	defer os.RemoveAll(dir)
	args := []string{"--noout", "--nonet", "--schema", xsd}
	names := make([]string, len(docs))
	for i, d := range docs {
		names[i] = filepath.Join(dir, fmt.Sprintf("doc%05d.xml", i))
		if err := os.WriteFile(names[i], d, 0o644); err != nil {
			return nil, fmt.Errorf("extval: %w", err)
		}
		args = append(args, names[i])
	}
	cmd := exec.Command("xmllint", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	var exit *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exit) {
		return nil, fmt.Errorf("extval: run xmllint: %w", runErr)
	}
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	found := make([][]string, len(docs))
	validated := make([]bool, len(docs))
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.Contains(l, "failed to compile") || strings.HasPrefix(l, "Schemas parser error") {
			return nil, fmt.Errorf("extval: xmllint cannot load schema %s: %s", xsd, l)
		}
		name, rest, ok := strings.Cut(l, ":")
		if strings.HasSuffix(l, " validates") {
			name, rest, ok = strings.TrimSuffix(l, " validates"), "", true
			if i, known := index[name]; known {
				validated[i] = true
			}
			continue
		}
		if i, known := index[name]; ok && known && !strings.HasSuffix(l, "fails to validate") {
			found[i] = append(found[i], rest)
		}
	}
	for i := range docs {
		if !validated[i] && len(found[i]) == 0 {
			found[i] = []string{"xmllint gave no verdict"}
		}
	}
	return found, nil
}
