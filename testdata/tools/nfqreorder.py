#!/usr/bin/env python3
"""nfqreorder: reorders TCP data segments queued by iptables NFQUEUE, for test captures on kernels
without sch_netem.

  nfqreorder.py --queue N --every K

Every K-th packet with a TCP payload is held back until the next packet of the queue has been
let through (or 200 ms have passed), then let through itself: the receiver sees the two swapped.
Every other packet is accepted at once. Speaks nfnetlink_queue over a raw netlink socket
(linux/netfilter/nfnetlink_queue.h), standard library only. Stops on SIGTERM/SIGINT.
"""
import argparse
import select
import signal
import socket
import struct
import sys

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS = 1, 2
NFQA_PACKET_HDR, NFQA_VERDICT_HDR, NFQA_PAYLOAD = 1, 2, 10
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_PACKET = 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NF_ACCEPT = 1


def attr(typ, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, typ) + payload + b"\0" * ((4 - n % 4) % 4)


def message(msg, queue, attrs, flags=NLM_F_REQUEST):
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(queue)) + b"".join(attrs)
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg, flags, 0, 0) + body


def attrs_of(b):
    out = {}
    while len(b) >= 4:
        n, typ = struct.unpack("=HH", b[:4])
        if n < 4:
            break
        out[typ & 0x7FFF] = b[4:n]
        b = b[(n + 3) & ~3:]
    return out


def tcp_payload_len(pkt):
    if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[9] != 6:
        return 0
    ihl = (pkt[0] & 0x0F) * 4
    total = struct.unpack("!H", pkt[2:4])[0]
    if len(pkt) < ihl + 13:
        return 0
    doff = (pkt[ihl + 12] >> 4) * 4
    return max(0, total - ihl - doff)


def bind(queue, prog):
    """A netlink socket bound to NFQUEUE queue, copying the first 128 bytes of each packet."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.bind((0, 0))
    s.send(message(NFQNL_MSG_CONFIG, queue, [attr(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, 0))], NLM_F_REQUEST | NLM_F_ACK))
    s.send(message(NFQNL_MSG_CONFIG, queue, [attr(NFQA_CFG_PARAMS, struct.pack("!IB", 128, NFQNL_COPY_PACKET))], NLM_F_REQUEST | NLM_F_ACK))
    for _ in range(2):
        m = s.recv(65536)
        if struct.unpack("=H", m[4:6])[0] == NLMSG_ERROR and struct.unpack("=i", m[16:20])[0] != 0:
            sys.exit(f"{prog}: binding queue {queue} failed: errno {-struct.unpack('=i', m[16:20])[0]}")
    return s


def accept_packet(s, queue, pid):
    """Lets queued packet pid through."""
    s.send(message(NFQNL_MSG_VERDICT, queue, [attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, pid))]))


def packets(s):
    """The queued packets in one read from s: (packet id, packet bytes) pairs."""
    buf = s.recv(65536)
    while len(buf) >= 16:
        n, typ = struct.unpack("=IH", buf[:6])
        msg, buf = buf[:n], buf[(n + 3) & ~3:]
        if typ != (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
            continue
        at = attrs_of(msg[20:])
        yield struct.unpack("!I", at[NFQA_PACKET_HDR][:4])[0], at.get(NFQA_PAYLOAD, b"")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--queue", type=int, required=True)
    ap.add_argument("--every", type=int, default=5)
    a = ap.parse_args()
    s = bind(a.queue, "nfqreorder")

    def accept(pid):
        accept_packet(s, a.queue, pid)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"nfqreorder: queue {a.queue}, holding every {a.every}th data segment", flush=True)
    held, data, swapped = None, 0, 0
    while True:
        r, _, _ = select.select([s], [], [], 0.2)
        if not r:
            if held is not None:
                accept(held)
                held = None
            continue
        for pid, pkt in packets(s):
            payload = tcp_payload_len(pkt)
            if held is None and payload > 0:
                data += 1
                if data % a.every == 0:
                    held = pid
                    continue
            accept(pid)
            if held is not None:
                accept(held)
                held = None
                swapped += 1
                print(f"nfqreorder: swapped pair {swapped}", flush=True)


if __name__ == "__main__":
    main()
