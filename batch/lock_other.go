//go:build !unix

package batch

import (
	"errors"
	"os"
)

// ErrLocked says another batch is running in the same output folder.
var ErrLocked = errors.New("batch: another batch is running in this output folder")

// flock is a no-op where flock(2) does not exist: there, one batch per
// output folder is the caller's duty.
func flock(*os.File) error { return nil }
