// Command reportgen turns radiology findings into a validated HL7 CDA
// Diagnostic Imaging Report and a DICOM Structured Report: as a gRPC
// server, or from the command line.
//
// Usage:
//
//	reportgen serve [--listen 127.0.0.1:50051] [--schemas DIR]
//	reportgen generate --out DIR [--outputs cda,sr,fhir,html] FILE.json...
//	reportgen render [--format html|fhir|cda|sr] [--out FILE] FILE.json
//	reportgen validate FILE...
//	reportgen transform IN.dcm OUT.xml
//	reportgen batch --in FILE.jsonl|DIR --out DIR [--server host:port,...] [--uid-namespace NS]
//	reportgen schemas sync [--from DIR] [--dir DIR]
//	reportgen hl7 [--out DIR] FILE.hl7...
//	reportgen health [--addr HOST:PORT]
//	reportgen --version
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit codes.
const (
	exitOK      = 0
	exitInvalid = 1 // some input or document is invalid
	exitUsage   = 2 // bad command line
	exitFailure = 3 // the tool could not do its job (I/O, schemas, ...)
)

const usage = `reportgen: radiology findings to a validated CDA Diagnostic Imaging Report and DICOM SR

Commands:
  serve      run the gRPC server
  generate   render request files (GenerateReportRequest as JSON) to CDA and SR files (--outputs adds fhir, html)
  render     render one request as one document, by default the HTML page, to standard output
  validate   check CDA (.xml) or DICOM SR files
  schemas    sync the HL7 schema set (reportgen schemas sync [--from DIR])
  transform  render an existing TID 2000 DICOM SR as a CDA document (reportgen transform IN.dcm OUT.xml)
  batch      regenerate many reports (reportgen batch --in FILE.jsonl|DIR --out DIR)
  hl7        render the report of HL7 v2 ORU^R01 files and print their ACKs (reportgen hl7 [--out DIR] FILE...)
  health     ask a server whether it serves (reportgen health --addr HOST:PORT), exit 0 if so

Run "reportgen COMMAND -h" for a command's flags, "reportgen --version" for
the version, commit and schema-set digest.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stderr)
	case "generate":
		return generate(args[1:], stdout, stderr)
	case "render":
		return render(args[1:], stdout, stderr)
	case "validate":
		return validate(args[1:], stdout, stderr)
	case "schemas":
		return schemasCmd(args[1:], stdout, stderr)
	case "transform":
		return transform(args[1:], stdout, stderr)
	case "batch":
		return batch(args[1:], stdout, stderr)
	case "hl7":
		return hl7Cmd(args[1:], stdout, stderr)
	case "health":
		return healthCmd(args[1:], stdout, stderr)
	case "--version", "-version", "version":
		return printVersion(stdout)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "reportgen: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}
