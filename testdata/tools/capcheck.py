#!/usr/bin/env python3
"""capcheck: ties connscope's real-stack captures to testdata/captures/MANIFEST.tsv, using tshark.

  capcheck.py update MANIFEST.tsv CAPTURE.pcap EXPECTED ORDER
      Pairs the capture's TCP connections (tshark's tcp.stream order, i.e. by first packet) with the
      expectation lines in the file EXPECTED (verdict, offered, chosen, alerts, conn_state, note;
      tab-separated, one per connection in the order the script opened them), fills in the client and
      server ip:port from the capture, and rewrites MANIFEST.tsv with this capture's rows replaced.
      ORDER is a comma-separated list of capture names that fixes the order of the rows.

  capcheck.py check MANIFEST.tsv [NAME...]
      Checks every row (or the rows of the named captures) against tshark's dissection: the
      connection exists, every connection in the file has a row, the versions on the wire agree with
      offered_versions, the ServerHello's version with chosen_version, the plaintext alerts and who
      sent them with alerts, and conn_state with Zeek's rules (docs/zeek-conn-state.md, worked out
      from the TCP flags packet by packet). Exits 1 on any mismatch.

The server of a connection is the side whose port is one of SERVER_PORTS.
Standard library only; needs tshark (4.0 was used).
"""
import collections
import os
import subprocess
import sys

SERVER_PORTS = {4343, 8080}
HEADER = ["file", "client", "server", "expected_verdict", "offered_versions", "chosen_version",
          "alerts", "conn_state", "note"]
VERDICTS = {"ok", "tls-version-mismatch", "tls-handshake-failure", "tls-certificate-rejected",
            "server-reset-after-client-hello", "server-closed-after-client-hello", "refused",
            "syn-timeout", "reset", "not-tls", "incomplete", "firewall-reject", "unreachable", "path-mtu",
            "middlebox-reset", "data-blackhole", "mtu-blackhole", "synack-unacknowledged",
            "closed-during-handshake"}
VERSIONS = {0x0300: "SSL 3.0", 0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3"}
ALERTS = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
          40: "handshake_failure", 42: "bad_certificate", 43: "unsupported_certificate",
          44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
          47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
          51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
          86: "inappropriate_fallback", 90: "user_canceled", 109: "missing_extension",
          110: "unsupported_extension", 112: "unrecognized_name", 116: "certificate_required",
          120: "no_application_protocol"}
# Zeek's likely_server_ports that matter here (docs/zeek-conn-state.md section 4.3); 4343 is not one.
LIKELY_SERVER_PORTS = {80, 81, 443, 631, 1080, 3128, 8000, 8080, 8888}

FIELDS = ["frame.number", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst",
          "tcp.dstport", "tcp.flags.str", "tcp.len", "tls.handshake.type", "tls.handshake.version",
          "tls.handshake.extensions.supported_version", "tls.alert_message.desc", "icmp.type", "icmpv6.type"]


def tshark(path):
    # HTTP is switched off so that a raw TLS alert answering plain HTTP is dissected as TLS.
    cmd = ["tshark", "-n", "-r", path, "-d", "tcp.port==4343,tls", "--disable-protocol", "http", "-T", "fields",
           "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    pkts = []
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        if not v.get("tcp.stream"):
            continue  # ARP, neighbour discovery, ...
        if v.get("icmp.type") or v.get("icmpv6.type"):
            continue  # an ICMP error quoting a TCP header: not a packet of the connection (Zeek logs it apart)
        pkts.append(v)
    return pkts


def endpoint(ip, port):
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def hexlist(s):
    return [int(x, 16) for x in s.split(",") if x]


def is_grease(v):
    return v & 0x0F0F == 0x0A0A


class Conn:
    def __init__(self, stream):
        self.stream = stream
        self.pkts = []
        self.client = self.server = None

    def finish(self):
        p = self.pkts[0]
        a = endpoint(p["ip.src"] or p["ipv6.src"], p["tcp.srcport"])
        b = endpoint(p["ip.dst"] or p["ipv6.dst"], p["tcp.dstport"])
        if int(p["tcp.dstport"]) in SERVER_PORTS:
            self.client, self.server = a, b
        elif int(p["tcp.srcport"]) in SERVER_PORTS:
            self.client, self.server = b, a
        else:
            raise SystemExit(f"stream {self.stream}: neither port is a server port {sorted(SERVER_PORTS)}")

    def side(self, p):
        return "client" if endpoint(p["ip.src"] or p["ipv6.src"], p["tcp.srcport"]) == self.client else "server"

    def tls_facts(self):
        offered_wire, legacy, chosen, alerts = None, None, None, []
        for p in self.pkts:
            side = self.side(p)
            types = [int(t) for t in p["tls.handshake.type"].split(",") if t]
            vers = hexlist(p["tls.handshake.version"])
            sv = [v for v in hexlist(p["tls.handshake.extensions.supported_version"]) if not is_grease(v)]
            if side == "client" and 1 in types and legacy is None:
                legacy = vers[0] if vers else None
                offered_wire = sv or None
            if side == "server" and 2 in types and chosen is None:
                chosen = sv[0] if sv else (vers[0] if vers else None)
            for d in p["tls.alert_message.desc"].split(","):
                if d:
                    alerts.append(f"{side}:{ALERTS.get(int(d), 'alert(' + d + ')')}")
        return legacy, offered_wire, chosen, alerts

    def zeek_conn_state(self):
        """conn_state by Zeek's rules: endpoint state machine (doc section 1.3) + conn_state() (section 2)."""
        INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET = range(7)
        first = self.pkts[0]
        ff = flags(first)
        orig_ep = endpoint(first["ip.src"] or first["ipv6.src"], first["tcp.srcport"])
        if not ("S" in ff and "A" not in ff):  # WantConnection's creation-time flip (section 4.1)
            sp, dp = int(first["tcp.srcport"]), int(first["tcp.dstport"])
            if sp in LIKELY_SERVER_PORTS:
                if dp not in LIKELY_SERVER_PORTS or ("S" not in ff and sp < dp):
                    orig_ep = endpoint(first["ip.dst"] or first["ipv6.dst"], first["tcp.dstport"])
        st = {"o": [INACTIVE, INACTIVE], "r": [INACTIVE, INACTIVE]}  # [state, prev_state]
        size = {"o": 0, "r": 0}
        history = ""

        def set_state(ep, new):
            if st[ep][0] != new:
                st[ep][1], st[ep][0] = st[ep][0], new

        for p in self.pkts:
            f = flags(p)
            e = "o" if endpoint(p["ip.src"] or p["ipv6.src"], p["tcp.srcport"]) == orig_ep else "r"
            o = "r" if e == "o" else "o"
            is_orig = e == "o"
            ln = int(p["tcp.len"] or 0)
            if "R" not in f:
                size[e] += ln
            for letter, cond in (("S", "S" in f and "A" not in f), ("H", "S" in f and "A" in f),
                                 ("F", "F" in f), ("R", "R" in f), ("D", ln > 0 and "R" not in f),
                                 ("A", "A" in f and ln == 0 and not set("SFR") & set(f))):
                if cond:
                    history += letter if is_orig else letter.lower()
            s = st[e][0]
            if s == INACTIVE:
                if "S" in f:
                    if is_orig:
                        set_state(e, SYN_ACK_SENT if "A" in f else SYN_SENT)
                    else:
                        if "A" not in f and st[o][0] == SYN_ACK_SENT:
                            orig_ep = endpoint(p["ip.src"] or p["ipv6.src"], p["tcp.srcport"])  # FlipRoles
                            st["o"], st["r"] = st["r"], st["o"]
                            size["o"], size["r"] = size["r"], size["o"]
                            e, o = o, e
                            set_state(o, ESTABLISHED)
                        if st[o][0] == SYN_SENT:
                            set_state(o, ESTABLISHED)
                        set_state(e, ESTABLISHED)
                if "F" in f:
                    set_state(e, CLOSED)
                if "R" in f:
                    set_state(e, RESET)
                if st[e][0] == INACTIVE:
                    if not is_orig and ln == 0 and st["o"][0] == SYN_SENT:
                        pass
                    elif "A" in f and st[o][0] == ESTABLISHED:
                        set_state(e, ESTABLISHED)
                    else:
                        set_state(e, PARTIAL)
            elif s in (SYN_SENT, SYN_ACK_SENT):
                if "F" in f:
                    set_state(e, CLOSED)
                if "R" in f:
                    set_state(e, RESET)
            elif s in (ESTABLISHED, PARTIAL):
                if "S" in f and s == PARTIAL and st[o][0] == INACTIVE and "A" not in f:
                    set_state(e, SYN_SENT)
                if "F" in f and "R" not in f:
                    set_state(e, CLOSED)
                    if st[o][0] == RESET and st[o][1] == CLOSED:
                        set_state(o, CLOSED)
                if "R" in f:
                    set_state(e, RESET)
            elif s == CLOSED:
                if "R" in f and st[o][0] != CLOSED:
                    set_state(e, RESET)
        os_, rs = st["o"][0], st["r"][0]
        o_inactive = os_ in (INACTIVE, PARTIAL)
        r_inactive = rs in (INACTIVE, PARTIAL)
        if rs == RESET:
            if os_ in (SYN_SENT, SYN_ACK_SENT) or (os_ == RESET and size["o"] == 0 and size["r"] == 0):
                return "REJ"
            return "RSTRH" if o_inactive else "RSTR"
        if os_ == RESET:
            if r_inactive:
                import re
                return "RSTOS0" if re.fullmatch(r"\^?S[^HAFGIQ]*R.*", history) else "OTH"
            return "RSTO"
        if rs == CLOSED and os_ == CLOSED:
            return "SF"
        if os_ == CLOSED:
            return "SH" if r_inactive else "S2"
        if rs == CLOSED:
            return "SHR" if o_inactive else "S3"
        if os_ == SYN_SENT and rs == INACTIVE:
            return "S0"
        if os_ == ESTABLISHED and rs == ESTABLISHED:
            return "S1"
        return "OTH"


def flags(p):
    return "".join(c for c in p["tcp.flags.str"] if c in "SAFRPU")


def connections(path):
    conns = collections.OrderedDict()
    for p in tshark(path):
        conns.setdefault(p["tcp.stream"], Conn(p["tcp.stream"])).pkts.append(p)
    for c in conns.values():
        c.finish()
    return list(conns.values())


def read_manifest(path):
    rows = []
    if os.path.exists(path):
        with open(path) as f:
            lines = f.read().splitlines()
        if lines and lines[0].split("\t") != HEADER:
            raise SystemExit(f"{path}: unexpected header {lines[0]!r}")
        for n, line in enumerate(lines[1:], 2):
            cols = line.split("\t")
            if len(cols) != len(HEADER):
                raise SystemExit(f"{path}:{n}: {len(cols)} columns, want {len(HEADER)}")
            rows.append(cols)
    return rows


def cmd_update(manifest, pcap, expected, order):
    name = os.path.basename(pcap)
    with open(expected) as f:
        exp = [line.split("\t") for line in f.read().splitlines() if line.strip()]
    conns = connections(pcap)
    if len(conns) != len(exp):
        raise SystemExit(f"{name}: {len(conns)} TCP connections in the capture, {len(exp)} expected")
    new = []
    for c, e in zip(conns, exp):
        if len(e) != 6 or e[0] not in VERDICTS:
            raise SystemExit(f"{name}: bad expectation line {e!r}")
        new.append([name, c.client, c.server] + e)
    rows = [r for r in read_manifest(manifest) if r[0] != name] + new
    rank = {n + ".pcap": i for i, n in enumerate(order.split(","))}
    rows.sort(key=lambda r: rank.get(r[0], len(rank)))  # stable: keeps connection order
    tmp = manifest + ".tmp"
    with open(tmp, "w") as f:
        f.write("\t".join(HEADER) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    os.replace(tmp, manifest)


def version_names(vs):
    return ",".join(VERSIONS.get(v, hex(v)) for v in vs)


def cmd_check(manifest, names):
    base = os.path.dirname(os.path.abspath(manifest))
    rows = read_manifest(manifest)
    files = collections.OrderedDict()
    for r in rows:
        files.setdefault(r[0], []).append(r)
    if names:
        want = {n if n.endswith(".pcap") else n + ".pcap" for n in names}
        files = collections.OrderedDict((k, v) for k, v in files.items() if k in want)
        if set(files) != want:
            raise SystemExit(f"no rows for {sorted(want - set(files))}")
    bad = passed = 0
    for fname, frows in files.items():
        path = os.path.join(base, fname)
        if not os.path.exists(path):
            print(f"FAIL {fname}: file missing")
            bad += 1
            continue
        size = os.path.getsize(path)
        if size >= 100 * 1024:
            print(f"FAIL {fname}: {size} bytes, over 100 KB")
            bad += 1
        conns = {(c.client, c.server): c for c in connections(path)}
        seen = set()
        for r in frows:
            _, client, server, verdict, offered, chosen, alerts, state, note = r
            errs = []
            c = conns.get((client, server))
            if verdict not in VERDICTS:
                errs.append(f"unknown verdict {verdict!r}")
            if c is None:
                print(f"FAIL {fname} {client} -> {server}: no such connection")
                bad += 1
                continue
            seen.add((client, server))
            legacy, wire_sv, wire_chosen, wire_alerts = c.tls_facts()
            if offered == "-":
                if legacy is not None:
                    errs.append("a ClientHello is on the wire but offered_versions is -")
            else:
                want = [k for name in offered.split(",") for k, v in VERSIONS.items() if v == name]
                if len(want) != len(offered.split(",")):
                    errs.append(f"cannot read offered_versions {offered!r}")
                elif legacy is None:
                    errs.append("no ClientHello on the wire")
                elif wire_sv:
                    if sorted(wire_sv) != sorted(want):
                        errs.append(f"supported_versions on the wire {version_names(wire_sv)}, manifest {offered}")
                elif legacy != max(want):
                    errs.append(f"legacy_version on the wire {version_names([legacy])}, manifest max {VERSIONS[max(want)]}")
            got_chosen = VERSIONS.get(wire_chosen, "-") if wire_chosen else "-"
            if got_chosen != chosen:
                errs.append(f"chosen version on the wire {got_chosen}, manifest {chosen}")
            got_alerts = ",".join(wire_alerts) or "-"
            if got_alerts != alerts:
                errs.append(f"plaintext alerts on the wire {got_alerts}, manifest {alerts}")
            got_state = c.zeek_conn_state()
            if got_state != state:
                errs.append(f"Zeek conn_state from the packets {got_state}, manifest {state}")
            if errs:
                bad += 1
                print(f"FAIL {fname} {client} -> {server}: " + "; ".join(errs))
            else:
                passed += 1
                print(f"ok   {fname} {client} -> {server} {verdict} {state}")
        for k in conns:
            if k not in seen:
                print(f"FAIL {fname} {k[0]} -> {k[1]}: connection has no manifest row")
                bad += 1
    print(f"{passed} passed, {bad} failed")
    return 1 if bad else 0


def main(argv):
    if len(argv) == 6 and argv[1] == "update":
        return cmd_update(*argv[2:])
    if len(argv) >= 3 and argv[1] == "check":
        return cmd_check(argv[2], argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
