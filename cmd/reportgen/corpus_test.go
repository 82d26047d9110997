package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/reportgen/reportgen/internal/corpus"
	"github.com/reportgen/reportgen/internal/extval"
)

// The archive corpus and how much of it the independent validators see.
// Every document of the corpus passes the service's own validators (the
// engine returns no document that fails them); a deterministic sample,
// every shape included, goes through the external tools, batched per
// process where the tool allows.
const (
	corpusReports     = 2000
	corpusReportsRace = 100 // under the race detector: the batch's concurrency, not the corpus
	corpusSeed        = 1
	sampleXMLLint     = 300 // CDA documents, one xmllint run
	sampleSchematron  = 60  // CDA documents, one xsltproc run
	sampleDCIODVfy    = 150 // SR files, one dciodvfy run each
	sampleDSRDump     = 300 // SR files, one dsrdump run
)

const (
	cdaXSD  = "../../schemas/synced/cda-sdtc/infrastructure/cda/CDA_SDTC.xsd"
	ccdaSch = "../../schemas/synced/ccda-2.1/ccda-2.1.sch"
)

// refusedShapes are the shapes the batch must refuse, with the reason:
// a request without any text is no report.
var refusedShapes = map[string]string{corpus.ShapeHeadingsOnly: "no text under any"}

// TestArchiveCorpus renders the generated archive-shaped corpus end to
// end through `reportgen batch` (template rules as warnings, as a
// regeneration runs), checks that every report renders except the shapes
// that must be refused, each for its reason, and has a sample of the
// documents checked by xmllint with the CDA schema, HL7's C-CDA R2.1
// schematron, dciodvfy and dcmtk's dsrdump. It prints the counts.
func TestArchiveCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("renders thousands of reports")
	}
	seeds, err := corpus.LoadSeeds()
	if err != nil {
		t.Fatal(err)
	}
	n := corpusReports
	if raceEnabled {
		n = corpusReportsRace
	}
	reports := corpus.Archive(seeds, n, corpusSeed)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "corpus.jsonl"), filepath.Join(dir, "out")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := corpus.WriteJSONL(w, reports); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"batch", "--schemas", schemaDir, "--in", in, "--out", out, "--uid-namespace", "corpus",
		"--template-rules-as-warnings", "--progress", "none"}, &stdout, &stderr); code != exitInvalid {
		// Exit 1: some inputs are invalid, as the headings-only ones are.
		t.Fatalf("batch exited %d, want %d: %s", code, exitInvalid, stderr.String())
	}

	type record struct {
		RequestID  string   `json:"request_id"`
		Status     string   `json:"status"`
		Outputs    []string `json:"outputs"`
		Violations []struct {
			Field       string `json:"field"`
			Description string `json:"description"`
		} `json:"violations"`
		Message string `json:"message"`
	}
	rf, err := os.Open(filepath.Join(out, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	counts := map[string]map[string]int{}
	reasons := map[string]int{}
	var cdas, srs []string
	seen := 0
	sc := bufio.NewScanner(rf)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		seen++
		_, shape, _ := strings.Cut(r.RequestID, "-")
		if counts[shape] == nil {
			counts[shape] = map[string]int{}
		}
		counts[shape][r.Status]++
		want, refuse := refusedShapes[shape]
		switch {
		case r.Status == "ok" && !refuse:
			for _, o := range r.Outputs {
				if strings.HasSuffix(o, ".cda.xml") {
					cdas = append(cdas, filepath.Join(out, o))
				} else {
					srs = append(srs, filepath.Join(out, o))
				}
			}
		case r.Status != "ok" && refuse:
			why := r.Message
			if len(r.Violations) > 0 {
				why = r.Violations[0].Field + ": " + r.Violations[0].Description
			}
			reasons[shape+" refused: "+why]++
			if !strings.Contains(why, want) {
				t.Errorf("%s refused for %q, want a reason with %q", r.RequestID, why, want)
			}
		default:
			t.Errorf("%s: status %s (%s %v)", r.RequestID, r.Status, r.Message, r.Violations)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != n {
		t.Fatalf("%d results for %d reports", seen, n)
	}
	shapes := make([]string, 0, len(counts))
	for s := range counts {
		shapes = append(shapes, s)
	}
	sort.Strings(shapes)
	rendered := 0
	for _, s := range shapes {
		fmt.Printf("corpus %-26s ok %4d  refused %4d\n", s, counts[s]["ok"], n-counts[s]["ok"]-sumOthers(counts, s))
		rendered += counts[s]["ok"]
	}
	for why, n := range reasons {
		fmt.Printf("corpus %4d × %s\n", n, why)
	}
	fmt.Printf("corpus: %d reports, %d rendered (%d CDA, %d SR), %d refused\n", n, rendered, len(cdas), len(srs), n-rendered)
	for _, s := range []string{corpus.ShapeImpression, corpus.ShapeFindings, corpus.ShapeTabs, corpus.ShapePriorReport,
		corpus.ShapePartialDate, corpus.ShapeCJKName, corpus.ShapeDictated, corpus.ShapeDictatedNoFnd, corpus.ShapeHeadingsOnly} {
		if len(counts[s]) == 0 && !raceEnabled {
			t.Errorf("the corpus has no %s report", s)
		}
	}

	sort.Strings(cdas)
	sort.Strings(srs)
	var wg sync.WaitGroup
	wg.Go(func() { checkCDASample(t, cdas) })
	wg.Go(func() { checkSRSample(t, srs) })
	wg.Wait()
}

// sumOthers counts the inputs of the shapes other than s, so each line
// says how many of shape s were refused.
func sumOthers(counts map[string]map[string]int, s string) int {
	n := 0
	for k, c := range counts {
		if k != s {
			for _, v := range c {
				n += v
			}
		}
	}
	return n
}

// sample takes n files spread evenly over the sorted list, so every run
// checks the same files and every shape is met.
func sample(files []string, n int) []string {
	if len(files) <= n {
		return files
	}
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, files[i*len(files)/n])
	}
	return out
}

func checkCDASample(t *testing.T, cdas []string) {
	lint := sample(cdas, sampleXMLLint)
	bad, err := extval.XMLLintFiles(cdaXSD, lint)
	if err != nil {
		t.Error(err)
		return
	}
	for f, lines := range bad {
		t.Errorf("xmllint %s: %s", filepath.Base(f), strings.Join(lines, "; "))
	}
	sch, err := extval.CompileSchematron(ccdaSch, "errors", t.TempDir())
	if err != nil {
		t.Error(err)
		return
	}
	files := sample(cdas, sampleSchematron)
	res, err := sch.RunFiles(files)
	if err != nil {
		t.Error(err)
		return
	}
	for i, failed := range res {
		for _, a := range failed {
			t.Errorf("schematron %s: %s", filepath.Base(files[i]), a)
		}
	}
	fmt.Printf("corpus: xmllint checked %d CDA documents (%d invalid), HL7 schematron %d\n", len(lint), len(bad), len(files))
}

func checkSRSample(t *testing.T, srs []string) {
	files := sample(srs, sampleDCIODVfy)
	bad := 0
	for _, f := range files {
		errs, _, err := extval.DCIODVfy(f)
		if err != nil {
			t.Error(err)
			return
		}
		if len(errs) > 0 {
			bad++
			t.Errorf("dciodvfy %s: %s", filepath.Base(f), strings.Join(errs, "; "))
		}
	}
	dump := sample(srs, sampleDSRDump)
	r, err := extval.DSRDumpFiles(dump)
	if err != nil {
		t.Error(err)
		return
	}
	for _, e := range r.Errors {
		t.Errorf("dsrdump: %s", e)
	}
	fmt.Printf("corpus: dciodvfy checked %d SR files (%d with errors), dsrdump %d (%d error lines)\n", len(files), bad, len(dump), len(r.Errors))
}
