#!/usr/bin/env bash
# make-twopoint-derived.sh — two-point captures derived with editcap from the real ones of
# make-twopoint-captures.sh (testdata/captures/twopoint/), for what capturing at two points gives
# that one run does not: points that did not capture over the same span, and clocks that differ.
# In testdata/captures/twopoint/derived/; analyze's twopointspan_test.go pins what each gives.
#
#   ./testdata/make-twopoint-derived.sh
#
#   success-server-late.pcap   the server's capture begins 2 ms late: its frames 6-17 (its first
#                              packet is the agent's frame 6, the connection's SYN and SYN-ACK
#                              came before it)
#   success-agent-early.pcap   the agent's capture stops early: its frames 1-12 (it ends at
#                              .724656; the server's frames 13-17 come after)
#   forged-rst-merged-half.pcapng  the merged file cut after its frame 65 (both links stop at once)
#   forged-rst-agent-90s.pcap  the agent's clock 90 s ahead (every timestamp + 90 s)
#   forged-rst-agent-5s.pcap   the agent's clock 5 s ahead
#   gso-agent-piece-lost.pcap  gso-agent.pcap without its frame 14 (seq 4471, 1448 bytes): one piece
#                              of the server's 8688-byte segment (its frame 11) never arrived
# Needs editcap (tshark's package).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IN=$HERE/captures/twopoint
OUT=$IN/derived
mkdir -p "$OUT"
editcap -r "$IN/success-server.pcap" "$OUT/success-server-late.pcap" 6-17
editcap -r "$IN/success-agent.pcap" "$OUT/success-agent-early.pcap" 1-12
editcap -r "$IN/forged-rst-merged.pcapng" "$OUT/forged-rst-merged-half.pcapng" 1-65
editcap -t 90 "$IN/forged-rst-agent.pcap" "$OUT/forged-rst-agent-90s.pcap"
editcap -t 5 "$IN/forged-rst-agent.pcap" "$OUT/forged-rst-agent-5s.pcap"
editcap "$IN/gso-agent.pcap" "$OUT/gso-agent-piece-lost.pcap" 14
chmod 644 "$OUT"/*
