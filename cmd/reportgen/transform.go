package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/reportgen/reportgen"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

const transformUsage = "usage: reportgen transform [flags] IN.dcm OUT.xml"

// transform renders an existing TID 2000 DICOM SR as a CDA Diagnostic
// Imaging Report (DICOM PS3.20). The engine flags supply the header data
// an SR cannot carry (Config.TransformDefaults, as serve's RPC uses them);
// each use is reported. OUT is written only when the CDA passed
// validation.
func transform(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("transform", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := engineFlags(fs)
	ns := fs.String("uid-namespace", "", "derive the CDA document id from this namespace and the SR, so a rerun gives the same id")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(stderr, transformUsage)
		return exitUsage
	}
	in, out := fs.Arg(0), fs.Arg(1)
	b, err := readLimited(in, reportgen.MaxDocumentSize)
	if err != nil {
		return fatalf(stderr, "%s: %v", in, err)
	}
	e, err := reportgen.New(*cfg)
	if err != nil {
		return fatalf(stderr, "%v", err)
	}
	defer e.Close()
	// The RPC's own path, so the command and serve transform alike.
	resp, err := e.TransformDocument(context.Background(), &pb.TransformDocumentRequest{Content: b, UidNamespace: *ns})
	var se *reportgen.SourceError
	var ire *reportgen.InvalidRequestError
	var ide *reportgen.InvalidDocumentError
	switch {
	case errors.As(err, &se):
		fmt.Fprintf(stderr, "%s: %v\n", in, err)
		for _, i := range se.Issues {
			fmt.Fprintf(stderr, "%s: %s\n", in, i)
		}
		return exitInvalid
	case errors.As(err, &ire):
		fmt.Fprintf(stderr, "%s: %v\n", in, err)
		for _, v := range ire.Violations {
			fmt.Fprintf(stderr, "%s: %s: %s\n", in, v.Field, v.Description)
		}
		return exitInvalid
	case errors.As(err, &ide):
		fmt.Fprintf(stderr, "%s: %v\n", in, err)
		for _, i := range ide.Issues {
			fmt.Fprintf(stderr, "%s: %s\n", in, i)
		}
		return exitInvalid
	case err != nil:
		return fatalf(stderr, "%s: %v", in, err)
	}
	if err := writeFileAtomic(out, resp.GetDocument().GetContent()); err != nil {
		return fatalf(stderr, "%v", err)
	}
	for _, i := range resp.GetSourceIssues() {
		fmt.Fprintf(stdout, "%s: %s\n", in, issueLine(i))
	}
	for _, i := range resp.GetDocument().GetIssues() {
		fmt.Fprintf(stdout, "%s: %s\n", out, issueLine(i))
	}
	fmt.Fprintf(stdout, "%s: wrote %s (%d bytes, CDA document id %s)\n", in, out, len(resp.GetDocument().GetContent()), resp.GetDocument().GetCda().GetDocumentId())
	return exitOK
}

// issueLine formats an issue as the validate command does.
func issueLine(i *pb.Issue) string {
	loc := ""
	if i.GetLocation() != "" {
		loc = " at " + i.GetLocation()
	}
	return fmt.Sprintf("%s %s%s: %s", strings.ToLower(strings.TrimPrefix(i.GetSeverity().String(), "SEVERITY_")), i.GetRuleId(), loc, i.GetMessage())
}

// parseZone reads a UTC offset (+hhmm, -hhmm, or +hh:mm and -hh:mm as the
// API's RFC 3339 times write it) or an IANA zone name.
func parseZone(s string) (*time.Location, error) {
	if len(s) == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':' {
		s = s[:3] + s[4:]
	}
	if len(s) == 5 && (s[0] == '+' || s[0] == '-') {
		h, err1 := strconv.Atoi(s[1:3])
		m, err2 := strconv.Atoi(s[3:5])
		if err1 != nil || err2 != nil || m > 59 || h > 14 {
			return nil, errors.New("an offset must be +hhmm, -hhmm, +hh:mm or -hh:mm, at most 14 hours")
		}
		off := h*3600 + m*60
		if s[0] == '-' {
			off = -off
		}
		return time.FixedZone(s, off), nil
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, fmt.Errorf("neither an offset (+hhmm, -hh:mm, ...) nor a known zone name: %w", err)
	}
	return loc, nil
}
