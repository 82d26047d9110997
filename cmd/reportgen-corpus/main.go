// Command reportgen-corpus writes the synthetic, archive-shaped report
// corpus (see internal/corpus) as JSONL GenerateReportRequests for
// `reportgen batch`. The corpus is made of the project's own seed texts;
// it holds no real patient data. The same -n and -seed give the same
// file.
//
//	reportgen-corpus -n 3000 -seed 1 > corpus.jsonl
//	reportgen batch --in corpus.jsonl --out out --template-rules-as-warnings
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/reportgen/reportgen/internal/corpus"
)

func main() {
	n := flag.Int("n", 3000, "number of reports")
	seed := flag.Uint64("seed", 1, "seed of the pseudo-random choices")
	flag.Parse()
	if err := write(*n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "reportgen-corpus:", err)
		os.Exit(1)
	}
}

func write(n int, seed uint64) error {
	s, err := corpus.LoadSeeds()
	if err != nil {
		return err
	}
	w := bufio.NewWriter(os.Stdout)
	if err := corpus.WriteJSONL(w, corpus.Archive(s, n, seed)); err != nil {
		return err
	}
	return w.Flush()
}
