package extval

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/reportgen/reportgen/dicomdict"
)

// PixelMedJar is where Debian's libpixelmed-java installs PixelMed.
const PixelMedJar = "/usr/share/java/pixelmed.jar"

// pixelMedTimeout bounds one run: a run takes a few seconds of CPU (more
// wall time on a busy machine), and a hang must fail the test.
// Under heavy load on a shared 2-core machine a run has been seen to take
// over 3 minutes of wall time, so the guard is 10.
const pixelMedTimeout = 10 * time.Minute

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
func PixelMedSR(path string, opts ...PixelMedOption) (PixelMedReport, error) {
	var o pixelMedOptions
	for _, opt := range opts {
		opt(&o)
	}
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
	args := append([]string(nil), pixelMedArgs...)
	if len(o.titles) > 0 {
		dir, err := pixelMedWithTitles(o.titles)
		if err != nil {
			return PixelMedReport{}, err
		}
		for i, a := range args {
			if a == PixelMedJar {
				// A folder before the jar holds the updated rule set:
				// PixelMed loads it as a class path resource.
				args[i] = dir + string(os.PathListSeparator) + PixelMedJar
			}
		}
	}
	cmd := exec.CommandContext(ctx, "java", append(args, path)...)
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

// PixelMedOption adjusts a PixelMedSR run.
type PixelMedOption func(*pixelMedOptions)

type pixelMedOptions struct {
	titles []dicomdict.Concept
}

// PixelMedCurrentTitles has PixelMed recognise the root of TID 2000 by the
// current edition of CID 7000 "Diagnostic Imaging Report Document Title"
// (dicomdict.DocumentTitles) besides its own. The Debian build (20220618)
// compiled its rule set from the 2007 edition, which lacks most of the
// current titles (24627-2 CT Chest Report, 24590-2 MRI Head Report, ...),
// and below a title it does not know it checks nothing: it reports every
// content item as "not in template". Only the list of titles that selects
// TID 2000 changes; every rule of the template tree is PixelMed's own.
func PixelMedCurrentTitles() PixelMedOption {
	return func(o *pixelMedOptions) { o.titles = dicomdict.DocumentTitles() }
}

// The two PixelMed resources that hold CID 7000: the compiled SR rule set,
// whose TID 2000 root predicate lists the titles (the first of them is
// pixelMedRootMatch), and the context groups, which the check of the
// root item reads.
const (
	pixelMedRuleSet   = "com/pixelmed/validate/DicomSRDescriptionsCompiled.xsl"
	pixelMedRootMatch = "(name() = 'container' and concept/@cv = '18745-0' and concept/@csd = 'LN')"
	pixelMedGroups    = "com/pixelmed/validate/DicomContextGroupsSource.xml"
	pixelMedCID7000   = `<definecontextgroup cid="7000" name="DiagnosticImagingReportDocumentTitles" extensible="true" version="20070625">`
)

var (
	titlesOnce sync.Once
	titlesDir  string
	titlesErr  error
)

// pixelMedWithTitles writes, once per process, copies of PixelMed's rule
// set and context groups whose CID 7000 also holds titles, into a folder
// laid out as a class path entry, and returns the folder. It fails unless
// each place to change occurs exactly once, so a different PixelMed build
// is noticed rather than silently left as it was.
func pixelMedWithTitles(titles []dicomdict.Concept) (string, error) {
	titlesOnce.Do(func() { titlesDir, titlesErr = writePixelMedTitles(titles) })
	return titlesDir, titlesErr
}

func writePixelMedTitles(titles []dicomdict.Concept) (string, error) {
	zr, err := zip.OpenReader(PixelMedJar)
	if err != nil {
		return "", fmt.Errorf("extval: open %s: %w", PixelMedJar, err)
	}
	defer zr.Close()
	files := map[string][]byte{pixelMedRuleSet: nil, pixelMedGroups: nil}
	for _, f := range zr.File {
		if _, ok := files[f.Name]; !ok {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return "", fmt.Errorf("extval: %s: %w", f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return "", fmt.Errorf("extval: %s: %w", f.Name, err)
		}
		files[f.Name] = b
	}
	var predicate, group strings.Builder
	for _, c := range titles {
		clause := fmt.Sprintf("(name() = 'container' and concept/@cv = '%s' and concept/@csd = '%s')", c.Value, c.Scheme)
		if !bytes.Contains(files[pixelMedRuleSet], []byte(clause)) {
			predicate.WriteString(clause + " or ")
		}
		code := fmt.Sprintf(`<contextgroupcode csd="%s" cv="%s" cm="%s"/>`, c.Scheme, c.Value, c.Meaning)
		group.WriteString("\n\t\t" + code)
	}
	edits := []struct {
		file, at, insert string
		after            bool
	}{
		{pixelMedRuleSet, pixelMedRootMatch, predicate.String(), false},
		{pixelMedGroups, pixelMedCID7000, group.String(), true},
	}
	for _, e := range edits {
		b := files[e.file]
		if n := bytes.Count(b, []byte(e.at)); n != 1 {
			return "", fmt.Errorf("extval: PixelMed's CID 7000 occurs %d times in %s, not once: a different PixelMed build", n, e.file)
		}
		repl := e.insert + e.at
		if e.after {
			repl = e.at + e.insert
		}
		files[e.file] = bytes.Replace(b, []byte(e.at), []byte(repl), 1)
	}
	// One folder per pair of files, named by their checksum and kept
	// between runs: test processes share it instead of each leaving a
	// copy.
	h := sha256.New()
	h.Write(files[pixelMedRuleSet])
	h.Write(files[pixelMedGroups])
	dir := filepath.Join(os.TempDir(), "reportgen-pixelmed-"+hex.EncodeToString(h.Sum(nil)[:8]))
	for name, b := range files {
		if err := writeOnce(filepath.Join(dir, filepath.FromSlash(name)), b); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// writeOnce writes b to target unless it holds b already, through a
// temporary file and a rename so that a concurrent reader never sees half
// a file.
func writeOnce(target string, b []byte) error {
	if old, err := os.ReadFile(target); err == nil && bytes.Equal(old, b) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("extval: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), ".tmp-*")
	if err != nil {
		return fmt.Errorf("extval: %w", err)
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("extval: write %s: %v %v", target, werr, cerr)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("extval: %w", err)
	}
	return nil
}
