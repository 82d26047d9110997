package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/reportgen/reportgen"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// maxRequestFile bounds a request file read by generate.
const maxRequestFile = 32 << 20

func generate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "output folder (required)")
	heading := fs.String("sr-heading-codes", "loinc", "SR section heading codes: loinc (current CID 7001) or dcm (retired codes older receivers know)")
	outs := fs.String("outputs", "", "comma-separated documents to write when a request names none: cda, sr, fhir, html (default cda,sr)")
	cfg := engineFlags(fs)
	warnUnused := hideTransformFlags(fs, "usage: reportgen generate --out DIR [flags] FILE.json...\n\nFlags:\n", stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	warnUnused()
	kinds, err := parseKinds(*outs)
	if err != nil {
		fmt.Fprintf(stderr, "reportgen: --outputs: %v\n", err)
		return exitUsage
	}
	if *out == "" || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: reportgen generate --out DIR FILE.json...")
		return exitUsage
	}
	var codes pb.SrHeadingCodes
	switch *heading {
	case "loinc":
		codes = pb.SrHeadingCodes_SR_HEADING_CODES_LOINC
	case "dcm":
		codes = pb.SrHeadingCodes_SR_HEADING_CODES_DCM
	default:
		fmt.Fprintf(stderr, "reportgen: --sr-heading-codes must be loinc or dcm\n")
		return exitUsage
	}
	e, err := reportgen.New(*cfg)
	if err != nil {
		return fatalf(stderr, "%v", err)
	}
	defer e.Close()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fatalf(stderr, "%v", err)
	}
	status := exitOK
	for _, path := range fs.Args() {
		if err := generateOne(e, path, *out, codes, kinds, stdout); err != nil {
			status = max(status, requestStatus(stderr, path, err))
		}
	}
	return status
}

// readRequest reads a GenerateReportRequest in protojson from a file of
// at most maxRequestFile bytes. A file too large or not such JSON is
// errBadJSON, the caller's input at fault; other errors are the file's.
func readRequest(path string) (*pb.GenerateReportRequest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, maxRequestFile+1))
	f.Close()
	if err != nil {
		return nil, err
	}
	if len(b) > maxRequestFile {
		return nil, fmt.Errorf("%w: file larger than %d bytes", errBadJSON, maxRequestFile)
	}
	req := &pb.GenerateReportRequest{}
	if err := protojson.Unmarshal(b, req); err != nil {
		return nil, fmt.Errorf("%w: %v", errBadJSON, err)
	}
	return req, nil
}

// requestStatus prints why the request of path failed, with each field
// violation or document issue on a line of its own, and returns the exit
// status it earns: exitInvalid when the input is at fault, exitFailure
// otherwise.
func requestStatus(stderr io.Writer, path string, err error) int {
	fmt.Fprintf(stderr, "%s: %v\n", path, err)
	if !isInvalid(err) {
		return exitFailure
	}
	printViolations(stderr, path, err)
	return exitInvalid
}

func isInvalid(err error) bool {
	var ire *reportgen.InvalidRequestError
	var ide *reportgen.InvalidDocumentError
	return errors.As(err, &ire) || errors.As(err, &ide) || errors.Is(err, errBadJSON)
}

var errBadJSON = errors.New("not a GenerateReportRequest in JSON")

func printViolations(w io.Writer, path string, err error) {
	var ire *reportgen.InvalidRequestError
	var ide *reportgen.InvalidDocumentError
	switch {
	case errors.As(err, &ire):
		for _, v := range ire.Violations {
			fmt.Fprintf(w, "%s: %s: %s\n", path, v.Field, v.Description)
		}
	case errors.As(err, &ide):
		for _, i := range ide.Issues {
			fmt.Fprintf(w, "%s: %s\n", path, i)
		}
	}
}

func generateOne(e *reportgen.Engine, path, outDir string, codes pb.SrHeadingCodes, kinds []pb.DocumentKind, stdout io.Writer) error {
	req, err := readRequest(path)
	if err != nil {
		return err
	}
	if req.GetSrHeadingCodes() == pb.SrHeadingCodes_SR_HEADING_CODES_UNSPECIFIED {
		req.SrHeadingCodes = codes
	}
	if len(req.GetOutputs()) == 0 {
		req.Outputs = kinds
	}
	resp, err := e.Generate(context.Background(), req)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: template %s\n", path, resp.GetTemplateId())
	for _, s := range resp.GetDictationSections() {
		fmt.Fprintf(stdout, "%s: dictation bytes %d-%d: %s (text from byte %d)\n", path,
			s.GetHeadingStart(), s.GetTextEnd(), strings.TrimPrefix(s.GetKind().String(), "SECTION_KIND_"), s.GetTextStart())
	}
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	for _, d := range resp.GetDocuments() {
		name := base + fileSuffix[d.GetKind()]
		target := filepath.Join(outDir, name)
		if err := writeFileAtomic(target, d.GetContent()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: wrote %s (%d bytes)\n", path, target, len(d.GetContent()))
		for _, i := range d.GetIssues() {
			fmt.Fprintf(stdout, "%s: %s: %s %s at %s: %s\n", path, name, strings.ToLower(strings.TrimPrefix(i.GetSeverity().String(), "SEVERITY_")), i.GetRuleId(), i.GetLocation(), i.GetMessage())
		}
	}
	return nil
}

// fileSuffix names the file of each document kind.
var fileSuffix = map[pb.DocumentKind]string{
	pb.DocumentKind_DOCUMENT_KIND_CDA:  ".cda.xml",
	pb.DocumentKind_DOCUMENT_KIND_SR:   ".sr.dcm",
	pb.DocumentKind_DOCUMENT_KIND_FHIR: ".fhir.json",
	pb.DocumentKind_DOCUMENT_KIND_HTML: ".html",
}

// kindNames are the command-line names of the document kinds.
var kindNames = map[string]pb.DocumentKind{
	"cda": pb.DocumentKind_DOCUMENT_KIND_CDA, "sr": pb.DocumentKind_DOCUMENT_KIND_SR,
	"fhir": pb.DocumentKind_DOCUMENT_KIND_FHIR, "html": pb.DocumentKind_DOCUMENT_KIND_HTML,
}

// parseKinds reads a comma-separated list of kind names; "" is none
// (the engine's default).
func parseKinds(s string) ([]pb.DocumentKind, error) {
	var out []pb.DocumentKind
	if s == "" {
		return nil, nil
	}
	for _, n := range strings.Split(s, ",") {
		k, ok := kindNames[strings.ToLower(strings.TrimSpace(n))]
		if !ok {
			return nil, fmt.Errorf("unknown document %q; want cda, sr, fhir or html", n)
		}
		out = append(out, k)
	}
	return out, nil
}

// writeFileAtomic writes to a temporary name, syncs and renames, so a
// crash never leaves a partial file under the final name.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
