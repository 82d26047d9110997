package conformance_test

import (
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen/cda"
	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/internal/samples"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

const wadoBase = "https://pacs.example.org/wado"

// Files shared with other packages, relative to this one.
var (
	ccdaSch = filepath.Join("..", "..", "schemas", "synced", "ccda-2.1", "ccda-2.1.sch")
)

// goodDoc is a document every validator must accept.
type goodDoc struct {
	name string
	xml  []byte
}

var (
	goodOnce sync.Once
	goodList []goodDoc
	goodErr  error
)

// goodDocs returns the generated examples (with and without WADO links),
// the cda package's extra cases rebuilt here, and HL7's known-good DIR
// sample when the shared folder is there.
func goodDocs(t testing.TB) []goodDoc {
	t.Helper()
	goodOnce.Do(func() {
		examples := contenttest.Load(t, content.Options{})
		byName := map[string]contenttest.Example{}
		var out []goodDoc
		enc := func(name string, d *content.Document, opt cda.Options) {
			if goodErr != nil {
				return
			}
			b, err := cda.Encode(d, opt)
			if err != nil {
				goodErr = err
				return
			}
			out = append(out, goodDoc{name, b})
		}
		for _, ex := range examples {
			byName[ex.Name] = ex
			enc(ex.Name, ex.Doc, cda.Options{WADOBaseURL: wadoBase})
			enc(ex.Name+"/no-wado", ex.Doc, cda.Options{})
		}
		variant := func(ex contenttest.Example, name string, edit func(r *pb.Report)) *content.Document {
			r := proto.Clone(ex.Request.GetReport()).(*pb.Report)
			edit(r)
			d, err := content.Build(r, contenttest.Identity(ex.Name+"-"+name), content.Options{})
			if err != nil && goodErr == nil {
				goodErr = err
			}
			return d
		}
		ct := byName["ct-chest-measurements"]
		enc("corrected", variant(ct, "corrected", func(r *pb.Report) {
			r.Status = pb.ReportStatus_REPORT_STATUS_CORRECTED
			r.Predecessor = &pb.PredecessorDocument{CdaDocumentId: "2.25.1234", CdaSetId: "2.25.5678", CdaVersionNumber: 1}
		}), cda.Options{})
		enc("addendum", variant(ct, "addendum", func(r *pb.Report) {
			r.Status = pb.ReportStatus_REPORT_STATUS_ADDENDUM
			r.Predecessor = &pb.PredecessorDocument{CdaDocumentId: "2.25.1234"}
			r.Sections = append(r.Sections, &pb.Section{Kind: pb.SectionKind_SECTION_KIND_ADDENDUM, Text: "Tumour board: biopsy planned."})
		}), cda.Options{WADOBaseURL: wadoBase + "?token=a&b=c"})
		enc("minimal header", variant(byName["chest-radiograph"], "minimal", func(r *pb.Report) {
			r.Patient.Address, r.Patient.Telecoms, r.Patient.BirthDate = nil, nil, ""
			r.Patient.Sex = pb.AdministrativeSex_ADMINISTRATIVE_SEX_OTHER
			r.Order, r.ReferringPhysician = nil, nil
			r.Study.AccessionNumber, r.Study.ProcedureCode, r.Study.ProcedureDescription = "", nil, ""
			r.Author.Role = nil
			r.Author.Name.Given = nil
			r.Custodian.Ids, r.Custodian.Address, r.Custodian.Telecoms = nil, nil, nil
		}), cda.Options{})
		enc("coded section", variant(byName["mr-brain"], "coded", func(r *pb.Report) {
			r.Sections = append(r.Sections, &pb.Section{
				Kind: pb.SectionKind_SECTION_KIND_CODED,
				Code: &pb.Code{Code: "55113-5", Scheme: pb.CodingScheme_CODING_SCHEME_LOINC, DisplayName: "Key images"},
				Text: "line one\nline <two> & \"three\"\n\n]]> tail",
				Observations: []*pb.Observation{{
					Concept: &pb.Code{Code: "121206", Scheme: pb.CodingScheme_CODING_SCHEME_DCM, DisplayName: "Distance"},
					Value:   &pb.Observation_Measurement{Measurement: &pb.Measurement{Value: "40", Unit: "[hnsf'U]", UnitDisplayName: "Hounsfield unit"}},
				}},
			})
		}), cda.Options{WADOBaseURL: wadoBase})
		// Key images at section level, which the builder does not make yet.
		if d := variant(ct, "key", func(*pb.Report) {}); d != nil {
			for _, s := range d.Sections() {
				if s.Heading.Kind == pb.SectionKind_SECTION_KIND_FINDINGS {
					s.Add(&content.Node{Relationship: content.Contains, Type: content.Image, ID: s.ID + ".key",
						Concept: content.PurposeBestIllustr, Image: d.Evidence[len(d.Evidence)-1]})
				}
			}
			enc("key image", d, cda.Options{WADOBaseURL: wadoBase})
		}
		goodList = out
	})
	if goodErr != nil {
		t.Fatal(goodErr)
	}
	// HL7's example moved to R2.1, made anew for each caller: a missing
	// sample fails that caller instead of vanishing from the list.
	return append(slices.Clip(goodList), goodDoc{samples.DIRGood + ".xml", samples.CDAVariant(t, samples.DIRGood)})
}
