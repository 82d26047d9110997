package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	rgbatch "github.com/reportgen/reportgen/batch"
)

// jobIndexEnv is the variable a Kubernetes Indexed Job sets in each pod
// to the pod's completion index.
const jobIndexEnv = "JOB_COMPLETION_INDEX"

// shardFlags registers --shard-index and --shard-count; the returned
// function resolves them (the index defaults to JOB_COMPLETION_INDEX).
func shardFlags(fs *flag.FlagSet) func() (rgbatch.Shard, error) {
	index := fs.Int("shard-index", -1, "this shard's index, 0 to --shard-count - 1 (default: $"+jobIndexEnv+", as a Kubernetes Indexed Job sets it)")
	count := fs.Int("shard-count", 1, "split the input into this many shards: shard N takes inputs N, N+M, N+2M, ... and writes to OUT/shard-N-of-M")
	return func() (rgbatch.Shard, error) {
		s := rgbatch.Shard{Index: *index, Count: *count}
		if s.Count < 1 || s.Count > rgbatch.MaxShards {
			return s, fmt.Errorf("--shard-count must be 1 to %d", rgbatch.MaxShards)
		}
		if s.Index < 0 {
			s.Index = 0
			if env, ok := os.LookupEnv(jobIndexEnv); ok && s.Count > 1 {
				i, err := strconv.Atoi(strings.TrimSpace(env))
				if err != nil {
					return s, fmt.Errorf("$%s is %q, not a shard index", jobIndexEnv, env)
				}
				s.Index = i
			} else if s.Count > 1 {
				return s, fmt.Errorf("--shard-count %d needs --shard-index (or $%s)", s.Count, jobIndexEnv)
			}
		}
		if s.Index >= s.Count {
			return s, fmt.Errorf("shard index %d is not below --shard-count %d", s.Index, s.Count)
		}
		return s, nil
	}
}

const verifyUsage = `usage: reportgen batch verify --in FILE.jsonl|DIR --out DIR

Proves that a batch accounts for every input exactly once: every input
recorded by one shard, the one it belongs to, and the documents of every
ok record present. DIR is the --out given to the batch (for a split batch,
the folder holding its shard-N-of-M folders). Exit 0 when all is
accounted for, 1 when not (the problems are listed), 3 when the check
could not be made.

Flags:
`

// batchVerify checks the union of a batch's shards.
func batchVerify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("batch verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, verifyUsage)
		fs.PrintDefaults()
	}
	in := fs.String("in", "", "the batch's input (required)")
	out := fs.String("out", "", "the batch's output folder (required)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *in == "" || *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "reportgen batch verify: needs --in and --out, as given to the batch; reportgen batch verify -h says more")
		return exitUsage
	}
	rep, err := rgbatch.Verify(*in, *out)
	if err != nil {
		return fatalf(stderr, "%v", err)
	}
	r := rep.Recorded
	fmt.Fprintf(stdout, "verify: %d inputs, %d shard(s): %d recorded (%d ok, %d invalid, %d failed), %d documents present\n",
		rep.Inputs, rep.Shards, r.Total(), r.OK, r.Invalid, r.Failed, rep.Documents)
	if rep.OK() {
		fmt.Fprintln(stdout, "verify: every input is accounted for exactly once")
		return exitOK
	}
	for _, m := range rep.MissingShards {
		fmt.Fprintf(stdout, "verify: %s has no results: that shard never ran\n", m)
	}
	for _, p := range []struct {
		what string
		p    rgbatch.Problems
	}{
		{"not recorded by any shard (rerun their shards)", rep.Missing},
		{"recorded more than once", rep.Duplicated},
		{"recorded by a shard they do not belong to", rep.Misplaced},
		{"recorded but not in the input (another input?)", rep.Unknown},
		{"ok but with a document missing or empty", rep.NoOutput},
	} {
		if p.p.Count > 0 {
			fmt.Fprintf(stdout, "verify: %d inputs %s, e.g. %s\n", p.p.Count, p.what, strings.Join(p.p.First, ", "))
		}
	}
	return exitInvalid
}
