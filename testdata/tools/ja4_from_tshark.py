#!/usr/bin/env python3
"""ja4_from_tshark: JA4 of every ClientHello in a capture, computed from tshark's dissection.

  ja4_from_tshark.py CAPTURE...

Prints "file<TAB>client ip:port<TAB>ja4" per ClientHello. An implementation of FoxIO's JA4
specification (technical_details/JA4.md) independent of connscope's Go code, working from the
values tshark 4.0 (which has no JA4 field) dissects: cipher suites, extension types,
supported_versions, ALPN strings and the signature_algorithms extension (not
signature_algorithms_cert). Its output is committed in analyze/fingerprint_test.go.
Standard library only.
"""
import hashlib
import json
import os
import subprocess
import sys

VERSIONS = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3", 0x0002: "s2",
            0xfeff: "d1", 0xfefd: "d2", 0xfefc: "d3"}


def grease(v):
    return v & 0x0f0f == 0x0a0a and v >> 8 == v & 0xff


def as_list(x):
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def num(s):
    return int(s, 16) if s.startswith("0x") else int(s)


def h12(s):
    return hashlib.sha256(s.encode()).hexdigest()[:12]


def ja4(hs):
    ciphers = [num(c) for c in as_list(hs.get("tls.handshake.ciphersuites", {}).get("tls.handshake.ciphersuite"))]
    exts, sigs, versions, alpn = [], [], [], None
    for key, ext in hs.items():
        if not key.startswith("Extension: "):
            continue
        for e in as_list(ext):
            t = num(e["tls.handshake.extension.type"])
            exts.append(t)
            if key.startswith("Extension: signature_algorithms ("):
                sigs = [num(s) for s in as_list(e.get("tls.handshake.sig_hash_algs", {}).get("tls.handshake.sig_hash_alg"))]
            if t == 43:
                versions = [num(v) for v in as_list(e.get("tls.handshake.extensions.supported_version"))]
            if t == 16 and alpn is None:
                protos = e.get("tls.handshake.extensions_alpn_list", {}).get("tls.handshake.extensions_alpn_str")
                alpn = as_list(protos)[0] if protos else ""
    ciphers = [c for c in ciphers if not grease(c)]
    exts = [e for e in exts if not grease(e)]
    sigs = [s for s in sigs if not grease(s)]
    versions = [v for v in versions if not grease(v)]
    version = max(versions) if versions else num(hs["tls.handshake.version"])
    a = "t" + VERSIONS.get(version, "00") + ("d" if 0 in exts else "i")
    a += "%02d%02d" % (min(len(ciphers), 99), min(len(exts), 99))
    if not alpn:
        a += "00"
    elif alpn[0].isalnum() and alpn[-1].isalnum() and alpn.isascii():
        a += alpn[0] + alpn[-1]
    else:
        hx = alpn.encode("latin-1").hex()
        a += hx[0] + hx[-1]
    b = h12(",".join("%04x" % c for c in sorted(ciphers))) if ciphers else "000000000000"
    sorted_exts = sorted(e for e in exts if e not in (0, 16))
    c_raw = ",".join("%04x" % e for e in sorted_exts)
    if sigs:
        c_raw += "_" + ",".join("%04x" % s for s in sigs)
    c = h12(c_raw) if sorted_exts else "000000000000"
    return a + "_" + b + "_" + c


def handshakes(layer):
    for rec in as_list(layer.get("tls.record")):
        for hs in as_list(rec.get("tls.handshake")):
            if isinstance(hs, dict) and hs.get("tls.handshake.type") == "1":
                yield hs


def main(paths):
    for path in paths:
        out = subprocess.run(["tshark", "-n", "-r", path, "-d", "tcp.port==4343,tls", "-Y", "tls.handshake.type == 1",
                              "-T", "json", "--no-duplicate-keys"], check=True, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True).stdout
        for pkt in json.loads(out or "[]"):
            layers = pkt["_source"]["layers"]
            ip = layers.get("ip", {}).get("ip.src") or "[" + layers.get("ipv6", {}).get("ipv6.src", "?") + "]"
            port = layers["tcp"]["tcp.srcport"]
            for tls in as_list(layers.get("tls")):
                for hs in handshakes(tls):
                    print(f"{os.path.basename(path)}\t{ip}:{port}\t{ja4(hs)}")


if __name__ == "__main__":
    main(sys.argv[1:])
