package conformance_test

import "testing"

// typicalCT returns the CT example with WADO links: the service's typical
// report (about 22 kB, measurements, image evidence, a catalog).
func typicalCT(b *testing.B) []byte {
	return doc(b, "ct-chest-measurements")
}

func BenchmarkCheck(b *testing.B) {
	c := checker(b)
	doc := typicalCT(b)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if l := c.Check(doc); l.HasErrors() {
			b.Fatal(l)
		}
	}
}

// BenchmarkSchematron runs the official schematron's errors phase (compiled
// once, xsltproc per document) on the same document, for comparison.
func BenchmarkSchematron(b *testing.B) {
	s := schematron(b)
	doc := typicalCT(b)
	b.SetBytes(int64(len(doc)))
	b.ResetTimer()
	for b.Loop() {
		failed, err := s.Run(doc)
		if err != nil || len(failed) > 0 {
			b.Fatal(err, failed)
		}
	}
}
