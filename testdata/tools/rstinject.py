#!/usr/bin/env python3
"""rstinject: an on-path device that forges one TCP RST that does NOT end the connection.

  rstinject.py --iface IF --sport PORT --after N --offset K

Runs on a router (standard library only, root). It watches the frames it forwards out of IF (an
AF_PACKET socket sees them as outgoing); at the N-th data segment from source port PORT it sends,
out of IF towards that segment's receiver, a RST+ACK forged in the sender's name: same addresses
and ports, sequence number K bytes past the segment's end (inside the receiver's window but not
the next expected byte), TTL 64 and IP ID 0 (the router's own, where the real sender's packets
arrive with 63). A Linux receiver answers such a RST with a challenge ACK (RFC 5961) and goes on:
the connection survives it. Then the program exits.
"""
import argparse
import socket
import struct
import sys

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--sport", type=int, required=True)
    ap.add_argument("--after", type=int, default=3, help="forge after this many data segments")
    ap.add_argument("--offset", type=int, default=1000, help="bytes past the segment's end")
    a = ap.parse_args()
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((a.iface, 0))
    print(f"watching {a.iface} for data from port {a.sport}", flush=True)
    seen = 0
    while True:
        frame, addr = s.recvfrom(65535)
        if addr[2] != PACKET_OUTGOING or len(frame) < 54 or frame[12:14] != b"\x08\x00":
            continue
        ip = frame[14:]
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 6:
            continue
        tot = struct.unpack("!H", ip[2:4])[0]
        tcp = ip[ihl:tot]
        sport, dport, seq, ack = struct.unpack("!HHII", tcp[:12])
        doff = (tcp[12] >> 4) * 4
        plen = len(tcp) - doff
        if sport != a.sport or plen == 0:
            continue
        seen += 1
        if seen < a.after:
            continue
        src, dst = ip[12:16], ip[16:20]
        rseq = (seq + plen + a.offset) & 0xFFFFFFFF
        th = struct.pack("!HHIIBBHHH", sport, dport, rseq, ack, 5 << 4, 0x14, 0, 0, 0)
        th = th[:16] + struct.pack("!H", csum(src + dst + struct.pack("!BBH", 0, 6, len(th)) + th)) + th[18:]
        iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0, src, dst)
        iph = iph[:10] + struct.pack("!H", csum(iph)) + iph[12:]
        s.send(frame[:14] + iph + th)
        print(f"forged RST {socket.inet_ntoa(src)}:{sport} -> {socket.inet_ntoa(dst)}:{dport} seq {rseq} "
              f"(segment seq {seq} len {plen})", flush=True)
        return 0


if __name__ == "__main__":
    sys.exit(main())
