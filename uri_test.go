package reportgen

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

func TestIsURI(t *testing.T) {
	for _, tt := range []struct {
		uri  string
		want bool
	}{
		{"tel:+1-555-555-1212", true},
		{"mailto:reading@example.org", true},
		{"https://u@h.example:8443/p/a?q=1&r#frag", true},
		{"http://[::1]/", true},
		{"http://[v1.x]/", true},
		{"http://", true},
		{"tel:%41%c3%a9", true},
		{"tel:é<x>", true}, // libxml2 takes these as escaped
		{"tel:+1-555-55%-1000", false},
		{"tel:%4", false},
		{"http://x/%", false},
		{"mailto:a@b#c#d", false},
		{"tel:[x]", false},
		{"http://a]b", false},
		{"http://[x/", false},
		{"http://x:ab/", false},
		{"http://x:/", false},
		{"http://x:99999/", false},
		{"http://a:b@c:d@e", false},
		{"http://x/a#%zz", false},
		{"1tel:x", false},
		{"tel", false},
	} {
		if got := isURI(tt.uri); got != tt.want {
			t.Errorf("isURI(%q) = %v, want %v", tt.uri, got, tt.want)
		}
	}
}

// TestIsURIAgreesWithXSD: a telecom value the check accepts is one the
// CDA schema (libxml2's xs:anyURI) accepts, over values made of the
// characters and pieces URIs go wrong with.
func TestIsURIAgreesWithXSD(t *testing.T) {
	e, err := New(Config{SchemaDir: "schemas/synced", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	base := loadExample(t, "chest-radiograph")
	base.Outputs = []pb.DocumentKind{pb.DocumentKind_DOCUMENT_KIND_CDA}
	heads := []string{"tel:", "mailto:", "fax:", "http:", "https:", "http://", "https://", "http://u@"}
	pieces := []string{"a", "Z", "0", "9", "%", "%4", "%41", "%zz", "#", "?", "/", "//", "@", ":", "[", "]", "[::1]", "[v1.x]",
		"!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", "-", ".", "_", "~", "<", ">", "\"", "{", "}", "|", "\\", "^", "`",
		"é", "\u00a0", "x:1", "x:99999", ":65536"}
	r := rand.New(rand.NewPCG(1, 2))
	accepted := 0
	for range 400 {
		v := heads[r.IntN(len(heads))]
		for range 1 + r.IntN(6) {
			v += pieces[r.IntN(len(pieces))]
		}
		if !isURI(v) {
			continue
		}
		accepted++
		req := proto.Clone(base).(*pb.GenerateReportRequest)
		req.Report.Patient.Telecoms[0].Value = v
		_, err := e.Generate(context.Background(), req)
		var ire *InvalidRequestError
		if err != nil && !errors.As(err, &ire) {
			t.Errorf("%q is a URI to the check but not to the schema: %v", v, err)
		}
	}
	if accepted < 100 {
		t.Errorf("only %d of 400 values were URIs: the sample tests little", accepted)
	}
}
