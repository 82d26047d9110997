package templates

import "testing"

func TestBuiltin(t *testing.T) {
	r, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	g, ok := r.Get(Generic)
	if !ok {
		t.Fatal("no generic template")
	}
	info := g.Info()
	if info.GetDocumentCode().GetCode() != "18748-4" || len(info.GetSections()) == 0 {
		t.Errorf("generic template info = %v", info)
	}
	if _, ok := r.Get("no-such"); ok {
		t.Error("Get(no-such) found a template")
	}
}

func TestParseRejects(t *testing.T) {
	for name, src := range map[string]string{
		"not json":     `{`,
		"no id":        `{"version":"1","title":"x","document_code":{"code":"1","scheme":"LOINC","display_name":"x"}}`,
		"bad scheme":   `{"id":"a","version":"1","title":"x","document_code":{"code":"1","scheme":"NOPE","display_name":"x"}}`,
		"bad kind":     `{"id":"a","version":"1","title":"x","document_code":{"code":"1","scheme":"LOINC","display_name":"x"},"sections":[{"kind":"NOPE"}]}`,
		"missing code": `{"id":"a","version":"1","title":"x","document_code":{"scheme":"LOINC","display_name":"x"}}`,
	} {
		if _, err := parse([]byte(src)); err == nil {
			t.Errorf("%s: parse accepted it", name)
		}
	}
}
