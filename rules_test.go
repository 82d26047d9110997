package reportgen

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/schemas/ucum/ucumtest"
	"github.com/reportgen/reportgen/sr"
)

var update = flag.Bool("update", false, "rewrite docs/request-rules.md from the rule table")

// requestRulesDoc is docs/request-rules.md: the rule table printed.
func requestRulesDoc() []byte {
	var b bytes.Buffer
	b.WriteString("# Request rules\n\n")
	b.WriteString("Generated from `rules.go` by `go test . -run TestRequestRulesDoc -update`; do not edit.\n\n")
	b.WriteString("Every field violation of a request (`FieldViolation.rule_id`, the `reason` of a `google.rpc.BadRequest` field violation, `rule` in a batch results record) carries one of these ids. Template rules (`TEMPLATE-…`, templates/check.go) and batch input rules (`BATCH-…`, batch/results.go) are listed there.\n\n")
	b.WriteString("| id | limit | rule | basis |\n|---|---|---|---|\n")
	for _, r := range requestRules {
		lim := ""
		if r.Limit > 0 {
			lim = fmt.Sprintf("%d %s", r.Limit, r.Unit)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.ID, lim, strings.ReplaceAll(r.Says, "|", `\|`), r.Basis)
	}
	return b.Bytes()
}

// TestRequestRulesDoc keeps docs/request-rules.md the rule table printed.
func TestRequestRulesDoc(t *testing.T) {
	const path = "docs/request-rules.md"
	want := requestRulesDoc()
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not the rule table printed; run: go test . -run TestRequestRulesDoc -update", path)
	}
}

// TestProtoCommentsNameRules: the API's comments state no request limit
// of their own; the rule ids they name are rules of the table.
func TestProtoCommentsNameRules(t *testing.T) {
	ids := regexp.MustCompile(`\b(REQ-[A-Z-]+[A-Z])\b`)
	limits := regexp.MustCompile(`(?i)at most \d+|\d+ (characters|bytes|MiB)`)
	for _, f := range []string{"common.proto", "report.proto", "service.proto"} {
		b, err := os.ReadFile("proto/reportgen/v1/" + f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if !strings.Contains(line, "//") {
				continue
			}
			if m := limits.FindString(line); m != "" {
				t.Errorf("%s:%d states a limit (%q); name its rule id instead", f, i+1, m)
			}
			for _, id := range ids.FindAllString(line, -1) {
				if _, ok := rulesByID[id]; !ok {
					t.Errorf("%s:%d names %s, which is no request rule", f, i+1, id)
				}
			}
		}
	}
}

// TestRuleLimitsFromSR: the limits of fields the SR writes in a string VR
// are the SR's own.
func TestRuleLimitsFromSR(t *testing.T) {
	for id, vr := range map[string]string{RuleLenLO: "LO", RuleLenPN: "PN", RuleLenSH: "SH", RuleLenCS: "CS", RuleLenDS: "DS"} {
		if limit(id) == 0 || limit(id) != sr.MaxChars(vr) {
			t.Errorf("%s limit %d, the SR's %s %d", id, limit(id), vr, sr.MaxChars(vr))
		}
	}
}

// TestViolationRuleIDs: a violation names the field, the rule by id, and
// the limit of a limit rule.
func TestViolationRuleIDs(t *testing.T) {
	base := loadExample(t, "ct-chest-measurements")
	tests := []struct {
		name   string
		mutate func(r *pb.Report)
		field  string
		rule   string
	}{
		{"LO too long", func(r *pb.Report) { r.Patient.Ids[0].Value = strings.Repeat("x", limit(RuleLenLO)+1) }, "report.patient.ids[0].value", RuleLenLO},
		{"backslash in an LO", func(r *pb.Report) { r.Patient.Ids[0].Value = `a\b` }, "report.patient.ids[0].value", RuleDelimiter},
		{"control character in an LO", func(r *pb.Report) { r.Patient.Ids[0].Value = "a\x01b" }, "report.patient.ids[0].value", RuleChars},
		{"no custodian ids", func(r *pb.Report) { r.Custodian.Ids = nil }, "report.custodian.ids", RuleCustodianID},
		{"bad UID", func(r *pb.Report) { r.Study.StudyInstanceUid = "1.02" }, "report.study.study_instance_uid", RuleUID},
		{"too many modalities", func(r *pb.Report) {
			r.Study.Modalities = slices.Repeat([]string{"CT"}, limit(RuleMaxModalities)+1)
		}, "report.study.modalities", RuleMaxModalities},
		{"no status", func(r *pb.Report) { r.Status = 0; r.LegalAuthenticator = nil; r.SignatureTime = "" }, "report.status", RuleRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := proto.Clone(base).(*pb.GenerateReportRequest)
			tt.mutate(q.Report)
			v := Check(q, now, ucumtest.Load(t))
			i := slices.IndexFunc(v, func(v issue.Violation) bool { return v.Field == tt.field })
			if i < 0 || v[i].RuleID != tt.rule {
				t.Fatalf("violations %v, want %s on %s", v, tt.rule, tt.field)
			}
			if r := rulesByID[tt.rule]; r.Limit > 0 && !strings.Contains(v[i].Description, fmt.Sprint(r.Limit)) {
				t.Errorf("%q does not name the limit %d", v[i].Description, r.Limit)
			}
		})
	}
}
