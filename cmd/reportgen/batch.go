package main

import (
	"fmt"
	"io"
)

// batch regenerates many reports. Not available yet (see the open issue
// on batch regeneration).
func batch(_ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "reportgen batch: not available in this build")
	return exitUsage
}
