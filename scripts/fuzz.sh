#!/usr/bin/env bash
# Runs every fuzz target of the module (each `func Fuzz...` in a _test.go file), one after the
# other, for DURATION each, on top of the committed corpus (the seeds each target adds and its
# PKG/testdata/fuzz/FuzzNAME/ files):
#
#   scripts/fuzz.sh [DURATION]     default 10s; e.g. scripts/fuzz.sh 10m before a release
#
# DURATION is go test's -fuzztime: a time (10s, 10m) or a count of runs (5000x). Inputs that
# found new coverage stay in Go's fuzz cache ($(go env GOCACHE)/fuzz), so a later run starts
# from there. It keeps going after a failing target and names every failure at the end (exit
# 1): go test writes the failing input to PKG/testdata/fuzz/FuzzNAME/, where committing it
# with the fix makes it a regression test that every `go test` runs.
#
# Environment: FUZZ_MINIMIZE is -fuzzminimizetime (default 2s for runs of a minute or less, 30s
# for longer ones): how long a worker shrinks an input that found new coverage, time that
# short runs would rather spend fuzzing. FUZZ_MATCH runs only the targets whose name matches
# this extended regular expression.
set -uo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10s}"
if [ "$#" -gt 1 ] || ! [[ "$duration" =~ ^[0-9]+(ns|us|ms|s|m|h|x)$|^[0-9]+m[0-9]+s$ ]]; then
  echo "usage: scripts/fuzz.sh [DURATION]   (go test -fuzztime: 10s, 10m, 5000x)" >&2
  exit 2
fi
minimize="${FUZZ_MINIMIZE:-}"
if [ -z "$minimize" ]; then
  minimize=30s
  if [[ "$duration" =~ ^([0-9]+)s$ && "${BASH_REMATCH[1]}" -le 60 ]] || [[ "$duration" =~ x$|ms$|us$|ns$ ]]; then
    minimize=2s
  fi
fi

# "DIR NAME" for every fuzz target, in a stable order.
targets=$(grep -rEo --include='*_test.go' --exclude-dir=testdata --exclude-dir=vendor '^func Fuzz[A-Za-z0-9_]*\(' . |
  sed -E 's#^\./(.*)/[^/]*:func (Fuzz[A-Za-z0-9_]*)\($#\1 \2#' | sort -u)
if [ -n "${FUZZ_MATCH:-}" ]; then
  targets=$(echo "$targets" | grep -E " .*${FUZZ_MATCH}" || true)
fi
if [ -z "$targets" ]; then
  echo "fuzz: no fuzz targets found" >&2
  exit 1
fi

# deadline_flake LOG BEFORE CORPUS: true when a failed run is only Go's fuzztime deadline race
# (go.dev/issue/75804): the failure's only message is "context deadline exceeded", no
# "Failing input written", and the target's corpus folder holds no file it did not hold before.
deadline_flake() {
  local log="$1" before="$2" corpus="$3"
  grep -q 'Failing input written' "$log" && return 1
  [ "$(grep -A2 -E '^--- FAIL: ' "$log" | grep -vE '^--- FAIL: |^FAIL|^exit status|^--$' | sed 's/^ *//')" = "context deadline exceeded" ] || return 1
  [ "$(ls "$corpus" 2>/dev/null | sort)" = "$before" ]
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$SECONDS
failed=()
n=0
while read -r dir name; do
  n=$((n + 1))
  t0=$SECONDS
  echo "fuzz: $name in ./$dir for $duration" >&2
  corpus="$dir/testdata/fuzz/$name"
  before=$(ls "$corpus" 2>/dev/null | sort)
  if go test -run='^$' -fuzz="^${name}\$" -fuzztime="$duration" -fuzzminimizetime="$minimize" "./$dir" > "$log" 2>&1; then
    echo "fuzz: $name: ok ($(grep -Eo 'execs: [0-9]+' "$log" | tail -1 | cut -d' ' -f2) runs, $((SECONDS - t0)) s)" >&2
  elif deadline_flake "$log" "$before" "$corpus"; then
    # Go's fuzz coordinator (go.dev/issue/75804, fixed in Go 1.27) can report its own -fuzztime
    # deadline as a failure when a worker is still mid-run at the boundary: no input failed and
    # none was written. That is not a finding; say so and go on.
    echo "fuzz: $name: ok ($(grep -Eo 'execs: [0-9]+' "$log" | tail -1 | cut -d' ' -f2) runs, $((SECONDS - t0)) s; go test reported its own fuzztime deadline, go.dev/issue/75804, and no failing input)" >&2
  else
    cat "$log" >&2
    echo "fuzz: $name in ./$dir FAILED ($((SECONDS - t0)) s)" >&2
    failed+=("$name in ./$dir")
  fi
done <<< "$targets"

echo "fuzz: $n targets, $duration each, in $((SECONDS - start)) s" >&2
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'fuzz: FAILED: %s\n' "${failed[@]}" >&2
  echo "fuzz: the failing inputs are under each package's testdata/fuzz/; rerun one with go test -run=FuzzNAME/INPUT ./PKG" >&2
  exit 1
fi
