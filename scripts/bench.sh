#!/usr/bin/env bash
# Measures connscope's full analysis against the bare gopacket decode loop and tshark, on the same
# large capture made of copies of the real test connections.
#
#   scripts/bench.sh [PACKETS]        default 1000000 packets
#
# Prints wall time, packets/s and peak memory (max RSS) of each, and the ratios. Needs GNU time
# (/usr/bin/time) and, for the tshark row, tshark.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
templates=(testdata/captures/tls12-ok.pcap testdata/captures/tls13-ok.pcap
  testdata/captures/seed-tls10-vs-tls12.pcap testdata/captures/closed-port.pcap
  testdata/captures/no-shared-cipher.pcap testdata/captures/split-client-hello.pcap)
go run ./internal/synth/mkcap -o "$dir/big.pcap" -n "$n" "${templates[@]}"
go build -o "$dir/connscope" ./cmd/connscope
go build -o "$dir/bareloop" ./internal/synth/bareloop
ls -l "$dir/big.pcap" | awk '{printf "capture: %.1f MB\n", $5/1e6}'

measure() { # name command...
  local name=$1; shift
  local best=""
  for _ in 1 2 3; do
    /usr/bin/time -f '%e %M' -o "$dir/time" "$@" >/dev/null 2>"$dir/err" || true
    read -r secs rss < <(tail -n 1 "$dir/time") # GNU time first says "Command exited with non-zero status 1" when flows failed
    if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$secs; bestrss=$rss; fi
  done
  printf '%-22s %8.2f s %12.0f packets/s %8.0f MiB max RSS\n' "$name" "$best" "$(awk -v n="$n" -v s="$best" 'BEGIN{print n/s}')" "$(awk -v k="$bestrss" 'BEGIN{print k/1024}')"
  eval "t_${name//[^a-z]/_}=$best; m_${name//[^a-z]/_}=$bestrss"
}
measure bareloop "$dir/bareloop" "$dir/big.pcap"
measure connscope "$dir/connscope" analyze "$dir/big.pcap" --format json -o "$dir/report.json"
if command -v tshark >/dev/null; then
  measure tshark tshark -r "$dir/big.pcap" -T fields -e frame.number -e tls.handshake.version \
    -e tls.handshake.extensions.supported_version -e tls.alert_message.desc
fi
awk -v c="$t_connscope" -v b="$t_bareloop" 'BEGIN{printf "connscope / bare loop: %.2fx the time\n", c/b}'
if [ -n "${t_tshark:-}" ]; then
  awk -v c="$t_connscope" -v t="$t_tshark" -v cm="$m_connscope" -v tm="$m_tshark" \
    'BEGIN{printf "tshark / connscope:    %.1fx the time, %.1fx the memory\n", t/c, tm/cm}'
fi
