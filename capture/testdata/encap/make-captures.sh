#!/usr/bin/env bash
# Makes the encapsulation test captures of this folder. The real ones come from two network
# namespaces joined by a veth pair (capvxa 10.201.0.1 <-> capvxb 10.201.0.2: the underlay) with a
# VXLAN tunnel over it (VNI 4201, UDP 4789; overlay 192.168.201.1/2 and fd00:201::1/2): a TLS
# scenario runs over the overlay while tcpdump captures both the underlay veth (vxlan.pcap: every
# packet inside VXLAN, as the kernel sent it) and the VXLAN device (inner.pcap: the same packets
# unwrapped). The kernel here has no geneve, gre, erspan, ipip, sit, ip6tnl or MPLS devices, so the
# other encapsulations are built by ../gen (go run ./capture/testdata/gen -encap) around the really
# captured frames of inner.pcap, one output frame per input frame, with gopacket's serializer.
# No address outside these namespaces is used.
#
#   sudo capture/testdata/encap/make-captures.sh   (from the repository root; needs ip, tcpdump,
#                                                   openssl, python3, go)
#
# The scenario (overlay addresses; client capvxa, server capvxb):
#   - a TLS 1.3 handshake over IPv4 and one over IPv6 (openssl s_client -> s_server, port 4343)
#   - a TLS 1.3-only client against a TLS 1.2-only server (port 4344): a protocol_version alert
#   - a SYN to a closed port (4400): answered with a RST
#   - a 24 KB upload over TLS (port 4343, a Python client), so that full-size segments are in the tunnel
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
. "$here/../netns-lib.sh"

veth_pair capvxa capvxb capv0a capv0b 10.201.0.1 10.201.0.2 fd00:201:0:1::1 fd00:201:0:1::2
ip -n capvxa link add capvx0 type vxlan id 4201 local 10.201.0.1 remote 10.201.0.2 dstport 4789 dev capv0a
ip -n capvxb link add capvx0 type vxlan id 4201 local 10.201.0.2 remote 10.201.0.1 dstport 4789 dev capv0b
ip -n capvxa addr add 192.168.201.1/24 dev capvx0
ip -n capvxb addr add 192.168.201.2/24 dev capvx0
ip -n capvxa addr add fd00:201::1/64 dev capvx0 nodad
ip -n capvxb addr add fd00:201::2/64 dev capvx0 nodad
ip -n capvxa link set capvx0 up
ip -n capvxb link set capvx0 up

tls_servers capvxb
# resolve the neighbours before the captures start: the captures then hold the scenario only
touch_closed capvxa 192.168.201.2
touch_closed capvxa fd00:201::2
upload_client 192.168.201.2 24576

scenario() {
	ip netns exec capvxa openssl s_client -connect 192.168.201.2:4343 </dev/null >/dev/null 2>&1
	ip netns exec capvxa openssl s_client -connect '[fd00:201::2]:4343' </dev/null >/dev/null 2>&1
	ip netns exec capvxa openssl s_client -tls1_3 -connect 192.168.201.2:4344 </dev/null >/dev/null 2>&1 || true
	touch_closed capvxa 192.168.201.2
	ip netns exec capvxa python3 "$tmp/upload.py"
	sleep 0.3
}

ip netns exec capvxa tcpdump -U -i capv0a -w "$tmp/vxlan.pcap" >"$tmp/outer.log" 2>&1 &
outer=$!
ip netns exec capvxa tcpdump -U -i capvx0 -w "$tmp/inner.pcap" >"$tmp/inner.log" 2>&1 &
inner=$!
for _ in $(seq 50); do
	grep -q listening "$tmp/outer.log" && grep -q listening "$tmp/inner.log" && break
	sleep 0.1
done
sleep 0.5
scenario
sleep 1.5
kill -INT $outer $inner
wait $outer $inner || true
cp "$tmp/vxlan.pcap" "$tmp/inner.pcap" "$here/"
chmod 644 "$here/vxlan.pcap" "$here/inner.pcap"
echo "made vxlan.pcap, inner.pcap"

cd "$repo"
go run ./capture/testdata/gen -encap -dir capture/testdata/encap
