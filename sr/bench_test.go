package sr_test

import (
	"sort"
	"testing"

	"github.com/reportgen/reportgen/sr"
)

// BenchmarkValidate validates each encoded example, the work the engine
// does for every SR it returns; a file with issues would allocate for
// them, so each example must come out clean.
func BenchmarkValidate(b *testing.B) {
	files := encodedExamples(&testing.T{})
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := files[n]
		if l := sr.Validate(f); len(l) > 0 {
			b.Fatalf("%s: %v", n, l)
		}
		b.Run(n, func(b *testing.B) {
			b.SetBytes(int64(len(f)))
			b.ReportAllocs()
			for b.Loop() {
				sr.Validate(f)
			}
		})
	}
}

// BenchmarkRead reads each encoded example back into the findings model.
func BenchmarkRead(b *testing.B) {
	for n, f := range encodedExamples(&testing.T{}) {
		if n != "ct-chest-measurements" {
			continue
		}
		b.Run(n, func(b *testing.B) {
			b.SetBytes(int64(len(f)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := sr.Read(f, sr.ReadOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
