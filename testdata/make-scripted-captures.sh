#!/usr/bin/env bash
# Makes testdata/captures/scripted/*.pcap from the scripts beside them: TCP endings that no stack
# makes on demand (a FIN answered by a RST during a TLS handshake, a FIN carrying data, a server
# flight the capture lost, data never acknowledged by a server that later sends a FIN, a pure ACK
# or a reset), around a real TLS 1.2 ClientHello and server flight from Go's crypto/tls
# (testdata/captures/scripted/tcpscript). Each run makes new key material, so the TLS bytes, and
# with them the server flight's size by a byte or two, differ from run to run; the packets' order,
# flags and times do not. Name scripts to remake only their captures.
#
#   testdata/make-scripted-captures.sh [SCRIPT...]      (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=testdata/captures/scripted
go build -o "$dir/.tcpscript" "./$dir/tcpscript"
trap 'rm -f "$dir/.tcpscript"' EXIT
scripts=("$@")
[ ${#scripts[@]} -gt 0 ] || scripts=("$dir"/*.script)
for s in "${scripts[@]}"; do
  "$dir/.tcpscript" < "$s" > "${s%.script}.pcap"
  echo "made ${s%.script}.pcap" >&2
done
