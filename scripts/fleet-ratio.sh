#!/usr/bin/env bash
# The speed and memory bar in one command: connscope against the bare gopacket loop of
# ../shared/bench on its fleet capture (a real capture replicated to ~1.1 GB, 2.34M packets, 101k
# connections), and tshark on a slice of it.
#
#   scripts/fleet-ratio.sh            (from anywhere; ../shared must sit beside the repository)
#
# Prints:
#   1. ../shared/bench/ratio.sh's table: bare loop, the default report and the JSON report (best
#      wall time of ROUNDS runs, ratio to the bare loop, peak RSS);
#   2. the same three and tshark -T fields on the first eighth of the file's packets (tshark takes
#      minutes on the whole file), with ratios;
#   3. the heap the analysis retains per connection (connscope --memstats).
# Environment: ROUNDS (default 3), BENCH_DIR (default /tmp/connscope-bench: the fleet capture is
# made there once and kept), NO_TSHARK=1 skips tshark. Needs GNU time, and editcap and tshark for
# part 2. Figures are ratios from one run: on a shared machine, absolute times move.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/../shared/bench
if [ ! -x "$bench/ratio.sh" ]; then
  echo "fleet-ratio.sh: $bench/ratio.sh is missing: ../shared must sit beside the repository" >&2
  exit 2
fi
dir=${BENCH_DIR:-/tmp/connscope-bench}
rounds=${ROUNDS:-3}
export BENCH_DIR=$dir ROUNDS=$rounds
echo "== 1. the fleet capture (../shared/bench/ratio.sh, best of $rounds)"
(cd "$root" && "$bench/ratio.sh" .)
fleet=$dir/fleet-${REPLICAS:-190}.pcap
cs=$dir/connscope # built by ratio.sh from this checkout

best() { # best NAME CMD...: the best wall time (s) and peak RSS (MiB) of ROUNDS runs into t_NAME, m_NAME
  local name=$1
  shift
  local t="" m=0 l s r
  for ((i = 0; i < rounds; i++)); do
    local rc=0
    /usr/bin/time -o "$dir/t" -f '%e %M' "$@" >/dev/null 2>"$dir/err" || rc=$?
    if [ "$rc" -gt 1 ]; then # connscope exits 1 when a connection failed; anything above is an error
      echo "fleet-ratio: $* failed (exit $rc):" >&2
      cat "$dir/err" >&2
      exit 1
    fi
    l=$(tail -1 "$dir/t")
    s=${l% *}
    r=${l#* }
    if [ -z "$t" ] || awk -v a="$s" -v b="$t" 'BEGIN{exit !(a<b)}'; then t=$s; fi
    [ "$r" -gt "$m" ] && m=$r
  done
  printf -v "t_$name" '%s' "$t"
  printf -v "m_$name" '%s' "$((m / 1024))"
}

if [ -z "${NO_TSHARK:-}" ] && command -v tshark >/dev/null && command -v editcap >/dev/null; then
  slice=$dir/fleet-slice8.pcap
  if [ ! -s "$slice" ]; then
    total=$(capinfos -c -M "$fleet" | awk -F: '/Number of packets/{gsub(/ /,"",$2); print $2}')
    editcap -F pcap -r "$fleet" "$slice" "1-$((total / 8))" # the bare loop reads pcap only
  fi
  echo
  echo "== 2. the first eighth of it ($(du -m "$slice" | cut -f1) MB), best of $rounds"
  best bare "$dir/bare" "$slice" 4433
  best default "$cs" analyze "$slice" --port 4433 -o /dev/null
  best json "$cs" analyze "$slice" --port 4433 -f json -o /dev/null
  best tshark tshark -r "$slice" -T fields -e frame.number -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport \
    -e tcp.flags -e tls.handshake.type -e tls.handshake.version -e tls.handshake.extensions.supported_version \
    -e tls.handshake.ciphersuite -e tls.alert_message.desc
  printf '%-8s %8s %8s %10s\n' what wall_s x_bare peak_MiB
  for n in bare default json tshark; do
    t=t_$n
    m=m_$n
    printf '%-8s %8s %8s %10s\n' "$n" "${!t}" "$(awk -v a="${!t}" -v b="$t_bare" 'BEGIN{printf "%.2f", a/(b>0.001?b:0.001)}')" "${!m}"
  done
fi

echo
echo "== 3. what the analysis keeps"
"$cs" analyze "$fleet" --port 4433 -f json -o /dev/null --memstats 2>&1 | grep memstats || true
