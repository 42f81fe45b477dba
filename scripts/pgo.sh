#!/usr/bin/env bash
# Remakes cmd/connscope/default.pgo, the CPU profile the Go compiler optimises connscope with
# (profile-guided optimisation: `go build` uses default.pgo of the main package by itself). The
# profile is that of the fleet benchmark (../shared/bench: ~1.1 GB, 2.34M packets, 101k
# connections), analysed RUNS times as the JSON report and RUNS times as the default report, by a
# connscope built without a profile. Remake it when the hot paths change much; a stale profile
# only optimises less.
#
#   scripts/pgo.sh              Env: BENCH_DIR (default /tmp/connscope-bench), RUNS (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-/tmp/connscope-bench}
fleet=$dir/fleet-190.pcap
[ -s "$fleet" ] || { mkdir -p "$dir"; ../shared/bench/make-fleet.sh "$fleet" 190; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -pgo=off -o "$tmp/connscope" ./cmd/connscope
for i in $(seq "${RUNS:-3}"); do
  # exit status 1: the capture holds failed connections (it does), not an error
  "$tmp/connscope" analyze "$fleet" --port 4433 -f json -o /dev/null --cpuprofile "$tmp/json$i.prof" || [ $? -eq 1 ]
  "$tmp/connscope" analyze "$fleet" --port 4433 -o /dev/null --cpuprofile "$tmp/table$i.prof" || [ $? -eq 1 ]
done
go tool pprof -proto "$tmp"/*.prof > cmd/connscope/default.pgo
echo "wrote cmd/connscope/default.pgo"
