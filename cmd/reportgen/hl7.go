package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/hl7v2"
	"github.com/reportgen/reportgen/intake"
	"github.com/reportgen/reportgen/mllp"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// hl7Cmd renders the report of each HL7 v2 ORU^R01 file as serve's MLLP
// listener would, without storing or delivering anything: it prints each
// ACK (segments on lines of their own) and writes the documents of
// accepted messages to --out.
func hl7Cmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hl7", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "folder for the documents (NAME.cda.xml, NAME.sr.dcm; NAME is the file's name); none written when empty")
	maxBytes := fs.Int("max-message-bytes", mllp.DefaultMaxMessageBytes, "largest message read")
	cfg := engineFlags(fs)
	mf := registerHL7MapFlags(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: reportgen hl7 [--out DIR] [--hl7-authority NS=OID ...] FILE.hl7...")
		return exitUsage
	}
	if err := checkRanges(intRange{"--max-message-bytes", *maxBytes, 1024, maxHL7MessageBytes}); err != nil {
		fmt.Fprintf(stderr, "reportgen hl7: %v\n", err)
		return exitUsage
	}
	e, err := reportgen.New(*cfg)
	if err != nil {
		return fatalf(stderr, "%v", err)
	}
	defer e.Close()
	in, err := intake.New(intake.Config{Engine: e, Map: mf.options(cfg), Parse: hl7v2.ParseOptions{DefaultCharset: mf.charset}})
	if err != nil {
		return fatalf(stderr, "%v", err)
	}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return fatalf(stderr, "%v", err)
		}
	}
	status := exitOK
	for _, path := range fs.Args() {
		b, err := readLimited(path, int64(*maxBytes))
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v (--max-message-bytes)\n", path, err)
			status = exitFailure
			continue
		}
		res := in.Handle(context.Background(), unframe(b), intake.Options{})
		fmt.Fprintf(stdout, "%s: %s\n", path, res.Code)
		stdout.Write(bytes.ReplaceAll(res.Ack, []byte{'\r'}, []byte{'\n'}))
		for _, p := range res.Problems {
			fmt.Fprintf(stderr, "%s: %c %s\n", path, p.Severity, p.Error())
		}
		if res.Code != hl7v2.AA {
			status = max(status, exitInvalid)
			continue
		}
		if *out == "" {
			continue
		}
		base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		for _, d := range res.Response.GetDocuments() {
			name := base + ".cda.xml"
			if d.GetKind() == pb.DocumentKind_DOCUMENT_KIND_SR {
				name = base + ".sr.dcm"
			}
			target := filepath.Join(*out, name)
			if err := writeFileAtomic(target, d.GetContent()); err != nil {
				fmt.Fprintf(stderr, "%s: %v\n", path, err)
				status = exitFailure
				continue
			}
			fmt.Fprintf(stdout, "%s: wrote %s (%d bytes)\n", path, target, len(d.GetContent()))
		}
	}
	return status
}

// unframe drops MLLP framing around a message saved with it.
func unframe(b []byte) []byte {
	t := bytes.TrimSpace(b)
	if len(t) > 0 && t[0] == mllp.StartBlock {
		t = t[1:]
		if k := bytes.IndexByte(t, mllp.EndBlock); k >= 0 {
			t = t[:k]
		}
		return t
	}
	return b
}
