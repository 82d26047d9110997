package batch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestShardSplit(t *testing.T) {
	for _, tt := range []struct {
		s    Shard
		n    int
		want []int // ranks of the shard's inputs among 0..n-1
	}{
		{Shard{}, 4, []int{0, 1, 2, 3}},
		{Shard{Index: 0, Count: 1}, 3, []int{0, 1, 2}},
		{Shard{Index: 0, Count: 3}, 7, []int{0, 3, 6}},
		{Shard{Index: 2, Count: 3}, 7, []int{2, 5}},
		{Shard{Index: 4, Count: 5}, 3, nil},
	} {
		var got []int
		for ord := range tt.n {
			if tt.s.Has(ord) {
				got = append(got, ord)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) || tt.s.size(tt.n) != len(tt.want) {
			t.Errorf("%+v over %d: %v (size %d), want %v", tt.s, tt.n, got, tt.s.size(tt.n), tt.want)
		}
	}
	for _, bad := range []Shard{{Index: 3, Count: 3}, {Index: -1, Count: 2}, {Index: 1, Count: 1}, {Count: MaxShards + 1}} {
		if bad.check() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	for name, ok := range map[string]bool{"shard-0-of-3": true, "shard-2-of-3": true, "shard-3-of-3": false, "shard-0-of-1": false, "shard-x-of-3": false, "results.jsonl": false} {
		if _, got := parseShardDir(name); got != ok {
			t.Errorf("parseShardDir(%q) = %v", name, got)
		}
	}
}

// TestShardsCoverInputOnce: three shards over one input with blank lines
// (which are no inputs, so they shift no shard) record every input once
// between them, and Verify says so; a resumed shard refuses another split.
func TestShardsCoverInputOnce(t *testing.T) {
	var lines []string
	for i := range 20 {
		lines = append(lines, fmt.Sprintf(`{"requestId":"r%d","report":{}}`, i))
		if i%7 == 3 {
			lines = append(lines, "")
		}
	}
	lines = append(lines, `{broken`)
	in := writeJSONL(t, lines)
	out := t.TempDir()
	const m = 3
	for i := range m {
		s := Shard{Index: i, Count: m}
		sum, err := Run(context.Background(), Config{In: in, Out: ShardDir(out, s), Renderer: &fakeRenderer{}, Shard: s})
		if err != nil {
			t.Fatal(err)
		}
		if want := s.size(21); sum.Now.Total() != want {
			t.Errorf("shard %d recorded %d, want %d", i, sum.Now.Total(), want)
		}
		// Ranks i, i+3, ...: the input's ranks, not its line numbers.
		for _, r := range readResults(t, filepath.Join(ShardDir(out, s), ResultsName)) {
			if r.RequestID != "" {
				var k int
				fmt.Sscanf(r.RequestID, "r%d", &k)
				if k%m != i {
					t.Errorf("shard %d recorded input r%d", i, k)
				}
			}
		}
	}
	rep, err := Verify(in, out)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Inputs != 21 || rep.Shards != m || rep.Recorded.Total() != 21 || rep.Recorded.Invalid != 1 || rep.Documents != 40 {
		t.Errorf("verify: %+v", rep)
	}

	s1 := Shard{Index: 1, Count: m}
	if _, err := Run(context.Background(), Config{In: in, Out: ShardDir(out, s1), Renderer: &fakeRenderer{}, Shard: Shard{Index: 1, Count: 4}}); err == nil ||
		!strings.Contains(err.Error(), "holds shard 1 of 3, not 1 of 4") {
		t.Errorf("resuming with another split: %v", err)
	}
	if _, err := Run(context.Background(), Config{In: in, Out: ShardDir(out, s1), Renderer: &fakeRenderer{}}); err == nil {
		t.Error("an unsharded run into a shard's folder was accepted")
	}
}

// TestVerifyFindsEveryProblem breaks a verified split in each way Verify
// must notice.
func TestVerifyFindsEveryProblem(t *testing.T) {
	var lines []string
	for i := range 9 {
		lines = append(lines, fmt.Sprintf(`{"requestId":"r%d","report":{}}`, i))
	}
	in := writeJSONL(t, lines)
	run := func(out string, s Shard) {
		t.Helper()
		if _, err := Run(context.Background(), Config{In: in, Out: ShardDir(out, s), Renderer: &fakeRenderer{}, Shard: s}); err != nil {
			t.Fatal(err)
		}
	}
	split := func() string {
		out := t.TempDir()
		for i := range 3 {
			run(out, Shard{Index: i, Count: 3})
		}
		return out
	}
	results := func(out string, i int) string {
		return filepath.Join(ShardDir(out, Shard{Index: i, Count: 3}), ResultsName)
	}
	appendLine := func(path, line string) {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(line + "\n"); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name    string
		breakIt func(out string)
		check   func(r *VerifyReport) bool
	}{
		{"intact", func(string) {}, func(r *VerifyReport) bool { return r.OK() && r.Documents == 18 }},
		{"a shard never ran", func(out string) {
			os.RemoveAll(ShardDir(out, Shard{Index: 2, Count: 3}))
			os.MkdirAll(ShardDir(out, Shard{Index: 2, Count: 3}), 0o755)
		},
			func(r *VerifyReport) bool {
				return len(r.MissingShards) == 1 && r.MissingShards[0] == "shard-2-of-3" && r.Missing.Count == 3 && r.Missing.First[0] == "line:3"
			}},
		{"a result line lost", func(out string) {
			b, _ := os.ReadFile(results(out, 0))
			os.WriteFile(results(out, 0), b[:strings.LastIndexByte(strings.TrimSuffix(string(b), "\n"), '\n')+1], 0o644)
		}, func(r *VerifyReport) bool { return r.Missing.Count == 1 && r.Recorded.Total() == 8 }},
		{"recorded twice", func(out string) {
			appendLine(results(out, 1), `{"line":2,"name":"r1","status":"ok","outputs":["r1.cda.xml"]}`)
		}, func(r *VerifyReport) bool { return r.Duplicated.Count == 1 && r.Duplicated.First[0] == "line:2" }},
		{"in the wrong shard", func(out string) {
			b, _ := os.ReadFile(results(out, 0))
			os.WriteFile(results(out, 0), []byte(strings.Replace(string(b), `"line":1,`, `"line":2,`, 1)), 0o644)
		}, func(r *VerifyReport) bool {
			return r.Misplaced.Count == 1 && r.Duplicated.Count == 1 && r.Missing.Count == 1
		}},
		{"not in the input", func(out string) { appendLine(results(out, 2), `{"line":99,"status":"invalid"}`) },
			func(r *VerifyReport) bool { return r.Unknown.Count == 1 && r.Unknown.First[0] == "line:99" }},
		{"a document deleted", func(out string) { os.Remove(filepath.Join(ShardDir(out, Shard{Index: 1, Count: 3}), "r4.sr.dcm")) },
			func(r *VerifyReport) bool { return r.NoOutput.Count == 1 && r.NoOutput.First[0] == "line:5" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := split()
			tt.breakIt(out)
			rep, err := Verify(in, out)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(rep) || (tt.name != "intact" && rep.OK()) {
				t.Errorf("%+v", rep)
			}
		})
	}

	// An unsharded batch verifies as one shard.
	out := t.TempDir()
	run(out, Shard{})
	if rep, err := Verify(in, out); err != nil || !rep.OK() || rep.Shards != 1 {
		t.Errorf("unsharded: %+v, %v", rep, err)
	}
	// Two splits in one folder cannot be verified together.
	out = split()
	os.MkdirAll(filepath.Join(out, "shard-0-of-4"), 0o755)
	if _, err := Verify(in, out); err == nil || !strings.Contains(err.Error(), "two splits") {
		t.Errorf("mixed splits: %v", err)
	}
}
