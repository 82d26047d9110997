package hl7v2

import (
	"strings"
	"testing"
)

func TestParseDelimitersAndLineEnds(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
	}{
		{"CR", strings.Join(baseSegments, "\r")},
		{"LF", strings.Join(baseSegments, "\n")},
		{"CR LF and trailing blank lines", strings.Join(baseSegments, "\r\n") + "\r\n\r\n"},
		{"byte order mark and leading space", "\xEF\xBB\xBF" + strings.Join(baseSegments, "\r")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, errs := Parse([]byte(tc.in), ParseOptions{})
			if errs.HasErrors() {
				t.Fatal(errs)
			}
			if len(m.Segments) != len(baseSegments) {
				t.Fatalf("%d segments, want %d", len(m.Segments), len(baseSegments))
			}
			if got := m.First("PID").Field(5).Component(2).Text(); got != "Isabella" {
				t.Errorf("PID-5.2 = %q", got)
			}
			if got := m.All("OBX")[2].Location().String(); got != "OBX[3]" {
				t.Errorf("third OBX location %q", got)
			}
		})
	}
}

func TestParseOtherDelimiters(t *testing.T) {
	in := "MSH#*%$@#A#B#C#D#20261121163100-0500##ORU*R01#X1#P#2.5.1\rPID#1##ID1*$F$%ID2#\r"
	m, errs := Parse([]byte(in), ParseOptions{})
	if errs.HasErrors() {
		t.Fatal(errs)
	}
	pid := m.First("PID")
	reps := pid.Field(3).Repetitions()
	if len(reps) != 2 || reps[0].Component(1).Text() != "ID1" || reps[0].Component(2).Text() != "#" || reps[1].Text() != "ID2" {
		t.Errorf("PID-3 read wrong: %d repetitions", len(reps))
	}
	if got := m.MSH().Field(9).Component(2).Text(); got != "R01" {
		t.Errorf("MSH-9.2 = %q", got)
	}
}

func TestParseValueAccess(t *testing.T) {
	m := mustParse(t, message(baseSegments))
	pid := m.First("PID")
	cx := pid.Field(3).Repetitions()[0]
	if got := cx.Component(4).Component(2).Text(); got != "2.16.840.1.113883.19.5" {
		t.Errorf("CX-4.2 = %q", got)
	}
	if got := cx.Component(4).Sub(3).Location().String(); got != "PID-3.4.3" {
		t.Errorf("location %q", got)
	}
	if got := pid.Field(99).Text(); got != "" {
		t.Errorf("a missing field reads %q", got)
	}
	if got := m.MSH().Field(2).Text(); got != `^~\&` {
		t.Errorf("MSH-2 = %q", got)
	}
	if got := m.MSH().Field(1).Text(); got != "|" {
		t.Errorf("MSH-1 = %q", got)
	}
	null := mustParse(t, message(edit(baseSegments, "PID", 8, `""`)))
	if v := null.First("PID").Field(8); !v.IsEmpty() || v.Text() != "" {
		t.Errorf(`HL7 null "" should read as empty`)
	}
}

func TestLocationString(t *testing.T) {
	for _, tc := range []struct {
		l    Location
		want string
	}{
		{Location{Segment: "PID", Field: 3}, "PID-3"},
		{Location{Segment: "OBX", Occurrence: 4, Field: 5}, "OBX[4]-5"},
		{Location{Segment: "PID", Occurrence: 1, Field: 3, Repetition: 2, Component: 4}, "PID-3(2).4"},
		{Location{Segment: "PID", Field: 3, Repetition: 1, Component: 4, Subcomponent: 2}, "PID-3.4.2"},
		{Location{Segment: "OBR"}, "OBR"},
		{Location{}, "message"},
	} {
		if got := tc.l.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.l, got, tc.want)
		}
	}
}

// TestParseBadInput: every malformed message gets errors naming where and
// the rule, the envelope problems as rejections, and never a value.
func TestParseBadInput(t *testing.T) {
	good := strings.Join(baseSegments, "\r")
	for _, tc := range []struct {
		name         string
		in           string
		opt          ParseOptions
		loc, rule    string
		reject, noMS bool
	}{
		{name: "empty", in: "", loc: "MSH", rule: "msh", reject: true, noMS: true},
		{name: "no MSH", in: strings.Join(baseSegments[1:], "\r"), loc: "MSH", rule: "msh", reject: true, noMS: true},
		{name: "MSH too short", in: "MSH|^~", loc: "MSH-2", rule: "delimiters", reject: true, noMS: true},
		{name: "letter as field separator", in: "MSHX^~\\&X", loc: "MSH-2", rule: "delimiters", reject: true, noMS: true},
		{name: "repeated delimiter", in: "MSH|^^\\&|A|B", loc: "MSH-2", rule: "delimiters", reject: true, noMS: true},
		{name: "three encoding characters", in: "MSH|^~\\|A|B", loc: "MSH-2", rule: "delimiters", reject: true, noMS: true},
		{name: "unknown character set", in: strings.Replace(good, "UNICODE UTF-8", "EBCDIC", 1), loc: "MSH-18", rule: "charset", reject: true, noMS: true},
		{name: "character set switching", in: strings.Replace(good, "UNICODE UTF-8", "ASCII~ISO IR87", 1), loc: "MSH-18", rule: "charset", reject: true, noMS: true},
		{name: "broken segment id", in: good + "\rP-D|x", loc: "message", rule: "segment"},
		{name: "lower-case segment id", in: good + "\robx|7|TX", loc: "message", rule: "segment"},
		{name: "text line without segment id", in: good + "\rthe patient has a nodule", loc: "message", rule: "segment"},
		{name: "second MSH", in: good + "\r" + baseSegments[0], loc: "MSH[2]", rule: "single-message", reject: true},
		{name: "batch header", in: "BHS|^~\\&\r" + good, loc: "MSH", rule: "msh", reject: true, noMS: true},
		{name: "batch trailer", in: good + "\rBTS|1", loc: "BTS", rule: "single-message", reject: true},
		{name: "unterminated escape", in: strings.Replace(good, "grown to 12 mm.", `grown \F to 12 mm.`, 1), loc: "OBX[3]-5", rule: "escape"},
		{name: "unknown escape", in: strings.Replace(good, "grown to 12 mm.", `grown \Q\ to 12 mm.`, 1), loc: "OBX[3]-5", rule: "escape"},
		{name: "odd hex escape", in: strings.Replace(good, "grown to 12 mm.", `grown \XE\ to 12 mm.`, 1), loc: "OBX[3]-5", rule: "escape"},
		{name: "non-hex escape", in: strings.Replace(good, "grown to 12 mm.", `grown \XZZ\ to 12 mm.`, 1), loc: "OBX[3]-5", rule: "escape"},
		{name: "hex escape not UTF-8", in: strings.Replace(good, "grown to 12 mm.", `grown \XFF\ to 12 mm.`, 1), loc: "OBX[3]-5", rule: "escape"},
		{name: "empty escape", in: strings.Replace(good, "grown to 12 mm.", `grown \\ to 12 mm.`, 1), loc: "OBX[3]-5", rule: "escape"},
		{name: "local escape", in: strings.Replace(good, "Isabella", `Isa\Z01\bella`, 1), loc: "PID-5", rule: "escape"},
		{name: "ISO 2022 escape", in: strings.Replace(good, "Isabella", `Isa\C2842\bella`, 1), loc: "PID-5", rule: "escape"},
		{name: "non-UTF-8 under UTF-8", in: strings.Replace(good, "Isabella", "Isab\xE9lla", 1), loc: "PID-5", rule: "charset"},
		{name: "non-UTF-8 without MSH-18", in: strings.Replace(strings.Replace(good, "UNICODE UTF-8", "", 1), "Isabella", "Isab\xE9lla", 1), loc: "PID-5", rule: "charset"},
		{name: "8-bit under ASCII", in: strings.Replace(strings.Replace(good, "UNICODE UTF-8", "ASCII", 1), "Isabella", "Isabélla", 1), loc: "PID-5", rule: "charset"},
		{name: "too many segments", in: good, opt: ParseOptions{MaxSegments: 5}, loc: "MSH", rule: "segment-count", reject: true, noMS: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, errs := Parse([]byte(tc.in), tc.opt)
			if !errs.HasErrors() {
				t.Fatalf("no error")
			}
			if (m == nil) != tc.noMS {
				t.Errorf("message nil = %v, want %v", m == nil, tc.noMS)
			}
			e := errs.Errors()[0]
			if e.Location.String() != tc.loc || e.Rule != tc.rule {
				t.Errorf("first error %v, want %s rule %s", e, tc.loc, tc.rule)
			}
			if e.Reject != tc.reject {
				t.Errorf("reject = %v, want %v", e.Reject, tc.reject)
			}
			for _, e := range errs {
				for _, secret := range []string{"Isab", "nodule", "grown"} {
					if strings.Contains(e.Message, secret) {
						t.Errorf("error repeats message content: %v", e)
					}
				}
			}
		})
	}
}

// TestParseCharsetEscaped: a sender whose subcomponent separator is "/"
// can name 8859/1 only with the "/" escaped, as Ack writes it back; the
// unescaped name is read too, as it always was.
func TestParseCharsetEscaped(t *testing.T) {
	for _, name := range []string{`8859\T\1`, "8859/1"} {
		segs := edit(baseSegments, "MSH", 18, name)
		raw := strings.Replace(string(message(segs)), `MSH|^~\&|`, `MSH|^~\/|`, 1)
		m, errs := Parse([]byte(raw), ParseOptions{})
		if errs.HasErrors() {
			t.Fatalf("MSH-18 %q: %v", name, errs)
		}
		if m.Charset != CharsetLatin1 {
			t.Errorf("MSH-18 %q: charset %v, want 8859/1", name, m.Charset.Name())
		}
		_, ack := Ack(m, nil, AckOptions{ControlID: "A1"})
		if back, aerrs := Parse(ack, ParseOptions{}); back == nil || aerrs.HasErrors() || back.Charset != CharsetLatin1 {
			t.Errorf("MSH-18 %q: the ACK does not read back as 8859/1: %v\n%q", name, aerrs, ack)
		}
	}
}

func TestParseCharsets(t *testing.T) {
	for _, tc := range []struct {
		name, charset string
		opt           ParseOptions
		name5, want   string
	}{
		{"UTF-8", "UNICODE UTF-8", ParseOptions{}, "Müller", "Müller"},
		{"no MSH-18, UTF-8 bytes", "", ParseOptions{}, "Müller", "Müller"},
		{"8859/1", "8859/1", ParseOptions{}, "M\xFCller", "Müller"},
		{"8859/15 euro and Œ", "8859/15", ParseOptions{}, "\xBCuvre \xA4", "Œuvre €"},
		{"no MSH-18, site default 8859/1", "", ParseOptions{DefaultCharset: CharsetLatin1}, "M\xFCller", "Müller"},
		{"hex escape in 8859/1", "8859/1", ParseOptions{}, `M\XFC\ller`, "Müller"},
		{"hex escape in UTF-8", "UNICODE UTF-8", ParseOptions{}, `M\XC3BC\ller`, "Müller"},
		{"ASCII", "ASCII", ParseOptions{}, "Muller", "Muller"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			given := "^Jürgen"
			if tc.charset == "ASCII" {
				given = "^Jurgen"
			}
			segs := edit(edit(baseSegments, "MSH", 18, tc.charset), "PID", 5, tc.name5+given)
			raw := message(segs)
			if tc.charset == "8859/1" || tc.charset == "8859/15" || tc.opt.DefaultCharset == CharsetLatin1 {
				// The given name too must be in the message's set.
				raw = []byte(strings.Replace(string(raw), "Jürgen", "J\xFCrgen", 1))
			}
			m, errs := Parse(raw, tc.opt)
			if errs.HasErrors() {
				t.Fatal(errs)
			}
			if got := m.First("PID").Field(5).Text(); got != tc.want {
				t.Errorf("PID-5.1 = %q, want %q", got, tc.want)
			}
		})
	}
}
