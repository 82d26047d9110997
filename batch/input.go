package batch

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxRecord bounds one input record (a JSONL line or a request file): the
// largest request the server accepts, with room for JSON's overhead.
const MaxRecord = 32 << 20

// ErrRecordTooLarge says an input record is longer than MaxRecord.
var ErrRecordTooLarge = fmt.Errorf("record is larger than %d bytes", MaxRecord)

// Input is one record of a batch input.
type Input struct {
	// Seq is the record's 1-based position: its line number in a JSONL
	// file, its rank by name among the *.json files of a folder.
	Seq int
	// Ord is the record's 0-based rank among the input's records (blank
	// lines are no records): what a Shard splits on.
	Ord int
	// Line is the line number in a JSONL file; 0 for a folder.
	Line int
	// File is the base name of the request file in a folder; empty for
	// JSONL.
	File string
	// Raw is the record's bytes; nil when the record was skipped.
	Raw []byte
	// Err says the record could not be read (too large, unreadable file);
	// the input is then reported invalid with this reason.
	Err error
}

// Key identifies the input in the results file: "line:12" or
// "file:name.json".
func (in *Input) Key() string {
	if in.File != "" {
		return "file:" + in.File
	}
	return "line:" + strconv.Itoa(in.Line)
}

// Where names the input for messages: "line 12" or "file name.json".
func (in *Input) Where() string {
	if in.File != "" {
		return "file " + in.File
	}
	return "line " + strconv.Itoa(in.Line)
}

// Source yields the records of an input in a fixed order.
type Source interface {
	// Next returns the next record, or io.EOF after the last one. want
	// sees the record before its bytes are read; when it returns false the
	// bytes are not kept (Raw is nil): the record is done already or
	// belongs to another shard.
	Next(want func(in *Input) bool) (*Input, error)
	// Close releases the input.
	Close() error
}

// Open opens a batch input: a folder of *.json request files, or a JSONL
// file with one request per line.
func Open(path string) (Source, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("batch: input: %w", err)
	}
	if st.IsDir() {
		files, err := requestFiles(path)
		if err != nil {
			return nil, err
		}
		return &dirSource{dir: path, files: files}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("batch: input: %w", err)
	}
	return &jsonlSource{f: f, r: bufio.NewReaderSize(f, readBuffer)}, nil
}

// readBuffer is the read buffer of input and results files. Longer lines
// are read in fragments, so it bounds nothing: it only sets the size of a
// read. 64 KiB reads a file in few system calls where 1 MiB, zeroed at
// each open, cost more than a small input's own work (a third of the
// batch fuzz targets' time went to clearing and scanning it).
const readBuffer = 64 << 10

// Count returns how many records an input holds: the non-blank lines of a
// JSONL file or the request files of a folder. It reads the whole file, so
// callers run it beside the batch, for the progress estimate only. A line
// is blank as Next sees it (isBlank: nothing but white space as
// bytes.TrimSpace trims it, form feeds and no-break spaces too).
func Count(path string) (int, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("batch: input: %w", err)
	}
	if st.IsDir() {
		files, err := requestFiles(path)
		return len(files), err
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("batch: input: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, readBuffer)
	n, blank := 0, true
	// carry is a rune cut at the end of a fragment of a long line that is
	// blank so far, taken into the next fragment's test.
	var carry []byte
	for {
		frag, err := r.ReadSlice('\n')
		if blank && len(frag) > 0 {
			body := bytes.TrimSuffix(frag, []byte("\n"))
			if len(carry) > 0 {
				body = append(carry, body...)
				carry = nil
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				if k := cutRune(body); k > 0 {
					carry = append([]byte(nil), body[len(body)-k:]...)
					body = body[:len(body)-k]
				}
			}
			blank = isBlank(body)
		}
		if len(frag) > 0 && frag[len(frag)-1] == '\n' {
			if !blank {
				n++
			}
			blank, carry = true, nil
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF):
			if !blank || len(carry) > 0 { // a cut rune at the end is not UTF-8: not white space
				n++
			}
			return n, nil
		case err != nil:
			return 0, fmt.Errorf("batch: count input: %w", err)
		}
	}
}

// cutRune returns how many bytes at the end of b are the start of a rune
// that b does not hold whole.
func cutRune(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return len(b) - i
			}
			return 0
		}
	}
	return 0
}

// isBlank says whether a line is blank: nothing but white space. Count
// applies the same rule rune by rune.
func isBlank(line []byte) bool { return len(bytes.TrimSpace(line)) == 0 }

// requestFiles lists the *.json files of a folder in name order, leaving
// out hidden files (editors' and our own temporary files start with a dot).
func requestFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("batch: input folder: %w", err)
	}
	var files []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".json") || !e.Type().IsRegular() {
			continue
		}
		files = append(files, n)
	}
	return files, nil // os.ReadDir sorts by name
}

// jsonlSource reads one request per line. Blank lines are not inputs, but
// they count in the line numbers, so a line number always finds its line.
type jsonlSource struct {
	f    *os.File
	r    *bufio.Reader
	line int
	ord  int
}

func (s *jsonlSource) Next(want func(*Input) bool) (*Input, error) {
	for {
		b, tooLong, err := s.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("batch: read line %d: %w", s.line+1, err)
		}
		if err != nil && len(b) == 0 && !tooLong {
			return nil, io.EOF
		}
		s.line++
		if !tooLong && isBlank(b) {
			continue
		}
		in := &Input{Seq: s.line, Line: s.line, Ord: s.ord}
		s.ord++
		switch {
		case tooLong:
			in.Err = ErrRecordTooLarge
		case want == nil || want(in):
			in.Raw = bytes.TrimSuffix(b, []byte("\r"))
		}
		return in, nil
	}
}

// readLine returns the next line, without its newline, in a slice of its
// own. A line longer than MaxRecord is read to its end and reported as
// tooLong without being held in memory. At the end of the input err is
// io.EOF, with the last line if it had no newline.
func (s *jsonlSource) readLine() (line []byte, tooLong bool, err error) {
	n := 0
	for {
		frag, err := s.r.ReadSlice('\n')
		n += len(frag)
		if n > MaxRecord+1 { // +1: the newline
			tooLong, line = true, nil
		} else {
			line = append(line, frag...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimSuffix(line, []byte("\n")), tooLong, err
	}
}

func (s *jsonlSource) Close() error { return s.f.Close() }

// dirSource reads one request per file.
type dirSource struct {
	dir   string
	files []string
	next  int
}

func (s *dirSource) Next(want func(*Input) bool) (*Input, error) {
	if s.next >= len(s.files) {
		return nil, io.EOF
	}
	name := s.files[s.next]
	s.next++
	in := &Input{Seq: s.next, Ord: s.next - 1, File: name}
	if want != nil && !want(in) {
		return in, nil
	}
	in.Raw, in.Err = readLimited(filepath.Join(s.dir, name))
	return in, nil
}

func (s *dirSource) Close() error { return nil }

// readLimited reads a request file of at most MaxRecord bytes. Its errors
// name no path: the file is named by the caller's Input.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open: %w", pathless(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxRecord+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", pathless(err))
	}
	if len(b) > MaxRecord {
		return nil, ErrRecordTooLarge
	}
	return b, nil
}

// pathless drops the path from a file system error: paths of outputs are
// made of request ids, which may be accession numbers, and messages go to
// logs and terminals.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
