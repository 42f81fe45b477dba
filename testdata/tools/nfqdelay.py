#!/usr/bin/env python3
"""nfqdelay: delays every packet queued by iptables NFQUEUE by a fixed time, in order, for test
captures on kernels without sch_netem (what `tc qdisc add ... netem delay D` would do).

  nfqdelay.py --queue N --delay-ms D

Each packet is let through D ms after it was queued; packets keep their order. Speaks
nfnetlink_queue over a raw netlink socket (shared with nfqreorder.py), standard library only.
Stops on SIGTERM/SIGINT.
"""
import argparse
import collections
import os
import select
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nfqreorder import accept_packet, bind, packets  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--queue", type=int, required=True)
    ap.add_argument("--delay-ms", type=float, required=True)
    a = ap.parse_args()
    delay = a.delay_ms / 1000
    s = bind(a.queue, "nfqdelay")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"nfqdelay: queue {a.queue}, delaying every packet {a.delay_ms} ms", flush=True)
    held = collections.deque()  # (due time, packet id), in the order queued
    count = 0
    while True:
        now = time.monotonic()
        while held and held[0][0] <= now:
            accept_packet(s, a.queue, held.popleft()[1])
        wait = max(0.0, held[0][0] - now) if held else 1.0
        r, _, _ = select.select([s], [], [], wait)
        if r:
            now = time.monotonic()
            for pid, _ in packets(s):
                held.append((now + delay, pid))
                count += 1
                if count == 1 or count % 50 == 0:
                    print(f"nfqdelay: {count} packets delayed", flush=True)


if __name__ == "__main__":
    main()
