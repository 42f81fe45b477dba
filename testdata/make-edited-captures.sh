#!/usr/bin/env bash
# make-edited-captures.sh — damaged and relabelled copies of the real tls12-ok.pcap (OpenSSL
# s_client to s_server, TLS 1.2, 19 frames), in testdata/captures/edited/, for the words of a
# damaged or unusual capture (cmd/connscope TestEditedCaptures):
#
#   tls12-ok-cut.pcap          the file cut 6 bytes into frame 8's record (head -c 760): truncated at byte 754
#   tls12-ok-cut-frame1.pcap   cut inside frame 2's record (head -c 100): one frame before the damage
#   tls12-ok-cut.pcap.gz       gzip -n of the file, the compressed stream cut after 1500 bytes
#   tls12-ok-bad-block.pcapng  editcap -F pcapng, the 8th enhanced packet block's length set to 0xffffffff
#   tls12-ok-null.pcapng       editcap -T null -F pcapng: the Ethernet frames labelled BSD loopback (0)
#   tls12-ok-sll.pcapng        editcap -T linux-sll -F pcapng: the same labelled Linux cooked (113)
#   tls12-ok-sll2.pcapng       editcap -T linux-sll2 -F pcapng: the same labelled Linux cooked v2 (276)
#
#   ./testdata/make-edited-captures.sh      (from the repository root; needs editcap, gzip, python3)
#
# editcap -T changes only the link type the file names, not a byte of the frames: the first four
# bytes of each Ethernet header are then read as a loopback address family, and the first sixteen
# (SLL) or twenty (SLL2) as a Linux cooked header.
set -euo pipefail
cd "$(dirname "$0")/captures"
src=tls12-ok.pcap
out=edited
head -c 760 $src >$out/tls12-ok-cut.pcap
head -c 100 $src >$out/tls12-ok-cut-frame1.pcap
gzip -n -c $src | head -c 1500 >$out/tls12-ok-cut.pcap.gz
editcap -F pcapng $src $out/tls12-ok-bad-block.pcapng
python3 - $out/tls12-ok-bad-block.pcapng <<'PY'
import struct, sys
path = sys.argv[1]
b = bytearray(open(path, 'rb').read())
off, epb = 0, 0
while off < len(b):
    typ, length = struct.unpack_from('<II', b, off)
    if typ == 6:
        epb += 1
        if epb == 8:
            struct.pack_into('<I', b, off + 4, 0xffffffff)
            break
    off += length
open(path, 'wb').write(b)
print(path, 'block at byte', off)
PY
editcap -T null -F pcapng $src $out/tls12-ok-null.pcapng
editcap -T linux-sll -F pcapng $src $out/tls12-ok-sll.pcapng
editcap -T linux-sll2 -F pcapng $src $out/tls12-ok-sll2.pcapng
