#!/usr/bin/env bash
# Runs every `func FuzzXxx` target of the module for a short time each: test/fuzz.sh [DURATION]
#
# A target fails when it finds a failing input (written to its testdata/fuzz/). When `go test`
# fails without one — the fuzzing engine itself can end with "context deadline exceeded" when a
# worker is slow to stop, as with targets whose single run is long — the target is run again, up
# to three times in all.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-10s}
n=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
while IFS=: read -r file name; do
  pkg=./$(dirname "$file")
  for attempt in 1 2 3; do
    echo "== $pkg $name ($fuzztime)"
    if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" 2>&1 | tee "$log"; then
      break
    fi
    if grep -q "Failing input written" "$log" || ((attempt == 3)); then
      exit 1
    fi
    echo "== $name: go test failed without a failing input; running it again"
  done
  n=$((n + 1))
done < <(git ls-files '*_test.go' | xargs grep -oE '^func Fuzz[A-Za-z0-9_]+' | sed 's/func //')
echo "fuzz: $n targets run"
