// Command sync fills testdata/samples with the public sample documents
// the tests read (internal/samples/manifest.json), from local folders laid
// out like the manifest (--from, repeatable) or else from the pinned
// upstream URLs, checking every file's sha256.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/reportgen/reportgen/internal/samples"
	"github.com/reportgen/reportgen/schemas"
)

type dirs []string

func (d *dirs) String() string     { return fmt.Sprint(*d) }
func (d *dirs) Set(v string) error { *d = append(*d, v); return nil }

func main() {
	var from dirs
	flag.Var(&from, "from", "a folder holding the samples as the manifest lays them out (repeatable); without it the pinned URLs are downloaded")
	flag.Parse()
	m, err := samples.Manifest()
	if err != nil {
		fmt.Fprintln(os.Stderr, "samples sync:", err)
		os.Exit(1)
	}
	var src schemas.Source = schemas.HTTPSource{}
	if len(from) > 0 {
		var s schemas.Sources
		for _, d := range from {
			s = append(s, schemas.DirSource(d))
		}
		src = s
	}
	if err := schemas.Sync(context.Background(), m, src, samples.Dir()); err != nil {
		fmt.Fprintln(os.Stderr, "samples sync:", err)
		os.Exit(1)
	}
}
