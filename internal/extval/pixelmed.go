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

// PixelMedJar is where Debian's libpixelmed-java installs PixelMed.
const PixelMedJar = "/usr/share/java/pixelmed.jar"

// pixelMedTimeout bounds one run: a run takes a few seconds of CPU (more
// wall time on a busy machine), and a hang must fail the test.
const pixelMedTimeout = 3 * time.Minute

// pixelMedSlots bounds the JVMs running at once: each takes seconds of
// CPU and hundreds of MB, and two keep a CI machine usable while halving
// the wall time of a test that validates several files.
var pixelMedSlots = make(chan struct{}, 2)

// pixelMedArgs are the JVM options DicomSRValidator needs on JDK 17: its
// rule sets are XPath expressions far beyond the JAXP processing limits
// (without the three limits lifted it stops with an XPath-limit error),
// and its compiled templates need a large heap. A run is short and spent
// compiling those XSLT rule sets once, so the quick C1 compiler and the
// serial collector halve its CPU time and cut its memory from about
// 1.2 GB to 0.3 GB, with the same output.
var pixelMedArgs = []string{
	"-XX:TieredStopAtLevel=1",
	"-XX:+UseSerialGC",
	"-Xmx4g",
	"-Djdk.xml.xpathExprOpLimit=0",
	"-Djdk.xml.xpathExprGrpLimit=0",
	"-Djdk.xml.xpathTotalOpLimit=0",
	"-cp", PixelMedJar,
	"com.pixelmed.validate.DicomSRValidator",
}

// notInTemplate ends the warnings PixelMed gives for content items that
// match no row of the root template or of any template it includes.
const notInTemplate = "Content Item not in template"

// PixelMedReport is what PixelMed's DicomSRValidator said about an SR.
type PixelMedReport struct {
	// IOD is the SR IOD PixelMed found, e.g. "EnhancedSR"; empty when it
	// recognised none.
	IOD string
	// RootTemplate is the root template it recognised, e.g. "TID_2000";
	// empty when none.
	RootTemplate string
	// Errors are its "Error:" lines, plus a line for a run that did not
	// complete (an exception, a non-zero exit).
	Errors []string
	// Warnings are its "Warning:" lines, NotInTemplate included.
	Warnings []string
	// NotInTemplate are the warnings about content items no template row
	// matched: content the templates do not describe.
	NotInTemplate []string
	// Output is the whole standard output.
	Output string
}

// PixelMedSR runs PixelMed's DicomSRValidator on the SR at path: it checks
// the IOD's modules and attributes and the content tree against the
// templates it knows (its own, dated copy of PS3.16). At most two runs go
// at once, whatever the callers' parallelism. The error result is only for
// failing to run it (not installed, timed out).
func PixelMedSR(path string) (PixelMedReport, error) {
	if _, err := os.Stat(PixelMedJar); err != nil {
		return PixelMedReport{}, fmt.Errorf("extval: PixelMed is not installed (%s missing; scripts/setup.sh installs libpixelmed-java): %w", PixelMedJar, err)
	}
	if _, err := exec.LookPath("java"); err != nil {
		return PixelMedReport{}, fmt.Errorf("extval: PixelMed needs java (scripts/setup.sh installs it with pixelmed-apps): %w", err)
	}
	pixelMedSlots <- struct{}{}
	defer func() { <-pixelMedSlots }()

	ctx, cancel := context.WithTimeout(context.Background(), pixelMedTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "java", append(pixelMedArgs[:len(pixelMedArgs):len(pixelMedArgs)], path)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	runErr := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return PixelMedReport{}, fmt.Errorf("extval: PixelMed timed out after %v", pixelMedTimeout)
	case runErr != nil && !errors.As(runErr, &exit):
		return PixelMedReport{}, fmt.Errorf("extval: run PixelMed: %w", runErr)
	}
	r := parsePixelMed(out.String(), errOut.String())
	if exit != nil {
		r.Errors = append(r.Errors, fmt.Sprintf("PixelMed exited with status %d", exit.ExitCode()))
	}
	return r, nil
}

// parsePixelMed reads DicomSRValidator's output. It exits 0 even when it
// cannot read the file (it prints a Java stack trace instead), so a run
// counts as complete only when it says so.
func parsePixelMed(stdout, stderr string) PixelMedReport {
	r := PixelMedReport{Output: stdout}
	complete := false
	for _, l := range strings.Split(stdout, "\n") {
		l = strings.TrimRight(l, "\r")
		switch {
		case strings.HasPrefix(l, "Error:"):
			r.Errors = append(r.Errors, l)
		case strings.HasPrefix(l, "Warning:"):
			r.Warnings = append(r.Warnings, l)
			if strings.HasSuffix(l, notInTemplate) {
				r.NotInTemplate = append(r.NotInTemplate, l)
			}
		case strings.HasPrefix(l, "Found Root Template "):
			r.RootTemplate, _, _ = strings.Cut(strings.TrimPrefix(l, "Found Root Template "), " ")
		case strings.HasPrefix(l, "Found ") && strings.HasSuffix(l, " IOD"):
			r.IOD = strings.TrimSuffix(strings.TrimPrefix(l, "Found "), " IOD")
		case l == "IOD validation complete":
			complete = true
		}
	}
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "Exception") || strings.Contains(l, "Error") {
			r.Errors = append(r.Errors, "PixelMed: "+strings.TrimSpace(l))
		}
	}
	if !complete {
		r.Errors = append(r.Errors, "PixelMed did not complete the validation")
	}
	return r
}
