#!/usr/bin/env bash
# make-snaplen-captures.sh — makes testdata/captures/snaplen/*: real captures from
# testdata/captures/ cut by a small snaplen with editcap (as tcpdump -s 68, its old default, cuts
# them), and one with a frame's timestamp moved. Nothing is captured again: the packets are those
# of the captures named, cut or re-stamped. Needs editcap (Debian package wireshark-common) and
# python3.
#
#   ./testdata/make-snaplen-captures.sh          (from anywhere)
#
# What each holds and which test reads it: testdata/captures/snaplen/README.md.
set -euo pipefail
cd "$(dirname "$0")/captures"
out=snaplen

# cut SRC SNAPLEN FORMAT: SRC.pcap cut to SNAPLEN bytes per frame, written as FORMAT (pcap or
# pcapng: editcap -F pcapng keeps the interface's snaplen of 262144 in its header).
cut() {
  local src=$1 snaplen=$2 format=$3 ext=pcap
  [ "$format" = pcapng ] && ext=pcapng
  editcap -F "$format" -s "$snaplen" "$src.pcap" "$out/$src-s$snaplen.$ext"
  echo "made $out/$src-s$snaplen.$ext" >&2
}

cut seed-close-lone 68 pcap     # the ClientHello's first 2 bytes: 16 03
cut seed-close-lone 67 pcap     # its first byte: 16
cut seed-close-lone 66 pcap     # none of it
cut untrusted-cert 54 pcap      # the TCP header's options cut too: no payload byte
cut tls12-ok 60 pcapng          # the pcapng header says 262144; the packets hold 60 bytes

# seed-close-lone with frame 8 (the server's FIN) stamped 400 days late: a damaged timestamp.
python3 - seed-close-lone.pcap "$out/seed-close-lone-jump.pcap" 8 400 <<'PY'
import struct, sys
src, dst, frame, days = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
b = bytearray(open(src, "rb").read())
assert struct.unpack("<I", b[:4])[0] == 0xa1b2c3d4, "a little-endian microsecond pcap"
off, n = 24, 0
while off < len(b):
    n += 1
    sec, _, incl, _ = struct.unpack("<IIII", b[off:off + 16])
    if n == frame:
        struct.pack_into("<I", b, off, sec + days * 86400)
    off += 16 + incl
open(dst, "wb").write(b)
PY
echo "made $out/seed-close-lone-jump.pcap" >&2
