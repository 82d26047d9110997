package templates

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// resolve merges each draft with its ancestors and builds the registry.
//
// A custom template with the id of a built-in one replaces it for lookups
// by id and as a parent of other custom templates; built-in templates only
// ever extend built-in ones, so a custom file cannot change a built-in
// template it does not replace.
func resolve(drafts []*draft) (*Registry, LoadErrors) {
	var errs LoadErrors
	builtin := map[string]*draft{}
	all := map[string]*draft{}
	for _, d := range drafts {
		prev, dup := all[d.id]
		switch {
		case !dup:
		case prev.builtin && !d.builtin:
			// A replacement of a built-in template.
		default:
			errs = append(errs, d.errAt(d.idOff, "id", RuleDuplicateID, "template id %q is also used by %s", d.id, prev.file))
			continue
		}
		all[d.id] = d
		if d.builtin {
			builtin[d.id] = d
		}
	}
	r := &resolver{builtin: builtin, all: all, done: map[*draft]*Template{}, failed: map[*draft]bool{}}
	reg := &Registry{byID: map[string]*Template{}}
	for _, d := range all {
		t := r.resolve(d, nil)
		if t != nil {
			reg.byID[t.ID] = t
			reg.list = append(reg.list, t)
		}
	}
	errs = append(errs, r.errs...)
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b *LoadError) int {
			return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		})
		return nil, errs
	}
	if _, ok := reg.byID[Generic]; !ok {
		return nil, LoadErrors{{File: "builtin", Rule: RuleGeneric, Message: fmt.Sprintf("no %q template", Generic)}}
	}
	slices.SortFunc(reg.list, func(a, b *Template) int { return cmp.Compare(a.ID, b.ID) })
	return reg, nil
}

func (d *draft) errAt(off int, path, rule, format string, args ...any) *LoadError {
	line, col := lineCol(d.src, off)
	return &LoadError{File: d.file, Line: line, Column: col, Rule: rule, Path: path, Message: fmt.Sprintf(format, args...)}
}

type resolver struct {
	builtin, all map[string]*draft
	done         map[*draft]*Template
	failed       map[*draft]bool
	errs         LoadErrors
}

// resolve returns the merged template of d, or nil when d or an ancestor
// is broken (the problem is reported once, where it is).
func (r *resolver) resolve(d *draft, chain []*draft) *Template {
	if t, ok := r.done[d]; ok {
		return t
	}
	if r.failed[d] {
		return nil
	}
	fail := func(e *LoadError) *Template {
		r.errs = append(r.errs, e)
		r.failed[d] = true
		return nil
	}
	var parent *Template
	if d.extends != "" {
		parents := r.all
		if d.builtin {
			parents = r.builtin
		}
		pd, ok := parents[d.extends]
		switch {
		case !ok:
			return fail(d.errAt(d.extendsOff, "extends", RuleExtends, "no template with id %q to extend", d.extends))
		case pd == d || slices.Contains(chain, pd):
			names := []string{}
			for _, c := range append(chain, d, pd) {
				names = append(names, c.id)
			}
			return fail(d.errAt(d.extendsOff, "extends", RuleExtends, "extends itself through %s", strings.Join(names, " → ")))
		case len(chain)+1 >= MaxExtendsDepth:
			return fail(d.errAt(d.extendsOff, "extends", RuleExtends, "the extends chain is longer than %d templates", MaxExtendsDepth))
		}
		if parent = r.resolve(pd, append(chain, d)); parent == nil {
			r.failed[d] = true
			return nil
		}
	}
	t, errs := merge(d, parent)
	if len(errs) > 0 {
		r.errs = append(r.errs, errs...)
		r.failed[d] = true
		return nil
	}
	r.done[d] = t
	return t
}

// merge applies d over its parent: every field d sets replaces the
// parent's. A section d lists takes the title, required flag, narrative and
// observation rules of the parent's section of the same kind where d does
// not set them, so a child can retitle a section without restating it.
func merge(d *draft, p *Template) (*Template, LoadErrors) {
	t := &Template{ID: d.id, Version: d.version, Description: d.description, Extends: d.extends, Source: d.file, Builtin: d.builtin, SRIOD: SRIODAuto}
	if p != nil {
		t.depth = p.depth + 1
		t.Title, t.DocumentCode, t.SRTitle, t.ProcedureCodes = p.Title, p.DocumentCode, p.SRTitle, p.ProcedureCodes
		t.DefaultForModalities, t.SRIOD, t.Sections = p.DefaultForModalities, p.SRIOD, p.Sections
		if t.Description == "" {
			t.Description = p.Description
		}
	}
	if d.title != nil {
		t.Title = *d.title
	}
	if d.documentCode != nil {
		// A parent's SR title stood for the parent's document code.
		t.DocumentCode, t.SRTitle = d.documentCode, nil
	}
	if d.srTitle != nil {
		t.SRTitle = d.srTitle
	}
	if d.hasProcedures {
		t.ProcedureCodes = d.procedures
	}
	if d.hasModalities {
		t.DefaultForModalities = d.modalities
	}
	if d.srIOD != "" {
		t.SRIOD = d.srIOD
	}
	var errs LoadErrors
	if d.hasSections {
		t.Sections = nil
		for i, ds := range d.sections {
			var ps *Section
			if p != nil {
				ps = p.SectionFor(&pb.Section{Kind: ds.kind, Code: ds.code})
			}
			s := &Section{Kind: ds.kind, Code: ds.code, Rule: ds.rule}
			if ps != nil {
				s.Title, s.Required, s.Narrative, s.Observations = ps.Title, ps.Required, ps.Narrative, ps.Observations
				s.Description = ps.Description
			}
			if ds.title != nil {
				s.Title = *ds.title
			}
			if ds.description != nil {
				s.Description = *ds.description
			}
			if ds.required != nil {
				s.Required = *ds.required
			}
			if ds.hasNarrative {
				s.Narrative = ds.narrative
			}
			if ds.hasRules {
				s.Observations = ds.rules
			}
			if s.Title == "" {
				errs = append(errs, d.errAt(ds.off, fmt.Sprintf("sections[%d].title", i), RuleRequired,
					"is required: the parent template has no section of this kind to take it from"))
			}
			t.Sections = append(t.Sections, s)
		}
	}
	// What every template needs once inheritance has filled it in.
	where := func(set bool, off int) int {
		if set {
			return off
		}
		return d.rootOff
	}
	if t.Title == "" {
		errs = append(errs, d.errAt(d.rootOff, "title", RuleRequired, "is required (here or in the template it extends)"))
	}
	if t.DocumentCode == nil {
		errs = append(errs, d.errAt(d.rootOff, "document_code", RuleRequired, "is required (here or in the template it extends)"))
	}
	if len(t.Sections) == 0 {
		errs = append(errs, d.errAt(d.rootOff, "sections", RuleRequired, "are required (here or in the template it extends)"))
	} else if !slices.ContainsFunc(t.Sections, func(s *Section) bool { return s.Kind == pb.SectionKind_SECTION_KIND_FINDINGS }) {
		errs = append(errs, d.errAt(where(d.hasSections, d.sectionsOff), "sections", RuleFindings,
			"must list the FINDINGS section: every Diagnostic Imaging Report has exactly one (CONF:1198-30696)"))
	}
	return t, errs
}
