package batch

import (
	"strings"
	"testing"
)

func TestNamer(t *testing.T) {
	tests := []struct {
		name     string
		reserved []string
		inputs   []Input
		ids      []string
		want     []string
	}{
		{
			name:   "request ids",
			inputs: []Input{{Seq: 1, Line: 1}, {Seq: 2, Line: 2}},
			ids:    []string{"ct-1", "ct-2"},
			want:   []string{"ct-1", "ct-2"},
		},
		{
			name:   "unsafe or missing ids fall back to the line",
			inputs: []Input{{Seq: 1, Line: 1}, {Seq: 3, Line: 3}, {Seq: 4, Line: 4}, {Seq: 5, Line: 5}, {Seq: 6, Line: 6}},
			ids:    []string{"", "../etc/passwd", ".hidden", "a b", strings.Repeat("x", 101)},
			want:   []string{"line-1", "line-3", "line-4", "line-5", "line-6"},
		},
		{
			name:   "repeated ids take the line",
			inputs: []Input{{Seq: 1, Line: 1}, {Seq: 2, Line: 2}, {Seq: 7, Line: 7}},
			ids:    []string{"dup", "dup", "DUP"},
			want:   []string{"dup", "dup--2", "DUP--7"},
		},
		{
			name:   "an id equal to a fallback name",
			inputs: []Input{{Seq: 1, Line: 1}, {Seq: 2, Line: 2}},
			ids:    []string{"line-2", ""},
			want:   []string{"line-2", "line-2--2"},
		},
		{
			name:     "names of earlier runs are reserved",
			reserved: []string{"a", "b--3"},
			inputs:   []Input{{Seq: 3, Line: 3}, {Seq: 4, Line: 4}},
			ids:      []string{"b", "a"},
			want:     []string{"b", "a--4"},
		},
		{
			name:   "folder inputs",
			inputs: []Input{{Seq: 1, File: "x.json"}, {Seq: 2, File: "bad name.json"}, {Seq: 3, File: "y.json"}},
			ids:    []string{"", "", "x"},
			want:   []string{"x", "file-2", "x--3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newNamer()
			for _, r := range tt.reserved {
				n.reserve(r)
			}
			for i := range tt.inputs {
				if got := n.assign(&tt.inputs[i], tt.ids[i]); got != tt.want[i] {
					t.Errorf("input %d (%q): name %q, want %q", i, tt.ids[i], got, tt.want[i])
				}
			}
		})
	}
}

// TestNamerChains: crafted ids that chain suffixes still get distinct,
// short names.
func TestNamerChains(t *testing.T) {
	n := newNamer()
	seen := map[string]bool{}
	id := strings.Repeat("a", 100)
	for i := 1; i <= 200; i++ {
		name := n.assign(&Input{Seq: 7, Line: 7}, id)
		if seen[strings.ToLower(name)] || len(name) > 255-len(SuffixCDA)-len(tempPrefix)-13 {
			t.Fatalf("assign %d: %q repeated or too long", i, name)
		}
		seen[strings.ToLower(name)] = true
	}
}
