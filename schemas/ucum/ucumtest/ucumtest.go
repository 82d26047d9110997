// Package ucumtest loads the UCUM essence for the tests of the packages
// that check units, from the schema folder scripts/setup.sh syncs.
package ucumtest

import (
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/reportgen/reportgen/schemas/ucum"
)

// dir is the synced schema folder of the checkout this package is in,
// whatever the working directory of the test that asks.
func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "synced")
}

var loaded struct {
	once sync.Once
	sys  *ucum.System
	err  error
}

// Load returns the UCUM system of the synced schema folder, parsed once per test binary, or
// fails t with the way to get the folder.
func Load(t testing.TB) *ucum.System {
	t.Helper()
	loaded.once.Do(func() { loaded.sys, loaded.err = ucum.Load(dir()) })
	if loaded.err != nil {
		t.Fatalf("%v (sync the schemas: bash scripts/setup.sh)", loaded.err)
	}
	return loaded.sys
}
