#!/usr/bin/env bash
# Measures connscope's full analysis against the bare gopacket decode loop and tshark, on the same
# large capture made of copies of the real test connections (internal/synth: each copy with its own
# client address and port, so a million packets hold about 80,000 connections).
#
#   scripts/bench.sh [PACKETS...]        default 1000000; several sizes show whether memory grows
#
# For each size it prints wall time, packets/s and peak memory (max RSS) of:
#   bareloop             pcapfile.BareDecodeLoop, the reference the project's speed bar is set against
#   connscope            connscope analyze FILE --format json -o REPORT (every flow listed, up to
#                        --max-flows 100000)
#   connscope-maxflows   the same with --max-flows 1000: the analysis without the listed flows' result
#   tshark               tshark -r FILE -T fields -e tls.handshake.version ... (TLS dissected)
# then the ratios, and at the end one table of every size.
#
# Environment: RUNS (default 3) runs per command, the fastest kept; TSHARK_RUNS (default RUNS; 1 is
# enough on big files, where tshark takes minutes); NO_TSHARK=1 skips tshark; BENCH_DIR puts the
# capture and binaries there (default: a new directory under TMPDIR, removed at the end).
# Needs GNU time (/usr/bin/time) and, for the tshark row, tshark.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000)
runs=${RUNS:-3}
tshark_runs=${TSHARK_RUNS:-$runs}
if [ ! -x /usr/bin/time ]; then
  echo "bench.sh: needs GNU time as /usr/bin/time (Debian: apt-get install time)" >&2
  exit 2
fi
if [ -n "${BENCH_DIR:-}" ]; then
  dir=$BENCH_DIR
  mkdir -p "$dir"
else
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
fi
templates=(testdata/captures/tls12-ok.pcap testdata/captures/tls13-ok.pcap
  testdata/captures/seed-tls10-vs-tls12.pcap testdata/captures/closed-port.pcap
  testdata/captures/no-shared-cipher.pcap testdata/captures/split-client-hello.pcap)
go build -o "$dir/mkcap" ./internal/synth/mkcap
go build -o "$dir/connscope" ./cmd/connscope
go build -o "$dir/bareloop" ./internal/synth/bareloop
have_tshark=
if [ -z "${NO_TSHARK:-}" ] && command -v tshark >/dev/null; then have_tshark=1; fi

# measure NAME RUNS OKCODES COMMAND...: runs COMMAND, keeps the fastest run's wall time and max RSS
# in t_NAME and m_NAME (KiB), and prints a row. An exit status outside OKCODES (space-separated)
# stops the script with the command's error output: a crash must not pass as a fast run.
measure() {
  local name=$1 n=$2 ok=$3
  shift 3
  local best="" bestrss="" secs rss code start
  for ((i = 0; i < n; i++)); do
    code=0
    start=$EPOCHREALTIME # GNU time's %e has 10 ms steps: too coarse for the bare loop
    /usr/bin/time -f '%M' -o "$dir/time" "$@" >/dev/null 2>"$dir/err" || code=$?
    secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.3f", b-a}')
    if [[ " $ok " != *" $code "* ]]; then
      echo "bench.sh: $name exited with status $code:" >&2
      tail -5 "$dir/err" >&2
      tail -2 "$dir/time" >&2
      exit 1
    fi
    # GNU time writes "Command exited with non-zero status N" before the figure.
    rss=$(tail -1 "$dir/time")
    if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN{exit !(a<b)}'; then
      best=$secs
      bestrss=$rss
    fi
  done
  printf '%-20s %8.3f s %12.0f packets/s %8.0f MiB max RSS\n' "$name" "$best" \
    "$(awk -v n="$packets" -v s="$best" 'BEGIN{print (s > 0 ? n/s : 0)}')" "$(awk -v k="$bestrss" 'BEGIN{print k/1024}')"
  local v=${name//[^a-z]/_}
  printf -v "t_$v" '%s' "$best"
  printf -v "m_$v" '%s' "$bestrss"
}

summary=()
for n in "${sizes[@]}"; do
  cap="$dir/big-$n.pcap"
  out=$("$dir/mkcap" -o "$cap" -n "$n" "${templates[@]}")
  packets=$(awk '{print $2}' <<<"$out")
  mb=$(stat -c %s "$cap" | awk '{printf "%.0f", $1/1e6}')
  echo "== $packets packets ($mb MB, $(awk '{print $4}' <<<"$out") copies of ${#templates[@]} real captures)"
  t_tshark= m_tshark=
  measure bareloop "$runs" 0 "$dir/bareloop" "$cap"
  # connscope exits 1 when a flow failed, as flows in this capture do.
  measure connscope "$runs" "0 1" "$dir/connscope" analyze "$cap" --format json -o "$dir/report.json"
  flows=$(grep -m1 -o '"flows": [0-9][0-9]*' "$dir/report.json" | awk '{print $2}' || true)
  measure connscope-maxflows "$runs" "0 1" "$dir/connscope" analyze "$cap" --format json --max-flows 1000 -o "$dir/report.json"
  if [ -n "$have_tshark" ]; then
    measure tshark "$tshark_runs" 0 tshark -r "$cap" -T fields -e frame.number -e tls.handshake.version \
      -e tls.handshake.extensions.supported_version -e tls.alert_message.desc
  fi
  awk -v c="$t_connscope" -v b="$t_bareloop" -v m="$t_connscope_maxflows" \
    'BEGIN{printf "connscope / bare loop:  %.1fx the time (%.1fx with --max-flows 1000)\n", c/b, m/b}'
  if [ -n "$t_tshark" ]; then
    awk -v c="$t_connscope" -v t="$t_tshark" -v cm="$m_connscope" -v tm="$m_tshark" \
      'BEGIN{printf "tshark / connscope:     %.1fx the time, %.1fx the memory\n", t/c, tm/cm}'
  fi
  summary+=("$(printf '%10s %8s %8s %10s %8s %8s %8s %8s %8s %8s' "$packets" "${flows:-?}" \
    "$t_bareloop" "$t_connscope" "$(awk -v k="$m_connscope" 'BEGIN{printf "%.0f", k/1024}')" \
    "$t_connscope_maxflows" "$(awk -v k="$m_connscope_maxflows" 'BEGIN{printf "%.0f", k/1024}')" \
    "${t_tshark:--}" "$([ -n "$t_tshark" ] && awk -v k="$m_tshark" 'BEGIN{printf "%.0f", k/1024}' || echo -)" \
    "$(awk -v k="$m_bareloop" 'BEGIN{printf "%.0f", k/1024}')")")
  rm -f "$cap" "$dir/report.json"
done

echo
echo "seconds (fastest of $runs; tshark of $tshark_runs) and max RSS in MiB:"
printf '%10s %8s %8s %10s %8s %8s %8s %8s %8s %8s\n' packets flows bare connscope RSS maxflows RSS tshark RSS bareRSS
printf '%s\n' "${summary[@]}"
