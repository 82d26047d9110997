package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/batch"
	"github.com/reportgen/reportgen/hl7v2"
	"github.com/reportgen/reportgen/outbox"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// Config configures an Intake.
type Config struct {
	// Engine renders and validates. Required.
	Engine *reportgen.Engine
	// Map are the mapping's deployment facts; Parse the parser's options.
	Map   hl7v2.MapOptions
	Parse hl7v2.ParseOptions
	// Outbox, when set, stores each accepted message and its deliveries
	// durably before the AA, and answers resends from it. Without it the
	// intake keeps nothing: documents are only returned (RPC, CLI).
	Outbox *outbox.Outbox
	// OrdersDir is the folder of the order index (required with Outbox).
	OrdersDir string
	// Outbound, when set, makes the ORU^R01 for a downstream peer (the
	// outbox's "oru" payload).
	Outbound *Outbound
	// Application and Facility name this service in ACKs (when the message
	// names no receiver) and in outbound messages.
	Application, Facility string
	// Workers bounds the messages rendered at once (0: no bound).
	Workers int
	// Log receives one line per message: record id, ACK code, duration,
	// the first problem's location and rule — never values.
	Log *slog.Logger
	// Registerer, when set, gets the intake's metrics.
	Registerer prometheus.Registerer
	// Now returns the time; nil uses time.Now.
	Now func() time.Time
}

// Outbound names the downstream peer in outbound messages (MSH-5, MSH-6).
type Outbound struct {
	PeerApplication, PeerFacility string
}

// Intake handles messages. It is safe for concurrent use.
type Intake struct {
	cfg    Config
	orders *orders
	work   chan struct{}
	m      *metrics

	mu       sync.Mutex
	inflight map[string]chan struct{}
}

// New returns an intake.
func New(cfg Config) (*Intake, error) {
	if cfg.Engine == nil {
		return nil, errors.New("intake: an engine is required")
	}
	if err := cfg.Map.Check(); err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	if cfg.Outbox != nil && cfg.OrdersDir == "" {
		return nil, errors.New("intake: an order index folder is required with an outbox")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Application == "" {
		cfg.Application = "REPORTGEN"
	}
	in := &Intake{cfg: cfg, inflight: map[string]chan struct{}{}, m: newMetrics()}
	if cfg.OrdersDir != "" {
		in.orders = &orders{dir: cfg.OrdersDir}
	}
	if cfg.Workers > 0 {
		in.work = make(chan struct{}, cfg.Workers)
	}
	if cfg.Registerer != nil {
		if err := in.m.register(cfg.Registerer); err != nil {
			return nil, fmt.Errorf("intake: metrics: %w", err)
		}
	}
	return in, nil
}

// Stateful reports whether the intake stores messages (an outbox).
func (in *Intake) Stateful() bool { return in.cfg.Outbox != nil }

// Result is the outcome of one message.
type Result struct {
	// Code is the ACK's MSA-1; Ack the ACK message.
	Code hl7v2.AckCode
	Ack  []byte
	// Problems are the errors and warnings the ACK reports.
	Problems hl7v2.Errors
	// Request is the request the message was mapped to (nil when it could
	// not be mapped); Response the documents (nil unless made now: a
	// resend answered from the outbox has none).
	Request  *pb.GenerateReportRequest
	Response *pb.GenerateReportResponse
	// Duplicate says the message had been accepted before: Ack is the
	// stored one and nothing was made.
	Duplicate bool
	// ID identifies the message in logs and the outbox.
	ID string
}

// Options adjust one Handle call.
type Options struct {
	// Predecessor, when set, is the report a correction or addendum
	// follows, instead of the one the order index knows.
	Predecessor *pb.PredecessorDocument
}

// ServeMLLP implements mllp.Handler.
func (in *Intake) ServeMLLP(ctx context.Context, msg []byte) []byte {
	return in.Handle(ctx, msg, Options{}).Ack
}

// Handle processes one message and returns its ACK.
func (in *Intake) Handle(ctx context.Context, raw []byte, opt Options) *Result {
	start := in.cfg.Now()
	res := in.handle(ctx, raw, opt, start)
	in.m.observe(res, in.cfg.Now().Sub(start))
	attrs := []any{"record", res.ID, "ack", string(res.Code), "duration_ms", float64(in.cfg.Now().Sub(start).Microseconds()) / 1000}
	if res.Duplicate {
		attrs = append(attrs, "duplicate", true)
	}
	if errs := res.Problems.Errors(); len(errs) > 0 {
		attrs = append(attrs, "errors", len(errs), "first", errs[0].Location.String()+" "+errs[0].Rule)
	}
	if w := res.Problems.Warnings(); len(w) > 0 {
		attrs = append(attrs, "warnings", len(w))
	}
	in.cfg.Log.Info("hl7 message", attrs...)
	return res
}

func (in *Intake) ackOpts(now time.Time, id string) hl7v2.AckOptions {
	ctl := "ACK"
	if id != "" {
		// The ACK's own control id is derived from the message's, so a
		// message answered twice gets the same ACK either way.
		ctl = "A" + id[:19]
	}
	return hl7v2.AckOptions{Now: now, ControlID: ctl, Application: in.cfg.Application, Facility: in.cfg.Facility}
}

func (in *Intake) answer(m *hl7v2.Message, res *Result, now time.Time, code hl7v2.AckCode) *Result {
	o := in.ackOpts(now, res.ID)
	o.Code = code
	res.Code, res.Ack = hl7v2.Ack(m, res.Problems, o)
	return res
}

// retry is the AR of a failure of this service, not of the message: the
// sender should send it again.
func retry(loc hl7v2.Location, msg string) hl7v2.Errors {
	return hl7v2.Errors{{Location: loc, Code: hl7v2.CodeInternal, Severity: hl7v2.SeverityError, Rule: "retry", Message: msg, Reject: true}}
}

func (in *Intake) handle(ctx context.Context, raw []byte, opt Options, now time.Time) *Result {
	res := &Result{}
	m, perrs := hl7v2.Parse(raw, in.cfg.Parse)
	if m == nil || perrs.HasErrors() {
		res.Problems = perrs
		if m != nil {
			res.ID = hl7v2.KeyOf(m).ID()
		}
		return in.answer(m, res, now, "")
	}
	key := hl7v2.KeyOf(m)
	res.ID = key.ID()
	if in.cfg.Outbox != nil && key.ControlID != "" {
		release := in.lock(res.ID)
		defer release()
		ack, ok, err := in.cfg.Outbox.Lookup(res.ID)
		if err != nil {
			in.cfg.Log.Error("outbox lookup failed", "record", res.ID, "err", err.Error())
			res.Problems = retry(hl7v2.Location{Segment: "MSH", Field: 10}, "the message could not be checked against those accepted before; send it again")
			return in.answer(m, res, now, hl7v2.AR)
		}
		if ok {
			res.Duplicate, res.Ack, res.Code = true, ack, ackCodeOf(ack)
			return res
		}
	}
	mp, errs := hl7v2.MapORU(m, in.cfg.Map)
	res.Problems = append(perrs, errs...)
	if mp == nil {
		return in.answer(m, res, now, "")
	}
	req := mp.Request
	res.Request = req
	st := req.GetReport().GetStatus()
	if st == pb.ReportStatus_REPORT_STATUS_CORRECTED || st == pb.ReportStatus_REPORT_STATUS_ADDENDUM {
		if err := in.predecessor(req, mp, opt); err != nil {
			res.Problems = append(res.Problems, err...)
			return in.answer(m, res, now, "")
		}
	}
	if in.work != nil {
		select {
		case in.work <- struct{}{}:
			defer func() { <-in.work }()
		case <-ctx.Done():
			res.Problems = retry(hl7v2.Location{Segment: "MSH"}, "the service is shutting down or busy; send the message again")
			return in.answer(m, res, now, hl7v2.AR)
		}
	}
	resp, err := in.cfg.Engine.Generate(ctx, req)
	if err != nil {
		res.Problems = append(res.Problems, in.engineProblems(mp, err, res.ID)...)
		return in.answer(m, res, now, "")
	}
	res.Response = resp
	in.answer(m, res, now, hl7v2.AA)
	if in.cfg.Outbox == nil {
		return res
	}
	if perr := in.store(m, mp, resp, res); perr != nil {
		res.Response = nil
		res.Problems = perr
		return in.answer(m, res, now, hl7v2.AR)
	}
	return res
}

// lock serialises the handling of one message id, so that two copies
// sent at once on two connections make one document.
func (in *Intake) lock(id string) func() {
	for {
		in.mu.Lock()
		ch, busy := in.inflight[id]
		if !busy {
			ch = make(chan struct{})
			in.inflight[id] = ch
			in.mu.Unlock()
			return func() {
				in.mu.Lock()
				delete(in.inflight, id)
				in.mu.Unlock()
				close(ch)
			}
		}
		in.mu.Unlock()
		<-ch
	}
}

func ackCodeOf(ack []byte) hl7v2.AckCode {
	m, _ := hl7v2.Parse(ack, hl7v2.ParseOptions{})
	if m != nil {
		if msa := m.First("MSA"); msa != nil {
			return hl7v2.AckCode(msa.Field(1).Text())
		}
	}
	return ""
}

// predecessor fills in the report a correction or addendum follows.
func (in *Intake) predecessor(req *pb.GenerateReportRequest, mp *hl7v2.Mapped, opt Options) hl7v2.Errors {
	loc := hl7v2.Location{Segment: "OBR", Field: 25}
	if opt.Predecessor != nil {
		req.Report.Predecessor = proto.Clone(opt.Predecessor).(*pb.PredecessorDocument)
		return nil
	}
	if in.orders == nil || mp.OrderKey == "" {
		return hl7v2.Errors{{Location: loc, Code: hl7v2.CodeRequiredField, Severity: hl7v2.SeverityError, Rule: "predecessor",
			Message: "a correction or addendum needs the report it follows: none is known here for this order (accession or order number)"}}
	}
	p, ok, err := in.orders.get(mp.OrderKey)
	if err != nil {
		in.cfg.Log.Error("order index lookup failed", "err", err.Error())
		return retry(loc, "the report this one follows could not be looked up; send the message again")
	}
	if !ok {
		return hl7v2.Errors{{Location: loc, Code: hl7v2.CodeUnknownKey, Severity: hl7v2.SeverityError, Rule: "predecessor",
			Message: "a correction or addendum needs the report it follows: no report was made here for this order"}}
	}
	req.Report.Predecessor = p
	return nil
}

// engineProblems turns an engine error into ACK problems.
func (in *Intake) engineProblems(mp *hl7v2.Mapped, err error, id string) hl7v2.Errors {
	var ire *reportgen.InvalidRequestError
	var ide *reportgen.InvalidDocumentError
	switch {
	case errors.As(err, &ire):
		var out hl7v2.Errors
		for _, v := range ire.Violations {
			code := hl7v2.CodeDataType
			if strings.Contains(v.Description, "required") {
				code = hl7v2.CodeRequiredField
			}
			out = append(out, &hl7v2.Error{Location: mp.Locate(v.Field), Code: code, Severity: hl7v2.SeverityError,
				Rule: "request", Message: v.Field + ": " + v.Description})
		}
		return out
	case errors.As(err, &ide):
		first := ""
		if e := ide.Issues.Errors(); len(e) > 0 {
			first = ", first " + e[0].RuleID
		}
		in.cfg.Log.Error("generated document failed validation", "record", id, "kind", ide.Kind.String(), "errors", len(ide.Issues.Errors()))
		return hl7v2.Errors{{Location: hl7v2.Location{Segment: "OBR"}, Code: hl7v2.CodeInternal, Severity: hl7v2.SeverityError,
			Rule: "document-validation", Message: fmt.Sprintf("the generated %s failed validation (%d errors%s)", kindWord(ide.Kind), len(ide.Issues.Errors()), first)}}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return retry(hl7v2.Location{Segment: "MSH"}, "the service is shutting down; send the message again")
	}
	in.cfg.Log.Error("engine failed", "record", id, "err", err.Error())
	return retry(hl7v2.Location{Segment: "MSH"}, "internal error; send the message again")
}

func kindWord(k pb.DocumentKind) string {
	if k == pb.DocumentKind_DOCUMENT_KIND_SR {
		return "SR"
	}
	return "CDA"
}

// store records the order's new report and adds the message to the
// outbox; an error means nothing was stored.
func (in *Intake) store(m *hl7v2.Message, mp *hl7v2.Mapped, resp *pb.GenerateReportResponse, res *Result) hl7v2.Errors {
	now := in.cfg.Now()
	rec := &outbox.Record{ID: res.ID, Received: now, Ack: res.Ack, OrderKey: mp.OrderKey, Payloads: map[string][]byte{}}
	rec.Name = "msg-" + res.ID
	if batch.SafeName(mp.Key.ControlID) {
		rec.Name = mp.Key.ControlID
	}
	var sr *pb.SrIdentity
	var cda []byte
	for _, d := range resp.GetDocuments() {
		switch d.GetKind() {
		case pb.DocumentKind_DOCUMENT_KIND_CDA:
			rec.Payloads[outbox.PayloadCDA], cda = d.GetContent(), d.GetContent()
		case pb.DocumentKind_DOCUMENT_KIND_SR:
			rec.Payloads[outbox.PayloadSR], sr = d.GetContent(), d.GetSr()
		}
	}
	if o := in.cfg.Outbound; o != nil {
		rec.Payloads[outbox.PayloadORU] = hl7v2.BuildORU(hl7v2.Outbound{
			Source: m, Application: in.cfg.Application, Facility: in.cfg.Facility,
			PeerApplication: o.PeerApplication, PeerFacility: o.PeerFacility,
			// The same message gives the same control id, so the peer can
			// drop a redelivery.
			ControlID: "RG" + res.ID[:18], Now: now,
			Sections: hl7v2.ReportSections(res.Request, resp), CDA: cda, SR: sr,
		})
	}
	// The order index first: if the outbox write then fails, it is put
	// back; if the process dies in between, the sender, without an ACK,
	// sends again and the same identities are made.
	undo := func() {}
	if mp.OrderKey != "" {
		u, err := in.orders.put(mp.OrderKey, predecessorOf(resp))
		if err != nil {
			in.cfg.Log.Error("order index write failed", "record", res.ID, "err", err.Error())
			return retry(hl7v2.Location{Segment: "MSH"}, "the message could not be stored; send it again")
		}
		undo = u
	}
	if err := in.cfg.Outbox.Add(rec); err != nil {
		if errors.Is(err, outbox.ErrDuplicate) {
			// Cannot happen under the id lock; answer as a resend would be.
			if ack, ok, _ := in.cfg.Outbox.Lookup(res.ID); ok {
				res.Duplicate, res.Ack, res.Code = true, ack, ackCodeOf(ack)
				return nil
			}
		}
		undo()
		in.cfg.Log.Error("outbox write failed", "record", res.ID, "err", err.Error())
		return retry(hl7v2.Location{Segment: "MSH"}, "the message could not be stored; send it again")
	}
	return nil
}

// Reject answers a frame too large to read: AR with the size rule,
// echoing the header when its start holds one.
func (in *Intake) Reject(head []byte, err error) []byte {
	m, _ := hl7v2.Parse(head, in.cfg.Parse)
	id := ""
	if m != nil {
		id = hl7v2.KeyOf(m).ID()
	}
	probs := hl7v2.Errors{{Location: hl7v2.Location{Segment: "MSH"}, Code: hl7v2.CodeInternal, Severity: hl7v2.SeverityError,
		Rule: "message-size", Message: strings.TrimPrefix(err.Error(), "mllp: "), Reject: true}}
	now := in.cfg.Now()
	_, ack := hl7v2.Ack(m, probs, in.ackOpts(now, id))
	in.m.observe(&Result{Code: hl7v2.AR}, 0)
	in.cfg.Log.Info("hl7 message", "record", id, "ack", "AR", "first", "MSH message-size")
	return ack
}
