package html

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/wado"
)

// MediaType is the media type of the page.
const MediaType = "text/html"

//go:embed page.html.tmpl
var pageTemplate string

// tmpl is parsed once; html/template escapes every value by its context
// (text, attribute, URL), so report text can never become markup.
var tmpl = template.Must(template.New("page").Parse(pageTemplate))

// Options tune Encode.
type Options struct {
	// Links makes key images and image evidence links to the archive
	// (WADO-RS rendered, else WADO-URI); nil shows them as text.
	Links *wado.Links
}

// Encode writes doc as a standalone HTML5 page in UTF-8.
func Encode(doc *content.Document, opt Options) ([]byte, error) {
	if doc == nil || doc.Report == nil || doc.Root == nil {
		return nil, errors.New("html: document has no report or no content tree")
	}
	p, err := build(doc, opt.Links)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, p); err != nil {
		return nil, fmt.Errorf("html: render page: %w", err)
	}
	return b.Bytes(), nil
}
