// Package contenttest loads the project's example requests as content
// trees, for the tests of the encoders and validators.
package contenttest

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen/content"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/uid"
)

// ExamplesDir returns the path of the repository's examples/ folder.
func ExamplesDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "examples")
}

// Example is one example request and its tree.
type Example struct {
	Name    string // file base name without .json
	Request *pb.GenerateReportRequest
	Doc     *content.Document
}

// Load reads every examples/*.json and builds its tree with identities
// derived from the file name, so repeated runs give identical documents.
func Load(t testing.TB, opt content.Options) []Example {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(ExamplesDir(), "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found in %s: %v", ExamplesDir(), err)
	}
	sort.Strings(files)
	var out []Example
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		req := &pb.GenerateReportRequest{}
		if err := protojson.Unmarshal(b, req); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		doc, err := content.Build(req.GetReport(), Identity(name), opt)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, Example{Name: name, Request: req, Doc: doc})
	}
	return out
}

// Identity returns fixed identities derived from name.
func Identity(name string) content.Identity {
	var g uid.Generator
	return content.Identity{
		DocumentID:        g.Derive("test-doc", name),
		SetID:             g.Derive("test-set", name),
		Version:           1,
		SOPInstanceUID:    g.Derive("test-sop", name),
		SeriesInstanceUID: g.Derive("test-series", name),
	}
}

// AddReportSeeds seeds a fuzz target whose arguments are (report as
// protobuf wire bytes, flag) with every example report, once with each
// flag value.
func AddReportSeeds(f *testing.F) {
	f.Helper()
	for _, ex := range Load(f, content.Options{}) {
		wire, err := proto.Marshal(ex.Request.GetReport())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(wire, false)
		f.Add(wire, true)
	}
}

// FuzzDocument builds the tree of a fuzzed report in wire form, with the
// fixed identities of "fuzz"; nil when the bytes are no report or Build
// refuses it. The report is not checked first, so the trees reach corners
// the request checks keep out.
func FuzzDocument(wire []byte, opt content.Options) *content.Document {
	r := &pb.Report{}
	if proto.Unmarshal(wire, r) != nil {
		return nil
	}
	doc, err := content.Build(r, Identity("fuzz"), opt)
	if err != nil {
		return nil
	}
	return doc
}
