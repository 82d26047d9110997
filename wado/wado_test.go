package wado_test

import (
	"testing"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/wado"
)

func TestLinks(t *testing.T) {
	ref := &content.ImageRef{StudyUID: "1.2.3", SeriesUID: "1.2.3.4", SOPInstanceUID: "1.2.3.4.5", Frames: []int32{7, 8}}
	tests := []struct {
		name, uri, rs       string
		wantView, wantStudy string
	}{
		{"none", "", "", "", ""},
		{"uri only", "https://pacs.example.org/wado?site=a", "", "https://pacs.example.org/wado?site=a&requestType=WADO&studyUID=1.2.3&seriesUID=1.2.3.4&objectUID=1.2.3.4.5&frameNumber=7", ""},
		{"rs wins for viewing", "https://pacs.example.org/wado", "https://pacs.example.org/dicom-web/",
			"https://pacs.example.org/dicom-web/studies/1.2.3/series/1.2.3.4/instances/1.2.3.4.5/frames/7/rendered",
			"https://pacs.example.org/dicom-web/studies/1.2.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := wado.New(tt.uri, tt.rs)
			if err != nil {
				t.Fatal(err)
			}
			if got := l.View(ref); got != tt.wantView {
				t.Errorf("View = %q, want %q", got, tt.wantView)
			}
			if got := l.Study(ref.StudyUID); got != tt.wantStudy {
				t.Errorf("Study = %q, want %q", got, tt.wantStudy)
			}
		})
	}
	var nilLinks *wado.Links
	if nilLinks.View(ref) != "" || nilLinks.HasRS() {
		t.Error("nil Links made a link")
	}
}

func TestNewRefusesBadBases(t *testing.T) {
	for _, tt := range []struct{ uri, rs string }{
		{"ftp://pacs/wado", ""}, {"pacs/wado", ""}, {"https://pacs/wado#x", ""},
		{"", "https://pacs/rs?x=1"}, {"", "javascript:alert(1)"}, {"https://user:pw@pacs/wado", ""},
	} {
		if _, err := wado.New(tt.uri, tt.rs); err == nil {
			t.Errorf("New(%q, %q) accepted", tt.uri, tt.rs)
		}
	}
}
