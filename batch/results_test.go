package batch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenResultsRepairs(t *testing.T) {
	a := `{"line":1,"status":"ok","name":"a","outputs":["a.cda.xml"]}` + "\n"
	b := `{"line":2,"status":"invalid"}` + "\n"
	tests := []struct {
		name    string
		content string
		keys    []string
		keep    string // file content after opening
		wantErr string
	}{
		{"new file", "", nil, "", ""},
		{"clean", a + b, []string{"line:1", "line:2"}, a + b, ""},
		{"cut last line", a + b + `{"line":3,"sta`, []string{"line:1", "line:2"}, a + b, ""},
		{"cut inside the first line", `{"li`, nil, "", ""},
		{"zeros at the tail", a + strings.Repeat("\x00", 30) + "\n" + strings.Repeat("\x00", 10), []string{"line:1"}, a, ""},
		{"unreadable tail line", a + "garbage\n", []string{"line:1"}, a, ""},
		{"record without status", a + `{"line":5}` + "\n", []string{"line:1"}, a, ""},
		{"damage in the middle", a + "garbage\n" + b, nil, "", "line 2 is not a result record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "results.jsonl")
			if tt.content != "" {
				if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			l, recs, err := OpenResults(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, r := range recs {
				keys = append(keys, r.Key())
			}
			if strings.Join(keys, ",") != strings.Join(tt.keys, ",") {
				t.Errorf("records %v, want %v", keys, tt.keys)
			}
			// A record appended now starts on a line of its own.
			if err := l.Append(&Record{Line: 9, Status: StatusOK}); err != nil {
				t.Fatal(err)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			want := tt.keep + `{"line":9,"status":"ok"}` + "\n"
			if string(got) != want {
				t.Errorf("file after reopen and append:\n%q\nwant\n%q", got, want)
			}
		})
	}
}
