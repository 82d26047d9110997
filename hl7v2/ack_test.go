package hl7v2

import (
	"strings"
	"testing"
	"time"
)

var ackTime = time.Date(2026, 11, 21, 16, 32, 0, 0, time.FixedZone("", -5*3600))

func TestAckAccepted(t *testing.T) {
	m := mustParse(t, message(baseSegments))
	code, ack := Ack(m, nil, AckOptions{Now: ackTime, ControlID: "A1"})
	want := `MSH|^~\&|REPORTGEN|RAD|VOICE|GHH^2.16.840.1.113883.19.5^ISO|20261121163200-0500||ACK^R01^ACK|A1|P|2.5.1||||||UNICODE UTF-8` + "\r" +
		"MSA|AA|MSG00001\r"
	if code != AA || string(ack) != want {
		t.Errorf("ACK %s\n%q\nwant\n%q", code, ack, want)
	}
}

func TestAckErrorsByVersion(t *testing.T) {
	errs := Errors{
		errorf(Location{Segment: "PID", Occurrence: 1, Field: 3}, CodeRequiredField, "required", "at least one patient identifier is required"),
		warnf(Location{Segment: "OBX", Occurrence: 4, Field: 2}, "value-type", "value type not read"),
	}
	t.Run("v2.5.1: ERR-2 to ERR-5 and ERR-8", func(t *testing.T) {
		m := mustParse(t, message(baseSegments))
		code, ack := Ack(m, errs, AckOptions{Now: ackTime, ControlID: "A2"})
		segs := strings.Split(strings.TrimSuffix(string(ack), "\r"), "\r")
		if code != AE || len(segs) != 4 {
			t.Fatalf("%s, %d segments: %q", code, len(segs), ack)
		}
		if want := "MSA|AE|MSG00001|PID-3: at least one patient identifier is required"; segs[1] != want {
			t.Errorf("MSA %q", segs[1])
		}
		if want := "ERR||PID^1^3|101^Required field missing^HL70357|E|required^required^99RPTGEN|||PID-3: at least one patient identifier is required"; segs[2] != want {
			t.Errorf("ERR %q", segs[2])
		}
		if want := "ERR||OBX^4^2|102^Data type error^HL70357|W|value-type^value-type^99RPTGEN|||OBX[4]-2: value type not read"; segs[3] != want {
			t.Errorf("ERR %q", segs[3])
		}
	})
	t.Run("v2.3: ERR-1", func(t *testing.T) {
		m := mustParse(t, message(edit(edit(baseSegments, "MSH", 12, "2.3"), "MSH", 9, "ORU^R01")))
		_, ack := Ack(m, errs, AckOptions{Now: ackTime, ControlID: "A3"})
		segs := strings.Split(strings.TrimSuffix(string(ack), "\r"), "\r")
		if !strings.Contains(segs[0], "|ACK^R01|A3|P|2.3|") {
			t.Errorf("MSH %q", segs[0])
		}
		if want := "ERR|PID^1^3^101&at least one patient identifier is required (rule required)&HL70357"; segs[2] != want {
			t.Errorf("ERR %q", segs[2])
		}
	})
	t.Run("rejection is AR", func(t *testing.T) {
		m := mustParse(t, message(baseSegments))
		code, _ := Ack(m, Errors{rejectf(Location{Segment: "MSH", Field: 12}, CodeUnsupportedVersion, "version", "x")}, AckOptions{ControlID: "A4"})
		if code != AR {
			t.Errorf("code %s", code)
		}
	})
	t.Run("no MSH: default header, empty MSA-2", func(t *testing.T) {
		_, perrs := Parse([]byte("garbage"), ParseOptions{})
		code, ack := Ack(nil, perrs, AckOptions{Now: ackTime, ControlID: "A5", Application: "REPORTGEN"})
		m := mustParse(t, ack)
		if code != AR || m.First("MSA").Field(2).Text() != "" || m.MSH().Field(3).Text() != "REPORTGEN" || m.MSH().Field(12).Text() != "2.5.1" {
			t.Errorf("%s %q", code, ack)
		}
	})
	t.Run("8859/1 message: ACK in 8859/1", func(t *testing.T) {
		segs := edit(edit(baseSegments, "MSH", 18, "8859/1"), "MSH", 6, "R\xD6NTGEN")
		m := mustParse(t, message(segs))
		_, ack := Ack(m, nil, AckOptions{ControlID: "A6"})
		if !strings.Contains(string(ack), "|VOICE|GHH^2.16.840.1.113883.19.5^ISO|") || !strings.Contains(string(ack), "|R\xD6NTGEN|") {
			t.Errorf("ACK not in the message's character set: %q", ack)
		}
	})
}

// Every ACK the package writes is itself a message the parser reads
// without error, with MSA-2 the control id.
func TestAckParses(t *testing.T) {
	m := mustParse(t, message(baseSegments))
	errs := Errors{errorf(Location{Segment: "OBX", Occurrence: 2, Field: 5}, CodeDataType, "escape", `a message with | ^ ~ \ & in it`)}
	_, ack := Ack(m, errs, AckOptions{Now: ackTime, ControlID: "A7"})
	back, perrs := Parse(ack, ParseOptions{})
	if perrs.HasErrors() {
		t.Fatal(perrs)
	}
	if got := back.First("MSA").Field(2).Text(); got != "MSG00001" {
		t.Errorf("MSA-2 %q", got)
	}
	if got := back.First("ERR").Field(8).Text(); got != `OBX[2]-5: a message with | ^ ~ \ & in it` {
		t.Errorf("ERR-8 %q", got)
	}
}
