package hl7v2

import (
	"strconv"
	"strings"
	"time"
)

// AckCode is MSA-1 of an original-mode acknowledgement.
type AckCode string

// Acknowledgement codes (HL7 table 0008, original mode).
const (
	// AA: accepted; the receiver has taken responsibility for the message.
	AA AckCode = "AA"
	// AE: error in the content; the message was not processed.
	AE AckCode = "AE"
	// AR: rejected (header, type, version, size, or the receiver could not
	// process it for reasons unrelated to its content).
	AR AckCode = "AR"
)

// AckOptions configure Ack.
type AckOptions struct {
	// Now is MSH-7 of the ACK.
	Now time.Time
	// ControlID is MSH-10 of the ACK itself.
	ControlID string
	// Application and Facility are MSH-3 and MSH-4 of the ACK when the
	// message named no receiving application (MSH-5) and facility (MSH-6).
	Application, Facility string
	// Code, when set, overrides the code Ack derives from the problems
	// (AR for a rejection, AE for other errors, else AA); the intake uses
	// it for AR on a failure of its own, which has no problem location.
	Code AckCode
}

// maxAckErrors bounds the ERR segments of one ACK.
const maxAckErrors = 32

// AckCodeFor is the code an ACK with these problems gets: AR when one
// rejects the envelope, AE for other errors, else AA (warnings do not
// make an error).
func AckCodeFor(errs Errors) AckCode {
	switch {
	case errs.Rejects():
		return AR
	case errs.HasErrors():
		return AE
	}
	return AA
}

// Ack writes the original-mode acknowledgement of m (nil when not even its
// MSH could be read) with an ERR segment per problem, errors first. ERR
// follows the message's version: ERR-1 (ELD) up to v2.4, ERR-2 to ERR-5
// and ERR-8 from v2.5. It is written in the message's delimiters and
// character set.
func Ack(m *Message, errs Errors, opt AckOptions) (AckCode, []byte) {
	code := opt.Code
	if code == "" {
		code = AckCodeFor(errs)
	}
	d, cs := DefaultDelimiters, CharsetUnset
	version, trigger, processing, controlID := "2.5.1", "", "P", ""
	var sendApp, sendFac, recvApp, recvFac string
	if m != nil {
		d, cs = m.Delims, m.Charset
		h := m.MSH()
		if v := h.Field(12).Text(); SupportedVersion(v) {
			version = v
		}
		trigger = echo(h.Field(9).Component(2))
		if p := echo(h.Field(11).Component(1)); p != "" {
			processing = p
		}
		controlID = echo(h.Field(10))
		// The ACK goes back to the sender: its sender is the message's
		// receiver and the other way round. Raw copies keep the HD
		// components as sent, in the same delimiters.
		sendApp, sendFac = echo(h.Field(5)), echo(h.Field(6))
		recvApp, recvFac = echo(h.Field(3)), echo(h.Field(4))
	}
	if sendApp == "" {
		sendApp = d.Encode(opt.Application)
	}
	if sendFac == "" {
		sendFac = d.Encode(opt.Facility)
	}
	msgType := d.Comps("ACK", trigger, "ACK")
	if version < "2.4" {
		msgType = d.Comps("ACK", trigger)
	}
	w := NewWriter(d)
	// Any printable character but letters and digits may be a delimiter,
	// so even a time or version is encoded.
	w.Segment("MSH", sendApp, sendFac, recvApp, recvFac, d.Encode(Timestamp(opt.Now)), "", msgType,
		d.Encode(opt.ControlID), processing, d.Encode(version), "", "", "", "", "", d.Encode(cs.Name()))
	ordered := append(errs.Errors(), errs.Warnings()...)
	if len(ordered) > maxAckErrors {
		ordered = ordered[:maxAckErrors]
	}
	text := ""
	if code != AA && len(ordered) > 0 {
		text = ordered[0].Location.String() + ": " + ordered[0].Message
		if len(text) > 80 { // MSA-3 is ST(80)
			text = text[:77] + "..."
		}
	}
	w.Segment("MSA", string(code), controlID, d.Encode(text))
	for _, e := range ordered {
		w.Segment("ERR", errFields(d, version, e)...)
	}
	return code, w.BytesIn(cs)
}

// echo returns a header value to copy into the ACK as sent, or "" when
// it holds a bad escape sequence (the ACK must be a valid message).
func echo(v Value) string {
	if checkEscapes(v.Raw(), v.msg.Delims, v.msg.decodeAs) != "" {
		return ""
	}
	return v.Raw()
}

// errFields are the fields of one ERR segment.
func errFields(d Delimiters, version string, e *Error) []string {
	l := e.Location
	num := func(n int) string {
		if n <= 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	occ := l.Occurrence
	if occ == 0 && l.Segment != "" {
		occ = 1
	}
	if version < "2.5" {
		// ELD: segment id ^ sequence ^ field position ^ code (CE, as
		// subcomponents: code & text & coding system). The text carries
		// the rule, there being no other field for it.
		ce := d.Subs(strconv.Itoa(int(e.Code)), e.Message+" (rule "+e.Rule+")", "HL70357")
		return []string{d.JoinComps(d.Encode(l.Segment), num(occ), num(l.Field), ce)}
	}
	erl := ""
	if l.Segment != "" {
		erl = d.JoinComps(d.Encode(l.Segment), num(occ), num(l.Field), num(l.Repetition), num(l.Component), num(l.Subcomponent))
	}
	return []string{
		"",  // ERR-1, retained for v2.4 receivers only
		erl, // ERR-2 error location
		d.Comps(strconv.Itoa(int(e.Code)), e.Code.Text(), "HL70357"), // ERR-3 HL7 error code
		string(e.Severity),                  // ERR-4 severity
		d.Comps(e.Rule, e.Rule, "99RPTGEN"), // ERR-5 application error code: the rule
		"", "",                              // ERR-6, ERR-7
		d.Encode(l.String() + ": " + e.Message), // ERR-8 user message
	}
}

// Timestamp writes a time as an HL7 TS/DTM with seconds and UTC offset,
// e.g. 20261121162000-0500.
func Timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("20060102150405-0700")
}

// supportedVersions are the MSH-12 versions read.
var supportedVersions = []string{"2.3", "2.3.1", "2.4", "2.5", "2.5.1"}

// SupportedVersion reports whether MSH-12 names a version that is read
// (2.3 to 2.5.1).
func SupportedVersion(v string) bool {
	for _, s := range supportedVersions {
		if v == s {
			return true
		}
	}
	return false
}

// SupportedVersions lists them for messages.
var SupportedVersions = strings.Join(supportedVersions, ", ")
