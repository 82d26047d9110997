package templates

import (
	"fmt"
	"slices"

	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Rule ids of the violations Check returns. The description of each
// also names the template and where in its file the rule is written.
const (
	// RuleSectionRequired: the template requires a section the report
	// does not have.
	RuleSectionRequired = "TEMPLATE-01"
	// RuleObservationRequired: the template requires an observation of a
	// concept in a section, and the section has none.
	RuleObservationRequired = "TEMPLATE-02"
	// RuleValueType: an observation has another kind of value (text,
	// code, measurement) than the template's rule says.
	RuleValueType = "TEMPLATE-03"
	// RuleAnswer: a coded observation's value is not one of the answers
	// the template's rule allows.
	RuleAnswer = "TEMPLATE-04"
)

// Check returns the ways the report sections break the template's rules:
// a required section missing, a required observation missing, an
// observation with the wrong kind of value or a code outside the rule's
// answers. Each violation names the template and the rule (file, line and
// path), never a value. listField names the section list in violations,
// sectionField one section, so that dictated reports can point at the
// dictation instead.
func (t *Template) Check(secs []*pb.Section, listField string, sectionField func(i int) string) []issue.Violation {
	var out []issue.Violation
	for _, ts := range t.Sections {
		matched := []int{}
		for i, s := range secs {
			if t.SectionFor(s) == ts {
				matched = append(matched, i)
			}
		}
		if len(matched) == 0 {
			if ts.Required {
				out = append(out, issue.Violation{Field: listField, RuleID: RuleSectionRequired,
					Description: fmt.Sprintf("template %q requires section %s (rule %s)", t.ID, ts.Label(), ts.Rule)})
			}
			continue
		}
		for _, r := range ts.Observations {
			found := false
			for _, i := range matched {
				for j, o := range secs[i].GetObservations() {
					if !sameCode(r.Concept, o.GetConcept()) {
						continue
					}
					found = true
					if rule, d := r.check(o); d != "" {
						out = append(out, issue.Violation{Field: fmt.Sprintf("%s.observations[%d]", sectionField(i), j), RuleID: rule,
							Description: fmt.Sprintf("template %q: %s (rule %s)", t.ID, d, r.Rule)})
					}
				}
			}
			if !found && r.Required {
				out = append(out, issue.Violation{Field: sectionField(matched[0]) + ".observations", RuleID: RuleObservationRequired,
					Description: fmt.Sprintf("template %q requires an observation of %s (rule %s)", t.ID, codeLabel(r.Concept), r.Rule)})
			}
		}
	}
	return out
}

// check returns the rule id and what is wrong with an observation under
// the rule, or "" when nothing is.
func (r *ObservationRule) check(o *pb.Observation) (rule, description string) {
	var got ValueType
	switch o.GetValue().(type) {
	case *pb.Observation_Text:
		got = ValueText
	case *pb.Observation_Code:
		got = ValueCode
	case *pb.Observation_Measurement:
		got = ValueMeasurement
	default:
		return "", "" // the request checks report a missing value
	}
	if r.Value != ValueAny && r.Value != got {
		return RuleValueType, fmt.Sprintf("%s must have a %s value", codeLabel(r.Concept), r.Value)
	}
	if got == ValueCode && len(r.Answers) > 0 && !slices.ContainsFunc(r.Answers, func(a *pb.Code) bool { return sameCode(a, o.GetCode()) }) {
		return RuleAnswer, fmt.Sprintf("the value of %s is not one of the %d codes the rule allows", codeLabel(r.Concept), len(r.Answers))
	}
	return "", ""
}
