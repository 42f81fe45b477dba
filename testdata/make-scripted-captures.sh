#!/usr/bin/env bash
# Makes testdata/captures/scripted/*.pcap from the scripts beside them: TCP endings that no stack
# makes on demand (a FIN answered by a RST during a TLS handshake, a FIN carrying data, a server
# flight the capture lost), around a real TLS 1.2 ClientHello and server flight from Go's
# crypto/tls (testdata/captures/scripted/tcpscript). Each run makes new key material, so the
# TLS bytes differ from run to run; the packets' order, flags, sizes and times do not.
#
#   testdata/make-scripted-captures.sh      (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=testdata/captures/scripted
go build -o "$dir/.tcpscript" "./$dir/tcpscript"
trap 'rm -f "$dir/.tcpscript"' EXIT
for s in "$dir"/*.script; do
  "$dir/.tcpscript" < "$s" > "${s%.script}.pcap"
  echo "made ${s%.script}.pcap" >&2
done
