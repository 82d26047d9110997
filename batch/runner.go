package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// ResultsName is the results file's name in the output folder, unless
// Config.Results says otherwise.
const ResultsName = "results.jsonl"

// Config configures Run.
type Config struct {
	// In is the input: a JSONL file or a folder of *.json files.
	In string
	// Out is the output folder; it is created if missing.
	Out string
	// Results is the results file; empty means Out/results.jsonl.
	Results string
	// Renderer renders the requests (Local or Remote).
	Renderer Renderer
	// UIDNamespace is set on every request that carries no uid_namespace,
	// so a rerun gives the same identities and the same bytes.
	UIDNamespace string
	// SRHeadingCodes is set on every request that does not choose.
	SRHeadingCodes pb.SrHeadingCodes
	// TemplateRulesAsWarnings sets template_rules TEMPLATE_RULES_WARN on
	// every request that does not choose: a regeneration of signed
	// archives renders reports that break a template rule, and each
	// document lists the relaxed rules as warnings.
	TemplateRulesAsWarnings bool
	// Progress receives the counts as the batch goes; nil shows nothing.
	Progress *Progress
	// FlushLines and FlushInterval group result lines: a group is written
	// and synced when it has FlushLines lines or is FlushInterval old.
	// Zero means 256 lines, 200 ms.
	FlushLines    int
	FlushInterval time.Duration
	// Writers is how many documents are written at once; 0 means 4 per
	// core (writing is mostly waiting for fsync).
	Writers int
	// Shard, when its Count is above 1, limits the run to every
	// Count-th input starting at Index; Out must then be the shard's own
	// folder (ShardDir).
	Shard Shard
}

// Counts counts outcomes.
type Counts struct {
	OK, Invalid, Failed int
}

// Total returns the number of outcomes.
func (c Counts) Total() int { return c.OK + c.Invalid + c.Failed }

func (c *Counts) add(s Status) {
	switch s {
	case StatusOK:
		c.OK++
	case StatusInvalid:
		c.Invalid++
	default:
		c.Failed++
	}
}

// Summary is what a run did.
type Summary struct {
	// Before counts the inputs recorded by earlier runs (skipped now).
	Before Counts
	// Now counts the inputs recorded by this run.
	Now Counts
	// Results is the results file's path.
	Results string
	// Elapsed is the run's wall time.
	Elapsed time.Duration
}

// All counts every input recorded in the results file.
func (s Summary) All() Counts {
	return Counts{OK: s.Before.OK + s.Now.OK, Invalid: s.Before.Invalid + s.Now.Invalid, Failed: s.Before.Failed + s.Now.Failed}
}

// Run runs a batch: every input not yet in the results file is read,
// rendered, written and recorded. It returns an error when it could not
// finish (input unreadable, output not writable, no server); whatever was
// recorded stays recorded, and a rerun with the same Config does the rest.
// Invalid inputs and failed requests are not errors: they are recorded.
func Run(ctx context.Context, cfg Config) (Summary, error) {
	start := time.Now()
	sum := Summary{Results: cfg.Results}
	if sum.Results == "" {
		sum.Results = filepath.Join(cfg.Out, ResultsName)
	}
	if cfg.Renderer == nil {
		return sum, errors.New("batch: no renderer")
	}
	if err := cfg.Shard.check(); err != nil {
		return sum, err
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return sum, fmt.Errorf("batch: output folder: %w", err)
	}
	lock, err := lockDir(cfg.Out)
	if err != nil {
		return sum, err
	}
	defer lock.Close()
	if err := claimShard(cfg.Out, cfg.Shard); err != nil {
		return sum, err
	}
	if err := removeTemps(cfg.Out); err != nil {
		return sum, err
	}
	log, prior, err := OpenResults(sum.Results)
	if err != nil {
		return sum, err
	}
	if err := syncDir(filepath.Dir(sum.Results)); err != nil {
		log.Close()
		return sum, err
	}
	done := make(map[string]struct{}, len(prior))
	names := newNamer()
	for i := range prior {
		done[prior[i].Key()] = struct{}{}
		names.reserve(prior[i].Name)
		sum.Before.add(prior[i].Status)
	}
	prior = nil
	src, err := Open(cfg.In)
	if err != nil {
		log.Close()
		return sum, err
	}
	defer src.Close()

	prog := cfg.Progress
	if prog == nil {
		prog = &Progress{}
	}
	prog.begin(sum.Before.Total())
	go func() {
		// The total only feeds the estimate; a failure leaves it unknown.
		if n, err := Count(cfg.In); err == nil {
			prog.setTotal(cfg.Shard.size(n))
		}
	}()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	d := &dispatcher{cfg: &cfg, src: src, done: done, names: names, prog: prog}
	jobs := make(chan *Job, 16)
	outcomes := make(chan *Outcome, 64)
	records := make(chan *Record, 256)

	renderDone := make(chan struct{})
	go func() {
		defer close(renderDone)
		if err := cfg.Renderer.Render(ctx, jobs, outcomes); err != nil {
			cancel(err)
		}
	}()
	dispatchDone := make(chan struct{})
	go func() {
		defer close(dispatchDone)
		defer close(jobs)
		if err := d.run(ctx, jobs, records); err != nil {
			cancel(err)
		}
	}()
	writers := cfg.Writers
	if writers <= 0 {
		writers = 4 * runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for o := range outcomes {
				rec, err := writeOutcome(cfg.Out, o)
				if err != nil {
					cancel(err) // keep draining: unrecorded inputs are redone
					continue
				}
				records <- rec
			}
		})
	}
	go func() {
		<-dispatchDone
		<-renderDone
		close(outcomes)
		wg.Wait()
		close(records)
	}()

	if err := appendRecords(log, cfg, records, prog, &sum.Now); err != nil {
		cancel(err)
	}
	cerr := log.Close()
	prog.finish()
	sum.Elapsed = time.Since(start)
	if err := context.Cause(ctx); err != nil {
		return sum, err
	}
	return sum, cerr
}

// appendRecords appends records in groups, syncing the output folder
// before each group so no record names a file a crash could still undo.
// After an error it keeps draining records without writing them.
func appendRecords(log *ResultsLog, cfg Config, records <-chan *Record, prog *Progress, now *Counts) error {
	lines, every := cfg.FlushLines, cfg.FlushInterval
	if lines <= 0 {
		lines = 256
	}
	if every <= 0 {
		every = 200 * time.Millisecond
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	var err error
	flush := func() {
		if err != nil || log.Pending() == 0 {
			return
		}
		if err = syncDir(cfg.Out); err == nil {
			err = log.Flush()
		}
	}
	for {
		select {
		case r, ok := <-records:
			if !ok {
				flush()
				return err
			}
			if err != nil {
				continue
			}
			if err = log.Append(r); err != nil {
				continue
			}
			now.add(r.Status)
			prog.record(r.Status)
			if log.Pending() >= lines {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// dispatcher reads inputs in order, decides their names and hands them to
// the renderer; unreadable inputs go straight to the results.
type dispatcher struct {
	cfg   *Config
	src   Source
	done  map[string]struct{}
	names *namer
	prog  *Progress
}

func (d *dispatcher) run(ctx context.Context, jobs chan<- *Job, records chan<- *Record) error {
	want := func(in *Input) bool {
		_, done := d.done[in.Key()]
		return !done && d.cfg.Shard.Has(in.Ord)
	}
	for ctx.Err() == nil {
		in, err := d.src.Next(want)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if !d.cfg.Shard.Has(in.Ord) {
			continue // another shard's
		}
		if !want(in) {
			d.prog.skip()
			continue
		}
		j, rec := d.job(in)
		if rec != nil {
			records <- rec
			continue
		}
		select {
		case jobs <- j:
		case <-ctx.Done():
		}
	}
	return nil
}

// job parses an input into a job, or returns its invalid record.
func (d *dispatcher) job(in *Input) (*Job, *Record) {
	if in.Err != nil {
		return nil, &Record{Line: in.Line, File: in.File, Status: StatusInvalid, Code: codeName(codes.InvalidArgument),
			Message: "unreadable input", Violations: []issue.Violation{{Field: "(input)", RuleID: RuleUnreadable, Description: in.Err.Error()}}}
	}
	req := &pb.GenerateReportRequest{}
	raw := in.Raw
	err := protojson.Unmarshal(raw, req)
	in.Raw = nil
	if err != nil {
		return nil, &Record{Line: in.Line, File: in.File, Status: StatusInvalid, Code: codeName(codes.InvalidArgument),
			Message: "not a GenerateReportRequest in protojson", Violations: []issue.Violation{jsonViolation(err, raw)}}
	}
	if req.GetUidNamespace() == "" {
		req.UidNamespace = d.cfg.UIDNamespace
	}
	if req.GetSrHeadingCodes() == pb.SrHeadingCodes_SR_HEADING_CODES_UNSPECIFIED {
		req.SrHeadingCodes = d.cfg.SRHeadingCodes
	}
	if d.cfg.TemplateRulesAsWarnings && req.GetTemplateRules() == pb.TemplateRules_TEMPLATE_RULES_UNSPECIFIED {
		req.TemplateRules = pb.TemplateRules_TEMPLATE_RULES_WARN
	}
	return &Job{Input: in, Name: d.names.assign(in, req.GetRequestId()), RequestID: req.GetRequestId(), Request: req}, nil
}

// jsonViolation is the violation of an input protojson cannot decode;
// it names the position, never the input's values.
func jsonViolation(err error, raw []byte) issue.Violation {
	return issue.Violation{Field: "(json)", RuleID: RuleJSON, Description: reportgen.DescribeJSONError(err, raw)}
}

// writeOutcome writes an outcome's documents and returns its record. An
// error means the outputs could not be written: the batch stops and the
// input stays undone.
func writeOutcome(dir string, o *Outcome) (*Record, error) {
	j := o.Job
	rec := &Record{Line: j.Input.Line, File: j.Input.File, RequestID: j.RequestID, Name: j.Name}
	if f := o.Failure; f != nil {
		c := codeOf(f.GetCode())
		rec.Status, rec.Code, rec.Message = StatusFailed, codeName(c), f.GetMessage()
		if c == codes.InvalidArgument {
			rec.Status = StatusInvalid
		}
		if len(f.GetFieldViolations()) > 0 {
			rec.Violations = reportgen.ViolationsFromProto(f.GetFieldViolations())
		}
		rec.Issues = appendIssues(rec.Issues, "", f.GetIssues())
		return rec, nil
	}
	for _, doc := range o.Response.GetDocuments() {
		var suffix, kind string
		switch doc.GetKind() {
		case pb.DocumentKind_DOCUMENT_KIND_CDA:
			suffix, kind = SuffixCDA, "cda"
		case pb.DocumentKind_DOCUMENT_KIND_SR:
			suffix, kind = SuffixSR, "sr"
		default:
			continue
		}
		if err := writeAtomic(dir, j.Name+suffix, doc.GetContent()); err != nil {
			return nil, fmt.Errorf("batch: %s: %s document: %w", j.Input.Where(), kind, err)
		}
		rec.Outputs = append(rec.Outputs, j.Name+suffix)
		rec.Issues = appendIssues(rec.Issues, kind, doc.GetIssues())
	}
	rec.Status = StatusOK
	if len(rec.Outputs) == 0 {
		rec.Status, rec.Code, rec.Message = StatusFailed, codeName(codes.Internal), "the response holds no document"
	}
	return rec, nil
}

func appendIssues(dst []Issue, doc string, src []*pb.Issue) []Issue {
	for _, i := range src {
		sev := strings.ToLower(strings.TrimPrefix(i.GetSeverity().String(), "SEVERITY_"))
		dst = append(dst, Issue{Document: doc, Severity: sev, Rule: i.GetRuleId(), Location: i.GetLocation(), Message: i.GetMessage()})
	}
	return dst
}
