package batch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// fakeRenderer answers at once with documents whose content names the
// job, so the runner's bookkeeping is tested without the engine's cost.
type fakeRenderer struct {
	breakAfter int64 // give up after this many outcomes; 0: never
	n          atomic.Int64
}

func (f *fakeRenderer) Render(ctx context.Context, jobs <-chan *Job, out chan<- *Outcome) error {
	for j := range jobs {
		if f.breakAfter > 0 && f.n.Load() >= f.breakAfter {
			return errors.New("renderer gave up")
		}
		f.n.Add(1)
		out <- fakeOutcome(j)
	}
	return nil
}

func fakeOutcome(j *Job) *Outcome {
	switch {
	case j.Request.GetReport() == nil:
		return &Outcome{Job: j, Failure: &pb.Failure{Code: "InvalidArgument", Message: "invalid request",
			FieldViolations: []*pb.FieldViolation{{Field: "report", RuleId: "REQ-REQUIRED", Description: "is required"}}}}
	case j.Request.GetTemplateId() == "explode":
		return &Outcome{Job: j, Failure: &pb.Failure{Code: "INTERNAL", Message: "generated CDA document failed validation",
			Issues: []*pb.Issue{{Severity: pb.Severity_SEVERITY_ERROR, RuleId: "XSD", Message: "broken"}}}}
	}
	return &Outcome{Job: j, Response: &pb.GenerateReportResponse{RequestId: j.RequestID, Documents: []*pb.Document{
		{Kind: pb.DocumentKind_DOCUMENT_KIND_CDA, Content: []byte("cda " + j.Name)},
		{Kind: pb.DocumentKind_DOCUMENT_KIND_SR, Content: []byte("sr " + j.Name),
			Issues: []*pb.Issue{{Severity: pb.Severity_SEVERITY_WARNING, RuleId: "W1", Message: "a warning"}}},
	}}}
}

// writeJSONL writes lines as a JSONL input.
func writeJSONL(t *testing.T, lines []string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readResults reads a results file strictly: every line a record.
func readResults(t *testing.T, path string) []Record {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []Record
	for i, line := range bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("results line %d: %v: %q", i+1, err, line)
		}
		out = append(out, r)
	}
	return out
}

// checkExactlyOnce asserts that the results hold each of keys once and
// nothing else, and that each ok record's outputs exist under their names
// with no temporary file left; it returns the records by key.
func checkExactlyOnce(t *testing.T, out string, keys []string) map[string]Record {
	t.Helper()
	recs := readResults(t, filepath.Join(out, ResultsName))
	byKey := map[string]Record{}
	for _, r := range recs {
		if _, dup := byKey[r.Key()]; dup {
			t.Errorf("input %s recorded twice", r.Key())
		}
		byKey[r.Key()] = r
	}
	for _, k := range keys {
		if _, ok := byKey[k]; !ok {
			t.Errorf("input %s not recorded", k)
		}
	}
	if len(byKey) != len(keys) {
		t.Errorf("%d inputs recorded, want %d", len(byKey), len(keys))
	}
	names := map[string]string{}
	for _, r := range recs {
		if r.Name != "" {
			if other, dup := names[strings.ToLower(r.Name)]; dup {
				t.Errorf("inputs %s and %s share the name %q", other, r.Key(), r.Name)
			}
			names[strings.ToLower(r.Name)] = r.Key()
		}
		for _, o := range r.Outputs {
			if _, err := os.Stat(filepath.Join(out, o)); err != nil {
				t.Errorf("input %s: output %s: %v", r.Key(), o, err)
			}
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(out, tempPrefix+"*")); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	return byKey
}

func lineKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("line:%d", i+1)
	}
	return keys
}

func TestRunResumes(t *testing.T) {
	const n = 300
	var lines []string
	for i := range n {
		// Every tenth id repeats an earlier one: names must still differ.
		lines = append(lines, fmt.Sprintf(`{"requestId":"r-%d","report":{}}`, i%290))
	}
	in := writeJSONL(t, lines)
	out := t.TempDir()
	cfg := Config{In: in, Out: out, FlushLines: 16}

	// A renderer that gives up part-way stops the run with an error and
	// leaves the rest undone.
	cfg.Renderer = &fakeRenderer{breakAfter: 100}
	sum, err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "renderer gave up") {
		t.Fatalf("first run: err = %v", err)
	}
	first := readResults(t, filepath.Join(out, ResultsName))
	if len(first) == 0 || len(first) > 100 || sum.Now.Total() != len(first) {
		t.Fatalf("first run recorded %d (summary %d), want 1..100", len(first), sum.Now.Total())
	}

	// What a SIGKILL can leave: a cut result line, a temporary file, and
	// an output whose result line was never written.
	f, err := os.OpenFile(filepath.Join(out, ResultsName), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"line":299,"name":"r-28`)
	f.Close()
	os.WriteFile(filepath.Join(out, tempPrefix+"r-298.cda.xml-abc"), []byte("cda r-2"), 0o644)
	os.WriteFile(filepath.Join(out, "r-297.cda.xml"), []byte("stale"), 0o644)

	cfg.Renderer = &fakeRenderer{}
	sum, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if sum.Before.Total() != len(first) || sum.All().Total() != n || sum.All().OK != n {
		t.Errorf("summary %+v, want %d before and %d in all", sum, len(first), n)
	}
	recs := checkExactlyOnce(t, out, lineKeys(n))
	for _, r := range recs {
		if r.Status != StatusOK || len(r.Outputs) != 2 {
			t.Errorf("%s: %+v", r.Key(), r)
			continue
		}
		if b, _ := os.ReadFile(filepath.Join(out, r.Outputs[0])); string(b) != "cda "+r.Name {
			t.Errorf("%s: %s holds %q", r.Key(), r.Outputs[0], b)
		}
	}
	if r := recs["line:291"]; r.Name != "r-0--291" {
		t.Errorf("line 291 repeats r-0: name %q, want r-0--291", r.Name)
	}

	// A third run finds nothing to do.
	sum, err = Run(context.Background(), cfg)
	if err != nil || sum.Now.Total() != 0 || sum.Before.Total() != n {
		t.Errorf("third run: %+v, %v", sum, err)
	}
}

func TestRunRecordsBadInputs(t *testing.T) {
	in := writeJSONL(t, []string{
		`{"requestId":"good","report":{}}`,
		`{not json`,
		``,
		`{"requestId":"noreport"}`,
		`{"requestId":"x","report":{},"unknownThing":"Jones"}`,
		`{"report":{"title":7}}`,
		`{"requestId":"boom","templateId":"explode","report":{}}`,
		`{"requestId":"good-2","report":{}}`,
		`{"requestId": "Jonés",`,
	})
	out := t.TempDir()
	sum, err := Run(context.Background(), Config{In: in, Out: out, Renderer: &fakeRenderer{}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Counts{OK: 2, Invalid: 5, Failed: 1}); sum.Now != want {
		t.Errorf("counts %+v, want %+v", sum.Now, want)
	}
	recs := checkExactlyOnce(t, out, []string{"line:1", "line:2", "line:4", "line:5", "line:6", "line:7", "line:8", "line:9"})
	tests := []struct {
		key, status, field, desc string
	}{
		{"line:1", "ok", "", ""},
		{"line:2", "invalid", "(json)", "JSON syntax error at line 1:2"},
		{"line:4", "invalid", "report", "is required"},
		{"line:5", "invalid", "(json)", `unknown field "unknownThing" at line 1:30`},
		{"line:6", "invalid", "(json)", "invalid value for string field title at line 1:20"},
		{"line:7", "failed", "", ""},
		{"line:8", "ok", "", ""},
		// protojson says only "unexpected EOF": the position is the end.
		{"line:9", "invalid", "(json)", "JSON syntax error: the record ends before its JSON does, at line 1:23"},
	}
	for _, tt := range tests {
		r := recs[tt.key]
		if string(r.Status) != tt.status {
			t.Errorf("%s: status %q, want %q", tt.key, r.Status, tt.status)
		}
		if tt.field != "" && (len(r.Violations) != 1 || r.Violations[0].Field != tt.field || r.Violations[0].Description != tt.desc) {
			t.Errorf("%s: violations %+v, want %s: %s", tt.key, r.Violations, tt.field, tt.desc)
		}
		// The rule id survives the results file: the reader's own for
		// an input that is no request, the renderer's otherwise.
		if want := map[string]string{"(json)": RuleJSON, "report": "REQ-REQUIRED"}[tt.field]; want != "" && len(r.Violations) == 1 && r.Violations[0].RuleID != want {
			t.Errorf("%s: rule %q, want %s", tt.key, r.Violations[0].RuleID, want)
		}
	}
	if r := recs["line:7"]; r.Code != "INTERNAL" || len(r.Issues) != 1 || r.Issues[0].Rule != "XSD" {
		t.Errorf("failed record: %+v", r)
	}
	if r := recs["line:1"]; len(r.Issues) != 1 || r.Issues[0].Document != "sr" || r.Issues[0].Severity != "warning" {
		t.Errorf("warnings of a good record: %+v", r.Issues)
	}
	if r := recs["line:4"]; r.Code != "INVALID_ARGUMENT" || r.Name != "noreport" {
		t.Errorf("invalid request record: %+v", r)
	}
	// Values from the input never reach the results' descriptions.
	b, _ := os.ReadFile(filepath.Join(out, ResultsName))
	if bytes.Contains(b, []byte("Jones")) || bytes.Contains(b, []byte("Jon")) || bytes.Contains(b, []byte(`"7"`)) {
		t.Errorf("results repeat input values:\n%s", b)
	}
}

func TestRunFolderInput(t *testing.T) {
	in := t.TempDir()
	for name, body := range map[string]string{
		"b.json":      `{"requestId":"same","report":{}}`,
		"a.json":      `{"requestId":"same","report":{}}`,
		"c d.json":    `{"report":{}}`,
		"broken.json": `[`,
	} {
		if err := os.WriteFile(filepath.Join(in, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	if _, err := Run(context.Background(), Config{In: in, Out: out, Renderer: &fakeRenderer{}}); err != nil {
		t.Fatal(err)
	}
	recs := checkExactlyOnce(t, out, []string{"file:a.json", "file:b.json", "file:broken.json", "file:c d.json"})
	for key, name := range map[string]string{"file:a.json": "same", "file:b.json": "same--2", "file:c d.json": "file-4"} {
		if recs[key].Name != name {
			t.Errorf("%s: name %q, want %q", key, recs[key].Name, name)
		}
	}
	if recs["file:broken.json"].Status != StatusInvalid {
		t.Errorf("broken.json: %+v", recs["file:broken.json"])
	}
}

func TestRunLocksTheOutputFolder(t *testing.T) {
	out := t.TempDir()
	lock, err := lockDir(out)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	_, err = Run(context.Background(), Config{In: writeJSONL(t, []string{`{}`}), Out: out, Renderer: &fakeRenderer{}})
	if !errors.Is(err, ErrLocked) {
		t.Errorf("err = %v, want ErrLocked", err)
	}
}

func TestRunInterrupted(t *testing.T) {
	var lines []string
	for i := range 1000 {
		lines = append(lines, fmt.Sprintf(`{"requestId":"r-%d","report":{}}`, i))
	}
	in := writeJSONL(t, lines)
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	slow := &slowRenderer{delay: time.Millisecond}
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := Run(ctx, Config{In: in, Out: out, Renderer: slow}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := Run(context.Background(), Config{In: in, Out: out, Renderer: &fakeRenderer{}}); err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, out, lineKeys(1000))
}

// slowRenderer takes a while per job and stops when ctx ends.
type slowRenderer struct{ delay time.Duration }

func (s *slowRenderer) Render(ctx context.Context, jobs <-chan *Job, out chan<- *Outcome) error {
	for j := range jobs {
		select {
		case <-time.After(s.delay):
		case <-ctx.Done():
			return nil
		}
		out <- fakeOutcome(j)
	}
	return nil
}

func TestProgress(t *testing.T) {
	var lines []string
	for i := range 50 {
		lines = append(lines, fmt.Sprintf(`{"requestId":"Secret-%d","report":{}}`, i))
	}
	for _, tty := range []bool{false, true} {
		t.Run(fmt.Sprint("tty=", tty), func(t *testing.T) {
			var buf syncBuffer
			p := &Progress{W: &buf, TTY: tty, Every: 5 * time.Millisecond}
			in := writeJSONL(t, lines)
			if _, err := Run(context.Background(), Config{In: in, Out: t.TempDir(), Renderer: &slowRenderer{delay: 200 * time.Microsecond}, Progress: p}); err != nil {
				t.Fatal(err)
			}
			s := buf.String()
			if strings.Contains(s, "Secret") {
				t.Errorf("progress shows input content:\n%s", s)
			}
			want := "50/50 (100.0%) ok 50 invalid 0 failed 0"
			if tty {
				want = "100.0% 50/50"
			}
			if !strings.Contains(s, want) {
				t.Errorf("progress lacks %q:\n%q", want, s)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the progress goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
