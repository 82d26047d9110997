package html_test

import (
	"fmt"
	"testing"
	"unicode/utf8"

	"github.com/reportgen/reportgen/internal/fuzztest"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/html"
)

// FuzzValidate feeds any bytes to the page checks: they must report,
// never panic, and a page without errors must at least be UTF-8.
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
		fuzztest.Run(t, func() error {
			l := html.Validate(b)
			for _, i := range l {
				if i.RuleID == "" || i.Message == "" {
					return fmt.Errorf("issue without rule or message: %+v", i)
				}
			}
			if !l.HasErrors() && !utf8.Valid(b) {
				return fmt.Errorf("no error for a page that is not UTF-8")
			}
			return nil
		})
	})
}
