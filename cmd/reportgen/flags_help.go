package main

import (
	"flag"
	"fmt"
	"io"
)

// transformOnly are the flags of Config.TransformDefaults: header data an
// SR cannot carry, read only when an SR is turned into a CDA (transform,
// and serve's TransformDocument).
var transformOnly = map[string]bool{
	"issuer-oid": true, "accession-issuer-oid": true, "custodian-name": true, "custodian-oid": true, "timezone": true,
}

// hideTransformFlags keeps the SR→CDA flags out of the help of a command
// that never reads an SR (generate, validate, batch). They are still
// accepted, as before, so no script breaks, but using one says it has no
// effect: call the returned function after parsing. header is printed
// before the flags.
func hideTransformFlags(fs *flag.FlagSet, header string, stderr io.Writer) (warnUnused func()) {
	fs.Usage = func() {
		fmt.Fprint(stderr, header)
		visible := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
		visible.SetOutput(stderr)
		fs.VisitAll(func(f *flag.Flag) {
			if !transformOnly[f.Name] {
				visible.Var(f.Value, f.Name, f.Usage)
				visible.Lookup(f.Name).DefValue = f.DefValue
			}
		})
		visible.PrintDefaults()
	}
	return func() {
		fs.Visit(func(f *flag.Flag) {
			if transformOnly[f.Name] {
				fmt.Fprintf(stderr, "reportgen %s: --%s only applies when an SR becomes a CDA (transform, serve); ignored\n", fs.Name(), f.Name)
			}
		})
	}
}
