#!/usr/bin/env bash
# make-twopoint-captures.sh — issue 12 ("Both ends at once"): each scenario captured at the agent's
# interface AND at the server's interface at the same time (two tcpdumps, one run), the pair merged
# with mergecap, and a rotated set; in testdata/captures/twopoint/, with the two-point facts of
# every connection in testdata/captures/EXPECTED-TWOPOINT.tsv (per direction: sent at one point,
# arrived at the other, lost, injected; which hop; clock offset ~0).
#
#   sudo ./testdata/make-twopoint-captures.sh               # every scenario
#   sudo ./testdata/make-twopoint-captures.sh syn-drop      # only the named ones
#   ./testdata/make-twopoint-captures.sh --list
#   sudo ./testdata/make-twopoint-captures.sh --today       # only refresh the today_* columns
#
# Files per scenario: twopoint/<scenario>-agent.pcap (tcpdump on tp-a0 in tp-agent),
# twopoint/<scenario>-server.pcap (tcpdump on tp-s0 in tp-server), twopoint/<scenario>-merged.pcapng
# (mergecap of the two with its defaults: one pcapng, packets in time order, ONE interface since
# both files describe theirs alike) and twopoint/<scenario>-merged-ifaces.pcapng (mergecap -I none:
# two interfaces, agent = 0, server = 1). The rotated set:
# twopoint/rotated/rotated-agent.pcap, .pcap1, .pcap2 (tcpdump -C 1 at the agent) and
# twopoint/rotated-agent.pcap (a second tcpdump on the same interface at the same time, one file).
# None of these is in MANIFEST.tsv, and the tests' globs (testdata/captures/*.pcap) do not reach them.
#
#   tp-agent  tp-a0 10.92.1.1/24 ---- tp-ra 10.92.1.254  tp-router  tp-rs 10.92.2.254 ---- tp-s0 10.92.2.2/24  tp-server
#
# Offloads off on every veth end (the files hold what a wire would carry), permanent neighbours (no
# ARP), IPv6 off. Both capture points are on this host, so the two files share one clock.
# The dns-* scenarios add a DNS server (dnsmasq) on 10.92.2.53, a second address of tp-s0: the
# agent's lookups (the real glibc resolver: `ip netns exec` bind-mounts
# /etc/netns/tp-agent/resolv.conf, nameserver 10.92.2.53, timeout:1 attempts:2) cross the router,
# so both capture points see each query and each answer that is sent.
# Needs what make-captures.sh needs, plus mergecap (tshark's package), and nmap for the scans scenario.
# Nothing leaves the machine.
set -euo pipefail

TP_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=make-captures.sh
source "$TP_HERE/make-captures.sh"

NS_A=tp-agent
NS_S=tp-server
NS_R=tp-router
VETH_A=tp-a0
VETH_RA=tp-ra
VETH_RS=tp-rs
VETH_S=tp-s0
AGENT=10.92.1.1
RTR_A=10.92.1.254
RTR_S=10.92.2.254
SRV=10.92.2.2
DNS=10.92.2.53              # the DNS server (dnsmasq), a second address on the server's interface
NAME=apexone.connscope.test # the server's name; the certificate's SAN holds it
OUT=$TP_HERE/captures/twopoint
EXPECTED=$TP_HERE/captures/EXPECTED-TWOPOINT.tsv
TWOPOINT=$TP_HERE/tools/twopoint.py

TP_ALL=(syn-drop mtu-blackhole forged-rst nat-masquerade success rotated dns-ok dns-timeout dns-nxdomain dns-answer-lost scans gso)
ALL=("${TP_ALL[@]}")

R() { ip netns exec "$NS_R" "$@"; }

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

tp_up() { # the three namespaces, as at the top
	local ns
	netns_down
	for ns in "$NS_A" "$NS_R" "$NS_S"; do
		ip netns add "$ns"
		ip netns exec "$ns" ip link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add "$VETH_A" netns "$NS_A" address 02:92:00:01:00:01 type veth peer name "$VETH_RA" netns "$NS_R" address 02:92:00:01:00:fe
	ip link add "$VETH_S" netns "$NS_S" address 02:92:00:02:00:02 type veth peer name "$VETH_RS" netns "$NS_R" address 02:92:00:02:00:fe
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
	A ip neigh replace "$RTR_A" lladdr 02:92:00:01:00:fe dev "$VETH_A" nud permanent
	R ip neigh replace "$AGENT" lladdr 02:92:00:01:00:01 dev "$VETH_RA" nud permanent
	R ip neigh replace "$SRV" lladdr 02:92:00:02:00:02 dev "$VETH_RS" nud permanent
	S ip neigh replace "$RTR_S" lladdr 02:92:00:02:00:fe dev "$VETH_S" nud permanent
}

# ---------------------------------------------------------------- two capture points at once

TP_CAPS=() # "pid:log:file" of each running tcpdump

# tp_cap NS IFACE FILE [TCPDUMP_ARGS...] : start one more tcpdump and wait until it listens.
tp_cap() {
	local ns=$1 ifc=$2 file=$3 i
	shift 3
	local logf=$WORK/tcpdump-${#TP_CAPS[@]}.log
	ip netns exec "$ns" tcpdump -Z root -n -s 0 -U --immediate-mode -i "$ifc" -w "$file" "$@" 2>"$logf" &
	local pid=$!
	TP_CAPS+=("$pid:$logf:$file")
	PIDS+=("$pid")
	for i in $(seq 100); do
		grep -q 'listening on' "$logf" && return 0
		kill -0 "$pid" 2>/dev/null || die "tcpdump failed: $(cat "$logf")"
		sleep 0.05
	done
	die "tcpdump did not start: $(cat "$logf")"
}

# tp_start : the agent-side and the server-side capture of the current scenario.
tp_start() {
	TP_CAPS=()
	tp_cap "$NS_A" "$VETH_A" "$WORK/$CAP_NAME-agent.pcap"
	tp_cap "$NS_S" "$VETH_S" "$WORK/$CAP_NAME-server.pcap"
	sleep 0.3
}

# tp_stop [SECONDS] : stop every tcpdump (SIGINT, so each writes out its buffer), check that none
# dropped packets, move the files into twopoint/ and merge the agent/server pair.
tp_stop() {
	sleep "${1:-0.5}"
	local c pid logf file
	for c in "${TP_CAPS[@]}"; do kill -INT "${c%%:*}" 2>/dev/null || true; done
	for c in "${TP_CAPS[@]}"; do
		pid=${c%%:*}
		logf=${c#*:}
		logf=${logf%%:*}
		wait "$pid" || true
		grep -q '^0 packets dropped by kernel' "$logf" || die "tcpdump dropped packets: $(cat "$logf")"
		log "$(grep -o '^[0-9]* packets captured' "$logf") into ${c##*:}"
	done
	TP_CAPS=()
	mkdir -p "$OUT"
	for file in "$WORK/$CAP_NAME"-*.pcap*; do
		[[ -e $file ]] || continue
		mv "$file" "$OUT/"
		chmod 644 "$OUT/$(basename "$file")"
	done
	if [[ -f "$OUT/$CAP_NAME-agent.pcap" && -f "$OUT/$CAP_NAME-server.pcap" ]]; then
		tp_merge "$CAP_NAME"
	fi
}

# tp_merge SCENARIO : the pair merged as engineers do it. mergecap's default (-I all) folds the
# two files' identical interface descriptions into ONE interface: nothing in the file says which
# point saw a packet but the packets themselves (TTL, MAC, duplicates). -I none keeps two
# interfaces (pcapng interface ids 0 = agent, 1 = server): SCENARIO-merged-ifaces.pcapng.
tp_merge() {
	mergecap -F pcapng -w "$OUT/$1-merged.pcapng" "$OUT/$1-agent.pcap" "$OUT/$1-server.pcap"
	mergecap -F pcapng -I none -w "$OUT/$1-merged-ifaces.pcapng" "$OUT/$1-agent.pcap" "$OUT/$1-server.pcap"
	chmod 644 "$OUT/$1-merged.pcapng" "$OUT/$1-merged-ifaces.pcapng"
}

# texpect VERDICT WHERE NOTE : one connection's expectation, in the order of first packets at the agent.
texpect() {
	[[ $# -eq 3 ]] || die "texpect needs 3 arguments"
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$WORK/expect.tsv"
}

# finish : write the scenario's rows (the facts from both files) and check them.
finish() {
	stop_all
	netns_down
	python3 "$TWOPOINT" update "$EXPECTED" "$CAP_NAME" "$OUT/$CAP_NAME-agent.pcap" "$OUT/$CAP_NAME-server.pcap" "$WORK/expect.tsv"
	python3 "$TWOPOINT" check "$EXPECTED" "$CAP_NAME" >&2 || die "the rows of $CAP_NAME do not match the files"
}

tsrv() { # OpenSSL s_server on 10.92.2.2:4343 for ${NACCEPT:-1} connections (for `bg`: it execs)
	cd "$WORK/www"
	exec ip netns exec "$NS_S" openssl s_server -accept "$SRV:$PORT" -naccept "${NACCEPT:-1}" \
		-cert "$PKI/server.pem" -key "$PKI/server.key" "$@"
}

tget() { # tget PATH [S_CLIENT ARGS...] : GET PATH with s_client -tls1_2, wait for the server's close
	local path=$1
	shift
	printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$path" "$SRV" "$PORT" |
		A timeout "${CLIENT_TIMEOUT:-20}" openssl s_client -connect "$SRV:$PORT" -CAfile "$PKI/ca.pem" -tls1_2 -ign_eof "$@" \
			>>"$WORK/client.log" 2>&1
}

big_file() { # big_file NAME BYTES : a file in the web root; prints its path for GET
	head -c "$2" /dev/zero | tr '\0' 'x' >"$WORK/www/$1"
	echo "/$1"
}

# ---------------------------------------------------------------- the scenarios

# (a) The router drops SYNs to 4343; agent tcp_syn_retries=2: six SYNs over 7 s leave the agent,
# none reaches the server.
cap_syn-drop() {
	begin syn-drop
	tp_up
	R iptables -A FORWARD -p tcp --dport "$PORT" --syn -j DROP
	A sysctl -qw net.ipv4.tcp_syn_retries=2
	bg server tsrv -tls1_2 -WWW
	wait_listen $PORT
	tp_start
	CLIENT_TIMEOUT=10 tget "$OFC_PATH" || true
	texpect syn-timeout "c2s lost between agent and server (router 10.92.1.254/10.92.2.254): every SYN left the agent, none arrived" "router FORWARD DROP of SYNs to 4343; agent Linux 6.18 tcp_syn_retries=2 (linear timeouts): SYNs at 0,1,2,3,4,5 s at the agent, none at the server; the server capture holds no packet of this connection. Two-point: 'the SYNs left the agent (6) and none reached the server (0): dropped between them'"
	tp_stop
	finish
}

# (b) MTU blackhole: the router's link towards the agent has MTU 1200 and the router's own ICMP
# fragmentation-needed messages are dropped (iptables OUTPUT on the router): the server's
# full-size segments (1500-byte packets, DF) die at the router, its small ones arrive.
cap_mtu-blackhole() {
	begin mtu-blackhole
	tp_up
	R ip link set "$VETH_RA" mtu 1200
	R iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP
	bg server tsrv -tls1_2 -cert_chain "$PKI/ca.pem" -WWW
	wait_listen $PORT
	tp_start
	CLIENT_TIMEOUT=6 tget "$OFC_PATH" || true
	texpect mtu-blackhole "s2c: the server's 1500-byte packets lost at the router (next hop MTU 1200 towards the agent, ICMP frag-needed suppressed); its smaller packets (SYN-ACK, ACKs, the 700-odd-byte tail of its flight) arrived; c2s all arrived" "s_server -cert_chain (a 2-segment flight: 1448 + ~730 bytes) behind a router whose link towards the agent has MTU 1200 and whose ICMP frag-needed is dropped: the server retransmits its 1448-byte segment with backoff, none reaches the agent; the client gives up after 6 s. Two-point: 'the server's 1448-byte segments left the server N times; the agent received none; smaller segments arrived: MTU blackhole between them'"
	tp_stop 1
	finish
}

# (c) A RST forged by the router: once the connection has carried 30000 bytes, each agent->server
# packet is rejected with a RST in the server's name (iptables REJECT --reject-with tcp-reset).
cap_forged-rst() {
	begin forged-rst
	tp_up
	local p
	p=$(big_file big.dat 60000)
	bg server tsrv -tls1_2 -WWW
	wait_listen $PORT
	R iptables -A FORWARD -p tcp --dport "$PORT" -m connbytes --connbytes 30000: --connbytes-dir both --connbytes-mode bytes -j REJECT --reject-with tcp-reset
	tp_start
	CLIENT_TIMEOUT=6 tget "$p" || true
	texpect middlebox-reset "two RSTs in the server's name arrived at the agent (TTL 64, IP ID 0) that the server never sent (s2c injected 2: forged on the path, at the router); from the agent's first packet after the 30000-byte cut every agent packet (its ACKs, then a RST for each later server segment) is lost at the router (c2s lost), while all the server's data arrives at the agent" "GET of 60000 bytes; router connbytes >= 30000 -> REJECT tcp-reset on the agent->server direction: the router drops each agent packet and answers the first two with a forged RST (it sends none for the agent's RSTs). At the agent: data, the forged RSTs, then its own RSTs answering each further server segment. At the server: no RST ever arrives; its data is never acknowledged past the cut and it retransmits until the capture stops. Two-point: 'the RST arrived at the agent but the server never sent it: forged on the path'"
	tp_stop 2
	finish
}

# (d) NAT: the router masquerades the agent behind 10.92.2.254 (iptables MASQUERADE on tp-rs); a
# working TLS GET. The server sees another client address; the ISNs and payloads are the same.
cap_nat-masquerade() {
	begin nat-masquerade
	tp_up
	R iptables -t nat -A POSTROUTING -o "$VETH_RS" -j MASQUERADE
	S ip route del default
	bg server tsrv -tls1_2 -WWW
	wait_listen $PORT
	tp_start
	tget "$OFC_PATH"
	texpect ok "nothing lost; the client address is translated: 10.92.1.1 at the agent, 10.92.2.254 (the router) at the server; same ISNs, IP IDs and payloads" "working TLS 1.2 GET through a masquerading router (the server has no route back to 10.92.1.0/24: only the NAT makes it work). One connection seen at both points with translated addresses"
	tp_stop
	finish
}

# (e) A clean success through the router.
cap_success() {
	begin success
	tp_up
	bg server tsrv -tls1_2 -WWW
	wait_listen $PORT
	tp_start
	tget "$OFC_PATH"
	texpect ok "nothing lost in either direction; one router hop (TTL 64 sent, 63 received)" "working TLS 1.2 GET (OpenSSL) through the router, seen at both ends"
	tp_stop
	finish
}

# The rotated set: a TLS 1.2 download of 1.95 MB captured at the agent by tcpdump -C 1
# (1,000,000-byte files: 3 of them) and, at the same time, by a second tcpdump into one file.
# One capture point only (the brief asks for the agent side; a server side would add 2 MB more).
cap_rotated() {
	begin rotated
	tp_up
	local p
	p=$(big_file large.dat 1950000)
	bg server tsrv -tls1_2 -WWW
	wait_listen $PORT
	TP_CAPS=()
	mkdir -p "$WORK/rot"
	tp_cap "$NS_A" "$VETH_A" "$WORK/rot/rotated-agent.pcap" -C 1
	tp_cap "$NS_A" "$VETH_A" "$WORK/$CAP_NAME-agent.pcap"
	sleep 0.3
	tget "$p"
	texpect ok "one capture point; nothing lost; the agent side is in three rotated files and, identical, in one file" "GET of a 1,950,000-byte file over TLS 1.2 (SF). twopoint/rotated/rotated-agent.pcap, .pcap1, .pcap2 (tcpdump -C 1, in that order) hold exactly the packets of twopoint/rotated-agent.pcap (a second tcpdump at the same time): analysing the set must equal analysing the single file"
	tp_stop
	rm -rf "$OUT/rotated"
	mv "$WORK/rot" "$OUT/rotated"
	chmod 755 "$OUT/rotated"
	chmod 644 "$OUT/rotated/"*
	local n
	n=$(ls "$OUT/rotated" | wc -l)
	((n >= 3)) || die "tcpdump -C 1 made $n files, want 3 or more"
	# The rotated files together must hold exactly the single file's packets (the same frames in the
	# same order; the two tcpdumps may stamp a packet a microsecond apart).
	mergecap -F pcap -w "$WORK/rot-joined.pcap" "$OUT/rotated/"*
	[[ $(tshark -r "$WORK/rot-joined.pcap" -T fields -e frame.len -e ip.id -e tcp.seq_raw -e tcp.ack_raw 2>/dev/null | md5sum) == \
		$(tshark -r "$OUT/rotated-agent.pcap" -T fields -e frame.len -e ip.id -e tcp.seq_raw -e tcp.ack_raw 2>/dev/null | md5sum) ]] ||
		die "the rotated files and the single file differ"
	stop_all
	netns_down
	python3 "$TWOPOINT" update "$EXPECTED" "$CAP_NAME" "$OUT/$CAP_NAME-agent.pcap" - "$WORK/expect.tsv"
	python3 "$TWOPOINT" check "$EXPECTED" "$CAP_NAME" >&2 || die "the rows of $CAP_NAME do not match the files"
}

# ---------------------------------------------------------------- DNS seen at both points

# tp_resolver ARGS... : the agent's resolv.conf, and dnsmasq on 10.92.2.53 (in tp-server),
# authoritative for connscope.test (a name it has no record for is NXDOMAIN), forwarding nothing.
tp_resolver() {
	mkdir -p "/etc/netns/$NS_A"
	printf 'nameserver %s\noptions timeout:1 attempts:2\n' "$DNS" >"/etc/netns/$NS_A/resolv.conf"
	S ip addr add "$DNS/24" dev "$VETH_S"
	R ip neigh replace "$DNS" lladdr 02:92:00:02:00:02 dev "$VETH_RS" nud permanent # no ARP in the captures
	bg dns S dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --user=root \
		--listen-address="$DNS" --bind-interfaces --local=/connscope.test/ --log-queries --log-facility=- "$@"
	local i
	for i in $(seq 100); do
		S ss -Hlun "sport = :53" | grep -q "$DNS" && return 0
		sleep 0.05
	done
	die "dnsmasq does not listen on $DNS:53"
}

tp_cleanup() {
	rm -rf "/etc/netns/$NS_A"
	rmdir /etc/netns 2>/dev/null || true # only when no one else keeps a file there
	cleanup
}

# tp_lookup NAME : the agent looks the name up as a program that knows its server by name does
# (getaddrinfo, any family: glibc asks A and AAAA), and prints what came back.
tp_lookup() {
	A timeout 20 python3 - "$1" "$PORT" <<'PY' || true
import socket, sys
name, port = sys.argv[1], int(sys.argv[2])
try:
    infos = socket.getaddrinfo(name, port, socket.AF_UNSPEC, socket.SOCK_STREAM)
    print(f"{name} is {[i[4][0] for i in infos]}")
except socket.gaierror as e:
    print(f"lookup of {name} failed: {e}")
PY
}

# (f) The agent knows the server by name: OpenSSL resolves it through the resolver library (dnsmasq
# answers 10.92.2.2), sends it as SNI and fetches the check URL. Query and answer cross the router.
cap_dns-ok() {
	begin dns-ok
	tp_up
	tp_resolver --address="/$NAME/$SRV"
	bg server tsrv -tls1_2 -WWW
	wait_listen $PORT
	tp_start
	printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$OFC_PATH" "$NAME" "$PORT" |
		A timeout 20 openssl s_client -connect "$NAME:$PORT" -CAfile "$PKI/ca.pem" -tls1_2 -ign_eof >>"$WORK/client.log" 2>&1
	texpect ok "nothing lost; the DNS query for $NAME and its answer ($SRV) crossed the router and are in both captures" "the agent connects by name: dnsmasq at $DNS (server side) answers $NAME with $SRV; OpenSSL (-tls1_2, SNI $NAME) fetches the check URL. Each capture holds the query once and the answer once: in two-point runs they are the same lookup seen twice, not a retry"
	tp_stop
	finish
}

# (g) The DNS server does not answer: the server namespace drops UDP to 10.92.2.53:53 after its
# capture point (iptables INPUT), so both captures hold the agent's queries (glibc: A and AAAA,
# asked again after 1 s, given up after 2 s) and neither an answer. Then an agent that knows the
# server by address connects with the name as SNI (which ties the name to the server).
cap_dns-timeout() {
	begin dns-timeout
	tp_up
	tp_resolver --address="/$NAME/$SRV"
	S iptables -A INPUT -d "$DNS" -p udp --dport 53 -j DROP
	bg server tsrv -tls1_2 -WWW
	wait_listen $PORT
	tp_start
	tp_lookup "$NAME" >>"$WORK/client.log" 2>&1
	sleep 1
	tget "$OFC_PATH" -servername "$NAME"
	texpect ok "nothing lost on the TLS connection; the DNS queries (4: A and AAAA, each asked again) crossed the router and are in both captures; the DNS server (iptables INPUT DROP in tp-server) never answers" "glibc's queries for $NAME to $DNS time out (timeout:1 attempts:2); then the agent connects by address with SNI $NAME (OpenSSL -tls1_2). In two-point runs each query is seen at both points: 4 queries (2 of them retries), not 8"
	tp_stop
	finish
}

# (h) The DNS server answers NXDOMAIN (dnsmasq has no record for the name); then the agent
# connects by address with the name as SNI.
cap_dns-nxdomain() {
	begin dns-nxdomain
	tp_up
	tp_resolver
	bg server tsrv -tls1_2 -WWW
	wait_listen $PORT
	tp_start
	tp_lookup "$NAME" >>"$WORK/client.log" 2>&1
	sleep 0.3
	tget "$OFC_PATH" -servername "$NAME"
	texpect ok "nothing lost; the DNS queries (A and AAAA) and their NXDOMAIN answers crossed the router and are in both captures" "dnsmasq at $DNS has no record for $NAME: NXDOMAIN for A and AAAA; then the agent connects by address with SNI $NAME (OpenSSL -tls1_2). In two-point runs each query and answer is seen at both points: 2 queries, 2 answers"
	tp_stop
	finish
}

# (i) The DNS server answers, but the router drops its answers (FORWARD, UDP from port 53): the
# server capture holds each query and its answer, the agent capture the queries only (glibc
# retries, gives up after 2 s). Then the agent connects by address with the name as SNI.
cap_dns-answer-lost() {
	begin dns-answer-lost
	tp_up
	tp_resolver --address="/$NAME/$SRV"
	R iptables -A FORWARD -p udp -s "$DNS" --sport 53 -j DROP
	bg server tsrv -tls1_2 -WWW
	wait_listen $PORT
	tp_start
	tp_lookup "$NAME" >>"$WORK/client.log" 2>&1
	sleep 1
	tget "$OFC_PATH" -servername "$NAME"
	texpect ok "nothing lost on the TLS connection; the DNS queries (4: A and AAAA, each asked again) reach the server side and are answered there (4 answers in the server capture), and the router drops every answer (none in the agent capture)" "dnsmasq at $DNS answers $NAME ($SRV for A, no address for AAAA) but the router drops UDP from $DNS port 53: glibc times out; then the agent connects by address with SNI $NAME (OpenSSL -tls1_2). Two-point: the answers left the DNS server's side and never reached the agent"
	tp_stop
	finish
}

# (k) Scans seen at both points: an agent's GET, then from 10.92.1.9 (a second address of the
# agent's veth) nmap -sS over ports 1-30 and 4343 of the server (the router drops ports 1-10: those
# probes reach only the agent-side capture) and nmap -sS -Pn over port 4343 of 10.92.2.1-30 (only
# 10.92.2.2 exists: the others' SYNs die at the router, whose ARP for them fails). The two captures
# number their frames differently: a scan's frame must name its capture.
cap_scans() {
	begin scans
	tp_up
	A ip addr add 10.92.1.9/24 dev "$VETH_A"
	R ip neigh replace 10.92.1.9 lladdr 02:92:00:01:00:01 dev "$VETH_RA" nud permanent
	R iptables -A FORWARD -p tcp --dport 1:10 -j DROP
	NACCEPT=3 bg server tsrv -tls1_2 -WWW
	wait_listen $PORT
	tp_start
	tget "$OFC_PATH"
	texpect ok "c2s and s2c all arrived" "s_client -tls1_2 GET 200 before the scans"
	A nmap -sS -Pn -n -e "$VETH_A" -S 10.92.1.9 -p 1-30,4343 --max-retries 0 -T4 "$SRV" >>"$WORK/client.log" 2>&1
	A nmap -sS -Pn -n -e "$VETH_A" -S 10.92.1.9 -p "$PORT" --max-retries 0 -T4 10.92.2.1-30 >>"$WORK/client.log" 2>&1
	tp_stop
	local stream dst dport
	declare -A seen=()
	while IFS=$'\t' read -r stream dst dport; do
		[[ -n ${seen[$stream]:-} ]] && continue
		seen[$stream]=1
		if ((dport <= 10)); then
			texpect port-scan "c2s lost between agent and server: the router drops ports 1-10" "nmap -sS probe of $dst:$dport from 10.92.1.9 (the vertical scan, 31 ports): SYN-only, at the agent only"
		elif [[ $dport != "$PORT" ]]; then
			texpect port-scan "c2s arrived; the server's RST arrived" "nmap -sS probe of $dst:$dport from 10.92.1.9 (the vertical scan): SYN, the server's RST (no listener)"
		elif [[ $dst == "$SRV" ]]; then
			texpect port-scan "all arrived" "nmap -sS probe of $dst:$dport from 10.92.1.9 (the vertical scan, or the sweep): SYN, SYN-ACK, the scanner's RST"
		else
			texpect port-scan "c2s lost at the router: no host $dst" "nmap -sS -Pn sweep of port $dport over 10.92.2.1-30 from 10.92.1.9: $dst is no host, SYN-only at the agent"
		fi
	done < <(tshark -n -r "$OUT/$CAP_NAME-agent.pcap" -Y 'ip.src==10.92.1.9 && tcp.flags.syn==1 && tcp.flags.ack==0' -T fields -E separator=/t -e tcp.stream -e ip.dst -e tcp.dstport 2>/dev/null)
	finish
}

# (l) GSO/TSO at the sender: offloads left on at the server's interface (tp-s0: tx, tso, gso), off
# on the router's link towards the agent. The server's stack hands its interface segments of
# several MSS, which its capture holds as they are (2896 bytes and more, one IP ID each), and the
# router cuts them into MSS-sized packets on their way to the agent, whose capture holds those
# (1448 bytes, IP IDs counting on from the large segment's). Every byte arrives: compared by
# sequence ranges, nothing is lost or injected. Not in EXPECTED-TWOPOINT.tsv (twopoint.py compares
# packet by packet, as tshark shows them); analyze's TestTwoPointSpans pins its outcome. A UDP
# datagram after the connection keeps both captures going past its end: a piece taken out of the agent's
# capture (make-twopoint-derived.sh) is then well inside the span both captured.
cap_gso() {
	begin gso
	tp_up
	S ethtool -K "$VETH_S" tx on sg on tso on gso on >/dev/null
	local p
	p=$(big_file big.dat 60000)
	bg server tsrv -tls1_2 -WWW
	wait_listen $PORT
	tp_start
	tget "$p"
	sleep 0.2
	A bash -c "echo end >/dev/udp/$SRV/9" # one datagram: both captures go on 200 ms past the connection
	tp_stop
	stop_all
	netns_down
}

# ---------------------------------------------------------------- main

tp_main() {
	if [[ "${1:-}" == --list ]]; then
		printf '%s\n' "${TP_ALL[@]}"
		return
	fi
	if [[ "${1:-}" == --today ]]; then
		shift
		local bin
		bin=$(mktemp -d)
		(cd "$ROOT" && go build -o "$bin/connscope" ./cmd/connscope)
		python3 "$TWOPOINT" today "$EXPECTED" "$bin/connscope" "$@"
		rm -rf "$bin"
		return
	fi
	local names=("$@") n
	[[ ${#names[@]} -eq 0 ]] && names=("${TP_ALL[@]}")
	for n in "${names[@]}"; do
		declare -F "cap_$n" >/dev/null || die "unknown scenario $n (see --list)"
	done
	[[ $EUID -eq 0 ]] || die "run as root (network namespaces, tcpdump)"
	for t in tcpdump tshark mergecap editcap openssl iptables ethtool python3 ip ss dnsmasq; do
		command -v "$t" >/dev/null || die "$t is not installed"
	done
	WORK=$(mktemp -d /tmp/connscope-twopoint.XXXXXX)
	trap tp_cleanup EXIT INT TERM
	mkdir -p "$OUT" "$WORK/www${OFC_PATH%/*}"
	printf 'connscope test stand-in for OfcNTCer.dat\n' >"$WORK/www$OFC_PATH"
	for n in "${names[@]}"; do
		"cap_$n"
		CAP_NAME=""
	done
	python3 "$TWOPOINT" check "$EXPECTED" >&2
}

tp_main "$@"
