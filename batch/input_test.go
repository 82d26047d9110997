package batch

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// got is what a Source yields, in a comparable form.
type got struct {
	key string
	raw string
	err error
}

func readAll(t *testing.T, s Source, want func(string) bool) []got {
	t.Helper()
	var out []got
	var keep func(*Input) bool
	if want != nil {
		keep = func(in *Input) bool { return want(in.Key()) }
	}
	for {
		in, err := s.Next(keep)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got{in.Key(), string(in.Raw), in.Err})
	}
}

func TestJSONLSource(t *testing.T) {
	long := strings.Repeat("x", MaxRecord+10)
	tests := []struct {
		name  string
		input string
		skip  string // key the caller has done
		want  []got
		count int
	}{
		{"empty", "", "", nil, 0},
		{"lines", "{\"a\":1}\n{\"b\":2}\n", "", []got{{"line:1", `{"a":1}`, nil}, {"line:2", `{"b":2}`, nil}}, 2},
		{"no final newline", "{}\n{\"b\":2}", "", []got{{"line:1", "{}", nil}, {"line:2", `{"b":2}`, nil}}, 2},
		{"blank lines keep numbering", "\n  \n{}\r\n\t\n{}\n", "", []got{{"line:3", "{}", nil}, {"line:5", "{}", nil}}, 2},
		{"form feed, no-break and ideographic spaces are blank", "\f\n\v \u00a0\n{}\n\u3000\u2028\n", "", []got{{"line:3", "{}", nil}}, 1},
		{"a byte that is not UTF-8 is a record", "\xff\n{}\n", "", []got{{"line:1", "\xff", nil}, {"line:2", "{}", nil}}, 2},
		{"done line not kept", "{}\n{\"b\":2}\n", "line:1", []got{{"line:1", "", nil}, {"line:2", `{"b":2}`, nil}}, 2},
		{"too long", "{}\n" + long + "\n{}\n", "", []got{{"line:1", "{}", nil}, {"line:2", "", ErrRecordTooLarge}, {"line:3", "{}", nil}}, 3},
		{"too long at end", "{}\n" + long, "", []got{{"line:1", "{}", nil}, {"line:2", "", ErrRecordTooLarge}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.jsonl")
			if err := os.WriteFile(path, []byte(tt.input), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			res := readAll(t, s, func(k string) bool { return k != tt.skip })
			if len(res) != len(tt.want) {
				t.Fatalf("got %d records %v, want %d", len(res), short(res), len(tt.want))
			}
			for i := range res {
				if res[i].key != tt.want[i].key || res[i].raw != tt.want[i].raw || !errors.Is(res[i].err, tt.want[i].err) {
					t.Errorf("record %d = %v, want %v", i, short(res[i:i+1]), short(tt.want[i:i+1]))
				}
			}
			if n, err := Count(path); err != nil || n != tt.count {
				t.Errorf("Count = %d, %v; want %d", n, err, tt.count)
			}
		})
	}
}

// TestCountLongBlankLine: a blank line longer than Count's read buffer,
// with a multi-byte space cut at the buffer's end, is still blank, as Next
// sees it; so is one ending the file.
func TestCountLongBlankLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.jsonl")
	for cut := range 4 {
		pad := strings.Repeat(" ", 1<<20-cut)
		input := pad + "\u3000\u3000\n{}\n" + pad + "\u3000"
		if err := os.WriteFile(path, []byte(input), 0o644); err != nil {
			t.Fatal(err)
		}
		if n, err := Count(path); err != nil || n != 1 {
			t.Errorf("space cut %d bytes before the buffer's end: Count = %d, %v; want 1", cut, n, err)
		}
	}
}

func short(g []got) []got {
	out := append([]got(nil), g...)
	for i := range out {
		if len(out[i].raw) > 40 {
			out[i].raw = out[i].raw[:40] + "..."
		}
	}
	return out
}

func TestDirSource(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"b.json": `{"b":1}`, "a.json": `{"a":1}`, ".hidden.json": "{}", "notes.txt": "x", "c.json": `{"c":1}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, s, func(k string) bool { return k != "file:b.json" })
	want := []got{{"file:a.json", `{"a":1}`, nil}, {"file:b.json", "", nil}, {"file:c.json", `{"c":1}`, nil}}
	if len(res) != len(want) {
		t.Fatalf("got %v, want %v", res, want)
	}
	for i := range want {
		if res[i] != want[i] {
			t.Errorf("record %d = %v, want %v", i, res[i], want[i])
		}
	}
	if n, err := Count(dir); err != nil || n != 3 {
		t.Errorf("Count = %d, %v; want 3", n, err)
	}
}
