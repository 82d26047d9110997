package sr

import "strconv"

// attr is an attribute a module requires: Type 1 (present with a value) or
// Type 2 (present, possibly empty).
type attr struct {
	tag uint32
	typ int
}

// modules lists the Type 1 and 2 attributes of the modules every SR IOD
// has (dicom-sr.md §2). Conditional ones are checked by their own rules.
var modules = []struct {
	name  string
	attrs []attr
}{
	{"the Patient Module", []attr{{0x00100010, 2}, {0x00100020, 2}, {0x00100030, 2}, {tPatientSex, 2}}},
	{"the General Study Module", []attr{{tStudyInstanceUID, 1}, {0x00080020, 2}, {0x00080030, 2}, {0x00080090, 2}, {0x00200010, 2}, {0x00080050, 2}}},
	{"the SR Document Series Module", []attr{{tModality, 1}, {tSeriesInstanceUID, 1}, {0x00200011, 1}}},
	{"the General Equipment Module", []attr{{0x00080070, 2}}},
	{"the SR Document General Module", []attr{{0x00200013, 1}, {tCompletionFlag, 1}, {tVerificationFlag, 1}, {0x00080023, 1}, {0x00080033, 1}, {0x0040A372, 2}}},
	{"the SOP Common Module", []attr{{tSOPClassUID, 1}, {tSOPInstanceUID, 1}}},
}

// referencedRequest lists the attributes of a Referenced Request Sequence
// item (PS3.3 Table C.17-2).
var referencedRequest = []attr{
	{tStudyInstanceUID, 1}, {0x00081110, 2}, {0x00080050, 2}, {0x00402016, 2}, {0x00402017, 2},
	{0x00401001, 2}, {0x00321060, 2}, {0x00321064, 2},
}

// verifyingObserver lists the attributes of a Verifying Observer Sequence
// item.
var verifyingObserver = []attr{{tVerifyingObsName, 1}, {tVerifyingOrg, 1}, {tVerificationDT, 1}, {tVerifyingObsIDSeq, 2}}

// moduleRules checks module attributes (SR-MOD-01 to 06, 09, 10, 13).
func (v *validator) moduleRules() {
	for _, m := range modules {
		for _, a := range m.attrs {
			v.need("SR-MOD-01", v.ds, a.tag, a.typ, m.name)
		}
	}
	if m := v.ds.get(tModality); m != nil && !m.empty() && v.ds.str(tModality) != "SR" {
		v.l.Errorf("SR-MOD-02", m.loc, "Modality is not SR")
	}
	if e := v.ds.get(tRefPPSSeq); e == nil {
		v.l.Errorf("SR-MOD-03", tagPath(tRefPPSSeq), "Type 2 attribute %s of the SR Document Series Module is missing", tagName(tRefPPSSeq))
	} else if len(e.items) > 1 {
		v.l.Errorf("SR-MOD-03", e.loc, "Referenced Performed Procedure Step Sequence has more than one item")
	}
	if s := v.ds.get(tPatientSex); s != nil {
		switch v.ds.str(tPatientSex) {
		case "", "M", "F", "O":
		default:
			v.l.Errorf("SR-MOD-13", s.loc, "Patient's Sex is not M, F, O or empty")
		}
	}
	v.flagRules()
	for i, it := range v.ds.seq(tRefRequestSeq) {
		for _, a := range referencedRequest {
			v.need("SR-MOD-10", it, a.tag, a.typ, "Referenced Request Sequence item "+strconv.Itoa(i+1))
		}
	}
	v.hierarchical(v.ds, tPredecessorSeq, "SR-MOD-09")
}

// flagRules checks the lifecycle flags and the verifying observers
// (SR-MOD-04, 05, 06).
func (v *validator) flagRules() {
	completion, verification := v.ds.str(tCompletionFlag), v.ds.str(tVerificationFlag)
	enum := []struct {
		tag     uint32
		allowed []string
	}{
		{tCompletionFlag, []string{"PARTIAL", "COMPLETE"}},
		{tVerificationFlag, []string{"UNVERIFIED", "VERIFIED"}},
		{tPreliminaryFlag, []string{"PRELIMINARY", "FINAL"}},
	}
	for _, f := range enum {
		e := v.ds.get(f.tag)
		if e == nil || e.empty() {
			continue
		}
		val, ok := v.ds.str(f.tag), false
		for _, a := range f.allowed {
			ok = ok || val == a
		}
		if !ok {
			v.l.Errorf("SR-MOD-04", e.loc, "%s is not %s or %s", tagName(f.tag), f.allowed[0], f.allowed[1])
		}
	}
	if verification == "VERIFIED" && completion != "COMPLETE" {
		v.l.Errorf("SR-MOD-05", tagPath(tCompletionFlag), "Verification Flag is VERIFIED but Completion Flag is not COMPLETE")
	}
	vos := v.ds.get(tVerifyingObsSeq)
	switch {
	case verification == "VERIFIED" && (vos == nil || len(vos.items) == 0):
		v.l.Errorf("SR-MOD-06", tagPath(tVerifyingObsSeq), "Verification Flag is VERIFIED but there is no Verifying Observer Sequence item")
	case verification != "VERIFIED" && vos != nil:
		v.l.Errorf("SR-MOD-06", vos.loc, "Verifying Observer Sequence is present but Verification Flag is not VERIFIED")
	}
	if vos == nil {
		return
	}
	for i, it := range vos.items {
		for _, a := range verifyingObserver {
			v.need("SR-MOD-06", it, a.tag, a.typ, "Verifying Observer Sequence item "+strconv.Itoa(i+1))
		}
	}
}

// hierarchical checks the Hierarchical SOP Instance Reference Macro
// (PS3.3 Table C.17-3) of each item of sequence t in ds under rule.
func (v *validator) hierarchical(ds *dataset, t uint32, rule string) {
	what := tagName(t) + " item"
	for _, study := range ds.seq(t) {
		v.need(rule, study, tStudyInstanceUID, 1, what)
		v.need(rule, study, tRefSeriesSeq, 1, what)
		for _, series := range study.seq(tRefSeriesSeq) {
			v.need(rule, series, tSeriesInstanceUID, 1, "Referenced Series Sequence item")
			v.need(rule, series, tRefSOPSeq, 1, "Referenced Series Sequence item")
			for _, sop := range series.seq(tRefSOPSeq) {
				v.need(rule, sop, tRefSOPClassUID, 1, "Referenced SOP Sequence item")
				v.need(rule, sop, tRefSOPInstanceUID, 1, "Referenced SOP Sequence item")
			}
		}
	}
}
