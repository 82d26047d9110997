#!/usr/bin/env bash
# Fuzzes every fuzz target of the module (each FuzzXxx in the packages'
# tests, found anew on every run) for N minutes each, then prints the
# execs, new interesting inputs and verdict of each target. The corpus a
# run finds stays in Go's fuzz cache, so the next run goes on from it.
#
#   bash scripts/fuzz.sh [MINUTES] [REGEXP]     default: 10 minutes, every target
#
#   REPORTGEN_FUZZ_JOBS=N      targets fuzzed at once (default 1)
#   REPORTGEN_FUZZ_PARALLEL=N  workers per target (default: cores / jobs)
#   REPORTGEN_FUZZ_MINIMIZE=D  minimise each new input for up to D (default 0: none)
#
# A failing input is written to the package's testdata/fuzz/FuzzXxx/ and
# printed; commit it with the fix, as a regression seed that `go test`
# runs from then on. CI runs the same targets on a time budget (see
# scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

minutes="${1:-10}"
run="${2:-}"
case "$minutes" in
  ''|*[!0-9.]*) echo "usage: bash scripts/fuzz.sh [MINUTES] [REGEXP]" >&2; exit 2 ;;
esac
bash scripts/setup.sh
exec go run ./internal/fuzzrun -v -each "${minutes}m" -run "$run" \
  -jobs "${REPORTGEN_FUZZ_JOBS:-1}" -parallel "${REPORTGEN_FUZZ_PARALLEL:-0}" -minimize "${REPORTGEN_FUZZ_MINIMIZE:-0}"
