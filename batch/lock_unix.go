//go:build unix

package batch

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrLocked says another batch is running in the same output folder.
var ErrLocked = errors.New("batch: another batch is running in this output folder")

func flock(f *os.File) error {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return ErrLocked
		}
		return fmt.Errorf("batch: lock output folder: %w", err)
	}
	return nil
}
