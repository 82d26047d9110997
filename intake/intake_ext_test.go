package intake_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/hl7v2"
	"github.com/reportgen/reportgen/intake"
	"github.com/reportgen/reportgen/outbox"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

const schemaDir = "../schemas/synced"

var (
	engineOnce sync.Once
	engine     *reportgen.Engine
	engineErr  error
)

func testEngine(t *testing.T) *reportgen.Engine {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = reportgen.New(reportgen.Config{SchemaDir: schemaDir}) })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

var mapOptions = hl7v2.MapOptions{Authorities: map[string]string{"GHH": "2.16.840.1.113883.19.5"}}

// oru is the test message with field edits: "SEG-N" → value.
func oru(t *testing.T, edits map[string]string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/oru-dictation.hl7")
	if err != nil {
		t.Fatal(err)
	}
	segs := strings.Split(strings.TrimRight(strings.ReplaceAll(string(b), "\n", "\r"), "\r"), "\r")
	for where, v := range edits {
		name, num, _ := strings.Cut(where, "-")
		n := 0
		for _, c := range num {
			n = n*10 + int(c-'0')
		}
		for i, s := range segs {
			if !strings.HasPrefix(s, name+"|") {
				continue
			}
			f := strings.Split(s, "|")
			k := n
			if name == "MSH" {
				k--
			}
			for len(f) <= k {
				f = append(f, "")
			}
			f[k] = v
			segs[i] = strings.Join(f, "|")
			break
		}
	}
	return []byte(strings.Join(segs, "\r") + "\r")
}

type harness struct {
	in   *intake.Intake
	ob   *outbox.Outbox
	dir  string
	out  string
	logs *bytes.Buffer
}

func stateful(t *testing.T, outbound bool) *harness {
	t.Helper()
	h := &harness{dir: t.TempDir(), logs: &bytes.Buffer{}}
	h.out = filepath.Join(h.dir, "out")
	d, err := outbox.NewDir(h.out)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(h.logs, nil))
	h.ob, err = outbox.Open(filepath.Join(h.dir, "outbox"), []outbox.Sink{d}, outbox.Options{Log: log, RetryMin: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	cfg := intake.Config{Engine: testEngine(t), Map: mapOptions, Outbox: h.ob, OrdersDir: filepath.Join(h.dir, "orders"), Log: log, Workers: 2}
	if outbound {
		cfg.Outbound = &intake.Outbound{PeerApplication: "EHR"}
	}
	h.in, err = intake.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.ob.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func msa(t *testing.T, ack []byte) (code, control string) {
	t.Helper()
	m, errs := hl7v2.Parse(ack, hl7v2.ParseOptions{})
	if m == nil || errs.HasErrors() || m.First("MSA") == nil {
		t.Fatalf("ACK does not parse: %v %q", errs, ack)
	}
	return m.First("MSA").Field(1).Text(), m.First("MSA").Field(2).Text()
}

func TestStatelessAccepts(t *testing.T) {
	in, err := intake.New(intake.Config{Engine: testEngine(t), Map: mapOptions})
	if err != nil {
		t.Fatal(err)
	}
	res := in.Handle(context.Background(), oru(t, nil), intake.Options{})
	if res.Code != hl7v2.AA || res.Response == nil || len(res.Response.GetDocuments()) != 2 {
		t.Fatalf("%s %v", res.Code, res.Problems)
	}
	if code, ctl := msa(t, res.Ack); code != "AA" || ctl != "MSG00001" {
		t.Errorf("MSA %s %s", code, ctl)
	}
	// The dictation was split by its headings.
	kinds := []pb.SectionKind{}
	for _, s := range res.Response.GetDictationSections() {
		kinds = append(kinds, s.GetKind())
	}
	want := []pb.SectionKind{pb.SectionKind_SECTION_KIND_TECHNIQUE, pb.SectionKind_SECTION_KIND_HISTORY, pb.SectionKind_SECTION_KIND_FINDINGS, pb.SectionKind_SECTION_KIND_IMPRESSION}
	if len(kinds) != len(want) {
		t.Fatalf("split %v", kinds)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Errorf("split %v, want %v", kinds, want)
		}
	}
	// The same message gives the same identities (uid_namespace from its key).
	again := in.Handle(context.Background(), oru(t, nil), intake.Options{})
	if again.Response.GetDocuments()[1].GetSr().GetSopInstanceUid() != res.Response.GetDocuments()[1].GetSr().GetSopInstanceUid() {
		t.Error("a resend made other identities")
	}
	if in.Stateful() || again.Duplicate {
		t.Error("a stateless intake detects duplicates")
	}
}

func TestResendGetsSameAckAndNoSecondDocument(t *testing.T) {
	h := stateful(t, false)
	first := h.in.Handle(context.Background(), oru(t, nil), intake.Options{})
	if first.Code != hl7v2.AA {
		t.Fatalf("%s %v", first.Code, first.Problems)
	}
	// Resends at once, and concurrently on several connections.
	var wg sync.WaitGroup
	var mu sync.Mutex
	acks := [][]byte{}
	for range 6 {
		wg.Go(func() {
			r := h.in.Handle(context.Background(), oru(t, nil), intake.Options{})
			mu.Lock()
			defer mu.Unlock()
			if !r.Duplicate || r.Response != nil {
				t.Errorf("resend: duplicate %v, response %v", r.Duplicate, r.Response != nil)
			}
			acks = append(acks, r.Ack)
		})
	}
	wg.Wait()
	for _, a := range acks {
		if !bytes.Equal(a, first.Ack) {
			t.Errorf("resend ACK\n%q\nfirst\n%q", a, first.Ack)
		}
	}
	h.run(t)
	deadline := time.Now().Add(10 * time.Second)
	for h.ob.Depth()["dir"] > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// After delivery the resend is still answered from the tombstone.
	late := h.in.Handle(context.Background(), oru(t, nil), intake.Options{})
	if !late.Duplicate || !bytes.Equal(late.Ack, first.Ack) {
		t.Error("resend after delivery not answered with the stored ACK")
	}
	files, _ := os.ReadDir(h.out)
	if len(files) != 2 {
		t.Errorf("%d files delivered, want one CDA and one SR", len(files))
	}
	for _, secret := range []string{"Jones", "Isabella", "MRN-902211", "ACC20261121042", "nodule", "MSG00001"} {
		if strings.Contains(h.logs.String(), secret) {
			t.Errorf("logs hold %q", secret)
		}
	}
}

func TestErrorsNameHL7Locations(t *testing.T) {
	in, err := intake.New(intake.Config{Engine: testEngine(t), Map: mapOptions})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		msg       []byte
		code      hl7v2.AckCode
		loc, rule string
	}{
		{"no MSH", []byte("PID|1||X\r"), hl7v2.AR, "MSH", "msh"},
		{"wrong version", oru(t, map[string]string{"MSH-12": "2.8"}), hl7v2.AR, "MSH-12.1", "version"},
		{"invalid escape", oru(t, map[string]string{"PID-5": `Jo\Qnes^Isabella`}), hl7v2.AE, "PID-5", "escape"},
		{"accession over 16 characters", oru(t, map[string]string{"OBR-3": "ACC20261121042-TOO-LONG^RIS^2.16.840.1.113883.19.5.99.1^ISO"}), hl7v2.AE, "OBR-3", "request"},
		{"birth date in the future", oru(t, map[string]string{"PID-7": "29990101"}), hl7v2.AE, "PID-7", "request"},
		{"study UID not a UID", oru(t, map[string]string{"OBX-5": "not-a-uid"}), hl7v2.AE, "OBX-5", "request"},
		{"correction without a known predecessor", oru(t, map[string]string{"OBR-25": "C"}), hl7v2.AE, "OBR-25", "predecessor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := in.Handle(context.Background(), tc.msg, intake.Options{})
			if res.Code != tc.code {
				t.Fatalf("code %s, want %s: %v", res.Code, tc.code, res.Problems)
			}
			if code, _ := msa(t, res.Ack); code != string(tc.code) {
				t.Errorf("MSA-1 %s", code)
			}
			found := false
			for _, p := range res.Problems.Errors() {
				found = found || p.Location.String() == tc.loc && p.Rule == tc.rule
			}
			if !found {
				t.Errorf("no %s %s in\n%s", tc.loc, tc.rule, res.Problems)
			}
			for _, secret := range []string{"Jones", "ACC2026", "29990101", "not-a-uid"} {
				if bytes.Contains(res.Ack, []byte(secret)) {
					t.Errorf("ACK repeats %q", secret)
				}
			}
		})
	}
}

// TestCorrectionFollowsTheLastReport: a correction and then an addendum of
// the same accession follow the report made before them.
func TestCorrectionFollowsTheLastReport(t *testing.T) {
	h := stateful(t, false)
	final := h.in.Handle(context.Background(), oru(t, nil), intake.Options{})
	if final.Code != hl7v2.AA {
		t.Fatalf("final: %v", final.Problems)
	}
	cda := func(r *intake.Result) *pb.CdaIdentity { return r.Response.GetDocuments()[0].GetCda() }
	corr := h.in.Handle(context.Background(), oru(t, map[string]string{"MSH-10": "MSG00002", "OBR-25": "C", "OBR-22": "20261121170000-0500"}), intake.Options{})
	if corr.Code != hl7v2.AA {
		t.Fatalf("correction: %v", corr.Problems)
	}
	if c := cda(corr); c.GetSetId() != cda(final).GetSetId() || c.GetVersionNumber() != 2 {
		t.Errorf("correction set %s v%d, final set %s", c.GetSetId(), c.GetVersionNumber(), cda(final).GetSetId())
	}
	if p := corr.Request.GetReport().GetPredecessor(); p.GetCdaDocumentId() != cda(final).GetDocumentId() ||
		p.GetSrSopInstanceUid() != final.Response.GetDocuments()[1].GetSr().GetSopInstanceUid() {
		t.Errorf("predecessor %v", p)
	}
	xml := string(corr.Response.GetDocuments()[0].GetContent())
	if !strings.Contains(xml, `typeCode="RPLC"`) || !strings.Contains(xml, cda(final).GetDocumentId()) {
		t.Error("the corrected CDA does not replace the final one")
	}
	add := h.in.Handle(context.Background(), oru(t, map[string]string{"MSH-10": "MSG00003", "OBR-25": "A", "OBR-22": "20261121180000-0500",
		"OBX-5": "2.25.81238935250787612234425351362419106101"}), intake.Options{})
	// An addendum report needs an Addendum heading; this text has none.
	if add.Code != hl7v2.AE {
		t.Fatalf("addendum without an Addendum heading: %s", add.Code)
	}
	found := false
	for _, p := range add.Problems {
		found = found || p.Location.String() == "OBX[2]-5" && strings.Contains(p.Message, "Addendum")
	}
	if !found {
		t.Errorf("addendum problems %s", add.Problems)
	}
	msg := append(oru(t, map[string]string{"MSH-10": "MSG00004", "OBR-25": "A", "OBR-22": "20261121180000-0500"}),
		[]byte("OBX|12|TX|18782-3^Radiology Study observation^LN|1|ADDENDUM: On review the nodule measures 13 mm.||||||F\r")...)
	add = h.in.Handle(context.Background(), msg, intake.Options{})
	if add.Code != hl7v2.AA {
		t.Fatalf("addendum: %v", add.Problems)
	}
	if p := add.Request.GetReport().GetPredecessor(); p.GetCdaDocumentId() != cda(corr).GetDocumentId() {
		t.Errorf("the addendum follows %s, not the correction %s", p.GetCdaDocumentId(), cda(corr).GetDocumentId())
	}
	if !strings.Contains(string(add.Response.GetDocuments()[0].GetContent()), `typeCode="APND"`) {
		t.Error("the addendum CDA does not append to the correction")
	}
}

func TestStatelessCorrectionWithPredecessor(t *testing.T) {
	in, _ := intake.New(intake.Config{Engine: testEngine(t), Map: mapOptions})
	p := &pb.PredecessorDocument{CdaDocumentId: "2.25.1", CdaVersionNumber: 1, SrSeriesInstanceUid: "2.25.2", SrSopInstanceUid: "2.25.3"}
	res := in.Handle(context.Background(), oru(t, map[string]string{"OBR-25": "C"}), intake.Options{Predecessor: p})
	if res.Code != hl7v2.AA {
		t.Fatalf("%v", res.Problems)
	}
	if v := res.Response.GetDocuments()[0].GetCda().GetVersionNumber(); v != 2 {
		t.Errorf("version %d", v)
	}
}

// TestStoreFailureIsAR: when the outbox cannot store the message the
// sender is told to send it again, and the order index is put back.
func TestStoreFailureIsAR(t *testing.T) {
	h := stateful(t, false)
	msg := oru(t, nil)
	m, _ := hl7v2.Parse(msg, hl7v2.ParseOptions{})
	id := hl7v2.KeyOf(m).ID()
	// A file where the record's shard folder must go.
	if err := os.WriteFile(filepath.Join(h.dir, "outbox", id[:2]), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := h.in.Handle(context.Background(), msg, intake.Options{})
	if res.Code != hl7v2.AR || res.Response != nil {
		t.Fatalf("code %s", res.Code)
	}
	if res.Problems[0].Rule != "retry" {
		t.Errorf("problems %s", res.Problems)
	}
	corr := h.in.Handle(context.Background(), oru(t, map[string]string{"MSH-10": "MSG00002", "OBR-25": "C"}), intake.Options{})
	if corr.Code != hl7v2.AE || corr.Problems[0].Rule != "predecessor" {
		t.Errorf("the failed message left a predecessor behind: %s %s", corr.Code, corr.Problems)
	}
	os.Remove(filepath.Join(h.dir, "outbox", id[:2]))
	if again := h.in.Handle(context.Background(), msg, intake.Options{}); again.Code != hl7v2.AA || again.Duplicate {
		t.Errorf("after the failure: %s duplicate %v", again.Code, again.Duplicate)
	}
}

func TestOutboundPayload(t *testing.T) {
	h := stateful(t, true)
	res := h.in.Handle(context.Background(), oru(t, nil), intake.Options{})
	if res.Code != hl7v2.AA {
		t.Fatalf("%v", res.Problems)
	}
	// The outbound ORU is in the pending record.
	matches, _ := filepath.Glob(filepath.Join(h.dir, "outbox", res.ID[:2], res.ID+".json"))
	if len(matches) != 1 {
		t.Fatal("no pending record")
	}
	raw, _ := os.ReadFile(matches[0])
	if !bytes.Contains(raw, []byte(`"oru"`)) {
		t.Fatal("no outbound message in the record")
	}
	// Build it again the way the intake did and check what a peer reads.
	m, _ := hl7v2.Parse(oru(t, nil), hl7v2.ParseOptions{})
	sec := hl7v2.ReportSections(res.Request, res.Response)
	out := hl7v2.BuildORU(hl7v2.Outbound{Source: m, ControlID: "RG1", Sections: sec, CDA: res.Response.GetDocuments()[0].GetContent(), SR: res.Response.GetDocuments()[1].GetSr()})
	back, errs := hl7v2.Parse(out, hl7v2.ParseOptions{})
	if errs.HasErrors() {
		t.Fatal(errs)
	}
	var ed string
	for _, obx := range back.All("OBX") {
		if obx.Field(2).Text() == "ED" {
			ed = obx.Field(5).Component(5).Text()
		}
	}
	cda, err := base64.StdEncoding.DecodeString(ed)
	if err != nil || !bytes.Equal(cda, res.Response.GetDocuments()[0].GetContent()) {
		t.Errorf("ED does not hold the CDA (%v)", err)
	}
}

func TestRejectOversized(t *testing.T) {
	in, _ := intake.New(intake.Config{Engine: testEngine(t), Map: mapOptions})
	head := oru(t, nil)[:200]
	ack := in.Reject(head, errTooLarge{})
	code, ctl := msa(t, ack)
	if code != "AR" || ctl != "MSG00001" || !bytes.Contains(ack, []byte("message-size")) {
		t.Errorf("%s %s %q", code, ctl, ack)
	}
}

type errTooLarge struct{}

func (errTooLarge) Error() string { return "mllp: message larger than 2097152 bytes" }
