package html

import (
	"strconv"
	"strings"
	"time"

	"github.com/reportgen/reportgen/content"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/wado"
)

// page is what the template renders: the tree and the header turned into
// plain strings, so the template holds layout only.
type page struct {
	Lang, Title string
	Status      string // CSS modifier: "preliminary", "corrected", "addendum"; "" for final
	Notice      content.Notice
	HasNotice   bool
	Header      []field
	Sections    []section
	Footer      []field
}

type field struct{ Label, Value string }

type section struct {
	ID, Title string
	Blocks    []block
}

// block is one piece of a section: a paragraph, a coded finding, a table
// of consecutive measurements or a key image.
type block struct {
	Kind string // "text", "code", "table", "image"
	// text and code
	Label string
	Lines []string
	Value string
	Extra []field // finding site
	// Images are the image links of a text or code item, or the one key
	// image of an "image" block.
	Images []image
	Rows   []row // "table"
}

type row struct {
	Finding, Value, Unit, Site string
	Images                     []image
}

type image struct{ Label, Href string }

// build turns a document into the page.
func build(d *content.Document, links *wado.Links) (*page, error) {
	r := d.Report
	p := &page{Lang: d.Language, Title: d.Title}
	if n, ok := content.StatusNotice(r.GetStatus()); ok {
		p.Notice, p.HasNotice = n, true
		p.Status = strings.ToLower(strings.TrimPrefix(r.GetStatus().String(), "REPORT_STATUS_"))
	}
	p.Header = header(d)
	for _, s := range d.Sections() {
		p.Sections = append(p.Sections, buildSection(s, links))
	}
	p.Footer = []field{
		{"Document", d.Identity.DocumentID},
		{"Version", strconv.Itoa(d.Identity.Version)},
	}
	if d.Identity.SetID != "" && d.Identity.SetID != d.Identity.DocumentID {
		p.Footer = append(p.Footer, field{"Document set", d.Identity.SetID})
	}
	if pr := r.GetPredecessor(); pr != nil && pr.GetCdaDocumentId() != "" {
		verb := "Replaces document"
		if r.GetStatus() == pb.ReportStatus_REPORT_STATUS_ADDENDUM {
			verb = "Adds to document"
		}
		p.Footer = append(p.Footer, field{verb, pr.GetCdaDocumentId()})
	}
	if d.TemplateID != "" {
		p.Footer = append(p.Footer, field{"Template", d.TemplateID})
	}
	return p, nil
}

func header(d *content.Document) []field {
	r := d.Report
	var h []field
	add := func(label, value string) {
		if strings.TrimSpace(value) != "" {
			h = append(h, field{label, value})
		}
	}
	pt := r.GetPatient()
	add("Patient", PersonName(pt.GetName()))
	for _, id := range pt.GetIds() {
		v := id.GetValue()
		if n := id.GetAssigningAuthorityName(); n != "" {
			v += " (" + n + ")"
		}
		add("Patient ID", v)
	}
	if d.BirthDate != "" {
		add("Birth date", pt.GetBirthDate())
	}
	add("Sex", sexWord(pt.GetSex()))
	st := r.GetStudy()
	proc := st.GetProcedureDescription()
	if pc := st.GetProcedureCode(); pc != nil {
		if proc != "" {
			proc += " — "
		}
		proc += pc.GetDisplayName()
	}
	add("Study", proc)
	add("Modality", strings.Join(st.GetModalities(), ", "))
	add("Study time", Time(d.StudyTime))
	add("Accession number", st.GetAccessionNumber())
	add("Study instance UID", st.GetStudyInstanceUid())
	add("Reason for study", st.GetReasonText())
	add("Referring physician", PersonName(r.GetReferringPhysician().GetName()))
	add("Author", practitioner(r.GetAuthor()))
	add("Report time", Time(d.ReportTime))
	if d.Signed() {
		add("Signed by", practitioner(r.GetLegalAuthenticator()))
		add("Signature time", Time(d.SignatureTime))
	} else {
		add("Signed by", "Not signed")
	}
	add("Institution", r.GetCustodian().GetName())
	return h
}

func practitioner(p *pb.Practitioner) string {
	s := PersonName(p.GetName())
	if o := p.GetOrganization(); o != "" && s != "" {
		s += ", " + o
	}
	return s
}

func sexWord(s pb.AdministrativeSex) string {
	switch s {
	case pb.AdministrativeSex_ADMINISTRATIVE_SEX_MALE:
		return "Male"
	case pb.AdministrativeSex_ADMINISTRATIVE_SEX_FEMALE:
		return "Female"
	case pb.AdministrativeSex_ADMINISTRATIVE_SEX_OTHER:
		return "Other"
	}
	return "Unknown"
}

// PersonName writes a name as a reader expects it: prefix, given names,
// family name, suffix.
func PersonName(n *pb.PersonName) string {
	if n == nil {
		return ""
	}
	var parts []string
	for _, s := range append(append([]string{n.GetPrefix()}, n.GetGiven()...), n.GetFamily(), n.GetSuffix()) {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// Time writes a time with its UTC offset, which a reader of a report
// from another time zone needs; "" for the zero time.
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02 15:04 -07:00")
}

func buildSection(s *content.Node, links *wado.Links) section {
	sec := section{ID: s.ID, Title: s.Title}
	for _, n := range s.Children {
		if n == nil || n.Relationship != content.Contains {
			continue
		}
		switch n.Type {
		case content.Num:
			r := measurementRow(n, links)
			if k := len(sec.Blocks); k > 0 && sec.Blocks[k-1].Kind == "table" {
				sec.Blocks[k-1].Rows = append(sec.Blocks[k-1].Rows, r)
				continue
			}
			sec.Blocks = append(sec.Blocks, block{Kind: "table", Rows: []row{r}})
		case content.Text:
			b := block{Kind: "text", Lines: strings.Split(n.Text, "\n")}
			if s.Heading != nil && n.Concept != s.Heading.Element {
				b.Label = n.Concept.Meaning
			}
			b.Extra, b.Images = modifiers(n, links)
			sec.Blocks = append(sec.Blocks, b)
		case content.CodeValue:
			b := block{Kind: "code", Label: n.Concept.Meaning, Value: n.Code.Meaning}
			if b.Value == "" {
				b.Value = n.Code.Value
			}
			b.Extra, b.Images = modifiers(n, links)
			sec.Blocks = append(sec.Blocks, b)
		case content.Image:
			sec.Blocks = append(sec.Blocks, block{Kind: "image", Label: n.Concept.Meaning, Images: []image{imageOf(n.Image, links)}})
		}
	}
	return sec
}

// modifiers returns the finding site and the image evidence of an item.
func modifiers(n *content.Node, links *wado.Links) (extra []field, images []image) {
	for _, c := range n.Children {
		switch {
		case c == nil:
		case c.Type == content.CodeValue && c.Relationship == content.HasConceptMod:
			extra = append(extra, field{c.Concept.Meaning, c.Code.Meaning})
		case c.Type == content.Image && c.Image != nil:
			images = append(images, imageOf(c.Image, links))
		}
	}
	return extra, images
}

func measurementRow(n *content.Node, links *wado.Links) row {
	r := row{Finding: n.Concept.Meaning}
	if n.Num != nil {
		r.Value = n.Num.Value
		r.Unit = content.UnitText(n.Num.Unit)
	}
	extra, images := modifiers(n, links)
	var sites []string
	for _, e := range extra {
		sites = append(sites, e.Value)
	}
	r.Site, r.Images = strings.Join(sites, "; "), images
	return r
}

func imageOf(ref *content.ImageRef, links *wado.Links) image {
	return image{Label: content.ImageLabel(ref), Href: links.View(ref)}
}
