package content

import (
	"strconv"
	"strings"
)

// The words a reader sees for tree values: every view for people (the CDA
// narrative, the HTML page) names units and images alike.

// UnitText shows a UCUM unit as a reader expects it: the code when it is
// readable ("mm", "cm3"), the display name for bracketed or braced codes
// ("[hnsf'U]"), nothing for the unity "1".
func UnitText(u Code) string {
	switch {
	case u.Value == "" || u.Value == "1":
		return ""
	case strings.ContainsAny(u.Value, "[{") && u.Meaning != "":
		return u.Meaning
	}
	return u.Value
}

// ImageLabel names an image for the reader, e.g. "CT image, frames 12, 13".
func ImageLabel(ref *ImageRef) string {
	s := "image"
	if ref.Modality != "" {
		s = ref.Modality + " image"
	}
	if len(ref.Frames) > 0 {
		fs := make([]string, len(ref.Frames))
		for i, f := range ref.Frames {
			fs[i] = strconv.Itoa(int(f))
		}
		word := "frame"
		if len(fs) > 1 {
			word = "frames"
		}
		s += ", " + word + " " + strings.Join(fs, ", ")
	}
	return s
}
