package html

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/reportgen/reportgen/issue"
)

// Rules checked by Validate. They are what makes the page standalone,
// safe and accessible, checked on the bytes returned.
const (
	RuleUTF8     = "HTML-01" // UTF-8 text with an HTML5 doctype and a charset declaration
	RuleLang     = "HTML-02" // html element names the language
	RuleTitle    = "HTML-03" // one non-empty title and exactly one h1
	RuleScript   = "HTML-04" // no script, no event handler attributes, no javascript: URLs
	RuleExternal = "HTML-05" // nothing loaded from elsewhere: no external style sheets, frames, objects or forms
	RuleHeadings = "HTML-06" // every section is labelled by its own heading
	RuleTables   = "HTML-07" // every table has a caption and header cells with scope
	RuleImages   = "HTML-08" // every img has alt text
	RuleLinks    = "HTML-09" // links are absolute http(s) URLs
)

// Validate checks a page made by Encode (or anyone) against the rules
// above. The HTML5 parser accepts any input, so the checks are made on
// the tree it builds.
func Validate(b []byte) issue.List {
	var l issue.List
	add := func(rule, where, format string, args ...any) {
		l = append(l, issue.Issue{Severity: issue.Error, RuleID: rule, Location: where, Message: fmt.Sprintf(format, args...)})
	}
	if !utf8.Valid(b) {
		add(RuleUTF8, "", "page is not UTF-8")
		return l
	}
	if !bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("<!DOCTYPE html>")) {
		add(RuleUTF8, "1:1", "page does not start with the HTML5 doctype")
	}
	doc, err := xhtml.Parse(bytes.NewReader(b))
	if err != nil {
		add(RuleUTF8, "", "page does not parse: %v", err)
		return l
	}
	var titles, h1s int
	var charset bool
	ids := map[string]bool{}
	var sections []*xhtml.Node
	var walk func(n *xhtml.Node, path string)
	walk = func(n *xhtml.Node, path string) {
		if n.Type == xhtml.ElementNode {
			path += "/" + n.Data
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") {
					add(RuleScript, path, "event handler attribute %s", k)
				}
				if k == "id" {
					ids[a.Val] = true
				}
				if (k == "href" || k == "src") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
					add(RuleScript, path, "javascript: URL in %s", k)
				}
			}
			switch n.DataAtom {
			case atom.Html:
				if attr(n, "lang") == "" {
					add(RuleLang, path, "html element has no lang attribute")
				}
			case atom.Meta:
				if attr(n, "charset") != "" {
					charset = strings.EqualFold(attr(n, "charset"), "utf-8")
				}
			case atom.Title:
				titles++
				if strings.TrimSpace(text(n)) == "" {
					add(RuleTitle, path, "empty title")
				}
			case atom.H1:
				h1s++
			case atom.Script, atom.Noscript:
				add(RuleScript, path, "%s element", n.Data)
			case atom.Link, atom.Iframe, atom.Frame, atom.Object, atom.Embed, atom.Form, atom.Base:
				add(RuleExternal, path, "%s element", n.Data)
			case atom.Section:
				sections = append(sections, n)
			case atom.Table:
				checkTable(n, path, add)
			case atom.Img:
				if _, ok := attrOK(n, "alt"); !ok {
					add(RuleImages, path, "img without alt text")
				}
			case atom.A:
				if h := attr(n, "href"); !strings.HasPrefix(h, "https://") && !strings.HasPrefix(h, "http://") {
					add(RuleLinks, path, "link is not an absolute http(s) URL")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, path)
		}
	}
	walk(doc, "")
	if !charset {
		add(RuleUTF8, "/html/head", "no <meta charset=\"utf-8\">")
	}
	if titles != 1 {
		add(RuleTitle, "/html/head", "%d title elements, want 1", titles)
	}
	if h1s != 1 {
		add(RuleTitle, "/html/body", "%d h1 elements, want 1", h1s)
	}
	for i, s := range sections {
		where := fmt.Sprintf("/html/body/main/section[%d]", i+1)
		lb := attr(s, "aria-labelledby")
		h := firstElement(s)
		if lb == "" || h == nil || (h.DataAtom != atom.H2 && h.DataAtom != atom.H3) || attr(h, "id") != lb || strings.TrimSpace(text(h)) == "" {
			add(RuleHeadings, where, "section does not start with a non-empty heading that labels it")
		}
	}
	return l
}

func checkTable(t *xhtml.Node, path string, add func(rule, where, format string, args ...any)) {
	var caption bool
	var ths int
	var each func(n *xhtml.Node)
	each = func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode {
			switch n.DataAtom {
			case atom.Caption:
				caption = strings.TrimSpace(text(n)) != ""
			case atom.Th:
				ths++
				if s := attr(n, "scope"); s != "col" && s != "row" {
					add(RuleTables, path, "header cell without scope col or row")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			each(c)
		}
	}
	each(t)
	if !caption {
		add(RuleTables, path, "table without a caption")
	}
	if ths == 0 {
		add(RuleTables, path, "table without header cells")
	}
}

func attrOK(n *xhtml.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func attr(n *xhtml.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func firstElement(n *xhtml.Node) *xhtml.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xhtml.ElementNode {
			return c
		}
	}
	return nil
}

func text(n *xhtml.Node) string {
	var b strings.Builder
	var each func(n *xhtml.Node)
	each = func(n *xhtml.Node) {
		if n.Type == xhtml.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			each(c)
		}
	}
	each(n)
	return b.String()
}
