package batch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/reportgen/reportgen/issue"
	"io"
	"os"
)

// Status is the outcome of one input.
type Status string

// Statuses of the results file.
const (
	// StatusOK: the documents were generated, validated and written.
	StatusOK Status = "ok"
	// StatusInvalid: the input is not a valid request (bad JSON, a broken
	// field rule); the record lists the violations.
	StatusInvalid Status = "invalid"
	// StatusFailed: a valid request produced no documents (a generated
	// document failed validation, an internal error); the record says why.
	StatusFailed Status = "failed"
)

// Record is one line of the results file: the outcome of one input.
type Record struct {
	// Line is the input's line number in a JSONL input.
	Line int `json:"line,omitempty"`
	// File is the request file's name in a folder input.
	File string `json:"file,omitempty"`
	// RequestID is the request's request_id, when it had one.
	RequestID string `json:"request_id,omitempty"`
	// Name is the output name the input was given (see the package doc);
	// empty when the input was not a readable request.
	Name string `json:"name,omitempty"`
	// Status is the outcome.
	Status Status `json:"status"`
	// Outputs are the files written, relative to the output folder.
	Outputs []string `json:"outputs,omitempty"`
	// Code is the gRPC status code name of a failure, e.g.
	// "INVALID_ARGUMENT".
	Code string `json:"code,omitempty"`
	// Message summarises a failure without patient data.
	Message string `json:"message,omitempty"`
	// Violations are the field violations of an invalid input.
	Violations []issue.Violation `json:"violations,omitempty"`
	// Issues are validation issues: warnings of written documents, or the
	// errors of a generated document that failed validation.
	Issues []Issue `json:"issues,omitempty"`
}

// Rule ids of the violations of an input that is no request; those of a
// request are the engine's (issue.Violation).
const (
	// RuleUnreadable: the input could not be read (a file, a line).
	RuleUnreadable = "BATCH-01"
	// RuleJSON: the input is not a GenerateReportRequest in protojson.
	RuleJSON = "BATCH-02"
)

// Issue is one finding of a document's validation.
type Issue struct {
	// Document is "cda" or "sr".
	Document string `json:"document,omitempty"`
	Severity string `json:"severity"`
	Rule     string `json:"rule,omitempty"`
	Location string `json:"location,omitempty"`
	Message  string `json:"message"`
}

// Key identifies the record's input, as Input.Key does.
func (r *Record) Key() string {
	in := Input{Line: r.Line, File: r.File}
	return in.Key()
}

// ResultsLog is the append-only results file. Records are buffered and
// written in groups, one write and one fsync per group (Flush), so a crash
// can cut at most the last group short; OpenResults removes such a cut
// line.
type ResultsLog struct {
	f       *os.File
	buf     bytes.Buffer
	pending int
}

// OpenResults opens (or creates) the results file at path, repairs a tail
// left by a crash, and returns the records already in it. A tail is the
// part after the last newline (a write cut short) together with any
// unreadable lines just before it (a power loss can leave a block of
// zeros); it is truncated. An unreadable line followed by readable ones is
// damage this package cannot have made, and is an error.
func OpenResults(path string) (*ResultsLog, []Record, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("batch: results file: %w", err)
	}
	recs, keep, err := readRecords(f)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("batch: results file: %w", err)
	}
	if keep < st.Size() {
		if err := f.Truncate(keep); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("batch: results file: truncate a partial last line: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("batch: results file: %w", err)
		}
	}
	if _, err := f.Seek(keep, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("batch: results file: %w", err)
	}
	return &ResultsLog{f: f}, recs, nil
}

// readRecords reads every complete, readable line and returns the records
// and the length of the file that holds them.
func readRecords(f *os.File) (recs []Record, keep int64, err error) {
	r := bufio.NewReaderSize(f, readBuffer)
	var (
		off      int64
		badAt    int64 = -1 // offset of the first unreadable line
		badLine  int
		lineNo   int
		goodPast bool // a readable line follows an unreadable one
	)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) == 0 || line[len(line)-1] != '\n' {
			// No newline: a partial last line, or the end.
			if err == nil || errors.Is(err, io.EOF) {
				break
			}
			return nil, 0, fmt.Errorf("batch: read results file: %w", err)
		}
		lineNo++
		var rec Record
		if uerr := json.Unmarshal(line, &rec); uerr != nil || rec.Status == "" || (rec.Line == 0 && rec.File == "") {
			if badAt < 0 {
				badAt, badLine = off, lineNo
			}
		} else if badAt >= 0 {
			goodPast = true
		} else {
			recs = append(recs, rec)
		}
		off += int64(len(line))
		if err != nil {
			break
		}
	}
	if goodPast {
		return nil, 0, fmt.Errorf("batch: results file line %d is not a result record, and records follow it: the file is damaged (move it away to start over)", badLine)
	}
	if badAt >= 0 {
		return recs, badAt, nil
	}
	return recs, off, nil
}

// Append buffers one record; Flush writes it.
func (l *ResultsLog) Append(r *Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("batch: encode result: %w", err)
	}
	l.buf.Write(b)
	l.buf.WriteByte('\n')
	l.pending++
	return nil
}

// Pending returns how many records are buffered.
func (l *ResultsLog) Pending() int { return l.pending }

// Flush writes the buffered records with one write and makes them durable
// with one fsync.
func (l *ResultsLog) Flush() error {
	if l.pending == 0 {
		return nil
	}
	if _, err := l.f.Write(l.buf.Bytes()); err != nil {
		return fmt.Errorf("batch: write results file: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("batch: sync results file: %w", err)
	}
	l.buf.Reset()
	l.pending = 0
	return nil
}

// Close flushes and closes the file.
func (l *ResultsLog) Close() error {
	err := l.Flush()
	if cerr := l.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("batch: close results file: %w", cerr)
	}
	return err
}
