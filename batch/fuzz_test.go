package batch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen/internal/fuzztest"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// FuzzJSONL reads any bytes as a JSONL batch input, as `reportgen batch
// --in FILE` does, and turns each record into a job or an invalid record.
// Whatever the bytes:
//   - every non-blank line is one input, in order, with its own line
//     number and exactly its bytes (less a CR before the newline), and
//     Count agrees;
//   - a record is a job with a request, or invalid with one "(json)"
//     violation in one of the forms that quote no value;
//   - output names are safe file names, distinct ignoring case;
//   - a record already done is not kept in memory;
//   - nothing panics or runs past the deadline.
func FuzzJSONL(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "examples", "*.json"))
	var lines [][]byte
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, b); err != nil {
			f.Fatal(err)
		}
		lines = append(lines, compact.Bytes())
	}
	f.Add(bytes.Join(lines, []byte("\n")))
	f.Add(bytes.Join(lines, []byte("\r\n\r\n  \n")))
	f.Add([]byte(`{"requestId":"a"}` + "\n" + `{"requestId":"A"}` + "\n" + `{"requestId":"../x"}` + "\n" + `{"report":` + "\n" + `{"nope":1}`))
	dir := fuzztest.TempDir(f)
	path := filepath.Join(dir, "in.jsonl")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzztest.Run(t, func() error {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				return err
			}
			return checkJSONL(path, data)
		})
	})
}

// The forms of a "(json)" violation (see jsonViolation).
var jsonDescription = regexp.MustCompile(`^(malformed JSON|JSON syntax error(: the record ends before its JSON does, at line \d+:\d+)?|unknown field "[^"]{0,64}"|invalid value for [a-z0-9 ]{1,32} field [A-Za-z0-9_]{1,64})( at line \d+:\d+)?$`)

func checkJSONL(path string, data []byte) error {
	want := map[int][]byte{} // line number -> bytes, for the non-blank lines
	var order []int
	for i, l := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		want[i+1] = bytes.TrimSuffix(l, []byte("\r"))
		order = append(order, i+1)
	}
	n, err := Count(path)
	if err != nil {
		return fmt.Errorf("Count: %w", err)
	}
	if n != len(order) {
		return fmt.Errorf("Count = %d, the input has %d non-blank lines", n, len(order))
	}
	src, err := Open(path)
	if err != nil {
		return fmt.Errorf("Open: %w", err)
	}
	defer src.Close()
	d := &dispatcher{cfg: &Config{}, names: newNamer()}
	names := map[string]bool{}
	for k := 0; ; k++ {
		// Every third record counts as done already, as on a resume.
		done := k%3 == 2
		in, err := src.Next(func(*Input) bool { return !done })
		if errors.Is(err, io.EOF) {
			if k != len(order) {
				return fmt.Errorf("%d inputs, the input has %d non-blank lines", k, len(order))
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("Next: %w", err)
		}
		if k >= len(order) || in.Line != order[k] || in.Seq != in.Line || in.Ord != k {
			return fmt.Errorf("input %d is line %d (seq %d, ord %d), want line %d", k, in.Line, in.Seq, in.Ord, order[min(k, len(order)-1)])
		}
		if in.Err != nil {
			return fmt.Errorf("line %d: %w", in.Line, in.Err)
		}
		if done {
			if in.Raw != nil {
				return fmt.Errorf("line %d is done but was kept", in.Line)
			}
			continue
		}
		if !bytes.Equal(in.Raw, want[in.Line]) {
			return fmt.Errorf("line %d read as %q, want %q", in.Line, in.Raw, want[in.Line])
		}
		raw := in.Raw
		j, rec := d.job(in)
		if (j == nil) == (rec == nil) {
			return fmt.Errorf("line %d: job %v and record %v", in.Line, j != nil, rec != nil)
		}
		if rec != nil {
			if rec.Status != StatusInvalid || rec.Code != "INVALID_ARGUMENT" || rec.Line != in.Line || len(rec.Violations) != 1 ||
				rec.Violations[0].Field != "(json)" || !jsonDescription.MatchString(rec.Violations[0].Description) {
				return fmt.Errorf("line %d: record %+v", in.Line, rec)
			}
			continue
		}
		req := &pb.GenerateReportRequest{}
		if protojson.Unmarshal(raw, req) != nil || !proto.Equal(req, j.Request) {
			return fmt.Errorf("line %d: the job's request is not the line's", in.Line)
		}
		if !safeName.MatchString(j.Name) || len(j.Name) > 2*maxNameLen+32 {
			return fmt.Errorf("line %d: output name %q is not a safe file name", in.Line, j.Name)
		}
		if key := strings.ToLower(j.Name); names[key] {
			return fmt.Errorf("line %d: output name %q is taken already", in.Line, j.Name)
		} else {
			names[key] = true
		}
	}
}

// FuzzResults opens any bytes as the results file of a resumed batch:
// it is refused as damaged, or its readable records come back, each with
// a status and a line or file, and the file is cut after the last of
// them, to a prefix of what was there that ends at a line end. Opening it
// again changes nothing.
func FuzzResults(f *testing.F) {
	f.Add([]byte(`{"line":1,"request_id":"a","name":"a","status":"ok","outputs":["a.cda.xml","a.sr.dcm"]}` + "\n" +
		`{"line":2,"status":"invalid","code":"INVALID_ARGUMENT","violations":[{"field":"(json)","description":"JSON syntax error at 1:2"}]}` + "\n" + `{"line":3,"sta`))
	f.Add([]byte("{\"file\":\"x.json\",\"status\":\"failed\"}\n\x00\x00\x00\x00\n"))
	f.Add([]byte("garbage\n{\"line\":1,\"status\":\"ok\"}\n"))
	dir := fuzztest.TempDir(f)
	path := filepath.Join(dir, "results.jsonl")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzztest.Run(t, func() error {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				return err
			}
			log, recs, err := OpenResults(path)
			if err != nil {
				if after, _ := os.ReadFile(path); !bytes.Equal(after, data) {
					return fmt.Errorf("a results file refused as damaged was changed")
				}
				return nil
			}
			if err := log.Close(); err != nil {
				return err
			}
			for _, r := range recs {
				if r.Status == "" || (r.Line == 0 && r.File == "") {
					return fmt.Errorf("record without status or input: %+v", r)
				}
			}
			after, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if !bytes.HasPrefix(data, after) || (len(after) > 0 && after[len(after)-1] != '\n') {
				return fmt.Errorf("the file was cut to %d bytes that are not whole lines of it", len(after))
			}
			if got := bytes.Count(after, []byte("\n")); got < len(recs) {
				return fmt.Errorf("%d records from %d lines", len(recs), got)
			}
			log, again, err := OpenResults(path)
			if err != nil {
				return fmt.Errorf("reopening: %w", err)
			}
			if err := log.Close(); err != nil {
				return err
			}
			if twice, _ := os.ReadFile(path); len(again) != len(recs) || !bytes.Equal(twice, after) {
				return fmt.Errorf("reopening changed the results: %d records, then %d", len(recs), len(again))
			}
			return nil
		})
	})
}
