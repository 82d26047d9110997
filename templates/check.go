package templates

import (
	"fmt"
	"slices"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Violation is one way a report breaks a template rule.
type Violation struct {
	Field       string
	Description string
}

// Check returns the ways the report sections break the template's rules:
// a required section missing, a required observation missing, an
// observation with the wrong kind of value or a code outside the rule's
// answers. Each violation names the template and the rule (file, line and
// path), never a value. listField names the section list in violations,
// sectionField one section, so that dictated reports can point at the
// dictation instead.
func (t *Template) Check(secs []*pb.Section, listField string, sectionField func(i int) string) []Violation {
	var out []Violation
	for _, ts := range t.Sections {
		matched := []int{}
		for i, s := range secs {
			if t.SectionFor(s) == ts {
				matched = append(matched, i)
			}
		}
		if len(matched) == 0 {
			if ts.Required {
				out = append(out, Violation{listField, fmt.Sprintf("template %q requires section %s (rule %s)", t.ID, ts.Label(), ts.Rule)})
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
					if d := r.check(o); d != "" {
						out = append(out, Violation{fmt.Sprintf("%s.observations[%d]", sectionField(i), j),
							fmt.Sprintf("template %q: %s (rule %s)", t.ID, d, r.Rule)})
					}
				}
			}
			if !found && r.Required {
				out = append(out, Violation{sectionField(matched[0]) + ".observations",
					fmt.Sprintf("template %q requires an observation of %s (rule %s)", t.ID, codeLabel(r.Concept), r.Rule)})
			}
		}
	}
	return out
}

// check returns what is wrong with an observation under the rule, or "".
func (r *ObservationRule) check(o *pb.Observation) string {
	var got ValueType
	switch o.GetValue().(type) {
	case *pb.Observation_Text:
		got = ValueText
	case *pb.Observation_Code:
		got = ValueCode
	case *pb.Observation_Measurement:
		got = ValueMeasurement
	default:
		return "" // the request checks report a missing value
	}
	if r.Value != ValueAny && r.Value != got {
		return fmt.Sprintf("%s must have a %s value", codeLabel(r.Concept), r.Value)
	}
	if got == ValueCode && len(r.Answers) > 0 && !slices.ContainsFunc(r.Answers, func(a *pb.Code) bool { return sameCode(a, o.GetCode()) }) {
		return fmt.Sprintf("the value of %s is not one of the %d codes the rule allows", codeLabel(r.Concept), len(r.Answers))
	}
	return ""
}
