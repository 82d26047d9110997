package main

import (
	"errors"
	"fmt"
)

// intRange is the range an integer flag must lie in. serve checks every
// count and size flag against one at start: a negative value would
// otherwise fall back to a default without a word, and a mistyped huge
// one would exhaust memory at the first call that uses it.
type intRange struct {
	flag   string
	v      int
	lo, hi int
}

// checkRanges returns one error naming every flag out of its range, or
// nil.
func checkRanges(rs ...intRange) error {
	var errs []error
	for _, r := range rs {
		if r.v < r.lo || r.v > r.hi {
			errs = append(errs, fmt.Errorf("limits: %s %d is out of range: it must be %d to %d", r.flag, r.v, r.lo, r.hi))
		}
	}
	return errors.Join(errs...)
}
