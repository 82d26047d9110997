package sr

import "github.com/suyashkumar/dicom/pkg/tag"

// attr is an attribute a module requires: Type 1 (present with a value) or
// Type 2 (present, possibly empty).
type attr struct {
	tag tag.Tag
	typ int
}

// modules lists the Type 1 and 2 attributes of the modules every SR IOD
// has (dicom-sr.md §2). Conditional ones are checked by their own rules.
var modules = []struct {
	name  string
	attrs []attr
}{
	{"the Patient Module", []attr{{tag.PatientName, 2}, {tag.PatientID, 2}, {tag.PatientBirthDate, 2}, {tag.PatientSex, 2}}},
	{"the General Study Module", []attr{{tag.StudyInstanceUID, 1}, {tag.StudyDate, 2}, {tag.StudyTime, 2}, {tag.ReferringPhysicianName, 2}, {tag.StudyID, 2}, {tag.AccessionNumber, 2}}},
	{"the SR Document Series Module", []attr{{tag.Modality, 1}, {tag.SeriesInstanceUID, 1}, {tag.SeriesNumber, 1}}},
	{"the General Equipment Module", []attr{{tag.Manufacturer, 2}}},
	{"the SR Document General Module", []attr{{tag.InstanceNumber, 1}, {tag.CompletionFlag, 1}, {tag.VerificationFlag, 1}, {tag.ContentDate, 1}, {tag.ContentTime, 1}, {tag.PerformedProcedureCodeSequence, 2}}},
	{"the SOP Common Module", []attr{{tag.SOPClassUID, 1}, {tag.SOPInstanceUID, 1}}},
}

// referencedRequest lists the attributes of a Referenced Request Sequence
// item (PS3.3 Table C.17-2).
var referencedRequest = []attr{
	{tag.StudyInstanceUID, 1}, {tag.ReferencedStudySequence, 2}, {tag.AccessionNumber, 2}, {tag.PlacerOrderNumberImagingServiceRequest, 2}, {tag.FillerOrderNumberImagingServiceRequest, 2},
	{tag.RequestedProcedureID, 2}, {tag.RequestedProcedureDescription, 2}, {tag.RequestedProcedureCodeSequence, 2},
}

// verifyingObserver lists the attributes of a Verifying Observer Sequence
// item.
var verifyingObserver = []attr{{tag.VerifyingObserverName, 1}, {tag.VerifyingOrganization, 1}, {tag.VerificationDateTime, 1}, {tag.VerifyingObserverIdentificationCodeSequence, 2}}

// moduleRules checks module attributes (SR-MOD-01 to 06, 09, 10, 13).
func (v *validator) moduleRules() {
	for _, m := range modules {
		for _, a := range m.attrs {
			v.need("SR-MOD-01", v.ds, a.tag, a.typ, owner{name: m.name})
		}
	}
	if m := v.ds.get(tag.Modality); m != nil && !m.empty() && v.ds.view(tag.Modality) != "SR" {
		v.l.Errorf("SR-MOD-02", m.loc(), "Modality is not SR")
	}
	if e := v.ds.get(tag.ReferencedPerformedProcedureStepSequence); e == nil {
		v.l.Errorf("SR-MOD-03", tagPath(tag.ReferencedPerformedProcedureStepSequence), "Type 2 attribute %s of the SR Document Series Module is missing", tagName(tag.ReferencedPerformedProcedureStepSequence))
	} else if len(e.items) > 1 {
		v.l.Errorf("SR-MOD-03", e.loc(), "Referenced Performed Procedure Step Sequence has more than one item")
	}
	if s := v.ds.get(tag.PatientSex); s != nil {
		switch v.ds.view(tag.PatientSex) {
		case "", "M", "F", "O":
		default:
			v.l.Errorf("SR-MOD-13", s.loc(), "Patient's Sex is not M, F, O or empty")
		}
	}
	v.flagRules()
	for i, it := range v.ds.seq(tag.ReferencedRequestSequence) {
		for _, a := range referencedRequest {
			v.need("SR-MOD-10", it, a.tag, a.typ, owner{name: "Referenced Request Sequence item", item: i + 1})
		}
	}
	v.hierarchical(v.ds, tag.PredecessorDocumentsSequence, "SR-MOD-09")
}

// flagRules checks the lifecycle flags and the verifying observers
// (SR-MOD-04, 05, 06).
func (v *validator) flagRules() {
	completion, verification := v.ds.view(tag.CompletionFlag), v.ds.view(tag.VerificationFlag)
	enum := []struct {
		tag     tag.Tag
		allowed []string
	}{
		{tag.CompletionFlag, []string{"PARTIAL", "COMPLETE"}},
		{tag.VerificationFlag, []string{"UNVERIFIED", "VERIFIED"}},
		{tag.PreliminaryFlag, []string{"PRELIMINARY", "FINAL"}},
	}
	for _, f := range enum {
		e := v.ds.get(f.tag)
		if e == nil || e.empty() {
			continue
		}
		val, ok := v.ds.view(f.tag), false
		for _, a := range f.allowed {
			ok = ok || val == a
		}
		if !ok {
			v.l.Errorf("SR-MOD-04", e.loc(), "%s is not %s or %s", tagName(f.tag), f.allowed[0], f.allowed[1])
		}
	}
	if verification == "VERIFIED" && completion != "COMPLETE" {
		v.l.Errorf("SR-MOD-05", tagPath(tag.CompletionFlag), "Verification Flag is VERIFIED but Completion Flag is not COMPLETE")
	}
	vos := v.ds.get(tag.VerifyingObserverSequence)
	switch {
	case verification == "VERIFIED" && (vos == nil || len(vos.items) == 0):
		v.l.Errorf("SR-MOD-06", tagPath(tag.VerifyingObserverSequence), "Verification Flag is VERIFIED but there is no Verifying Observer Sequence item")
	case verification != "VERIFIED" && vos != nil:
		v.l.Errorf("SR-MOD-06", vos.loc(), "Verifying Observer Sequence is present but Verification Flag is not VERIFIED")
	}
	if vos == nil {
		return
	}
	for i, it := range vos.items {
		for _, a := range verifyingObserver {
			v.need("SR-MOD-06", it, a.tag, a.typ, owner{name: "Verifying Observer Sequence item", item: i + 1})
		}
	}
}

// hierarchical checks the Hierarchical SOP Instance Reference Macro
// (PS3.3 Table C.17-3) of each item of sequence t in ds under rule.
func (v *validator) hierarchical(ds *dataset, t tag.Tag, rule string) {
	what := owner{seq: t}
	series, sops := owner{name: "Referenced Series Sequence item"}, owner{name: "Referenced SOP Sequence item"}
	for _, study := range ds.seq(t) {
		v.need(rule, study, tag.StudyInstanceUID, 1, what)
		v.need(rule, study, tag.ReferencedSeriesSequence, 1, what)
		for _, se := range study.seq(tag.ReferencedSeriesSequence) {
			v.need(rule, se, tag.SeriesInstanceUID, 1, series)
			v.need(rule, se, tag.ReferencedSOPSequence, 1, series)
			for _, sop := range se.seq(tag.ReferencedSOPSequence) {
				v.need(rule, sop, tag.ReferencedSOPClassUID, 1, sops)
				v.need(rule, sop, tag.ReferencedSOPInstanceUID, 1, sops)
			}
		}
	}
}
