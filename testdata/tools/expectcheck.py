#!/usr/bin/env python3
"""expectcheck: writes and checks testdata/captures/EXPECTED-ACCURACY.tsv (issue 11's captures
under captures/accuracy/) with tshark, the way capcheck.py does MANIFEST.tsv, and records what
connscope says of each connection today.

  expectcheck.py update TSV CAPTURE.pcap EXPECTED ORDER
      as capcheck.py update: pairs the capture's TCP connections (by first packet) with the lines
      of EXPECTED (verdict, offered, chosen, alerts, conn_state, note), fills in client and server.
  expectcheck.py check TSV [NAME...]
      as capcheck.py check: versions on the wire, the ServerHello's version, plaintext alerts and
      Zeek's conn_state from the packets, every connection has a row, each file under 200 KB.
  expectcheck.py today TSV CONNSCOPE [NAME...]
      runs `CONNSCOPE analyze FILE -f json` on each file and writes its verdict per connection
      into the `today` column ("verdict: reason", or "(not listed)").

Unlike capcheck.py, the client of a connection is the sender of its first SYN (any port), so port
scans and text protocols on any port fit; the TLS after a protocol preamble is found by tshark's
own dissectors for SMTP/IMAP/POP/FTP STARTTLS, LDAP StartTLS, MySQL, PostgreSQL, SOCKS and RDP,
with `-d tcp.port==P,tls` for the TLS ports named in TLS_PORTS. Standard library only.
"""
import collections
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capcheck  # noqa: E402

HEADER = capcheck.HEADER + ["today"]
NEW_VERDICTS = {"client-certificate-required", "client-certificate-rejected", "tls-protocol-error",
                "client-aborted", "port-scan", "client-hello-incomplete"}
VERDICTS = capcheck.VERDICTS | {"no-server-hello", "tls-alert", "http-error"} | NEW_VERDICTS
TLS_PORTS = (4343, 4344, 443)
KNOWN_SERVER_PORTS = {21, 25, 110, 143, 389, 443, 1080, 3306, 3389, 4343, 4344, 5432, 8080}
MAX_SIZE = 200 * 1024


def tshark(path, tls_ports=TLS_PORTS):
    cmd = ["tshark", "-n", "-r", path]
    for p in tls_ports:
        cmd += ["-d", f"tcp.port=={p},tls"]
    cmd += ["--disable-protocol", "http", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
            "-E", "aggregator=,"]
    for f in capcheck.FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    pkts = []
    for line in out.splitlines():
        v = dict(zip(capcheck.FIELDS, line.split("\t")))
        if not v.get("tcp.stream") or v.get("icmp.type") or v.get("icmpv6.type"):
            continue
        pkts.append(v)
    return pkts


class Conn(capcheck.Conn):
    def finish(self):
        """The client is the sender of the first SYN, else the receiver of the first SYN-ACK, else
        the side whose port is not a known server port."""
        for p in self.pkts:
            f = capcheck.flags(p)
            src = capcheck.endpoint(p["ip.src"] or p["ipv6.src"], p["tcp.srcport"])
            dst = capcheck.endpoint(p["ip.dst"] or p["ipv6.dst"], p["tcp.dstport"])
            if "S" in f and "A" not in f:
                self.client, self.server = src, dst
                return
            if "S" in f and "A" in f:
                self.client, self.server = dst, src
                return
        p = self.pkts[0]
        src = capcheck.endpoint(p["ip.src"] or p["ipv6.src"], p["tcp.srcport"])
        dst = capcheck.endpoint(p["ip.dst"] or p["ipv6.dst"], p["tcp.dstport"])
        if int(p["tcp.srcport"]) in KNOWN_SERVER_PORTS:
            self.client, self.server = dst, src
        else:
            self.client, self.server = src, dst


def without_stray_synacks(path, tmpdir):
    """tshark (4.0) anchors a connection's relative sequence numbers on its LAST SYN-ACK: when two
    hosts answer one SYN (duplicate-synack.pcap), the TLS of the connection the client really made
    is not dissected. Returns a copy of the file without the SYN-ACKs the client never
    acknowledged (the ISN+1 of the one it did is in its first ACK), or path when there are none."""
    out = subprocess.run(["tshark", "-n", "-r", path, "-Y", "tcp.flags.syn==1 || tcp.flags.ack==1", "-T", "fields",
                          "-e", "frame.number", "-e", "tcp.stream", "-e", "tcp.flags.syn", "-e", "tcp.flags.ack",
                          "-e", "tcp.seq_raw", "-e", "tcp.ack_raw"],
                         check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    synacks, acked = collections.defaultdict(list), {}
    for line in out.splitlines():
        num, stream, syn, ack, seq, ackn = line.split("\t")
        if syn in ("1", "True") and ack in ("1", "True"):
            synacks[stream].append((num, int(seq)))
        elif ack in ("1", "True") and syn not in ("1", "True") and stream in synacks and stream not in acked:
            acked[stream] = int(ackn)
    drop = [n for st, lst in synacks.items() if len({s for _, s in lst}) > 1 and st in acked
            for n, s in lst if (s + 1) & 0xFFFFFFFF != acked[st]]
    if not drop:
        return path
    tmp = os.path.join(tmpdir, os.path.basename(path))
    subprocess.run(["editcap", path, tmp] + drop, check=True, stdout=subprocess.DEVNULL)
    return tmp


def connections(path):
    import tempfile
    with tempfile.TemporaryDirectory() as tmpdir:
        return _connections(without_stray_synacks(path, tmpdir))


def _connections(path):
    conns = collections.OrderedDict()
    for p in tshark(path):
        conns.setdefault(p["tcp.stream"], Conn(p["tcp.stream"])).pkts.append(p)
    for c in conns.values():
        c.finish()
    # A ClientHello sent straight to a text protocol's port (implicit TLS to a STARTTLS port) is not
    # dissected as TLS by the port's own dissector: for connections without any TLS message, read
    # the TLS facts from a second pass that decodes their server ports as TLS.
    bare = [c for c in conns.values() if c.tls_facts() == (None, None, None, [])]
    ports = sorted({int(c.server.rsplit(":", 1)[1]) for c in bare} - set(TLS_PORTS))
    if bare and ports and len(conns) < 50:
        again = collections.OrderedDict()
        for p in tshark(path, TLS_PORTS + tuple(ports)):
            again.setdefault(p["tcp.stream"], []).append(p)
        for c in bare:
            c2 = Conn(c.stream)
            c2.pkts = again.get(c.stream, [])
            if c2.pkts:
                c2.finish()
                if c2.tls_facts()[0] is not None:
                    c.pkts = c2.pkts
    return list(conns.values())


def read_tsv(path):
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


def write_tsv(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\t".join(HEADER) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    os.replace(tmp, path)


def rel(tsv, pcap):
    return os.path.relpath(os.path.abspath(pcap), os.path.dirname(os.path.abspath(tsv)))


def cmd_update(tsv, pcap, expected, order):
    name = rel(tsv, pcap)
    with open(expected) as f:
        exp = [line.split("\t") for line in f.read().splitlines() if line.strip()]
    conns = connections(pcap)
    if len(exp) == 1 and len(conns) > 1 and exp[0][0] == "port-scan":
        exp = exp * len(conns)
    if len(conns) != len(exp):
        raise SystemExit(f"{name}: {len(conns)} TCP connections in the capture, {len(exp)} expected")
    old = {(r[0], r[1], r[2]): r[9] for r in read_tsv(tsv)}
    new = []
    for c, e in zip(conns, exp):
        if len(e) != 6 or e[0] not in VERDICTS:
            raise SystemExit(f"{name}: bad expectation line {e!r}")
        new.append([name, c.client, c.server] + e + [old.get((name, c.client, c.server), "-")])
    rows = [r for r in read_tsv(tsv) if r[0] != name] + new
    rank = {n: i for i, n in enumerate(order.split(","))}
    rows.sort(key=lambda r: rank.get(os.path.splitext(os.path.basename(r[0]))[0], len(rank)))
    write_tsv(tsv, rows)


def selected(tsv, names):
    files = collections.OrderedDict()
    for r in read_tsv(tsv):
        files.setdefault(r[0], []).append(r)
    if names:
        want = {os.path.splitext(os.path.basename(n))[0] for n in names}
        files = collections.OrderedDict((k, v) for k, v in files.items()
                                        if os.path.splitext(os.path.basename(k))[0] in want)
    return files


def cmd_check(tsv, names):
    base = os.path.dirname(os.path.abspath(tsv))
    bad = passed = 0
    for fname, frows in selected(tsv, names).items():
        path = os.path.join(base, fname)
        if not os.path.exists(path):
            print(f"FAIL {fname}: file missing")
            bad += 1
            continue
        if os.path.getsize(path) > MAX_SIZE:
            print(f"FAIL {fname}: {os.path.getsize(path)} bytes, over {MAX_SIZE}")
            bad += 1
        conns = {(c.client, c.server): c for c in connections(path)}
        seen = set()
        for r in frows:
            _, client, server, verdict, offered, chosen, alerts, state, note, _today = r
            errs = []
            if verdict not in VERDICTS:
                errs.append(f"unknown verdict {verdict!r}")
            c = conns.get((client, server))
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
                want = [k for n in offered.split(",") for k, v in capcheck.VERSIONS.items() if v == n]
                if len(want) != len(offered.split(",")):
                    errs.append(f"cannot read offered_versions {offered!r}")
                elif legacy is None:
                    errs.append("no ClientHello on the wire (tshark)")
                elif wire_sv:
                    if sorted(wire_sv) != sorted(want):
                        errs.append(f"supported_versions on the wire {capcheck.version_names(wire_sv)}, expected {offered}")
                elif legacy != max(want):
                    errs.append(f"legacy_version on the wire {capcheck.version_names([legacy])}, expected max {offered}")
            got_chosen = capcheck.VERSIONS.get(wire_chosen, hex(wire_chosen)) if wire_chosen else "-"
            if got_chosen != chosen:
                errs.append(f"chosen version on the wire {got_chosen}, expected {chosen}")
            got_alerts = ",".join(wire_alerts) or "-"
            if got_alerts != alerts:
                errs.append(f"plaintext alerts on the wire {got_alerts}, expected {alerts}")
            got_state = c.zeek_conn_state()
            if got_state != state:
                errs.append(f"Zeek conn_state from the packets {got_state}, expected {state}")
            if errs:
                bad += 1
                print(f"FAIL {fname} {client} -> {server}: " + "; ".join(errs))
            else:
                passed += 1
                print(f"ok   {fname} {client} -> {server} {verdict} {state}")
        for k in conns:
            if k not in seen:
                print(f"FAIL {fname} {k[0]} -> {k[1]}: connection has no row")
                bad += 1
    print(f"{passed} passed, {bad} failed")
    return 1 if bad else 0


def cmd_today(tsv, connscope, names):
    base = os.path.dirname(os.path.abspath(tsv))
    rows = read_tsv(tsv)
    files = selected(tsv, names)
    for fname in files:
        out = subprocess.run([connscope, "analyze", os.path.join(base, fname), "-f", "json"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
        d = json.loads(out)
        got = {}
        for fl in d.get("flows") or []:
            reason = " ".join((fl.get("reason") or "").split())
            got[(fl["client"], fl["server"])] = fl["verdict"] + (": " + reason if reason else "")
            got.setdefault((fl["server"], fl["client"]), "(roles swapped) " + got[(fl["client"], fl["server"])])
        for r in rows:
            if r[0] == fname:
                r[9] = got.get((r[1], r[2]), "(not listed)").replace("\t", " ")
    write_tsv(tsv, rows)


def main(argv):
    if len(argv) == 6 and argv[1] == "update":
        return cmd_update(*argv[2:])
    if len(argv) >= 3 and argv[1] == "check":
        return cmd_check(argv[2], argv[3:])
    if len(argv) >= 4 and argv[1] == "today":
        return cmd_today(argv[2], argv[3], argv[4:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv) or 0)
