package html_test

import (
	"testing"

	"github.com/reportgen/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/reportgen/html"
)

// FuzzValidate feeds any bytes to the page checks: they must report,
// never panic.
func FuzzValidate(f *testing.F) {
	for _, ex := range contenttest.Load(f, content.Options{}) {
		b, err := html.Encode(ex.Doc, html.Options{})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/3])
	}
	f.Add([]byte("<!DOCTYPE html><script>x</script><table><th>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, i := range html.Validate(b) {
			if i.RuleID == "" || i.Message == "" {
				t.Fatalf("issue without rule or message: %+v", i)
			}
		}
	})
}
