#!/usr/bin/env bash
# The project's test command: set-up, static checks, generated-code check,
# then every test (unit, golden, independent validators, the server over a
# real loopback connection).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
echo "== go vet"
go vet ./...
echo "== staticcheck"
go tool staticcheck ./...

echo "== buf lint, generate (generated code must be committed as generated)"
go tool buf lint
go tool buf generate
if ! git diff --exit-code --stat -- proto/ || [ -n "$(git status --porcelain -- proto/)" ]; then
  echo "generated code in proto/ differs from what buf generate makes: run 'go tool buf generate' and commit"
  exit 1
fi
if git rev-parse -q --verify HEAD~1 >/dev/null; then
  echo "== buf breaking (against the previous commit)"
  go tool buf breaking --against '.git#ref=HEAD~1'
fi

echo "== go test"
go test -count=1 -timeout 30m -skip '^TestArchiveCorpus$' ./...

# The two corpus scores, run verbose so CI shows them: the perfect-split
# rate of each dictation style, and the archive corpus through batch
# with its counts and the independent validators' verdicts.
echo "== dictation styles"
go test -count=1 -v -run '^TestDictationStyles$' ./dictation/ | grep -v '^=== RUN'
echo "== archive corpus"
go test -count=1 -timeout 30m -v -run '^TestArchiveCorpus$' ./cmd/reportgen/ | grep -v '^=== RUN'

# The concurrent parts (server, streams, template reload, batch workers,
# MLLP connections, outbox workers, the HL7 intake)
# once more under the race detector.
echo "== go test -race (concurrent packages)"
go test -race -count=1 ./server/ ./batch/ ./templates/ ./cmd/reportgen/ ./mllp/ ./outbox/ ./intake/

# Every benchmark once (-benchtime 1x): they must build and run, and
# their own checks (each fails on an invalid document) must hold. No
# timing is asserted; measure with -count and benchstat (README,
# Performance).
echo "== benchmarks (smoke: each runs once)"
go test -count=1 -run '^$' -bench . -benchtime 1x ./...

# Fuzzing: every fuzz target of the module (found anew on each run, so a
# target a package adds is fuzzed with nothing to change here), from the
# committed seeds (f.Add and testdata/fuzz), within one time budget for
# all targets, counted after the instrumented builds (minutes on a cold
# build cache); a fast target hands the rest of its share on to the
# targets after it. Prints
# execs and new interesting inputs per target and fails on any crash,
# broken invariant or hang, printing the input to commit as a regression
# seed. REPORTGEN_FUZZTIME is the budget (default 5m30s); 0 skips it for a
# quick local run. scripts/fuzz.sh runs every target for longer.
fuzztime="${REPORTGEN_FUZZTIME:-5m30s}"
if [ "$fuzztime" != "0" ]; then
  echo "== fuzz (every target, $fuzztime in all after the builds)"
  go run ./internal/fuzzrun -budget "$fuzztime"
fi
