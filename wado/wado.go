// Package wado owns the web addresses of DICOM images: WADO-URI (DICOM
// PS3.18 Chapter 9) and WADO-RS (PS3.18 Section 10.4), built from a
// configured archive base URL and an image reference. The CDA narrative,
// the HTML page and the FHIR ImagingStudy endpoint all take their links
// from here, so one image has one address in every output.
package wado

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/reportgen/reportgen/content"
)

// Links builds image addresses. The zero value (and nil) builds none.
type Links struct {
	uri *url.URL // WADO-URI endpoint, e.g. https://pacs.example.org/wado
	rs  *url.URL // WADO-RS service root, e.g. https://pacs.example.org/dicom-web
}

// New checks the base URLs and returns the links they give; "" leaves
// that service out. Both must be absolute http(s) URLs without fragment
// (CDA-NARR-04: narrative links are absolute); the WADO-RS root also
// without query, since WADO-RS resources are paths below it.
func New(uriBase, rsBase string) (*Links, error) {
	l := &Links{}
	var err error
	if uriBase != "" {
		if l.uri, err = parseBase(uriBase); err != nil {
			return nil, fmt.Errorf("WADO base URL (WADO-URI): %w", err)
		}
	}
	if rsBase != "" {
		if l.rs, err = parseBase(rsBase); err != nil {
			return nil, fmt.Errorf("WADO-RS base URL: %w", err)
		}
		if l.rs.RawQuery != "" {
			return nil, errors.New("WADO-RS base URL: must not have a query")
		}
		l.rs.Path = strings.TrimRight(l.rs.Path, "/")
		l.rs.RawPath = ""
	}
	return l, nil
}

func parseBase(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" || u.User != nil {
		return nil, errors.New("must be an absolute http(s) URL without user info or fragment")
	}
	return u, nil
}

// HasURI reports whether a WADO-URI service is configured.
func (l *Links) HasURI() bool { return l != nil && l.uri != nil }

// HasRS reports whether a WADO-RS service is configured.
func (l *Links) HasRS() bool { return l != nil && l.rs != nil }

// URI returns the WADO-URI address of an image (PS3.18 9.1): contentType
// "" asks for the archive's default rendering (JPEG, which a browser
// shows); frame 0 names no particular frame. "" without a WADO-URI
// service.
func (l *Links) URI(ref *content.ImageRef, contentType string, frame int32) string {
	if !l.HasURI() || ref == nil {
		return ""
	}
	q := []string{
		"requestType=WADO",
		"studyUID=" + url.QueryEscape(ref.StudyUID),
		"seriesUID=" + url.QueryEscape(ref.SeriesUID),
		"objectUID=" + url.QueryEscape(ref.SOPInstanceUID),
	}
	if contentType != "" {
		q = append(q, "contentType="+url.QueryEscape(contentType))
	}
	if frame > 0 {
		q = append(q, "frameNumber="+strconv.Itoa(int(frame)))
	}
	u := *l.uri
	if u.RawQuery != "" {
		u.RawQuery += "&"
	}
	u.RawQuery += strings.Join(q, "&")
	return u.String()
}

// Study returns the WADO-RS address of a study (PS3.18 10.4.1.1.1), the
// FHIR ImagingStudy endpoint; "" without a WADO-RS service.
func (l *Links) Study(studyUID string) string {
	if !l.HasRS() || studyUID == "" {
		return ""
	}
	return l.rsPath("studies", studyUID)
}

// Rendered returns the WADO-RS rendered address of an image (PS3.18
// 10.4.1.1.3), or of its first listed frame, which a browser shows; ""
// without a WADO-RS service.
func (l *Links) Rendered(ref *content.ImageRef) string {
	if !l.HasRS() || ref == nil {
		return ""
	}
	parts := []string{"studies", ref.StudyUID, "series", ref.SeriesUID, "instances", ref.SOPInstanceUID}
	if len(ref.Frames) > 0 && ref.Frames[0] > 0 {
		parts = append(parts, "frames", strconv.Itoa(int(ref.Frames[0])))
	}
	return l.rsPath(append(parts, "rendered")...)
}

// View returns the address a person follows to see an image: WADO-RS
// rendered when configured, else the WADO-URI default rendering, else "".
func (l *Links) View(ref *content.ImageRef) string {
	if s := l.Rendered(ref); s != "" {
		return s
	}
	var frame int32
	if ref != nil && len(ref.Frames) > 0 {
		frame = ref.Frames[0]
	}
	return l.URI(ref, "", frame)
}

func (l *Links) rsPath(parts ...string) string {
	u := *l.rs
	for _, p := range parts {
		u.Path += "/" + p
	}
	return u.String()
}
