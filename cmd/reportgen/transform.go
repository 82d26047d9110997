package main

import (
	"fmt"
	"io"
)

// transform renders an SR as CDA. Not available yet: the SR reader is
// being built (see the open issue on TID 2000 and PS3.20).
func transform(_ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "reportgen transform: not available in this build")
	return exitUsage
}
