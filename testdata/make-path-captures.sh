#!/usr/bin/env bash
# make-path-captures.sh — makes connscope's firewall, middlebox and path test captures
# (testdata/captures/path-*.pcap) and their rows in testdata/captures/MANIFEST.tsv.
#
#   sudo ./testdata/make-path-captures.sh                  # every capture
#   sudo ./testdata/make-path-captures.sh path-syn-drop    # only the named ones
#   ./testdata/make-path-captures.sh --list                # the names
#
# Three network namespaces joined by two veth pairs, with the Linux router in the middle forwarding:
#
#   p6-agent  p6-a0 10.66.1.1/24 ---- p6-ra 10.66.1.254/24  p6-router  p6-rs 10.66.2.254/24 ---- p6-s0 10.66.2.2/24  p6-server
#
# The router's iptables rules make each failure (DROP, REJECT with ICMP or a forged TCP reset, a
# length match that drops large segments, connbytes, conntrack timeouts, nth-packet loss). Every
# packet between agent and server crosses one router, so each side sees the other's packets with
# TTL 63 while its own leave with 64; what the router itself sends arrives with 64. tcpdump records
# the agent's veth (or, for the server-side captures, the server's). Nothing leaves the machine;
# the namespaces are deleted after each capture and by a trap on failure.
#
# The helpers (bg, cap_start, cap_stop, expect, finish, ...) come from make-captures.sh, sourced;
# this file only replaces the topology. Needs what make-captures.sh needs.
set -euo pipefail

PATH_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=make-captures.sh
source "$PATH_HERE/make-captures.sh"

NS_A=p6-agent
NS_S=p6-server
NS_R=p6-router
VETH_A=p6-a0  # agent end
VETH_RA=p6-ra # router end towards the agent
VETH_RS=p6-rs # router end towards the server
VETH_S=p6-s0  # server end
AGENT=10.66.1.1
RTR_A=10.66.1.254
RTR_S=10.66.2.254
SRV=10.66.2.2
AGENT6=fd00:66:1::1
SRV6=fd00:66:2::2

PATH_ALL=(
	path-syn-drop path-admin-prohibited path-port-unreachable path-unreachable
	path-injected-rst path-midstream-reset path-idle-reset
	path-mtu-blackhole path-mtu-blackhole-server path-data-blackhole
	path-synack-lost-server path-loss-reorder-ok path-zero-window-ok
	path-pmtud-ok-server path-pmtu-ignored-server path-ipv6-admin-prohibited
	path-one-direction path-client-reset-forged-server
)
# MANIFEST.tsv rows: the first-slice captures, then these. make-captures.sh's main runs ALL.
ROW_ORDER=("${ALL[@]}" "${PATH_ALL[@]}")
ALL=("${PATH_ALL[@]}")

R() { ip netns exec "$NS_R" "$@"; } # run in the router namespace

netns_down() {
	local ns pid
	for ns in "$NS_A" "$NS_R" "$NS_S"; do
		if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
			# Only processes inside our own namespaces, which this script started.
			for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
			ip netns del "$ns"
		fi
	done
}

# path_up [--ipv6] : the three namespaces, offloads off on every veth end (the capture holds what
# a wire would carry), the router forwarding with empty FORWARD chains. IPv4 only unless --ipv6
# (then also fd00:66:1::/64 and fd00:66:2::/64, with no DAD, router solicitations or delayed MLD
# reports to get into the capture).
path_up() {
	local ipv6=0 ns
	[[ ${1:-} == --ipv6 ]] && ipv6=1
	netns_down
	for ns in "$NS_A" "$NS_R" "$NS_S"; do
		ip netns add "$ns"
		ip netns exec "$ns" ip link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=$((1 - ipv6)) net.ipv6.conf.default.disable_ipv6=$((1 - ipv6))
		if ((ipv6)); then
			ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.dad_transmits=0 \
				net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.default.router_solicitations=0 \
				net.ipv6.conf.default.mldv2_unsolicited_report_interval=1 net.ipv6.conf.default.mldv1_unsolicited_report_interval=1
		fi
	done
	ip link add "$VETH_A" netns "$NS_A" address 02:66:00:01:00:01 type veth peer name "$VETH_RA" netns "$NS_R" address 02:66:00:01:00:fe
	ip link add "$VETH_S" netns "$NS_S" address 02:66:00:02:00:02 type veth peer name "$VETH_RS" netns "$NS_R" address 02:66:00:02:00:fe
	A ethtool -K "$VETH_A" tx off rx off tso off gso off gro off >/dev/null
	R ethtool -K "$VETH_RA" tx off rx off tso off gso off gro off >/dev/null
	R ethtool -K "$VETH_RS" tx off rx off tso off gso off gro off >/dev/null
	S ethtool -K "$VETH_S" tx off rx off tso off gso off gro off >/dev/null
	A ip addr add "$AGENT/24" dev "$VETH_A"
	R ip addr add "$RTR_A/24" dev "$VETH_RA"
	R ip addr add "$RTR_S/24" dev "$VETH_RS"
	S ip addr add "$SRV/24" dev "$VETH_S"
	A ip link set "$VETH_A" up
	R ip link set "$VETH_RA" up
	R ip link set "$VETH_RS" up
	S ip link set "$VETH_S" up
	A ip route add default via "$RTR_A"
	S ip route add default via "$RTR_S"
	R sysctl -qw net.ipv4.ip_forward=1
	if ((ipv6)); then
		A ip addr add "$AGENT6/64" dev "$VETH_A" nodad
		R ip addr add fd00:66:1::fe/64 dev "$VETH_RA" nodad
		R ip addr add fd00:66:2::fe/64 dev "$VETH_RS" nodad
		S ip addr add "$SRV6/64" dev "$VETH_S" nodad
		A ip -6 route add default via fd00:66:1::fe
		S ip -6 route add default via fd00:66:2::fe
		R sysctl -qw net.ipv6.conf.all.forwarding=1
		A ip -6 neigh replace fd00:66:1::fe lladdr 02:66:00:01:00:fe dev "$VETH_A" nud permanent
		R ip -6 neigh replace "$AGENT6" lladdr 02:66:00:01:00:01 dev "$VETH_RA" nud permanent
		R ip -6 neigh replace "$SRV6" lladdr 02:66:00:02:00:02 dev "$VETH_RS" nud permanent
		S ip -6 neigh replace fd00:66:2::fe lladdr 02:66:00:02:00:fe dev "$VETH_S" nud permanent
		sleep 2 # let the link-up multicast listener reports go by before the capture starts
	fi
	# Fixed neighbour entries: no ARP in the captures, and none delaying a first SYN.
	A ip neigh replace "$RTR_A" lladdr 02:66:00:01:00:fe dev "$VETH_A" nud permanent
	R ip neigh replace "$AGENT" lladdr 02:66:00:01:00:01 dev "$VETH_RA" nud permanent
	R ip neigh replace "$SRV" lladdr 02:66:00:02:00:02 dev "$VETH_RS" nud permanent
	S ip neigh replace "$RTR_S" lladdr 02:66:00:02:00:fe dev "$VETH_S" nud permanent
}

# cap_start_server : like cap_start, but tcpdump records the server's veth.
cap_start_server() {
	NS_A=$NS_S cap_start -i "$VETH_S"
}

# client ARGS... : OpenSSL s_client in the agent namespace that trusts the test CA; stdin, output
# and exit status are the caller's. The server certificate names 10.77.1.2, not 10.66.2.2, so the
# name is not checked (the chain is).
client() {
	A timeout "${CLIENT_TIMEOUT:-20}" openssl s_client -connect "${CONNECT:-$SRV:$PORT}" -CAfile "$PKI/ca.pem" "$@"
}

# client_fail ARGS... : client that must fail (no connection).
client_fail() {
	if client "$@" </dev/null >>"$WORK/client.log" 2>&1; then
		die "openssl s_client $* succeeded, but should have failed"
	fi
}

# get ARGS... : client that GETs PATH_TO_GET (default the OfcNTCer.dat stand-in) and waits for the
# server to close.
get() {
	printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "${PATH_TO_GET:-$OFC_PATH}" "$SRV" "$PORT" |
		client -ign_eof "$@" >>"$WORK/client.log" 2>&1
}

# big_file NAME BYTES : a file of that size in the web root; prints its path for GET.
big_file() {
	head -c "$2" /dev/zero | tr '\0' 'x' >"$WORK/www/$1"
	echo "/$1"
}

# ---------------------------------------------------------------- the captures

cap_path-syn-drop() {
	begin path-syn-drop
	path_up
	R iptables -A FORWARD -p tcp --dport "$PORT" --syn -j DROP
	A sysctl -qw net.ipv4.tcp_syn_retries=3
	cap_start
	local t0=$SECONDS
	client_fail -tls1_2
	log "attempt 1 gave up after $((SECONDS - t0)) s"
	expect syn-timeout - - - S0 "the router drops SYNs to 4343 (iptables FORWARD DROP); agent Linux 6.18, tcp_syn_retries=3 and the default tcp_syn_linear_timeouts=4: SYNs 1 s apart four times, then doubling; connect() fails ~15 s after the first SYN (1+2+4+8 s)"
	sleep 1
	client_fail -tls1_2
	expect syn-timeout - - - S0 "the application's second attempt from a new source port: a new flow with the same schedule"
	cap_stop
	finish
}

# reject_capture NAME REJECT_WITH NOTE : the router answers SYNs to 4343 with that ICMP error.
reject_capture() {
	begin "$1"
	path_up
	R iptables -A FORWARD -p tcp --dport "$PORT" -j REJECT --reject-with "$2"
	cap_start
	client_fail -tls1_2
	expect firewall-reject - - - S0 "$3"
	cap_stop
	finish
}

cap_path-admin-prohibited() {
	reject_capture path-admin-prohibited icmp-admin-prohibited "the router rejects with ICMP type 3 code 13 (communication administratively prohibited) from 10.66.1.254; the Linux agent retransmits the SYN once (1 s), gets the same answer and connect() fails (EHOSTUNREACH)"
}

cap_path-port-unreachable() {
	reject_capture path-port-unreachable icmp-port-unreachable "the router rejects with ICMP port unreachable (iptables REJECT's default) from 10.66.1.254, not the server: a TCP stack answers a closed port with RST, so the ICMP is a firewall's; as with admin-prohibited, two SYNs 1 s apart each get the error before connect() fails"
}

cap_path-unreachable() {
	begin path-unreachable
	path_up
	A sysctl -qw net.ipv4.tcp_syn_retries=2
	cap_start
	CONNECT=10.66.3.2:$PORT client_fail -tls1_2
	expect unreachable - - - S0 "10.66.3.2: the router has no route to 10.66.3.0/24 and answers every SYN with ICMP net unreachable (code 0); Linux treats it as a soft error, retransmits the SYN on its schedule and fails after ~7 s (ENETUNREACH)"
	CONNECT=10.66.2.9:$PORT client_fail -tls1_2
	expect unreachable - - - S0 "10.66.2.9: on the router's server subnet but no such host: ARP goes unanswered and the router sends ICMP host unreachable (code 1) ~3 s after a SYN; connect() fails with EHOSTUNREACH"
	cap_stop
	finish
}

cap_path-injected-rst() {
	begin path-injected-rst
	path_up
	bg server s_server -tls1_2 -WWW
	wait_listen $PORT
	cap_start
	get -tls1_2
	wait_exit "$LAST_PID" 5
	expect ok "TLS 1.0,TLS 1.1,TLS 1.2" "TLS 1.2" - SF "a first connection through the router works: the server's packets arrive with TTL 63 (one hop)"
	R iptables -A FORWARD -p tcp --dport "$PORT" --syn -j REJECT --reject-with tcp-reset
	sleep 0.5
	client_fail -tls1_2
	expect middlebox-reset - - - REJ "then the router rejects SYNs with a forged RST-ACK in the server's name (iptables REJECT --reject-with tcp-reset): it arrives with TTL 64, the server's packets with 63"
	cap_stop
	finish
}

cap_path-midstream-reset() {
	begin path-midstream-reset
	path_up
	local PATH_TO_GET
	PATH_TO_GET=$(big_file big.dat 60000)
	bg server s_server -tls1_2 -WWW
	wait_listen $PORT
	# Once the connection has carried 30000 bytes, each agent->server packet is rejected with a
	# forged RST sent back to the agent (TTL 64; the server's packets arrive with 63).
	R iptables -A FORWARD -p tcp --dport "$PORT" -m connbytes --connbytes 30000: --connbytes-dir both --connbytes-mode bytes -j REJECT --reject-with tcp-reset
	cap_start
	get -tls1_2 || true
	cap_stop 1
	expect middlebox-reset "TLS 1.0,TLS 1.1,TLS 1.2" "TLS 1.2" - RSTR "GET of a 60000-byte file; an iptables connbytes rule on the router resets the connection after 30000 bytes: the RST reaching the agent has TTL 64 where the server's data had 63; later server segments meet the agent's closed socket (agent RSTs)"
	finish
}

cap_path-idle-reset() {
	begin path-idle-reset
	path_up
	# A firewall that forgets idle sessions after 5 s and rejects what it no longer knows.
	R sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_established=5 net.netfilter.nf_conntrack_tcp_loose=0
	R iptables -A FORWARD -m conntrack --ctstate INVALID -p tcp -j REJECT --reject-with tcp-reset
	R iptables -A FORWARD -m conntrack --ctstate NEW,ESTABLISHED,RELATED -j ACCEPT
	bg server s_server -tls1_2 -rev
	wait_listen $PORT
	cap_start
	{ echo heartbeat-1; sleep 8; echo heartbeat-2; sleep 1; } | client -tls1_2 >>"$WORK/client.log" 2>&1 || true
	cap_stop 1
	expect middlebox-reset "TLS 1.0,TLS 1.1,TLS 1.2" "TLS 1.2" - RSTR "s_server -rev; the agent sends a line, idles 8 s, sends another: the router's conntrack entry has expired (established timeout 5 s, loose pickup off), the packet is INVALID and the router answers with a forged RST (TTL 64; the server's packets have 63)"
	finish
}

# mtu_blackhole : the server's certificate flight crosses a router that drops every server->agent
# packet longer than 900 bytes (as a link with a small MTU whose ICMP frag-needed is filtered).
mtu_blackhole() {
	path_up
	R iptables -A FORWARD -p tcp --sport "$PORT" -m length --length 901:65535 -j DROP
	bg server s_server -tls1_2 -cert_chain "$PKI/ca.pem" -WWW
	wait_listen $PORT
	"$@"
	CLIENT_TIMEOUT=6 client_fail -tls1_2
	cap_stop 1
}

cap_path-mtu-blackhole() {
	begin path-mtu-blackhole
	mtu_blackhole cap_start
	expect mtu-blackhole "TLS 1.0,TLS 1.1,TLS 1.2" - - S2 "captured at the agent: the router drops server->agent packets over 900 bytes; the server's small segments (SYN-ACK, ACKs, the flight's short tail) arrive, its full-size segments with ServerHello and certificate chain never do; the client gives up after 6 s"
	finish
}

cap_path-mtu-blackhole-server() {
	begin path-mtu-blackhole-server
	mtu_blackhole cap_start_server
	expect mtu-blackhole "TLS 1.0,TLS 1.1,TLS 1.2" "TLS 1.2" - S2 "as path-mtu-blackhole, captured at the server: its ServerHello is there, its 1448-byte segment is retransmitted and never acknowledged while the client's duplicate ACK (with SACK) shows the 736-byte tail of the flight arrived"
	finish
}

cap_path-data-blackhole() {
	begin path-data-blackhole
	path_up
	bg server s_server -tls1_2 -rev
	wait_listen $PORT
	cap_start
	bg client bash -c "for i in \$(seq 1 30); do echo heartbeat-\$i; sleep 0.3; done |
		ip netns exec $NS_A openssl s_client -connect $SRV:$PORT -CAfile '$PKI/ca.pem' -tls1_2"
	local c=$LAST_PID
	sleep 1.5
	# From now on nothing from the server reaches the agent.
	R iptables -A FORWARD -p tcp --sport "$PORT" -j DROP
	sleep 6
	cap_stop 0
	stop_pid "$c"
	expect data-blackhole "TLS 1.0,TLS 1.1,TLS 1.2" "TLS 1.2" - S1 "s_server -rev; the agent sends a line every 0.3 s; 1.5 s in, the router starts dropping everything from the server: the agent's data is retransmitted with backoff and never acknowledged; capture stops 6 s later with the connection still open"
	finish
}

cap_path-synack-lost-server() {
	begin path-synack-lost-server
	path_up
	R iptables -A FORWARD -p tcp --sport "$PORT" --tcp-flags SYN,ACK SYN,ACK -j DROP
	A sysctl -qw net.ipv4.tcp_syn_retries=2
	bg server s_server -tls1_2 -WWW
	wait_listen $PORT
	cap_start_server
	client_fail -tls1_2
	cap_stop 1
	expect synack-unacknowledged - - - S1 "captured at the server: the router drops the server's SYN-ACKs (asymmetric drop); the server sees the agent's SYNs retransmitted and retransmits its SYN-ACK, never acknowledged"
	finish
}

cap_path-loss-reorder-ok() {
	begin path-loss-reorder-ok
	path_up
	local PATH_TO_GET
	PATH_TO_GET=$(big_file medium.dat 40000)
	# The kernel here has no netem: drop every 7th server->agent packet with iptables, and swap
	# every 4th data segment with the next packet through an NFQUEUE program on the router.
	R iptables -A FORWARD -p tcp --sport "$PORT" -m statistic --mode nth --every 7 --packet 3 -j DROP
	R iptables -A FORWARD -p tcp --sport "$PORT" -j NFQUEUE --queue-num 6
	bg reorder ip netns exec "$NS_R" python3 "$HERE/tools/nfqreorder.py" --queue 6 --every 4
	local reorder=$LAST_PID
	sleep 0.5
	bg server s_server -tls1_2 -WWW
	wait_listen $PORT
	cap_start
	get -tls1_2
	wait_exit "$LAST_PID" 5
	cap_stop
	stop_pid "$reorder"
	grep -q 'swapped pair' "$WORK/reorder.log" || die "nfqreorder swapped nothing: $(cat "$WORK/reorder.log")"
	expect ok "TLS 1.0,TLS 1.1,TLS 1.2" "TLS 1.2" - SF "GET of a 40000-byte file while the router drops every 7th server->agent packet and swaps every 4th server data segment with the next packet (testdata/tools/nfqreorder.py): losses are retransmitted (SACK, duplicate ACKs), segments arrive out of order, and the transfer completes"
	finish
}

cap_path-zero-window-ok() {
	begin path-zero-window-ok
	path_up
	# A server that sends 30000 bytes and closes; an agent whose receive buffer is tiny and that
	# does not read for 3 s: its window falls to zero, the server probes, then the transfer ends.
	bg server S python3 -c '
import socket
l = socket.create_server(("'"$SRV"'", 8080))
c, _ = l.accept()
c.recv(100)
c.sendall(b"z" * 30000)
c.close()
'
	wait_listen 8080
	cap_start
	A timeout 20 python3 -c '
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
s.connect(("'"$SRV"'", 8080))
s.sendall(b"GET /big HTTP/1.0\r\n\r\n")
time.sleep(3)
n = 0
while True:
    d = s.recv(65536)
    if not d:
        break
    n += len(d)
    time.sleep(0.01)
print(n, "bytes")
s.close()
' >>"$WORK/client.log" 2>&1
	cap_stop
	expect ok - - - SF "plain TCP on 8080: the agent (SO_RCVBUF 2048) does not read for 3 s, its window falls to zero and the server sends zero-window probes; then it reads the 30000 bytes and both close"
	finish
}

# pmtu_capture : the router's link to the agent has MTU 1200 (the agent's end keeps 1500, so its
# SYN offers MSS 1460): the server's full-size segments do not fit, and the router answers them
# with ICMP fragmentation needed (next-hop MTU 1200). Captured at the server.
pmtu_capture() {
	path_up
	R ip link set "$VETH_RA" mtu 1200
	bg server s_server -tls1_2 -cert_chain "$PKI/ca.pem" -WWW
	wait_listen $PORT
	cap_start_server
	"$@"
	cap_stop 1
}

cap_path-pmtud-ok-server() {
	begin path-pmtud-ok-server
	pmtu_capture get -tls1_2
	expect ok "TLS 1.0,TLS 1.1,TLS 1.2" "TLS 1.2" - SF "captured at the server: its first full-size segment gets ICMP fragmentation needed (MTU 1200) from the router 10.66.2.254; Linux lowers the path MTU at once and resends in smaller segments: PMTU discovery working, the handshake completes"
	finish
}

cap_path-pmtu-ignored-server() {
	begin path-pmtu-ignored-server
	# The server host's own firewall drops the ICMP (a common "block all ICMP" rule): tcpdump sees
	# it arrive, the TCP stack never does.
	pmtu_capture eval 'S iptables -A INPUT -p icmp --icmp-type fragmentation-needed -j DROP; CLIENT_TIMEOUT=6 client_fail -tls1_2'
	expect path-mtu "TLS 1.0,TLS 1.1,TLS 1.2" "TLS 1.2" - S2 "as path-pmtud-ok-server, but an iptables rule on the server host drops ICMP fragmentation-needed: the ICMP errors are in the capture, the server keeps resending its 1448-byte segment, the client gives up after 6 s"
	finish
}

cap_path-ipv6-admin-prohibited() {
	begin path-ipv6-admin-prohibited
	path_up --ipv6
	R ip6tables -A FORWARD -p tcp --dport "$PORT" -j REJECT --reject-with icmp6-adm-prohibited
	cap_start
	CONNECT="[$SRV6]:$PORT" client_fail -tls1_2
	expect firewall-reject - - - S0 "IPv6: the router rejects SYNs to [fd00:66:2::2]:4343 with ICMPv6 type 1 code 1 (communication with destination administratively prohibited) from fd00:66:1::fe"
	cap_stop
	finish
}

cap_path-one-direction() {
	begin path-one-direction
	path_up
	bg server s_server -tls1_2 -WWW
	wait_listen $PORT
	# A capture that sees only what the agent sends (as on one leg of asymmetric routing).
	cap_start -i "$VETH_A" src host "$AGENT"
	get -tls1_2
	wait_exit "$LAST_PID" 5
	cap_stop
	expect incomplete "TLS 1.0,TLS 1.1,TLS 1.2" - - SH "a working TLS 1.2 GET captured with the filter 'src host 10.66.1.1': only the agent's packets; it acknowledges the server's data, so the other direction exists but is not in the capture"
	finish
}

cap_path-client-reset-forged-server() {
	begin path-client-reset-forged-server
	path_up
	local PATH_TO_GET
	PATH_TO_GET=$(big_file big.dat 60000)
	bg server s_server -tls1_2 -WWW
	wait_listen $PORT
	# The rule matches the server's packets once 30000 bytes have passed, so the forged RST goes to
	# the server, in the agent's name. Captured at the server.
	R iptables -A FORWARD -p tcp --sport "$PORT" -m connbytes --connbytes 30000: --connbytes-dir both --connbytes-mode bytes -j REJECT --reject-with tcp-reset
	cap_start_server
	CLIENT_TIMEOUT=6 get -tls1_2 || true
	cap_stop 1
	expect middlebox-reset "TLS 1.0,TLS 1.1,TLS 1.2" "TLS 1.2" - RSTR "connbytes rule on the server->agent direction: the router answers the server's segment with a RST forged in the agent's name (TTL 64 where the agent's packets arrive with 63); captured at the server; the agent, which never reset, times out after 6 s"
	finish
}

# ---------------------------------------------------------------- main

# make-captures.sh's main: checks the tools, makes the work directory, runs the named captures
# (default: ALL) and checks MANIFEST.tsv.
main "$@"
