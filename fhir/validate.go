package fhir

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"

	"github.com/reportgen/reportgen/issue"
)

// Rules checked by Validate.
const (
	// RuleR4 is FHIR R4 itself as jsonformat's validating unmarshaller
	// checks it: JSON shape, data types, required elements, reference
	// target types.
	RuleR4 = "FHIR-R4"
	// The IMR profile's required elements (IHE RAD IMR 1.1.0).
	RuleBundle      = "IMR-BUNDLE" // transaction, meta.profile, entries DiagnosticReport 1..1, ServiceRequest, ImagingStudy only, POST
	RuleSubject     = "IMR-DR-SUBJECT"
	RuleIssued      = "IMR-DR-ISSUED"
	RulePerformer   = "IMR-DR-PERFORMER"   // at least one Organization
	RuleInterpreter = "IMR-DR-INTERPRETER" // at least one Practitioner or PractitionerRole
	RuleStudy       = "IMR-DR-STUDY"       // imagingStudy 1..*
	RulePresented   = "IMR-DR-PRESENTED"   // presentedForm text/html with contentType, size, hash and data or url; size and hash match
	RuleStudyUID    = "IMR-IS-UID"         // identifier with system urn:dicom:uid
	RuleStudyElems  = "IMR-IS-ELEMENTS"    // modality 1..*, started 1..1, subject a Patient
	RuleEndpoint    = "IMR-IS-ENDPOINT"    // endpoint 1..* (WADO-RS)
	RuleAccession   = "IMR-SR-ACCESSION"   // ServiceRequest identifier of type ACSN with a value
	RuleReferences  = "FHIR-REF"           // every #fragment and urn:uuid reference resolves
)

// unmarshaller is jsonformat's validating reader; safe for concurrent use.
var unmarshaller = mustUnmarshaller()

func mustUnmarshaller() *jsonformat.Unmarshaller {
	u, err := jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
	if err != nil {
		panic(fmt.Sprintf("fhir: R4 unmarshaller: %v", err)) // a broken build, not input
	}
	return u
}

type obj = map[string]any

// Validate checks an IMR Store Multimedia Report Bundle: FHIR R4 by
// jsonformat, then the IMR profile's required elements. A Bundle without
// a WADO-RS endpoint gets a warning, not an error: IMR requires one, but
// it exists only where an archive is configured.
func Validate(b []byte) issue.List {
	var l issue.List
	add := func(sev issue.Severity, rule, where, format string, args ...any) {
		l = append(l, issue.Issue{Severity: sev, RuleID: rule, Location: where, Message: fmt.Sprintf(format, args...)})
	}
	if _, err := unmarshaller.UnmarshalR4(b); err != nil {
		where, what := jsonformatError(err)
		add(issue.Error, RuleR4, where, "%s", what)
		return l
	}
	var bundle obj
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&bundle); err != nil {
		add(issue.Error, RuleR4, "", "not JSON: %v", err)
		return l
	}
	if bundle["resourceType"] != "Bundle" || bundle["type"] != "transaction" {
		add(issue.Error, RuleBundle, "Bundle", "not a transaction Bundle")
		return l
	}
	if len(arr(obj1(bundle, "meta"), "profile")) == 0 {
		add(issue.Error, RuleBundle, "Bundle.meta.profile", "no profile claimed")
	}
	fullURLs := map[string]obj{}
	var reports, studies, orders []obj
	for i, en := range arr(bundle, "entry") {
		e, _ := en.(obj)
		where := fmt.Sprintf("Bundle.entry[%d]", i)
		r := obj1(e, "resource")
		if u, _ := e["fullUrl"].(string); u != "" {
			fullURLs[u] = r
		}
		switch r["resourceType"] {
		case "DiagnosticReport":
			reports = append(reports, r)
		case "ImagingStudy":
			studies = append(studies, r)
		case "ServiceRequest":
			orders = append(orders, r)
		default:
			add(issue.Error, RuleBundle, where, "entry of type %v: the IMR Bundle allows DiagnosticReport, ServiceRequest and ImagingStudy only", r["resourceType"])
		}
		if obj1(e, "request")["method"] != "POST" {
			add(issue.Error, RuleBundle, where+".request.method", "must be POST")
		}
	}
	if len(reports) != 1 {
		add(issue.Error, RuleBundle, "Bundle.entry", "%d DiagnosticReport entries, want 1", len(reports))
		return l
	}
	dr := reports[0]
	contained := containedTypes(dr)
	refType := func(ref any) string {
		s, _ := obj1m(ref)["reference"].(string)
		switch {
		case strings.HasPrefix(s, "#"):
			return contained[s[1:]]
		case fullURLs[s] != nil:
			t, _ := fullURLs[s]["resourceType"].(string)
			return t
		}
		t, _ := obj1m(ref)["type"].(string)
		return t
	}
	if refType(dr["subject"]) != "Patient" {
		add(issue.Error, RuleSubject, "DiagnosticReport.subject", "does not reference a Patient")
	}
	if dr["issued"] == nil {
		add(issue.Error, RuleIssued, "DiagnosticReport.issued", "missing")
	}
	if !anyRef(arr(dr, "performer"), refType, "Organization") {
		add(issue.Error, RulePerformer, "DiagnosticReport.performer", "no Organization")
	}
	if !anyRef(arr(dr, "resultsInterpreter"), refType, "Practitioner", "PractitionerRole") {
		add(issue.Error, RuleInterpreter, "DiagnosticReport.resultsInterpreter", "no Practitioner or PractitionerRole")
	}
	if !anyRef(arr(dr, "imagingStudy"), refType, "ImagingStudy") {
		add(issue.Error, RuleStudy, "DiagnosticReport.imagingStudy", "no ImagingStudy")
	}
	checkPresentedForm(dr, add)
	for i, is := range studies {
		where := fmt.Sprintf("ImagingStudy[%d]", i)
		uid := false
		for _, id := range arr(is, "identifier") {
			if obj1m(id)["system"] == SystemDICOMUID && strings.HasPrefix(fmt.Sprint(obj1m(id)["value"]), "urn:oid:") {
				uid = true
			}
		}
		if !uid {
			add(issue.Error, RuleStudyUID, where+".identifier", "no study instance UID (system urn:dicom:uid, value urn:oid:)")
		}
		if len(arr(is, "modality")) == 0 || is["started"] == nil || refType(is["subject"]) != "Patient" {
			add(issue.Error, RuleStudyElems, where, "needs modality, started and a Patient subject")
		}
		if len(arr(is, "endpoint")) == 0 {
			add(issue.Warning, RuleEndpoint, where+".endpoint", "no WADO-RS endpoint: IMR requires one; configure the archive's WADO-RS base URL")
		}
	}
	for i, sr := range orders {
		ok := false
		for _, id := range arr(sr, "identifier") {
			for _, c := range arr(obj1(obj1m(id), "type"), "coding") {
				if obj1m(c)["code"] == "ACSN" && obj1m(id)["value"] != nil {
					ok = true
				}
			}
		}
		if !ok {
			add(issue.Error, RuleAccession, fmt.Sprintf("ServiceRequest[%d].identifier", i), "no accession number (type ACSN)")
		}
	}
	checkReferences(bundle, fullURLs, add)
	return l
}

func checkPresentedForm(dr obj, add func(issue.Severity, string, string, string, ...any)) {
	html := false
	for i, a := range arr(dr, "presentedForm") {
		f := obj1m(a)
		where := fmt.Sprintf("DiagnosticReport.presentedForm[%d]", i)
		if f["contentType"] == nil || f["size"] == nil || f["hash"] == nil || (f["data"] == nil && f["url"] == nil) {
			add(issue.Error, RulePresented, where, "needs contentType, size, hash and data or url")
			continue
		}
		if f["contentType"] == "text/html" {
			html = true
		}
		data, ok := f["data"].(string)
		if !ok {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			add(issue.Error, RulePresented, where+".data", "not base64")
			continue
		}
		if fmt.Sprint(f["size"]) != fmt.Sprint(len(raw)) {
			add(issue.Error, RulePresented, where+".size", "is not the size of data")
		}
		sum := sha1.Sum(raw)
		if f["hash"] != base64.StdEncoding.EncodeToString(sum[:]) {
			add(issue.Error, RulePresented, where+".hash", "is not the SHA-1 of data")
		}
	}
	if !html {
		add(issue.Error, RulePresented, "DiagnosticReport.presentedForm", "no text/html form")
	}
}

// checkReferences resolves every reference: "#id" within the resource that
// contains it, urn:uuid against the Bundle's fullUrls.
func checkReferences(bundle obj, fullURLs map[string]obj, add func(issue.Severity, string, string, string, ...any)) {
	for i, en := range arr(bundle, "entry") {
		r := obj1(obj1m(en), "resource")
		ids := containedTypes(r)
		var walk func(v any, path string)
		walk = func(v any, path string) {
			switch x := v.(type) {
			case obj:
				if s, ok := x["reference"].(string); ok {
					switch {
					case strings.HasPrefix(s, "#"):
						if ids[s[1:]] == "" {
							add(issue.Error, RuleReferences, path, "contained resource %s not found", s)
						}
					case strings.HasPrefix(s, "urn:uuid:"):
						if fullURLs[s] == nil {
							add(issue.Error, RuleReferences, path, "no Bundle entry has this fullUrl")
						}
					}
				}
				for k, c := range x {
					walk(c, path+"."+k)
				}
			case []any:
				for j, c := range x {
					walk(c, fmt.Sprintf("%s[%d]", path, j))
				}
			}
		}
		walk(r, fmt.Sprintf("Bundle.entry[%d].resource", i))
	}
}

func containedTypes(r obj) map[string]string {
	out := map[string]string{}
	for _, c := range arr(r, "contained") {
		id, _ := obj1m(c)["id"].(string)
		t, _ := obj1m(c)["resourceType"].(string)
		out[id] = t
	}
	return out
}

func anyRef(refs []any, refType func(any) string, types ...string) bool {
	for _, r := range refs {
		for _, t := range types {
			if refType(r) == t {
				return true
			}
		}
	}
	return false
}

func obj1(o obj, k string) obj { return obj1m(o[k]) }

func obj1m(v any) obj {
	o, _ := v.(obj)
	return o
}

func arr(o obj, k string) []any {
	a, _ := o[k].([]any)
	return a
}

// jsonformatError splits jsonformat's `error at "PATH": DETAIL` into the
// element path and the rule broken. Both are structure, never values,
// except the path of an unknown resource type, which is the input's own
// word and is left out (messages carry no document content).
func jsonformatError(err error) (where, what string) {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	rest, ok := strings.CutPrefix(msg, `error at "`)
	if !ok {
		return "", "not FHIR R4 JSON"
	}
	path, detail, ok := strings.Cut(rest, `": `)
	if !ok {
		return "", "not FHIR R4 JSON"
	}
	if strings.Contains(detail, "unknown resource type") {
		return "", detail
	}
	return path, detail
}
