package html_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/html"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/wado"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func links(t *testing.T) *wado.Links {
	t.Helper()
	l, err := wado.New("https://pacs.example.org/wado", "https://pacs.example.org/dicom-web")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestExamplesGolden(t *testing.T) {
	for _, ex := range contenttest.Load(t, content.Options{}) {
		t.Run(ex.Name, func(t *testing.T) {
			b, err := html.Encode(ex.Doc, html.Options{Links: links(t)})
			if err != nil {
				t.Fatal(err)
			}
			if issues := html.Validate(b); len(issues) > 0 {
				t.Fatalf("page fails its own rules: %v", issues)
			}
			for _, s := range ex.Doc.Sections() {
				if !bytes.Contains(b, []byte(">"+s.Title+"</h2>")) {
					t.Errorf("section title %q missing", s.Title)
				}
			}
			path := filepath.Join("testdata", ex.Name+".html")
			if *update {
				if err := os.WriteFile(path, b, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (regenerate with: go test ./html -update)", err)
			}
			if !bytes.Equal(want, b) {
				t.Errorf("page differs from %s (review, then regenerate with: go test ./html -update)", path)
			}
		})
	}
}

// TestStatusNotice checks that every status but FINAL puts its notice at
// the top of the page and in the title.
func TestStatusNotice(t *testing.T) {
	ex := contenttest.Load(t, content.Options{})[0]
	for _, st := range []pb.ReportStatus{pb.ReportStatus_REPORT_STATUS_FINAL, pb.ReportStatus_REPORT_STATUS_PRELIMINARY, pb.ReportStatus_REPORT_STATUS_CORRECTED, pb.ReportStatus_REPORT_STATUS_ADDENDUM} {
		t.Run(st.String(), func(t *testing.T) {
			d := *ex.Doc
			d.Report = proto.Clone(ex.Doc.Report).(*pb.Report)
			d.Report.Status = st
			b, err := html.Encode(&d, html.Options{})
			if err != nil {
				t.Fatal(err)
			}
			n, ok := content.StatusNotice(st)
			hasAlert := bytes.Contains(b, []byte(`role="alert"`))
			if ok != hasAlert {
				t.Fatalf("status %v: alert present %v, want %v", st, hasAlert, ok)
			}
			if !ok {
				return
			}
			body := string(b)
			if i, j := strings.Index(body, n.Label), strings.Index(body, "<h1>"); i < 0 || i > j {
				t.Errorf("notice %q not before the h1", n.Label)
			}
			if !strings.Contains(body, "<title>"+n.Label+": ") {
				t.Errorf("title does not start with %q", n.Label)
			}
		})
	}
}

// TestEscaping checks that text of the request never becomes markup.
func TestEscaping(t *testing.T) {
	ex := contenttest.Load(t, content.Options{})[0]
	d := *ex.Doc
	hostile := `<script>alert(1)</script><img src=x onerror=alert(2)> & "quoted" 'single'`
	d.Title = hostile
	root := *ex.Doc.Root
	root.Children = append([]*content.Node(nil), ex.Doc.Root.Children...)
	sec := *d.Sections()[0]
	sec.Title = hostile
	sec.Children = append([]*content.Node{{Relationship: content.Contains, Type: content.Text, Text: hostile, Concept: content.ConceptFinding}}, sec.Children...)
	for i, c := range root.Children {
		if c == d.Sections()[0] {
			root.Children[i] = &sec
		}
	}
	d.Root = &root
	b, err := html.Encode(&d, html.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("<script")) || bytes.Contains(b, []byte("<img")) {
		t.Fatalf("request text became markup:\n%s", b)
	}
	if !bytes.Contains(b, []byte("&lt;script&gt;alert(1)&lt;/script&gt;")) {
		t.Error("escaped text not shown")
	}
	if issues := html.Validate(b); len(issues) > 0 {
		t.Errorf("escaped page fails its rules: %v", issues)
	}
}

func TestValidateFindsBreaches(t *testing.T) {
	ok := `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title></head><body><h1>T</h1><main><section id="a" aria-labelledby="a-t"><h2 id="a-t">A</h2></section></main></body></html>`
	if l := html.Validate([]byte(ok)); len(l) > 0 {
		t.Fatalf("minimal page: %v", l)
	}
	tests := []struct{ name, page, rule string }{
		{"script", strings.Replace(ok, "<h1>", "<script>x()</script><h1>", 1), html.RuleScript},
		{"handler", strings.Replace(ok, "<h1>", `<h1 onclick="x()">`, 1), html.RuleScript},
		{"js link", strings.Replace(ok, "<h1>T", `<h1><a href="javascript:x()">T</a>`, 1), html.RuleScript},
		{"no lang", strings.Replace(ok, ` lang="en"`, "", 1), html.RuleLang},
		{"two h1", strings.Replace(ok, "<h1>T</h1>", "<h1>T</h1><h1>U</h1>", 1), html.RuleTitle},
		{"external css", strings.Replace(ok, "<title>", `<link rel="stylesheet" href="https://x/y.css"><title>`, 1), html.RuleExternal},
		{"unlabelled section", strings.Replace(ok, ` aria-labelledby="a-t"`, "", 1), html.RuleHeadings},
		{"table without caption", strings.Replace(ok, "</section>", `<table><tr><th>x</th></tr></table></section>`, 1), html.RuleTables},
		{"img without alt", strings.Replace(ok, "</section>", `<img src="https://x/y.png"></section>`, 1), html.RuleImages},
		{"relative link", strings.Replace(ok, "<h1>T", `<h1><a href="/x">T</a>`, 1), html.RuleLinks},
		{"no doctype", strings.TrimPrefix(ok, "<!DOCTYPE html>"), html.RuleUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := html.Validate([]byte(tt.page))
			for _, i := range l {
				if i.RuleID == tt.rule {
					return
				}
			}
			t.Errorf("want %s, got %v", tt.rule, l)
		})
	}
}
