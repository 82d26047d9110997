package sr

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/suyashkumar/dicom/pkg/tag"
)

// valueRules checks every element of the file meta information and the
// dataset: VR against the dictionary (SR-FILE-03), padding (SR-FILE-05),
// character set (SR-MOD-14), UID syntax (SR-UID-01) and VR limits
// (SR-VR-01 to 05).
func (v *validator) valueRules() {
	cs := v.ds.get(tag.SpecificCharacterSet)
	var buf [4]string
	charsets := buf[:0]
	it := cs.valueIter()
	for val, ok := it.next(); ok; val, ok = it.next() {
		charsets = append(charsets, val)
	}
	mode, problems := checkCharsets(charsets)
	for _, p := range problems {
		if p.warn {
			v.l.Warnf("SR-MOD-14", cs.loc(), "value %d: %s", p.index+1, p.msg)
		} else {
			v.l.Errorf("SR-MOD-14", cs.loc(), "value %d: %s", p.index+1, p.msg)
		}
	}
	v.timezoneRule()
	w := valueWalk{v: v, dict: &v.f.arena.dict, charset: cs != nil && !cs.empty(), utf8: mode == modeUTF8, mode: mode}
	w.walk(v.f.meta)
	w.walk(v.ds)
}

type valueWalk struct {
	v             *validator
	dict          *dictCache
	charset, utf8 bool
	mode          charMode
	nonASCIIFound bool
}

func (w *valueWalk) walk(ds *dataset) {
	for i := range ds.elems {
		e := &ds.elems[i]
		w.checkVR(e)
		if e.isSeq {
			for _, it := range e.items {
				w.walk(it)
			}
			continue
		}
		if !stringVR(e.vr) {
			continue
		}
		w.padding(e)
		if charsetVR(e.vr) {
			if !e.ascii {
				switch {
				case !w.charset && !w.nonASCIIFound:
					w.nonASCIIFound = true
					w.v.l.Errorf("SR-MOD-14", e.loc(), "value has non-ASCII characters but there is no Specific Character Set")
				case w.utf8 && !utf8.Valid(e.value):
					w.v.l.Errorf("SR-MOD-14", e.loc(), "value is not valid UTF-8 although Specific Character Set is ISO_IR 192")
				}
			}
			w.charValues(e)
			continue
		}
		it := e.valueIter()
		for val, ok := it.next(); ok; val, ok = it.next() {
			if e.vr == "UI" && val != "" {
				if err := checkUID(val); err != nil {
					w.v.l.Errorf("SR-UID-01", e.loc(), "%s is not a valid UID: %v", tagName(e.tag), err)
				}
			}
			// ASCII is UTF-8: checkChars is then all checkValue does.
			check := checkValue
			if e.ascii {
				check = checkChars
			}
			if ve := check(e.vr, val); ve != nil {
				w.v.l.Errorf(ve.rule, e.loc(), "%s %s", tagName(e.tag), ve.msg)
			}
		}
	}
}

// charValues checks the values of a character-set VR decoded in the
// file's character set: repertoire, control characters and length in
// characters. A value of ASCII without escape sequences decodes to
// itself in every character set, so only other values are decoded.
func (w *valueWalk) charValues(e *element) {
	b := e.textBytes()
	mode := w.mode
	if !w.charset {
		mode = modeSingle
	}
	var s string
	if e.plain {
		s = viewOf(b)
	} else {
		w.v.text = appendDecoded(w.v.text[:0], b, mode)
		s = viewOf(w.v.text)
	}
	text := textVR(e.vr)
	for {
		val, rest, more := s, "", false
		if !text {
			val, rest, more = strings.Cut(s, "\\")
			val = strings.Trim(val, " ")
		}
		if ve := checkChars(e.vr, val); ve != nil {
			w.v.l.Errorf(ve.rule, e.loc(), "%s %s", tagName(e.tag), ve.msg)
		}
		if !more {
			return
		}
		s = rest
	}
}

// timezoneRule checks Timezone Offset From UTC (0008,0201): "&ZZXX", & a
// "+" or "-", ZZ hours and XX minutes (PS3.3 C.12.1.1 attribute
// description), within the -12:00 to +14:00 of PS3.5's DT offset.
func (v *validator) timezoneRule() {
	e := v.ds.get(tag.TimezoneOffsetFromUTC)
	if e == nil || e.empty() {
		return
	}
	it := e.valueIter()
	for val, ok := it.next(); ok; val, ok = it.next() {
		if !validOffset(val) {
			v.l.Errorf("SR-MOD-16", e.loc(), "Timezone Offset From UTC is not of the form &ZZXX (a + or - sign, hours and minutes, from -1200 to +1400)")
			return
		}
	}
}

// checkVR compares an element's VR with the dictionary. A sequence where
// the dictionary has none, or the reverse, breaks the rules that read it:
// an error. Other differences are warnings, since dictionaries of other
// editions may differ.
func (w *valueWalk) checkVR(e *element) {
	if e.tag.Group%2 == 1 || e.vr == "UN" || e.tag.Element == 0 {
		return
	}
	if d := w.dict.lookup(e.tag); d.state == dictUnknown || d.state == dictFound && d.has(e.vr) {
		return
	}
	vrs, _ := w.dict.vrs(e.tag)
	if slices.Contains(vrs, e.vr) {
		return
	}
	if e.isSeq != slices.Contains(vrs, "SQ") {
		w.v.l.Errorf("SR-FILE-03", e.loc(), "%s is encoded with VR %s, the dictionary says %v", tagName(e.tag), e.vr, vrs)
		return
	}
	w.v.l.Warnf("SR-FILE-03", e.loc(), "%s is encoded with VR %s, the dictionary says %v", tagName(e.tag), e.vr, vrs)
}

// padding checks the padding byte of an even-length string value: UI pads
// with NUL, all other string VRs with a space (PS3.5 §6.2).
func (w *valueWalk) padding(e *element) {
	if len(e.value) == 0 {
		return
	}
	last := e.value[len(e.value)-1]
	switch {
	case e.vr == "UI" && last == ' ':
		w.v.l.Errorf("SR-FILE-05", e.loc(), "UI value is padded with a space instead of NUL")
	case e.vr != "UI" && last == 0:
		w.v.l.Errorf("SR-FILE-05", e.loc(), "%s value is padded with NUL instead of a space", e.vr)
	}
}
