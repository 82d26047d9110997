package cda_test

import (
	"testing"

	"github.com/reportgen/reportgen/schemas/ucum"
)

// mustUCUM loads the UCUM essence from the synced schema folder dir.
func mustUCUM(t testing.TB, dir string) *ucum.System {
	t.Helper()
	s, err := ucum.Load(dir)
	if err != nil {
		t.Fatalf("%v (sync the schemas: bash scripts/setup.sh)", err)
	}
	return s
}
