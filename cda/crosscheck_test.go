package cda_test

import (
	"bytes"
	"testing"

	"github.com/reportgen/reportgen/cda"
	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
)

// The cross-check: Encode writes bytes straight from the tree; EncodeTree
// builds the same document as an etree tree, which etree serialises. The
// two must agree byte for byte on every document, and refuse the same
// documents with the same error. Bytes, not a semantic comparison: the
// golden files are bytes, the XSD and DIR rules run on the exact bytes
// returned, and equal bytes leave nothing (attribute order, escaping,
// empty-element form, layout of mixed content) to argue about.

// crossCheck encodes doc both ways and fails on any difference. It
// returns Encode's bytes (nil on error).
func crossCheck(t testing.TB, doc *content.Document, opt cda.Options) []byte {
	t.Helper()
	direct, derr := cda.Encode(doc, opt)
	x, terr := cda.EncodeTree(doc, opt)
	if (derr == nil) != (terr == nil) || derr != nil && derr.Error() != terr.Error() {
		t.Fatalf("Encode error %v, EncodeTree error %v", derr, terr)
	}
	if derr != nil {
		return nil
	}
	viaTree, err := x.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(direct, viaTree) {
		t.Fatalf("Encode and etree's serialisation of EncodeTree differ\n%s", firstDiff(viaTree, direct))
	}
	return direct
}

// TestEncodeMatchesTree runs the cross-check on every example with and
// without WADO links, and on the variations of TestEncode and the error
// cases.
func TestEncodeMatchesTree(t *testing.T) {
	for _, ex := range contenttest.Load(t, content.Options{}) {
		for _, opt := range []cda.Options{{}, {WADOBaseURL: wadoBase}, {WADOBaseURL: wadoBase + "?token=a&b=c\t\"x\""}} {
			crossCheck(t, ex.Doc, opt)
		}
	}
}

// FuzzEncode: for any request the tree builder accepts, Encode and
// EncodeTree agree (same bytes, or the same refusal). The request is not
// checked first, so the trees reach corners the service's input rules
// keep out: control characters, blank texts, odd IDs.
func FuzzEncode(f *testing.F) {
	contenttest.AddReportSeeds(f)
	f.Fuzz(func(t *testing.T, wire []byte, links bool) {
		doc := contenttest.FuzzDocument(wire, content.Options{})
		if doc == nil {
			return
		}
		opt := cda.Options{}
		if links {
			opt.WADOBaseURL = wadoBase
		}
		crossCheck(t, doc, opt)
	})
}
