package sr

import "github.com/suyashkumar/dicom/pkg/tag"

// evidenceRules checks that the evidence sequences list every instance the
// content tree references (SR-MOD-08), that the SR has a series of its own
// (SR-MOD-15), and that its study, series and instance UIDs differ
// (SR-UID-03).
func (v *validator) evidenceRules() {
	listed := map[string]string{} // SOP Instance UID → SOP Class UID
	imageSeries := map[string]bool{}
	present := false
	for _, t := range []tag.Tag{tag.CurrentRequestedProcedureEvidenceSequence, tag.PertinentOtherEvidenceSequence} {
		if v.ds.get(t) == nil {
			continue
		}
		present = true
		v.hierarchical(v.ds, t, "SR-MOD-01")
		for _, study := range v.ds.seq(t) {
			for _, series := range study.seq(tag.ReferencedSeriesSequence) {
				imageSeries[series.view(tag.SeriesInstanceUID)] = true
				for _, sop := range series.seq(tag.ReferencedSOPSequence) {
					listed[sop.view(tag.ReferencedSOPInstanceUID)] = sop.view(tag.ReferencedSOPClassUID)
				}
			}
		}
	}
	if len(v.refs) > 0 && !present {
		v.l.Errorf("SR-MOD-08", tagPath(tag.CurrentRequestedProcedureEvidenceSequence), "content items reference instances but there is neither a Current Requested Procedure Evidence Sequence nor a Pertinent Other Evidence Sequence")
	} else {
		for _, r := range v.refs {
			class, ok := listed[r.instance]
			switch {
			case !ok:
				v.l.Errorf("SR-MOD-08", r.sop.at(tag.ReferencedSOPInstanceUID), "referenced instance is not listed in the evidence sequences")
			case class != r.class:
				v.l.Errorf("SR-MOD-08", r.sop.at(tag.ReferencedSOPInstanceUID), "referenced instance is listed in the evidence with another SOP Class UID")
			}
		}
	}
	series := v.ds.view(tag.SeriesInstanceUID)
	if series != "" && imageSeries[series] {
		v.l.Errorf("SR-MOD-15", tagPath(tag.SeriesInstanceUID), "the SR's Series Instance UID is that of a referenced image series")
	}
	ids := [...]tag.Tag{tag.StudyInstanceUID, tag.SeriesInstanceUID, tag.SOPInstanceUID}
	for i, a := range ids {
		for _, b := range ids[i+1:] {
			if x := v.ds.view(a); x != "" && x == v.ds.view(b) {
				v.l.Errorf("SR-UID-03", tagPath(b), "%s equals %s", tagName(b), tagName(a))
			}
		}
	}
}
