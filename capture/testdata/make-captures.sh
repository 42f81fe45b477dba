#!/usr/bin/env bash
# Makes the real captures in this folder from real Linux TCP and OpenSSL 3 traffic between two network
# namespaces (csA = client 10.99.0.1 / fd00:99::1, csB = server 10.99.0.2 / fd00:99::2, joined by a veth
# pair vA <-> vB), then the derived variants (go run ./capture/testdata/gen) and tshark's view of every
# file (*.tshark.tsv, which the tests compare against). No address outside these namespaces is used.
#
#   sudo capture/testdata/make-captures.sh      (from the repository root; needs ip, tcpdump, dumpcap,
#                                                 openssl, iptables, ip6tables, python3, tshark, go)
#
# What each capture holds (the "short" scenario, run once per capture):
#   - a TLS 1.3 handshake over IPv4 and one over IPv6 (openssl s_client -> s_server on port 4343)
#   - a SYN to a closed port (4400): answered with a RST
#   - SYNs rejected by iptables with ICMP port-unreachable (4444) and admin-prohibited (4445), and by
#     ip6tables with ICMPv6 admin-prohibited (4444 over IPv6)
#   - an IPv6 connection whose packets carry hop-by-hop and destination-options headers (set with
#     IPV6_HOPOPTS / IPV6_DSTOPTS on the client socket)
#   - a TLS handshake over the client's loopback (127.0.0.1:4343; seen on "any" and lo captures only)
# tls-veth.pcap also holds a 96 KB upload over TLS to an echo server (port 4346): the veth offloads segmentation, so the capture
# holds TCP segments far larger than the 1500-byte MTU, as captures taken on a sending host do.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
pids=()

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns del csA 2>/dev/null || true
	ip netns del csB 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add csA
ip netns add csB
for ns in csA csB; do
	# no router solicitations: they would land at random points of the captures
	ip netns exec $ns sysctl -qw net.ipv6.conf.default.router_solicitations=0
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.router_solicitations=0
done
ip link add vA netns csA type veth peer name vB netns csB
ip -n csA addr add 10.99.0.1/24 dev vA
ip -n csB addr add 10.99.0.2/24 dev vB
ip -n csA addr add fd00:99::1/64 dev vA nodad
ip -n csB addr add fd00:99::2/64 dev vB nodad
for ns in csA csB; do ip -n $ns link set lo up; done
ip -n csA link set vA up
ip -n csB link set vB up

ip netns exec csB iptables -A INPUT -p tcp --dport 4444 -j REJECT --reject-with icmp-port-unreachable
ip netns exec csB iptables -A INPUT -p tcp --dport 4445 -j REJECT --reject-with icmp-admin-prohibited
ip netns exec csB ip6tables -A INPUT -p tcp --dport 4444 -j REJECT --reject-with icmp6-adm-prohibited

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
	-subj /CN=connscope-test -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
ip netns exec csB openssl s_server -quiet -accept 4343 -cert "$tmp/cert.pem" -key "$tmp/key.pem" \
	>/dev/null 2>&1 </dev/null &
pids+=($!)
# an echo server (-rev sends each line back reversed) for the upload
ip netns exec csB openssl s_server -quiet -rev -accept 4346 -cert "$tmp/cert.pem" -key "$tmp/key.pem" \
	>/dev/null 2>&1 </dev/null &
pids+=($!)
ip netns exec csA openssl s_server -quiet -accept 127.0.0.1:4343 -cert "$tmp/cert.pem" -key "$tmp/key.pem" \
	>/dev/null 2>&1 </dev/null &
pids+=($!)
for _ in $(seq 50); do
	[ "$(ip netns exec csB ss -Hltn 'sport = :4343 or sport = :4346' | wc -l)" = 2 ] &&
		[ "$(ip netns exec csA ss -Hltn 'sport = :4343' | wc -l)" = 1 ] && break
	sleep 0.1
done

cat >"$tmp/exthdr.py" <<'EOF'
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
pad6 = bytes([0, 0, 1, 4, 0, 0, 0, 0])  # 8-byte header: PadN option of 4 data bytes
s.setsockopt(socket.IPPROTO_IPV6, 54, pad6)  # IPV6_HOPOPTS
s.setsockopt(socket.IPPROTO_IPV6, 59, pad6)  # IPV6_DSTOPTS
s.connect(("fd00:99::2", 4343))
s.close()
EOF

connect() { # ns host port: a bare TCP connect that is closed at once
	ip netns exec "$1" timeout 3 bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null || true
}

short_scenario() {
	ip netns exec csA openssl s_client -connect 10.99.0.2:4343 </dev/null >/dev/null 2>&1
	ip netns exec csA openssl s_client -connect '[fd00:99::2]:4343' </dev/null >/dev/null 2>&1
	connect csA 10.99.0.2 4400
	connect csA 10.99.0.2 4444
	connect csA 10.99.0.2 4445
	connect csA fd00:99::2 4444
	ip netns exec csA python3 "$tmp/exthdr.py"
	ip netns exec csA openssl s_client -connect 127.0.0.1:4343 </dev/null >/dev/null 2>&1
	sleep 0.3
}

upload() {
	head -c 98304 /dev/urandom >"$tmp/upload.bin"
	ip netns exec csA openssl s_client -quiet -no_ign_eof -connect 10.99.0.2:4346 <"$tmp/upload.bin" >/dev/null 2>&1
	sleep 0.3
}

capture() { # out scenario tool args...
	local out=$1 scen=$2
	shift 2
	ip netns exec csA "$@" -w "$tmp/$out" >"$tmp/cap.log" 2>&1 &
	local pid=$!
	for _ in $(seq 50); do grep -qi "listening\|capturing on" "$tmp/cap.log" && break; sleep 0.1; done
	sleep 0.5
	$scen
	# tcpdump reads the kernel ring in blocks that are handed over after at most 1 s: wait for the
	# last one, or the last packets are lost at the interrupt
	sleep 1.5
	kill -INT $pid
	wait $pid || true
	cp "$tmp/$out" "$here/$out"
	chmod 644 "$here/$out"
	echo "made $out"
}

both() { short_scenario; upload; }

capture tls-veth.pcap both tcpdump -U -i vA
capture tls-veth-nano.pcap short_scenario tcpdump -U -i vA --time-stamp-precision=nano
capture tls-any-sll2.pcap short_scenario tcpdump -U -i any -y LINUX_SLL2
capture tls-any-sll.pcap short_scenario tcpdump -U -i any -y LINUX_SLL
capture tls-snaplen96.pcap short_scenario tcpdump -U -i vA -s 96
# three interfaces in one pcapng: the veth and lo (Ethernet) and "any" (Linux SLL2)
capture dumpcap-3if.pcapng short_scenario dumpcap -q -n -i vA -i lo -i any -y LINUX_SLL2

cd "$repo"
go run ./capture/testdata/gen -dir capture/testdata

# tshark's reading of every file, with reassembly off so that each frame stands alone
cd "$here"
for f in *.pcap *.pcapng *.gz; do
	tshark -r "$f" -n -o ip.defragment:FALSE -o ipv6.defragment:FALSE -o tcp.desegment_tcp_streams:FALSE \
		-o tcp.analyze_sequence_numbers:FALSE -T fields -E header=y -E occurrence=a -E aggregator=';' \
		-e frame.number -e frame.time_epoch -e frame.len -e frame.cap_len \
		-e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e ip.ttl -e ipv6.hlim -e ip.id \
		-e tcp.srcport -e tcp.dstport -e tcp.seq_raw -e tcp.ack_raw -e tcp.flags -e tcp.window_size_value -e tcp.len \
		-e icmp.type -e icmp.code -e icmp.mtu -e icmpv6.type -e icmpv6.code -e icmpv6.mtu \
		>"$f.tshark.tsv" 2>/dev/null || true
	echo "tshark read $f: $(($(wc -l <"$f.tshark.tsv") - 1)) frames"
done
