package sr_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/internal/samples"
	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/sr"
)

// allReadOptions sets every option of Read, so the golden shows what each
// one fills in.
var allReadOptions = sr.ReadOptions{
	DefaultIssuerOID:          "1.2.3.4.5",
	DefaultAccessionIssuerOID: "1.2.3.4.6",
	Custodian:                 &pb.Organization{Name: "Golden Custodian", Ids: []*pb.Identifier{{Value: "7", AssigningAuthorityOid: "1.2.3.4.7"}}},
	DefaultTimeZone:           time.FixedZone("", -5*3600),
}

// TestReadGolden snapshots everything Read makes of a fixed set of SR
// files: the report, every issue in order, and the error. The set is
// every example with both heading code sets, read with no options and
// with all (a deflated copy must read the same), every TestRead case and
// the public samples. TestRead asserts what each case is for; this test
// fails on any other change, so a refactor of the reader that should not
// change behaviour shows that it does not. Regenerate with
// go test ./sr -run TestReadGolden -update, then review the diff.
func TestReadGolden(t *testing.T) {
	var b strings.Builder
	snap := func(name string, in []byte, opt sr.ReadOptions) (*pb.Report, issue.List, error) {
		rep, issues, err := sr.Read(in, opt)
		fmt.Fprintf(&b, "== %s\n", name)
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
		}
		for _, i := range issues {
			fmt.Fprintf(&b, "issue: %s\n", i)
		}
		if rep != nil {
			b.WriteString(reportJSON(t, rep))
		}
		return rep, issues, err
	}
	for _, hs := range headingSets {
		for _, ex := range contenttest.Load(t, hs.opt) {
			in, err := sr.Encode(ex.Doc)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range []struct {
				name string
				opt  sr.ReadOptions
			}{{"no options", sr.ReadOptions{}}, {"all options", allReadOptions}} {
				name := fmt.Sprintf("example %s, %s headings, %s", ex.Name, hs.name, o.name)
				rep, issues, err := snap(name, in, o.opt)
				sameAsDeflated(t, name, in, o.opt, rep, issues, err)
			}
		}
	}
	for _, c := range readCases() {
		snap("TestRead case "+c.name, c.sr(t), c.opt)
	}
	for _, name := range []string{"reportsi.dcm", "test-SR.dcm"} {
		snap("sample "+name, samples.Read(t, "sr/"+name), sr.ReadOptions{})
	}
	compareGolden(t, filepath.Join("testdata", "read.golden.txt"), b.String())
}

// sameAsDeflated checks that the deflated copy of in reads as in did
// (rep, issues, err), with one more issue: the warning that its transfer
// syntax is not Explicit VR Little Endian.
func sameAsDeflated(t *testing.T, name string, in []byte, opt sr.ReadOptions, rep *pb.Report, issues issue.List, err error) {
	t.Helper()
	drep, dissues, derr := sr.Read(deflate(t, in), opt)
	rest := slices.DeleteFunc(slices.Clone(dissues), func(i issue.Issue) bool {
		return i.RuleID == "SR-FILE-03" && i.Severity == issue.Warning && strings.Contains(i.Message, "not Explicit VR Little Endian")
	})
	if !proto.Equal(rep, drep) || fmt.Sprint(err) != fmt.Sprint(derr) || len(rest) != len(dissues)-1 || !slices.Equal(rest, issues) {
		t.Errorf("%s: the deflated copy reads otherwise:\nplain:\n%v %sdeflated:\n%v %s", name, err, list(issues), derr, list(dissues))
	}
}

// reportJSON is rep as indented JSON. protojson varies its white space on
// purpose, so the output is compacted and indented again to be stable.
func reportJSON(t *testing.T, rep *pb.Report) string {
	t.Helper()
	raw, err := protojson.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	return out.String()
}

// compareGolden compares got with the golden file at path, or rewrites it
// with -update; the dsrdump goldens and Read's snapshot share it.
func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./sr -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (review, then regenerate with go test ./sr -update):\n%s", path, lineDiff(string(want), got))
	}
}
