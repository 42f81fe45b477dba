#!/usr/bin/env python3
"""twopoint: lines up one scenario's agent-side and server-side captures (testdata/captures/twopoint/)
packet by packet with tshark, and writes or checks testdata/captures/EXPECTED-TWOPOINT.tsv.

  twopoint.py show AGENT.pcap SERVER.pcap
      prints, per connection, the two-point facts below.
  twopoint.py update TSV SCENARIO AGENT.pcap SERVER.pcap|- EXPECTED
      writes the scenario's rows: the facts from the packets, and from the file EXPECTED one line
      per connection (in the order of their first packet at the agent): verdict, where, note
      (tab-separated).
  twopoint.py check TSV [SCENARIO...]
      recomputes the facts of every row from the files and compares them.
  twopoint.py today TSV CONNSCOPE [SCENARIO...]
      runs CONNSCOPE analyze -f json on the agent file, the server file and the two merged files of
      each scenario (for the rotated set: on its files in order, as one command) and records each
      one's verdict for the connection (found by its client and server endpoints, the server's port
      included: the probes of a scan share one client endpoint), or the error it gave.

The rotated scenario has one capture point (the agent): its row has "-" for everything the server
side would give; its merged_file column names the directory of the tcpdump -C set.

A connection is the same at both points when its SYN carries the same ISN (NAT changes the
addresses and maybe the ports, not the ISN; of several with one ISN, as a scanner's crafted SYNs
carry, the one with the same endpoints, else the same server, else none); a packet is the same when its direction, raw sequence
and acknowledgment numbers, TCP flags, payload length and IP ID are. Per direction:
  sent     packets of that direction in the capture at the sending side that the receiving side's
           capture could have held: sent while it was capturing (a packet that would have arrived
           before the receiving file's first frame or after its last, SLACK allowed, is left out),
  arrived  how many of them are in the capture at the receiving side,
  lost     sent - arrived,
  injected packets in the receiving side's capture that the sending side never sent (forged in its
           name on the path), of those received while the sending side's capture ran.
first_lost gives the frame number, in the sending side's file, of the first packet that did not
arrive. offset_ms is the receiving clock minus the sending clock, estimated from the matched packets
as half the difference of the two directions' median transit times (both captures are on one host
here, so it must be about 0); transit_ms is the median one-way time. Standard library only.
"""
import collections
import json
import os
import statistics
import subprocess
import sys

FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "tcp.stream",
          "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.len", "ip.id"]
HEADER = ["scenario", "agent_file", "server_file", "merged_file", "merged_ifaces_file", "client_at_agent", "server_at_agent",
          "client_at_server", "server_at_server", "expected_verdict", "c2s_sent_at_agent", "c2s_arrived_at_server",
          "c2s_lost", "c2s_injected_at_server", "c2s_first_lost_agent_frame", "s2c_sent_at_server",
          "s2c_arrived_at_agent", "s2c_lost", "s2c_injected_at_agent", "s2c_first_lost_server_frame",
          "offset_ms", "transit_ms", "where", "note", "today_agent", "today_server", "today_merged",
          "today_merged_ifaces"]
FACTS = HEADER[5:9] + HEADER[10:22]


def packets(path):
    cmd = ["tshark", "-n", "-r", path, "-Y", "tcp && !icmp", "-T", "fields", "-E", "separator=/t"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    streams = collections.OrderedDict()
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        streams.setdefault(v["tcp.stream"], []).append(v)
    conns = []
    for pk in streams.values():
        syn = next((p for p in pk if int(p["tcp.flags"], 16) & 0x12 == 0x02), None)
        synack = next((p for p in pk if int(p["tcp.flags"], 16) & 0x12 == 0x12), None)
        if syn:
            client = (syn["ip.src"], syn["tcp.srcport"])
            isn = int(syn["tcp.seq_raw"])
        elif synack:
            client = (synack["ip.dst"], synack["tcp.dstport"])
            isn = (int(synack["tcp.ack_raw"]) - 1) & 0xFFFFFFFF
        else:
            continue
        server = next(((p["ip.dst"], p["tcp.dstport"]) for p in pk if (p["ip.src"], p["tcp.srcport"]) == client),
                      None) or next((p["ip.src"], p["tcp.srcport"]) for p in pk)
        conns.append({"isn": isn, "client": client, "server": server, "pkts": pk})
    return conns


# SLACK is the room, in seconds, given to when a packet would have arrived at the other point (on
# top of the spread of the measured transit times): a packet is called lost or injected only when
# the other point was capturing then (connscope's correlate/span.go gives the same).
SLACK = 0.002


def span(path):
    """The times of the file's first and last frame (unbounded for an empty file)."""
    out = subprocess.run(["tshark", "-n", "-r", path, "-T", "fields", "-e", "frame.time_epoch"], check=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.split()
    if not out:
        return float("-inf"), float("inf")
    return float(out[0]), float(out[-1])


def key(p, c2s):
    return (c2s, p["tcp.seq_raw"], p["tcp.ack_raw"], int(p["tcp.flags"], 16), p["tcp.len"], p["ip.id"])


def ep(a):
    return f"{a[0]}:{a[1]}"


def facts(agent_path, server_path):
    if server_path is None:  # one capture point only (the rotated set): what the agent saw
        rows = []
        for a in packets(agent_path):
            n_c2s = sum(1 for p in a["pkts"] if (p["ip.src"], p["tcp.srcport"]) == a["client"])
            rows.append({"client_at_agent": ep(a["client"]), "server_at_agent": ep(a["server"]),
                         **{k: "-" for k in FACTS[2:]}, "c2s_sent_at_agent": str(n_c2s),
                         "s2c_arrived_at_agent": str(len(a["pkts"]) - n_c2s)})
        return rows
    # By ISN; of several with one ISN (a scanner's crafted SYNs carry one for every probe), the
    # one with the same endpoints, else the same server, else none.
    at_server = collections.defaultdict(list)
    for c in packets(server_path):
        at_server[c["isn"]].append(c)
    rows = []
    for a in packets(agent_path):
        cands = at_server.get(a["isn"], [])
        s = next((c for c in cands if (c["client"], c["server"]) == (a["client"], a["server"])),
                 next((c for c in cands if c["server"] == a["server"]), cands[0] if len(cands) == 1 else None))
        if s is not None:
            cands.remove(s)
        a_c2s = [p for p in a["pkts"] if (p["ip.src"], p["tcp.srcport"]) == a["client"]]
        a_s2c = [p for p in a["pkts"] if (p["ip.src"], p["tcp.srcport"]) != a["client"]]
        s_c2s = [p for p in s["pkts"] if (p["ip.src"], p["tcp.srcport"]) == s["client"]] if s else []
        s_s2c = [p for p in s["pkts"] if (p["ip.src"], p["tcp.srcport"]) != s["client"]] if s else []

        def match(sent, got, c2s):
            idx = {}
            for p in got:
                idx.setdefault(key(p, c2s), []).append(p)
            pairs, used = {}, set()
            for p in sent:
                q = idx.get(key(p, c2s))
                if q:
                    g = q.pop(0)
                    pairs[id(p)] = g
                    used.add(id(g))
            return pairs, used

        def side(sent, got, c2s, delays, span_from, span_to):
            # A packet is judged (lost or injected) only while both points were capturing: sent
            # with its arrival (sending time + delay, +- slack) inside the receiving file's span,
            # received with its sending time inside the sending file's span.
            pairs, used = match(sent, got, c2s)
            delay, slack = delays
            arrived, lost, first_lost, injected = 0, 0, "-", 0
            for p in sent:
                if id(p) in pairs:
                    arrived += 1
                    continue
                t = float(p["frame.time_epoch"]) + delay
                if not (span_to[0] <= t - slack and t + slack <= span_to[1]):
                    continue
                lost += 1
                if first_lost == "-":
                    first_lost = p["frame.number"]
            for q in got:
                if id(q) in used:
                    continue
                t = float(q["frame.time_epoch"]) - delay
                if span_from[0] <= t - slack and t + slack <= span_from[1]:
                    injected += 1
            return arrived + lost, arrived, lost, injected, first_lost

        def transits(sent, got, c2s):
            pairs, _ = match(sent, got, c2s)
            return [float(pairs[id(p)]["frame.time_epoch"]) - float(p["frame.time_epoch"]) for p in sent if id(p) in pairs]

        tc, td = transits(a_c2s, s_c2s, True), transits(s_s2c, a_s2c, False)

        def delays(own, other):
            if own:
                return statistics.median(own), SLACK + 2 * (max(own) - min(own))
            if other:
                return -statistics.median(other), SLACK + 2 * (max(other) - min(other))
            return 0.0, SLACK

        span_a, span_s = span(agent_path), span(server_path)
        if s is None:  # seen at the agent only: judged against what the server's capture shows of its server
            span_a = span_s = (float("-inf"), float("inf"))
        c = side(a_c2s, s_c2s, True, delays(tc, td), span_a, span_s) + (tc,)
        d = side(s_s2c, a_s2c, False, delays(td, tc), span_s, span_a) + (td,)
        if c[5] and d[5]:
            m1, m2 = statistics.median(c[5]), statistics.median(d[5])
            offset, transit = f"{(m1 - m2) / 2 * 1000:.3f}", f"{(m1 + m2) / 2 * 1000:.3f}"
        else:
            offset, transit = "-", "-"
        rows.append({
            "client_at_agent": ep(a["client"]), "server_at_agent": ep(a["server"]),
            "client_at_server": ep(s["client"]) if s else "-", "server_at_server": ep(s["server"]) if s else "-",
            "c2s_sent_at_agent": str(c[0]), "c2s_arrived_at_server": str(c[1]), "c2s_lost": str(c[2]),
            "c2s_injected_at_server": str(c[3]), "c2s_first_lost_agent_frame": c[4],
            "s2c_sent_at_server": str(d[0]), "s2c_arrived_at_agent": str(d[1]), "s2c_lost": str(d[2]),
            "s2c_injected_at_agent": str(d[3]), "s2c_first_lost_server_frame": d[4],
            "offset_ms": offset, "transit_ms": transit,
        })
    for s in (c for cands in at_server.values() for c in cands):  # seen only at the server
        rows.append({"client_at_agent": "-", "server_at_agent": "-", "client_at_server": ep(s["client"]),
                     "server_at_server": ep(s["server"]), **{k: "-" for k in FACTS[4:]}})
    return rows


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        lines = f.read().splitlines()
    if lines and lines[0].split("\t") != HEADER:
        raise SystemExit(f"{path}: unexpected header")
    return [dict(zip(HEADER, line.split("\t"))) for line in lines[1:]]


def write_tsv(path, rows):
    with open(path + ".tmp", "w") as f:
        f.write("\t".join(HEADER) + "\n")
        for r in rows:
            f.write("\t".join(r[h] for h in HEADER) + "\n")
    os.replace(path + ".tmp", path)


def cmd_update(tsv, scenario, agent, server, expected):
    base = os.path.dirname(os.path.abspath(tsv))
    with open(expected) as f:
        exp = [line.split("\t") for line in f.read().splitlines() if line.strip()]
    got = facts(agent, None if server == "-" else server)
    if len(got) != len(exp):
        raise SystemExit(f"{scenario}: {len(got)} connections, {len(exp)} expected")
    old = {(r["scenario"], r["client_at_agent"], r["client_at_server"]): r for r in read_tsv(tsv)}
    merged = os.path.join(os.path.dirname(agent), scenario + "-merged.pcapng")
    merged_ifaces = os.path.join(os.path.dirname(agent), scenario + "-merged-ifaces.pcapng")
    rotated = os.path.join(os.path.dirname(agent), scenario)  # a rotated set's directory
    if os.path.isdir(rotated):
        merged = rotated
    new = []
    for g, e in zip(got, exp):
        r = {"scenario": scenario, "agent_file": os.path.relpath(os.path.abspath(agent), base),
             "server_file": os.path.relpath(os.path.abspath(server), base) if server != "-" else "-",
             "merged_file": os.path.relpath(os.path.abspath(merged), base) + ("/" if os.path.isdir(merged) else "")
             if os.path.exists(merged) else "-",
             "merged_ifaces_file": os.path.relpath(os.path.abspath(merged_ifaces), base)
             if os.path.exists(merged_ifaces) else "-",
             **g, "expected_verdict": e[0], "where": e[1], "note": e[2]}
        prev = old.get((scenario, g["client_at_agent"], g["client_at_server"]), {})
        for t in ("today_agent", "today_server", "today_merged", "today_merged_ifaces"):
            r[t] = prev.get(t, "-")
        new.append(r)
    rows = read_tsv(tsv)
    at = next((i for i, r in enumerate(rows) if r["scenario"] == scenario), len(rows))  # keep its place
    rows = [r for r in rows[:at] if r["scenario"] != scenario] + new + [r for r in rows[at:] if r["scenario"] != scenario]
    write_tsv(tsv, rows)


def cmd_check(tsv, names):
    base = os.path.dirname(os.path.abspath(tsv))
    bad = passed = 0
    rows = read_tsv(tsv)
    for scenario in dict.fromkeys(r["scenario"] for r in rows):
        if names and scenario not in names:
            continue
        mine = [r for r in rows if r["scenario"] == scenario]
        server = None if mine[0]["server_file"] == "-" else os.path.join(base, mine[0]["server_file"])
        got = facts(os.path.join(base, mine[0]["agent_file"]), server)
        if len(got) != len(mine):
            print(f"FAIL {scenario}: {len(got)} connections in the files, {len(mine)} rows")
            bad += 1
            continue
        for r, g in zip(mine, got):
            errs = [f"{k} {g[k]} (row {r[k]})" for k in FACTS if k not in ("offset_ms", "transit_ms") and g[k] != r[k]]
            if g["offset_ms"] != "-" and abs(float(g["offset_ms"])) > 5:
                errs.append(f"clock offset {g['offset_ms']} ms, both captures are on one host")
            if errs:
                bad += 1
                print(f"FAIL {scenario} {r['client_at_agent']}: " + "; ".join(errs))
            else:
                passed += 1
                print(f"ok   {scenario} {r['client_at_agent']} -> {r['server_at_agent']} {r['expected_verdict']}: "
                      f"c2s {g['c2s_sent_at_agent']}/{g['c2s_arrived_at_server']}/{g['c2s_lost']} "
                      f"s2c {g['s2c_sent_at_server']}/{g['s2c_arrived_at_agent']}/{g['s2c_lost']}")
    print(f"{passed} passed, {bad} failed")
    return 1 if bad else 0


def rotation_order(d):
    """The files of a tcpdump -C set in the order tcpdump wrote them: NAME, NAME1, NAME2, ..."""
    names = sorted(os.listdir(d))
    base = min(names, key=len)
    return [os.path.join(d, n) for n in sorted(names, key=lambda n: int(n[len(base):] or 0))]


def verdicts(connscope, path):
    """connscope's verdicts per connection, keyed by (client, server) endpoints (the probes of a scan
    share their client endpoint and differ in the server's address or port), for one file, or for a
    rotated set's directory given as its files in order (as a user would pass them)."""
    files = rotation_order(path) if os.path.isdir(path) else [path]
    run = subprocess.run([connscope, "analyze", *files, "-f", "json"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    got = collections.defaultdict(list)
    if not run.stdout.strip():
        got["error"].append("error: " + (run.stderr.strip().splitlines() or ["no output"])[0])
        return got
    for fl in json.loads(run.stdout).get("flows") or []:
        reason = " ".join((fl.get("reason") or "").split())
        got[(fl["client"], fl["server"])].append(fl["verdict"] + (": " + reason if reason else ""))
    return got


def cmd_today(tsv, connscope, names):
    base = os.path.dirname(os.path.abspath(tsv))
    rows = read_tsv(tsv)
    for scenario in dict.fromkeys(r["scenario"] for r in rows):
        if names and scenario not in names:
            continue
        mine = [r for r in rows if r["scenario"] == scenario]
        at_agent, at_server = ("client_at_agent", "server_at_agent"), ("client_at_server", "server_at_server")
        for col, fcol, ccols in (("today_agent", "agent_file", [at_agent]),
                                 ("today_server", "server_file", [at_server]),
                                 ("today_merged", "merged_file", [at_agent, at_server]),
                                 ("today_merged_ifaces", "merged_ifaces_file", [at_agent, at_server])):
            if mine[0][fcol] == "-":
                continue
            got = verdicts(connscope, os.path.join(base, mine[0][fcol]))
            for r in mine:
                says = []
                for conn in dict.fromkeys((r[c], r[sv]) for c, sv in ccols):
                    says += got.get(conn, [])
                says += got.get("error", [])
                r[col] = " | ".join(says).replace("\t", " ") if says else "(not listed)"
    write_tsv(tsv, rows)


def main(argv):
    if len(argv) == 4 and argv[1] == "show":
        for r in facts(argv[2], argv[3]):
            print(json.dumps(r))
        return 0
    if len(argv) == 7 and argv[1] == "update":
        return cmd_update(*argv[2:])
    if len(argv) >= 3 and argv[1] == "check":
        return cmd_check(argv[2], argv[3:])
    if len(argv) >= 4 and argv[1] == "today":
        return cmd_today(argv[2], argv[3], argv[4:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv) or 0)
