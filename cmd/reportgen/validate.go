package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/reportgen/reportgen"
)

func validate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := engineFlags(fs)
	warnUnused := hideTransformFlags(fs, "usage: reportgen validate [flags] FILE...\n\nFlags:\n", stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	warnUnused()
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: reportgen validate FILE...")
		return exitUsage
	}
	e, err := reportgen.New(*cfg)
	if err != nil {
		return fatalf(stderr, "%v", err)
	}
	defer e.Close()
	status := exitOK
	for _, path := range fs.Args() {
		b, err := readLimited(path, reportgen.MaxDocumentSize)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", path, err)
			status = exitFailure
			continue
		}
		resp, err := e.ValidateDocument(context.Background(), b, 0)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", path, err)
			status = max(status, exitInvalid)
			continue
		}
		kind := strings.TrimPrefix(resp.GetKind().String(), "DOCUMENT_KIND_")
		errs, warns := 0, 0
		for _, i := range resp.GetIssues() {
			sev := strings.ToLower(strings.TrimPrefix(i.GetSeverity().String(), "SEVERITY_"))
			switch sev {
			case "error":
				errs++
			case "warning":
				warns++
			}
			loc := ""
			if i.GetLocation() != "" {
				loc = " at " + i.GetLocation()
			}
			fmt.Fprintf(stdout, "%s: %s %s%s: %s\n", path, sev, i.GetRuleId(), loc, i.GetMessage())
		}
		verdict := "valid"
		if !resp.GetValid() {
			verdict = "INVALID"
			status = max(status, exitInvalid)
		}
		fmt.Fprintf(stdout, "%s: %s %s (%d errors, %d warnings)\n", path, kind, verdict, errs, warns)
	}
	return status
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return b, nil
}
