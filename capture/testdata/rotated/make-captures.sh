#!/usr/bin/env bash
# Makes the rotated-set test captures of this folder: two tcpdumps run at once on the client's veth
# between two network namespaces (caprota 10.203.0.1 <-> caprotb 10.203.0.2), one writing a rotated
# set with -C 1 (set/x.pcap, set/x.pcap1, set/x.pcap2: a new file after each 1,000,000 bytes), the
# other one file (y.pcap), while real TLS traffic runs: OpenSSL 3 s_client handshakes with s_server
# (TLS 1.3 over IPv4 and IPv6), a TLS 1.3-only client against a TLS 1.2-only server (a
# protocol_version alert), a SYN to a closed port (a RST), and two 1 MB uploads over TLS (a Python
# ssl client), so that the set spans three files. No address outside these namespaces is used.
#
#   sudo capture/testdata/rotated/make-captures.sh   (from the repository root; needs ip, tcpdump,
#                                                     openssl, python3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../netns-lib.sh"

veth_pair caprota caprotb caprva caprvb 10.203.0.1 10.203.0.2 fd00:203::1 fd00:203::2
tls_servers caprotb
# resolve the neighbours, and let the links' multicast listener reports go by, before the
# captures start: both tcpdumps must see the same packets, from the first on
sleep 3
touch_closed caprota 10.203.0.2
touch_closed caprota fd00:203::2
upload_client 10.203.0.2 1000000

scenario() {
	ip netns exec caprota openssl s_client -connect 10.203.0.2:4343 </dev/null >/dev/null 2>&1
	ip netns exec caprota python3 "$tmp/upload.py"
	ip netns exec caprota openssl s_client -connect '[fd00:203::2]:4343' </dev/null >/dev/null 2>&1
	ip netns exec caprota openssl s_client -tls1_3 -connect 10.203.0.2:4344 </dev/null >/dev/null 2>&1 || true
	touch_closed caprota 10.203.0.2
	ip netns exec caprota python3 "$tmp/upload.py"
	ip netns exec caprota openssl s_client -connect 10.203.0.2:4343 </dev/null >/dev/null 2>&1
	sleep 0.3
}

mkdir -p "$tmp/set"
ip netns exec caprota tcpdump -U -Z root -i caprva -C 1 -w "$tmp/set/x.pcap" >"$tmp/set.log" 2>&1 &
set_pid=$!
ip netns exec caprota tcpdump -U -Z root -i caprva -w "$tmp/y.pcap" >"$tmp/y.log" 2>&1 &
y_pid=$!
for _ in $(seq 50); do
	grep -q listening "$tmp/set.log" && grep -q listening "$tmp/y.log" && break
	sleep 0.1
done
sleep 0.5
scenario
sleep 1.5
kill -INT $set_pid $y_pid
wait $set_pid $y_pid || true
cat "$tmp/set.log" "$tmp/y.log"
rm -f "$here"/set/x.pcap*
cp "$tmp"/set/x.pcap* "$here/set/"
cp "$tmp/y.pcap" "$here/"
chmod 644 "$here"/set/x.pcap* "$here/y.pcap"
ls -l "$here/set" "$here/y.pcap"
