package extval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// dicomToolTimeout bounds one run of a DICOM tool: they finish in
// milliseconds on an SR, and a hang must fail the test rather than stall it.
const dicomToolTimeout = 2 * time.Minute

// DCMTKReport is what one dcmtk tool said about a file.
type DCMTKReport struct {
	// Output is the tool's standard output: the dump or the XML.
	Output string
	// Errors are its error and fatal log lines ("E:", "F:"), plus a line
	// for a non-zero exit status, which dcmtk uses for unreadable input.
	Errors []string
	// Warnings are its warning log lines ("W:").
	Warnings []string
}

// DCMDump runs dcmtk's dcmdump on the file at path with extra arguments
// args, e.g. "+L" to print long values.
func DCMDump(path string, args ...string) (DCMTKReport, error) {
	return runDCMTK("dcmdump", path, args)
}

// DSRDump runs dcmtk's dsrdump, which reads the file as an SR document:
// it checks the content tree against the IOD's relationship constraints
// and the value types' attributes while it builds the dump.
func DSRDump(path string, args ...string) (DCMTKReport, error) {
	return runDCMTK("dsrdump", path, args)
}

// DSRDumpFiles runs dsrdump once on all the files (it reads each as an SR
// document in turn), for checking many files without a process each. Its
// errors do not say which file they are about; any error fails the set.
func DSRDumpFiles(paths []string) (DCMTKReport, error) {
	if len(paths) == 0 {
		return DCMTKReport{}, nil
	}
	return runDCMTK("dsrdump", paths[len(paths)-1], paths[:len(paths)-1])
}

// DSR2XML runs dcmtk's dsr2xml, a second reading of the SR document that
// renders it as XML.
func DSR2XML(path string, args ...string) (DCMTKReport, error) {
	return runDCMTK("dsr2xml", path, args)
}

// runDCMTK runs a dcmtk tool; the error result is only for failing to run
// it at all (not installed, timed out).
func runDCMTK(tool, path string, args []string) (DCMTKReport, error) {
	stdout, stderr, code, err := runDICOMTool(tool, append(args, path)...)
	if err != nil {
		return DCMTKReport{}, err
	}
	r := DCMTKReport{Output: stdout}
	for _, l := range strings.Split(stderr, "\n") {
		switch {
		case strings.HasPrefix(l, "E:"), strings.HasPrefix(l, "F:"):
			r.Errors = append(r.Errors, l)
		case strings.HasPrefix(l, "W:"):
			r.Warnings = append(r.Warnings, l)
		}
	}
	if code != 0 {
		r.Errors = append(r.Errors, fmt.Sprintf("%s exited with status %d", tool, code))
	}
	return r, nil
}

// DCIODVfy runs dicom3tools' dciodvfy, which checks the file against the
// IOD its SOP class names: module and attribute types, conditions, values
// against the VR and defined terms, and that the evidence lists every
// referenced instance. It returns the lines that start with "Error" and
// with "Warning". Its exit status does not follow its findings (it exits 0
// after some errors), so the lines decide; a non-zero exit adds an error of
// its own. The error result is only for failing to run it.
func DCIODVfy(path string) (errs, warnings []string, err error) {
	stdout, stderr, code, err := runDICOMTool("dciodvfy", path)
	if err != nil {
		return nil, nil, err
	}
	for _, l := range strings.Split(stdout+"\n"+stderr, "\n") {
		switch {
		case strings.HasPrefix(l, "Error"):
			errs = append(errs, l)
		case strings.HasPrefix(l, "Warning"):
			warnings = append(warnings, l)
		}
	}
	if code != 0 {
		errs = append(errs, fmt.Sprintf("dciodvfy exited with status %d", code))
	}
	return errs, warnings, nil
}

// runDICOMTool runs a tool and returns its output and exit status.
func runDICOMTool(tool string, args ...string) (stdout, stderr string, code int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), dicomToolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	runErr := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return "", "", 0, fmt.Errorf("extval: %s timed out after %v", tool, dicomToolTimeout)
	case runErr == nil:
		return out.String(), errOut.String(), 0, nil
	case errors.As(runErr, &exit):
		return out.String(), errOut.String(), exit.ExitCode(), nil
	}
	return "", "", 0, fmt.Errorf("extval: run %s: %w", tool, runErr)
}

// DSRSchemaPath is where Debian's dcmtk installs the XML Schema of
// dsr2xml's output.
const DSRSchemaPath = "/usr/share/dcmtk/dsr2xml.xsd"

// DSR2XMLSchema renders the SR at path with dcmtk's dsr2xml (with its XML
// namespace) and validates that XML against dcmtk's dsr2xml.xsd with
// xmllint: a third dcmtk judgement, which holds value constraints the
// other tools do not check, such as the form of Timezone Offset From UTC
// and the Defined Terms of Specific Character Set. It returns xmllint's
// error lines, plus one for a dsr2xml run that failed; the error result
// is only for failing to run the tools.
func DSR2XMLSchema(path string) ([]string, error) {
	r, err := DSR2XML(path, "+Xn")
	if err != nil {
		return nil, err
	}
	if len(r.Errors) > 0 {
		return r.Errors, nil
	}
	x, err := writeTempFile("dsr2xml-*.xml", []byte(r.Output))
	if err != nil {
		return nil, err
	}
	defer removeFile(x)
	stdout, stderr, code, err := runDICOMTool("xmllint", "--noout", "--schema", DSRSchemaPath, x)
	if err != nil {
		return nil, err
	}
	var errs []string
	for _, l := range strings.Split(stdout+"\n"+stderr, "\n") {
		if strings.Contains(l, "error") {
			errs = append(errs, strings.TrimPrefix(l, x+":"))
		}
	}
	if code != 0 && len(errs) == 0 {
		errs = append(errs, fmt.Sprintf("xmllint exited with status %d", code))
	}
	return errs, nil
}

// DCMConv rewrites the DICOM file in with dcmtk's dcmconv into out, with
// options such as "+tb" (Explicit VR Big Endian) or "+td" (Deflated
// Explicit VR Little Endian): an independent writer of the transfer
// syntaxes the project reads but does not write.
func DCMConv(in, out string, args ...string) error {
	_, stderr, code, err := runDICOMTool("dcmconv", append(args, in, out)...)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("extval: dcmconv exited with status %d: %s", code, strings.TrimSpace(stderr))
	}
	return nil
}

func writeTempFile(pattern string, b []byte) (string, error) {
	f, err := os.CreateTemp("", pattern)
	if err != nil {
		return "", fmt.Errorf("extval: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("extval: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("extval: %w", err)
	}
	return f.Name(), nil
}

func removeFile(p string) { _ = os.Remove(p) }
