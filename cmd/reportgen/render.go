package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/reportgen/reportgen"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// render writes one validated document of one request: by default the
// HTML page, for a person to read, to standard output.
func render(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "html", "document to render: html, fhir, cda or sr")
	out := fs.String("out", "", "write to this file instead of standard output")
	cfg := engineFlags(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	kind, ok := kindNames[*format]
	if fs.NArg() != 1 || !ok {
		fmt.Fprintln(stderr, "usage: reportgen render [--format html|fhir|cda|sr] [--out FILE] REQUEST.json")
		return exitUsage
	}
	path := fs.Arg(0)
	req, err := readRequest(path)
	if err != nil {
		return requestStatus(stderr, path, err)
	}
	req.Outputs = []pb.DocumentKind{kind}
	e, err := reportgen.New(*cfg)
	if err != nil {
		return fatalf(stderr, "%v", err)
	}
	defer e.Close()
	resp, err := e.Generate(context.Background(), req)
	if err != nil {
		return requestStatus(stderr, path, err)
	}
	d := resp.GetDocuments()[0]
	for _, i := range d.GetIssues() {
		fmt.Fprintf(stderr, "%s: %s %s at %s: %s\n", path, i.GetSeverity(), i.GetRuleId(), i.GetLocation(), i.GetMessage())
	}
	if *out != "" {
		if err := writeFileAtomic(*out, d.GetContent()); err != nil {
			return fatalf(stderr, "%v", err)
		}
		return exitOK
	}
	if _, err := stdout.Write(d.GetContent()); err != nil {
		return fatalf(stderr, "%v", err)
	}
	return exitOK
}
