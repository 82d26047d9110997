package hl7v2

import (
	"strings"
)

// oru holds the segments of an ORU^R01 that the mapping reads.
type oru struct {
	msh, pid, pv1, orc, obr, ipc, zds *Segment
	// obx are the observations of the order, in message order.
	obx []*Segment
	// nte are the notes after OBR (and after its observations).
	nte []*Segment
}

// readSegments are the standard segments an ORU^R01 may hold that the
// mapping reads or knowingly passes over (v2.5.1 ORU_R01 structure).
var readSegments = map[string]bool{
	"MSH": true, "SFT": true, "PID": true, "PD1": true, "NTE": true, "NK1": true, "PV1": true, "PV2": true,
	"ORC": true, "OBR": true, "TQ1": true, "TQ2": true, "CTD": true, "OBX": true, "FT1": true, "CTI": true,
	"SPM": true, "DSC": true, "IPC": true,
}

// checkHeader checks MSH: message type ORU^R01, a supported version, a
// processing id and a control id. Problems reject the message (AR).
func checkHeader(m *Message) Errors {
	h := m.MSH()
	var errs Errors
	t := h.Field(9)
	switch {
	case t.Component(1).Text() != "ORU":
		errs = append(errs, rejectf(t.Component(1).Location(), CodeUnsupportedMessageType, "message-type", "only ORU^R01 result messages are read"))
	case t.Component(2).Text() != "R01":
		errs = append(errs, rejectf(t.Component(2).Location(), CodeUnsupportedEvent, "message-type", "only the R01 event of ORU is read"))
	case t.Component(3).Text() != "" && t.Component(3).Text() != "ORU_R01":
		errs = append(errs, rejectf(t.Component(3).Location(), CodeUnsupportedMessageType, "message-type", "the message structure must be ORU_R01"))
	}
	if v := h.Field(12).Component(1); !SupportedVersion(v.Text()) {
		errs = append(errs, rejectf(v.Location(), CodeUnsupportedVersion, "version", "HL7 version not read; versions %s are", SupportedVersions))
	}
	switch p := h.Field(11).Component(1); p.Text() {
	case "P", "D", "T":
	case "":
		errs = append(errs, rejectf(p.Location(), CodeRequiredField, "processing-id", "the processing id is required (P, D or T)"))
	default:
		errs = append(errs, rejectf(p.Location(), CodeUnsupportedProcessingID, "processing-id", "the processing id must be P, D or T"))
	}
	if c := h.Field(10); c.IsEmpty() {
		errs = append(errs, rejectf(c.Location(), CodeRequiredField, "control-id", "the message control id is required: the ACK and duplicate detection need it"))
	} else if len(c.Text()) > 199 {
		errs = append(errs, rejectf(c.Location(), CodeDataType, "control-id", "the message control id is longer than 199 characters"))
	}
	if h.Field(7).IsEmpty() {
		errs = append(errs, rejectf(h.Field(7).Location(), CodeRequiredField, "message-time", "the message date/time is required"))
	}
	return errs
}

// structure finds the segments of one patient and one order and checks
// their order: MSH [SFT] PID [PD1] [NTE] [NK1] [PV1 [PV2]] [ORC] OBR
// [NTE] [TQ1] [CTD] {OBX [NTE]} ... Z-segments may appear anywhere and
// are passed over (ZDS is read); standard segments the mapping does not
// read are passed over with a warning.
func structure(m *Message) (*oru, Errors) {
	o := &oru{msh: m.MSH()}
	var errs Errors
	for _, s := range m.Segments[1:] {
		switch s.Name {
		case "PID":
			switch {
			case o.pid != nil:
				errs = append(errs, errorf(s.Location(), CodeSegmentSequence, "one-patient", "one patient (PID) per message"))
			case o.obr != nil:
				errs = append(errs, errorf(s.Location(), CodeSegmentSequence, "segment-order", "PID must come before the order (ORC, OBR)"))
			default:
				o.pid = s
			}
		case "PV1":
			if o.obr != nil || o.orc != nil {
				errs = append(errs, errorf(s.Location(), CodeSegmentSequence, "segment-order", "PV1 must come before the order (ORC, OBR)"))
			} else if o.pv1 == nil {
				o.pv1 = s
			}
		case "ORC":
			switch {
			case o.orc != nil || o.obr != nil:
				errs = append(errs, errorf(s.Location(), CodeSegmentSequence, "one-order", "one order (ORC, OBR) per message: each report is its own message"))
			default:
				o.orc = s
			}
		case "OBR":
			if o.obr != nil {
				errs = append(errs, errorf(s.Location(), CodeSegmentSequence, "one-order", "one order (OBR) per message: each report is its own message"))
			} else {
				o.obr = s
			}
		case "OBX":
			if o.obr == nil {
				errs = append(errs, errorf(s.Location(), CodeSegmentSequence, "segment-order", "OBX must follow the OBR it belongs to"))
			} else {
				o.obx = append(o.obx, s)
			}
		case "NTE":
			if o.obr != nil {
				o.nte = append(o.nte, s)
			}
		case "IPC":
			if o.ipc == nil {
				o.ipc = s
			}
		case "ZDS":
			if o.zds == nil {
				o.zds = s
			}
		default:
			if !readSegments[s.Name] && !strings.HasPrefix(s.Name, "Z") {
				errs = append(errs, warnf(s.Location(), "segment-not-read", "segment not read"))
			}
		}
	}
	if o.pid == nil {
		errs = append(errs, errorf(Location{Segment: "PID"}, CodeRequiredField, "required", "the PID segment is required"))
	}
	if o.obr == nil {
		errs = append(errs, errorf(Location{Segment: "OBR"}, CodeRequiredField, "required", "the OBR segment is required"))
	}
	return o, errs
}
