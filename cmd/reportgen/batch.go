package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"
	"google.golang.org/grpc"

	"github.com/reportgen/reportgen"
	rgbatch "github.com/reportgen/reportgen/batch"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

const batchUsage = `usage: reportgen batch --in FILE.jsonl|DIR --out DIR [flags]
       reportgen batch verify --in FILE.jsonl|DIR --out DIR

Renders every GenerateReportRequest (protojson: one per line of a .jsonl
file, or one per *.json file of a folder) to DIR/<name>.cda.xml and
DIR/<name>.sr.dcm, and records one line per input in DIR/results.jsonl.
Killed or interrupted, rerun it with the same arguments: it skips what is
recorded and does the rest.

Split over M processes or pods (a Kubernetes Indexed Job), each run with
--shard-count M and its own --shard-index N (default $JOB_COMPLETION_INDEX)
takes inputs N, N+M, N+2M, ... and writes to DIR/shard-N-of-M; then
"reportgen batch verify --in ... --out DIR" proves the shards together
account for every input exactly once.

<name> is the request_id when it is a safe file name (letters, digits, '.',
'_', '-'; starting with a letter or digit; at most 100 bytes), else
"line-N" (JSONL) or the request file's name; a name already taken by an
earlier input gets "--N" appended, N being the input's line or rank.

Flags:
`

// batch regenerates many reports; see batchUsage.
func batch(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "verify" {
		return batchVerify(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("batch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "input: a .jsonl file (one request per line) or a folder of *.json request files (required)")
	out := fs.String("out", "", "output folder (required)")
	results := fs.String("results", "", "results file (default OUT/results.jsonl)")
	servers := fs.String("server", "", "render on servers instead of in-process: host:port[,host:port...] or a gRPC target such as dns:///name:port (round robin)")
	workers := fs.Int("workers", 0, "in-process: requests rendered at once (default: one per core)")
	streams := fs.Int("streams", 0, "with --server: GenerateReports streams open at once (default: 2 per listed server, 4 for a target)")
	window := fs.Int("window", rgbatch.DefaultWindow, "with --server: unanswered requests per stream")
	useTLS := fs.Bool("tls", false, "with --server: connect with TLS, checking the servers' certificates against the system roots (or --tls-ca)")
	tlsCA := fs.String("tls-ca", "", "with --server: PEM bundle of the CA that signed the servers' certificates (implies --tls)")
	tlsCert := fs.String("tls-cert", "", "with --server: client certificate (PEM) for servers that require mutual TLS (implies --tls)")
	tlsKey := fs.String("tls-key", "", "with --server: the client certificate's key (PEM)")
	tokenFile := fs.String("token-file", "", "with --server: file holding the bearer token the servers require")
	ns := fs.String("uid-namespace", "", "derive document ids and UIDs from this namespace and each report, so reruns give identical files")
	heading := fs.String("sr-heading-codes", "", "SR section heading codes for requests that do not choose: loinc or dcm")
	relax := fs.Bool("template-rules-as-warnings", false, "regeneration of signed archives: render reports that break a template rule (e.g. a required Impression) and list each relaxed rule as a warning, for requests that do not choose (template_rules)")
	progress := fs.String("progress", "auto", "progress display: auto (a bar on a terminal, else lines), bar, lines or none")
	every := fs.Duration("progress-every", 10*time.Second, "time between progress lines when not drawing a bar")
	invalidExit := fs.Int("invalid-exit-code", exitInvalid, "exit status when every input is recorded but some are invalid or failed (an Indexed Job sets 0: the shard is done, its results say which)")
	shardOf := shardFlags(fs)
	cfg := engineFlags(fs)
	warnUnused := hideTransformFlags(fs, batchUsage, stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	warnUnused()
	// One line that says what is missing; -h has the rest.
	var missing []string
	if *in == "" {
		missing = append(missing, "--in FILE.jsonl|DIR (the requests)")
	}
	if *out == "" {
		missing = append(missing, "--out DIR (the output folder)")
	}
	switch {
	case len(missing) > 0:
		fmt.Fprintf(stderr, "reportgen batch: missing %s; reportgen batch -h lists every flag\n", strings.Join(missing, " and "))
		return exitUsage
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "reportgen batch: unexpected argument %q: inputs are given with --in; reportgen batch -h lists every flag\n", fs.Arg(0))
		return exitUsage
	}
	if *invalidExit < 0 || *invalidExit > 125 {
		fmt.Fprintln(stderr, "reportgen batch: --invalid-exit-code must be 0 to 125")
		return exitUsage
	}
	if err := checkRanges(
		intRange{"--workers", *workers, 0, rgbatch.MaxWorkers},
		intRange{"--streams", *streams, 0, rgbatch.MaxStreams},
		intRange{"--window", *window, 1, rgbatch.MaxWindow},
	); err != nil {
		fmt.Fprintf(stderr, "reportgen batch: %v\n", strings.ReplaceAll(err.Error(), "\n", "; "))
		return exitUsage
	}
	if *every <= 0 {
		fmt.Fprintf(stderr, "reportgen batch: --progress-every %v: it must be longer than 0\n", *every)
		return exitUsage
	}
	shard, err := shardOf()
	if err != nil {
		fmt.Fprintf(stderr, "reportgen batch: %v\n", err)
		return exitUsage
	}
	if shard.Sharded() && *results != "" {
		fmt.Fprintln(stderr, "reportgen batch: --results cannot be used with --shard-count: each shard keeps its results in its own folder")
		return exitUsage
	}
	var codes pb.SrHeadingCodes
	switch *heading {
	case "":
	case "loinc":
		codes = pb.SrHeadingCodes_SR_HEADING_CODES_LOINC
	case "dcm":
		codes = pb.SrHeadingCodes_SR_HEADING_CODES_DCM
	default:
		fmt.Fprintln(stderr, "reportgen batch: --sr-heading-codes must be loinc or dcm")
		return exitUsage
	}
	prog, err := progressFor(*progress, *every, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "reportgen batch: %v\n", err)
		return exitUsage
	}

	var renderer rgbatch.Renderer
	if *servers != "" {
		var opts []grpc.DialOption
		secure := *useTLS || *tlsCA != "" || *tlsCert != ""
		if secure {
			o, err := rgbatch.ClientTLS(*tlsCA, *tlsCert, *tlsKey)
			if err != nil {
				return fatalf(stderr, "%v", err)
			}
			opts = append(opts, o)
		}
		if *tokenFile != "" {
			tok, err := rgbatch.ReadToken(*tokenFile)
			if err != nil {
				return fatalf(stderr, "%v", err)
			}
			// Without TLS the token may only go to a loopback server.
			o, err := rgbatch.BearerToken(tok, secure || !loopbackOnly(*servers))
			if err != nil {
				return fatalf(stderr, "%v", err)
			}
			opts = append(opts, o)
		}
		cc, err := rgbatch.Dial(*servers, opts...)
		if err != nil {
			return fatalf(stderr, "%v", err)
		}
		defer cc.Close()
		n := *streams
		if n <= 0 {
			n = defaultStreams(*servers)
		}
		renderer = &rgbatch.Remote{Client: pb.NewReportServiceClient(cc), Streams: n, Window: *window}
	} else {
		e, err := reportgen.New(*cfg)
		if err != nil {
			return fatalf(stderr, "%v", err)
		}
		defer e.Close()
		renderer = &rgbatch.Local{Engine: e, Workers: *workers}
	}

	// SIGINT and SIGTERM stop the batch cleanly: what is finished is
	// recorded. SIGKILL loses at most the last unsynced group of result
	// lines, whose inputs a rerun does again.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	sum, err := rgbatch.Run(ctx, rgbatch.Config{
		In: *in, Out: rgbatch.ShardDir(*out, shard), Results: *results, Renderer: renderer,
		UIDNamespace: *ns, SRHeadingCodes: codes, Progress: prog, TemplateRulesAsWarnings: *relax, Shard: shard,
	})
	printSummary(stdout, sum)
	if err != nil {
		switch fix := rgbatch.Hint(err); {
		case errors.Is(err, context.Canceled):
			fmt.Fprintln(stderr, "reportgen batch: interrupted; rerun with the same arguments to finish")
		case fix != "":
			// Client and servers do not fit together: a plain rerun would
			// fail the same way, so say what to change.
			fmt.Fprintf(stderr, "reportgen batch: %v\nreportgen batch: to fix: %s; what is recorded stays, a rerun does the rest\n", err, fix)
		default:
			fmt.Fprintf(stderr, "reportgen batch: %v; rerun with the same arguments to finish\n", err)
		}
		return exitFailure
	}
	if all := sum.All(); all.Invalid+all.Failed > 0 {
		return *invalidExit
	}
	return exitOK
}

// progressFor chooses the progress display. A bar needs stderr to be a
// terminal; x/term asks the terminal driver, so /dev/null and pipes,
// character devices or not, get plain lines.
func progressFor(mode string, every time.Duration, stderr io.Writer) (*rgbatch.Progress, error) {
	tty := false
	if f, ok := stderr.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	switch mode {
	case "auto":
		return &rgbatch.Progress{W: stderr, TTY: tty, Every: every}, nil
	case "bar":
		return &rgbatch.Progress{W: stderr, TTY: true}, nil
	case "lines":
		return &rgbatch.Progress{W: stderr, Every: every}, nil
	case "none":
		return nil, nil
	}
	return nil, fmt.Errorf("--progress must be auto, bar, lines or none")
}

// defaultStreams opens two streams per listed server, so each server has
// work while the other stream's answers are written; a target whose
// resolver may give any number of servers gets rgbatch.DefaultStreams.
func defaultStreams(servers string) int {
	if strings.Contains(servers, "://") {
		return rgbatch.DefaultStreams
	}
	n := 0
	for _, a := range strings.Split(servers, ",") {
		if strings.TrimSpace(a) != "" {
			n++
		}
	}
	return max(2*n, 2)
}

// loopbackOnly reports whether every listed server is on this machine's
// loopback interface.
func loopbackOnly(servers string) bool {
	if strings.Contains(servers, "://") {
		return false
	}
	for _, a := range strings.Split(servers, ",") {
		host, _, err := net.SplitHostPort(strings.TrimSpace(a))
		if err != nil {
			return false
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return false
		}
	}
	return true
}

// printSummary prints counts and throughput: nothing from the inputs.
func printSummary(w io.Writer, s rgbatch.Summary) {
	all := s.All()
	fmt.Fprintf(w, "batch: %d inputs recorded: %d ok, %d invalid, %d failed\n", all.Total(), all.OK, all.Invalid, all.Failed)
	rate := 0.0
	if secs := s.Elapsed.Seconds(); secs > 0 {
		rate = float64(s.Now.Total()) / secs
	}
	fmt.Fprintf(w, "batch: this run: %d inputs (%d ok, %d invalid, %d failed) in %s, %.0f reports/s",
		s.Now.Total(), s.Now.OK, s.Now.Invalid, s.Now.Failed, s.Elapsed.Round(time.Millisecond), rate)
	if s.Before.Total() > 0 {
		fmt.Fprintf(w, "; %d recorded by earlier runs", s.Before.Total())
	}
	fmt.Fprintf(w, "\nbatch: results in %s\n", s.Results)
}
