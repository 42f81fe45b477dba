#!/usr/bin/env bash
# make-accuracy-captures.sh — issue 11 ("Verdicts that hold on anyone's capture"): real-stack
# captures of behaviours that an analyzer easily misjudges, in testdata/captures/accuracy/, and
# their rows in testdata/captures/EXPECTED-ACCURACY.tsv (what each connection must come out as,
# and what connscope says of it today).
#
#   sudo ./testdata/make-accuracy-captures.sh                      # every capture
#   sudo ./testdata/make-accuracy-captures.sh warn-unrecognized-name # only the named ones
#   ./testdata/make-accuracy-captures.sh --list
#   sudo ./testdata/make-accuracy-captures.sh --today              # only refresh the `today` column
#
# These files are NOT in MANIFEST.tsv (the manifest test would fail until the diagnosis is fixed)
# and live in a subdirectory that the tests' globs (testdata/captures/*.pcap) do not pick up.
#
# Topology: three namespaces, the Linux router in the middle forwarding (as make-path-captures.sh,
# with its own names and addresses):
#
#   acc-agent  acc-a0 10.91.1.1/24 ---- acc-ra 10.91.1.254  acc-router  acc-rs 10.91.2.254 ---- acc-s0 10.91.2.2/24  acc-server
#
# Extra agent addresses 10.91.1.3-9 where a capture needs several agents. Offloads are off on every
# veth end, neighbours are permanent (no ARP in the captures), IPv6 is off. Each side's own packets
# leave with TTL 64, the other side's arrive with 63, what the router sends itself arrives with 64.
# tcpdump records the agent's veth unless the capture says otherwise. Nothing leaves the machine.
#
# Needs what make-captures.sh needs, plus: nmap, mariadb-server (mariadbd, mariadb-install-db,
# the mariadb client), postgresql (initdb, postgres, psql), slapd and ldap-utils, xrdp and
# freerdp2-x11 and xvfb (xfreerdp under xvfb-run, for the RDP capture), curl, iproute2's bridge. It installs the missing
# Debian packages itself (apt-get). Go tools: testdata/tools/acctool (built into the work dir),
# testdata/tools/tlsclient; Python helpers: testdata/tools/rstinject.py, expectcheck.py.
set -euo pipefail

ACC_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=make-captures.sh
source "$ACC_HERE/make-captures.sh"

NS_A=acc-agent
NS_S=acc-server
NS_R=acc-router
VETH_A=acc-a0
VETH_RA=acc-ra
VETH_RS=acc-rs
VETH_S=acc-s0
AGENT=10.91.1.1
RTR_A=10.91.1.254
RTR_S=10.91.2.254
SRV=10.91.2.2
OUT=$ACC_HERE/captures/accuracy
EXPECTED=$ACC_HERE/captures/EXPECTED-ACCURACY.tsv
CHECK=$ACC_HERE/tools/expectcheck.py

ACC_ALL=(
	warn-unrecognized-name
	synack-missing-banner synack-missing-http synack-missing-tls
	client-aborted-syn fin-retransmitted port-scan port-sweep sweep-negatives sweep-client sweep-client-short sweep-client-icmp
	port-sweep-connect mixed-port-protocols
	preamble-mariadb preamble-postgres preamble-ldap-starttls preamble-socks5 preamble-socks4
	starttls-smtp starttls-imap starttls-pop3 starttls-ftp preamble-rdp
	client-cert-required client-cert-rejected
	client-cert-required-tls13 client-cert-rejected-tls13 client-cert-gnutls-tls13 tls13-server-idle-close
	tls13-idle-close-100ms tls13-idle-close-600ms tls13-idle-close-server-side client-cert-required-tls13-delay
	tls13-answer-then-close
	tls13-client-cert-slow-refusal tls13-client-cert-idle-close tls13-client-cert-idle-close-quiet
	tls13-idle-close-quiet tls13-client-cert-slow-refusal-go
	untrusted-cert-go-tls13
	late-garbage downgrade-refused tls13-only-gnutls
	tls13-client-tls12-server tls12-only-vs-tls13-server
	draft-server-hello
	forged-rst-survived
	tfo-client-hello duplicate-synack iplen-overrun
	client-hello-incomplete client-hello-incomplete-rst retransmission-differs
	late-icmp-after-close narrowed-end
)
ALL=("${ACC_ALL[@]}")

R() { ip netns exec "$NS_R" "$@"; } # run in the router namespace

netns_down() {
	local ns pid
	for ns in "$NS_A" "$NS_R" "$NS_S" acc-server2; do
		if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
			# Only processes inside our own namespaces, which this script started.
			for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
			ip netns del "$ns"
		fi
	done
}

# acc_up [EXTRA_AGENT_IPV4...] : the three namespaces as described at the top.
acc_up() {
	local ns a
	netns_down
	for ns in "$NS_A" "$NS_R" "$NS_S"; do
		ip netns add "$ns"
		ip netns exec "$ns" ip link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add "$VETH_A" netns "$NS_A" address 02:91:00:01:00:01 type veth peer name "$VETH_RA" netns "$NS_R" address 02:91:00:01:00:fe
	ip link add "$VETH_S" netns "$NS_S" address 02:91:00:02:00:02 type veth peer name "$VETH_RS" netns "$NS_R" address 02:91:00:02:00:fe
	A ethtool -K "$VETH_A" tx off rx off tso off gso off gro off >/dev/null
	R ethtool -K "$VETH_RA" tx off rx off tso off gso off gro off >/dev/null
	R ethtool -K "$VETH_RS" tx off rx off tso off gso off gro off >/dev/null
	S ethtool -K "$VETH_S" tx off rx off tso off gso off gro off >/dev/null
	A ip addr add "$AGENT/24" dev "$VETH_A"
	for a in "$@"; do A ip addr add "$a/24" dev "$VETH_A"; done
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
	A ip neigh replace "$RTR_A" lladdr 02:91:00:01:00:fe dev "$VETH_A" nud permanent
	R ip neigh replace "$AGENT" lladdr 02:91:00:01:00:01 dev "$VETH_RA" nud permanent
	for a in "$@"; do R ip neigh replace "$a" lladdr 02:91:00:01:00:01 dev "$VETH_RA" nud permanent; done
	R ip neigh replace "$SRV" lladdr 02:91:00:02:00:02 dev "$VETH_RS" nud permanent
	S ip neigh replace "$RTR_S" lladdr 02:91:00:02:00:fe dev "$VETH_S" nud permanent
}

cap_start_server() { NS_A=$NS_S cap_start -i "$VETH_S" "$@"; } # tcpdump on the server's veth

# finish : stop everything, delete the namespaces, write this capture's rows and check them.
finish() {
	stop_all
	netns_down
	python3 "$CHECK" update "$EXPECTED" "$OUT/$CAP_NAME.pcap" "$WORK/expect.tsv" "$(IFS=,; echo "${ACC_ALL[*]}")"
	if ! python3 "$CHECK" check "$EXPECTED" "$CAP_NAME" >&2; then
		[[ -n "${KEEP_GOING:-}" ]] || die "the capture does not show what EXPECTED-ACCURACY.tsv says"
		log "warning: the capture does not show what EXPECTED-ACCURACY.tsv says"
	fi
}

# osrv ARGS... : OpenSSL s_server on $SRV:${SPORT:-4343} (CA-signed certificate, which names
# 10.77.1.2: clients here do not check the name) for ${NACCEPT:-1} connections. For `bg`: it execs.
osrv() {
	cd "$WORK/www"
	exec ip netns exec "$NS_S" openssl s_server -accept "$SRV:${SPORT:-$PORT}" -naccept "${NACCEPT:-1}" \
		-cert "$PKI/server.pem" -key "$PKI/server.key" "$@"
}

# ocli ARGS... : OpenSSL s_client in the agent namespace to $SRV:${SPORT:-4343}; stdin/out are the caller's.
ocli() { A timeout "${CLIENT_TIMEOUT:-20}" openssl s_client -connect "$SRV:${SPORT:-$PORT}" -CAfile "$PKI/ca.pem" "$@"; }

# oget ARGS... : ocli that GETs the OfcNTCer.dat stand-in and waits for the server to close.
oget() {
	printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$OFC_PATH" "$SRV" "${SPORT:-$PORT}" | ocli -ign_eof "$@" >>"$WORK/client.log" 2>&1
}

# ofail ARGS... : ocli that must fail.
ofail() {
	if ocli "$@" </dev/null >>"$WORK/client.log" 2>&1; then
		die "openssl s_client $* succeeded, but should have failed"
	fi
}

acctool() { "$WORK/bin/acctool" "$@"; }

# text_client PORT SCRIPT : a Python client in the agent namespace that reads the greeting and then
# sends each line of SCRIPT ("\n"-separated), reading one answer after each.
text_client() {
	A timeout 20 python3 - "$SRV" "$1" "$2" <<'PY' >>"$WORK/client.log" 2>&1
import socket, sys, time
host, port, script = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.create_connection((host, port), timeout=5)
print("greeting:", s.recv(4096))
for line in script.split("\\n"):
    s.sendall(line.encode() + b"\r\n")
    time.sleep(0.2)
    print(line, "->", s.recv(4096))
s.close()
PY
}

# ---------------------------------------------------------------- 1. no failure against the evidence

# 1a. A warning alert in a handshake that completes. s_server with -servername answers a ClientHello
# whose SNI names another host with a warning-level (1) unrecognized_name (112) alert before its
# ServerHello, and goes on; the client continues, GETs and both close.
cap_warn-unrecognized-name() {
	begin warn-unrecognized-name
	acc_up
	bg server osrv -tls1_2 -WWW -servername apexone.connscope.test -cert2 "$PKI/server.pem" -key2 "$PKI/server.key"
	wait_listen $PORT
	cap_start
	oget -tls1_2 -servername other.connscope.test
	wait_exit "$LAST_PID" 5
	cap_stop
	grep -q 'Verification\|Protocol' "$WORK/client.log" || die "no handshake"
	expect ok "TLS 1.2" "TLS 1.2" server:unrecognized_name SF "OpenSSL s_server -servername apexone.connscope.test; s_client -servername other.connscope.test: the server sends a WARNING-level (level 1) unrecognized_name alert (112) right before its ServerHello, then completes the handshake; GET 200, close_notify both ways, SF. A warning alert in a completed handshake is not a failure"
	finish
}

# 1b. The server answered but its SYN-ACK is not in the capture: tcpdump's filter drops every
# SYN+ACK (tcp[13] == 0x12) at the capture point only; the TCP stacks see them all.
synack_missing() { # synack_missing NAME PORT SERVER-STARTER CLIENT-FN VERDICT-ARGS...
	local name=$1 port=$2 starter=$3 clientfn=$4
	shift 4
	begin "$name"
	acc_up
	$starter
	wait_listen "$port"
	cap_start -i "$VETH_A" 'not (tcp[13] == 0x12)'
	$clientfn
	sleep 0.5
	cap_stop
	expect "$@"
	finish
}
start_smtp() { bg server S "$WORK/bin/acctool" starttls -listen "$SRV:25" -proto smtp -cert "$PKI/server.pem" -key "$PKI/server.key"; }
smtp_quit() { text_client 25 'EHLO agent.connscope.test\nQUIT'; }
start_http() { bg server S python3 -m http.server 8080 --bind "$SRV" --directory "$WORK/www"; }
http_get() { plain_http_client 8080 >>"$WORK/client.log" 2>&1; }
start_tls() { bg server osrv -tls1_2 -WWW; }
tls_get() { oget -tls1_2; }
cap_synack-missing-banner() {
	synack_missing synack-missing-banner 25 start_smtp smtp_quit ok - - - SF "SMTP (testdata/tools/acctool starttls -proto smtp, a scripted SMTP server) on port 25; tcpdump filter 'not (tcp[13] == 0x12)' leaves the server's SYN-ACK out of the capture: the agent's SYN, then its ACK, then the server's 220 banner, EHLO/250, QUIT/221, FIN both ways. The server answered (its banner is data): never syn-timeout or 'never answered'"
}
cap_synack-missing-http() {
	synack_missing synack-missing-http 8080 start_http http_get ok - - - SF "plain HTTP GET to Python http.server on 8080 with the SYN-ACK left out of the capture (filter 'not (tcp[13] == 0x12)'): SYN, ACK, GET, 200 response, FIN both ways. The server answered"
}
cap_synack-missing-tls() {
	synack_missing synack-missing-tls 4343 start_tls tls_get ok "TLS 1.2" "TLS 1.2" - SF "OpenSSL s_client -tls1_2 GET to s_server -tls1_2 -WWW with the SYN-ACK left out of the capture: SYN, ACK, ClientHello, ServerHello ... full handshake, GET 200, SF. The server answered with a ServerHello"
}

# (Dropping "only the first" packet of a kind: iptables' quota match with a quota just above that
# packet's size matches it once and never again; the statistic match's nth mode did not, here.)

# 1c. A client that ends its own connection attempt: it closes its socket (SO_LINGER 0) while in
# SYN-SENT (Linux sends nothing then); the router dropped the server's first SYN-ACK, so the next
# one arrives ~1 s later at a socket that is gone, and the agent's kernel answers it with a RST.
cap_client-aborted-syn() {
	begin client-aborted-syn
	acc_up
	R iptables -A FORWARD -p tcp --sport "$PORT" --tcp-flags SYN,ACK SYN,ACK -m quota --quota 70 -j DROP
	start_tls
	wait_listen $PORT
	cap_start
	A "$WORK/bin/acctool" abort-client -connect "$SRV:$PORT" -after 300ms -wait 2s >>"$WORK/client.log" 2>&1
	cap_stop
	expect client-aborted - - - RSTO "testdata/tools/acctool abort-client: non-blocking connect(), close with SO_LINGER 0 after 0.3 s while still in SYN-SENT; the router dropped the server's first SYN-ACK, its retransmission arrives ~1 s after the SYN (TTL 63, a real server answer) and the agent's own kernel resets it (RST from the client, TTL 64 at the agent). The client gave up on its own: not a firewall drop, not refused"
	finish
}

# 1d. Everything delivered, only the close retransmitted: the router drops the client's first
# FIN (connection to 4343) and the client's first close_notify record (connection to 4344) once
# each; the client retransmits them and both connections end normally.
cap_fin-retransmitted() {
	begin fin-retransmitted
	acc_up
	R iptables -A FORWARD -p tcp --dport 4343 --tcp-flags FIN FIN -m quota --quota 60 -j DROP
	# u32: the first three payload bytes are 15 03 03 (an alert record; after the handshake, the close_notify)
	R iptables -A FORWARD -p tcp --dport 4344 -m u32 --u32 '0>>22&0x3C@12>>26&0x3C@0>>8=0x150303' -m quota --quota 90 -j DROP
	start_tls
	wait_listen 4343
	SPORT=4344 bg server2 osrv -tls1_2 -WWW
	wait_listen 4344
	cap_start
	oget -tls1_2
	expect ok "TLS 1.2" "TLS 1.2" - SF "GET 200 through the router, which drops the client's first FIN (iptables quota): every byte of data, both close_notify records included, is acknowledged; the server's FIN arrives; only the agent's FIN is retransmitted (~205 ms later, RTO) and then acknowledged; SF. Not a blackhole, not a failure"
	sleep 0.3
	SPORT=4344 oget -tls1_2
	expect ok "TLS 1.2" "TLS 1.2" - SF "second connection (port 4344, a second s_server): the router drops the client's close_notify record (31 bytes) once; its FIN arrives, the server's duplicate ACK with SACK shows the hole, the agent resends the close_notify at once (tshark labels it out-of-order), then FIN both ways; SF. Not a blackhole"
	sleep 1
	cap_stop
	finish
}

# 1e. A port scan and real clients: nmap -sS from 10.91.1.9 over ports 1-200 (dropped by the
# server's firewall: SYN-only flows) plus 4343 and 8080 (open: SYN, SYN-ACK, the scanner's RST),
# then two real TLS clients on 4343.
cap_port-scan() {
	begin port-scan
	acc_up 10.91.1.3 10.91.1.9
	S iptables -A INPUT -p tcp -m multiport ! --dports 4343,8080 -j DROP
	NACCEPT=2 bg server osrv -tls1_2 -WWW
	wait_listen $PORT
	bg http S python3 -m http.server 8080 --bind "$SRV" --directory "$WORK/www"
	wait_listen 8080
	cap_start
	A nmap -sS -Pn -n -e "$VETH_A" -S 10.91.1.9 -p 1-200,4343,8080 --max-retries 0 --max-rtt-timeout 300ms -T4 "$SRV" >>"$WORK/client.log" 2>&1
	sleep 1
	oget -tls1_2
	sleep 0.3
	A timeout 20 "$WORK/bin/tlsclient" -connect "$SRV:$PORT" -local 10.91.1.3 -cafile "$PKI/ca.pem" -servername apexone.connscope.test -get "$OFC_PATH" >>"$WORK/client.log" 2>&1 || true
	cap_stop
	# One row per scan flow, in capture order: SYN-only (S0) for the dropped ports; SYN, SYN-ACK and
	# the scanner's RST (RSTO) for the open ones.
	local port n=0
	for port in $(tshark -n -r "$OUT/$CAP_NAME.pcap" -Y 'ip.src==10.91.1.9 && tcp.flags.syn==1 && tcp.flags.ack==0' -T fields -e tcp.dstport 2>/dev/null); do
		n=$((n + 1))
		if [[ $port == 4343 || $port == 8080 ]]; then
			expect port-scan - - - RSTO "nmap -sS probe of the open port $port from 10.91.1.9: SYN, SYN-ACK, and the scanner host's RST (nmap's raw SYN has no socket behind it). Part of the port scan: not refused, not not-tls, not a failed agent"
		else
			expect port-scan - - - S0 "nmap -sS from 10.91.1.9 over 202 ports of 10.91.2.2 (one SYN each, --max-retries 0); the server's firewall drops ports other than 4343 and 8080: a SYN-only flow. Named as a port scan in the summary, not one of hundreds of syn-timeouts"
		fi
	done
	log "the scan made $n flows"
	expect ok "TLS 1.2" "TLS 1.2" - SF "a real agent (OpenSSL s_client -tls1_2) after the scan: GET 200"
	expect ok "TLS 1.2,TLS 1.3" "TLS 1.2" - SF "a second real agent (10.91.1.3, Go crypto/tls default client): TLS 1.2, GET 200"
	finish
}

# sweep_hosts : the server side of the sweep captures: 10.91.2.3-6 on the server's veth too;
# 10.91.2.2 (s_server) and 10.91.2.3 listen on 4343, 10.91.2.4 listens on nothing there (the
# kernel refuses: RST), the firewall drops 4343 to 10.91.2.5 (silent) and rejects it to 10.91.2.6
# with a RST. Every other address of 10.91.2.0/24 is no host: the router's ARP for it fails, and
# it answers with ICMP host unreachable when its rate limit lets it (else nothing).
sweep_hosts() {
	local a
	for a in 10.91.2.3 10.91.2.4 10.91.2.5 10.91.2.6; do
		S ip addr add "$a/24" dev "$VETH_S"
		R ip neigh replace "$a" lladdr 02:91:00:02:00:02 dev "$VETH_RS" nud permanent
	done
	S iptables -A INPUT -p tcp -d 10.91.2.5 --dport 4343 -j DROP
	S iptables -A INPUT -p tcp -d 10.91.2.6 --dport 4343 -j REJECT --reject-with tcp-reset
}

# sweep_expect SWEEPER VERDICT NOTE : rows for every connection of the capture, in order of its
# first SYN: the sweeper's (VERDICT) by its host's answer, the others' from $WORK/agent-rows.tsv
# (agent_row: one line per connection of a client, in that client's order).
sweep_expect() {
	local sweeper=$1 verdict=$2 note=$3 stream src dst dport n row v o c a cs nt
	declare -A seen=() next=()
	while IFS=$'\t' read -r stream src dst dport; do
		[[ -n ${seen[$stream]:-} ]] && continue
		seen[$stream]=1
		if [[ $src == "$sweeper" ]]; then
			case $dst in
			10.91.2.2 | 10.91.2.3) expect "$verdict" - - - RSTO "$note; $dst listens on $dport: SYN, SYN-ACK, the sweeper's RST" ;;
			10.91.2.4 | 10.91.2.6) expect "$verdict" - - - REJ "$note; $dst has no listener on $dport (or rejects it): SYN, RST" ;;
			*) expect "$verdict" - - - S0 "$note; $dst is dropped by a firewall or is no host (the router's ARP fails; its ICMP host unreachable, when sent, is no TCP packet): SYN-only" ;;
			esac
			continue
		fi
		n=${next[$src]:-0}
		row=$(awk -F'\t' -v c="$src" -v n="$n" '$1 == c { if (i++ == n) { print; exit } }' "$WORK/agent-rows.tsv")
		[[ -n $row ]] || die "no row for connection $stream from $src"
		next[$src]=$((n + 1))
		IFS=$'\t' read -r _ v o c a cs nt <<<"$row"
		expect "$v" "$o" "$c" "$a" "$cs" "$nt"
	done < <(tshark -n -r "$OUT/$CAP_NAME.pcap" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' -T fields -E separator=/t -e tcp.stream -e ip.src -e ip.dst -e tcp.dstport 2>/dev/null)
}

# agent_row CLIENT VERDICT OFFERED CHOSEN ALERTS CONN_STATE NOTE : one connection of a client
# that sweep_expect orders among the others.
agent_row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$WORK/agent-rows.tsv"; }

# py_connect SRC DST PORT TIMEOUT : one connect() from SRC in the agent namespace (the real Linux
# stack: SYN retransmissions at 1 s, 3 s, ...) that gives up after TIMEOUT seconds.
py_connect() {
	A timeout 30 python3 - "$@" <<'PY' >>"$WORK/client.log" 2>&1 || true
import socket, sys
src, dst, port, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
s = socket.socket()
s.bind((src, 0))
s.settimeout(timeout)
try:
    s.connect((dst, port))
except OSError as e:
    print(src, "->", dst, port, e)
s.close()
PY
}

# 1e". A sweep of one port across hosts, and real agents: nmap -sS -Pn from 10.91.1.9 over port
# 4343 of 10.91.2.1-40 (sweep_hosts: 2 listen, 2 refuse, 1 dropped, 35 no host), while the agent
# 10.91.1.3 fails to reach its server 10.91.2.5 (firewall drop) before, during and after the
# sweep, and the agent 10.91.1.1 gets its page from 10.91.2.2.
cap_port-sweep() {
	begin port-sweep
	acc_up 10.91.1.3 10.91.1.9
	sweep_hosts
	bg server osrv -tls1_2 -WWW
	wait_listen $PORT
	bg other S python3 -m http.server "$PORT" --bind 10.91.2.3 --directory "$WORK/www"
	sleep 0.5
	: >"$WORK/agent-rows.tsv"
	cap_start
	py_connect 10.91.1.3 10.91.2.5 "$PORT" 2.5
	agent_row 10.91.1.3 syn-timeout - - - S0 "a real agent (Python connect(), 2.5 s timeout) to its server 10.91.2.5, whose firewall drops 4343: SYN at 0 and 1 s, never answered. Before the sweep: its own failure"
	bg agent py_connect 10.91.1.3 10.91.2.5 "$PORT" 2.5
	A nmap -sS -Pn -n -e "$VETH_A" -S 10.91.1.9 -p "$PORT" --max-retries 1 -T4 10.91.2.1-40 >>"$WORK/client.log" 2>&1
	agent_row 10.91.1.3 syn-timeout - - - S0 "the same agent again, while the sweep runs: SYN retransmitted, never answered. Its own failure: never port-scan"
	sleep 0.5
	oget -tls1_2
	agent_row 10.91.1.1 ok "TLS 1.2" "TLS 1.2" - SF "a real agent (OpenSSL s_client -tls1_2) to 10.91.2.2 after the sweep: GET 200"
	py_connect 10.91.1.3 10.91.2.5 "$PORT" 2.5
	agent_row 10.91.1.3 syn-timeout - - - S0 "the agent 10.91.1.3 a third time, after the sweep: never answered"
	cap_stop
	sweep_expect 10.91.1.9 port-scan "nmap -sS -Pn -n -p 4343 --max-retries 1 -T4 10.91.2.1-40 from 10.91.1.9: a sweep of one port over 40 addresses (one SYN each, a retransmission when unanswered). Named as a sweep in the summary, not one of dozens of syn-timeouts, refusals or unreachable hosts"
	finish
}

# 1e"'. What a sweep is not: one agent (10.91.1.1) retrying its dead server 10.91.2.5 thirty times
# (short connect() attempts), and thirty agents (10.91.1.10-39) trying it once each. Neither is a
# sweep (one host; many sources): each connection keeps its own verdict, syn-timeout.
cap_sweep-negatives() {
	begin sweep-negatives
	local extra=() i
	for i in $(seq 10 39); do extra+=("10.91.1.$i"); done
	acc_up "${extra[@]}"
	sweep_hosts
	: >"$WORK/agent-rows.tsv"
	cap_start
	for i in $(seq 30); do
		py_connect 10.91.1.1 10.91.2.5 "$PORT" 0.5
		agent_row 10.91.1.1 syn-timeout - - - S0 "one agent's connect() with a 0.5 s timeout to its server 10.91.2.5 (firewall drop), attempt $i of 30 in a row: one SYN, never answered. Retries to one server: never a sweep"
	done
	for i in $(seq 10 39); do
		bg "agent$i" py_connect "10.91.1.$i" 10.91.2.5 "$PORT" 1.5
		agent_row "10.91.1.$i" syn-timeout - - - S0 "one of 30 agents (10.91.1.10-39) each trying the dead server 10.91.2.5 once (connect(), 1.5 s timeout: 2 SYNs): many agents failing alike, never a sweep"
	done
	sleep 2.5
	cap_stop
	sweep_expect none - -
	finish
}

# sweep_client NAME TIMEOUT SYNS [ICMP] : a real client, not a scanner: 10.91.1.7 walks its list
# of 30 server addresses on 4343 (an agent with a list of servers, a name with many A records),
# one connect() at a time from the Linux stack, each given up after TIMEOUT seconds before the next
# (SYNS: what the stack sends in that time): 10.91.2.5 (the host's firewall drops 4343), 10.91.2.6
# (refuses: RST) and 10.91.2.11-38 (a firewall at the router drops 4343 to them; with ICMP, it
# rejects them with that ICMP error instead: iptables REJECT --reject-with ICMP, no rate limit).
# A real outage, 30 hosts failing with 1 or 2 SYNs each: every attempt keeps its own verdict,
# never port-scan.
# The agent 10.91.1.1 gets its page from 10.91.2.2 afterwards.
sweep_client() {
	local name=$1 timeout=$2 syns=$3 icmp=${4:-} a list=(10.91.2.5 10.91.2.6) i=0
	begin "$name"
	acc_up 10.91.1.7
	sweep_hosts
	if [[ -n $icmp ]]; then
		# Every SYN gets its error: a firewall's rejects, not the router's rate limit (1 s per
		# destination after a burst of 6, which leaves some of them unanswered).
		R sysctl -qw net.ipv4.icmp_ratelimit=0
		R iptables -A FORWARD -p tcp --dport "$PORT" -m iprange --dst-range 10.91.2.11-10.91.2.38 -j REJECT --reject-with "$icmp"
	else
		R iptables -A FORWARD -p tcp --dport "$PORT" -m iprange --dst-range 10.91.2.11-10.91.2.38 -j DROP
	fi
	for a in $(seq 11 38); do list+=("10.91.2.$a"); done
	bg server osrv -tls1_2 -WWW
	wait_listen $PORT
	: >"$WORK/agent-rows.tsv"
	cap_start
	A timeout 120 python3 - 10.91.1.7 "$PORT" "$timeout" "${list[@]}" <<'PY' >>"$WORK/client.log" 2>&1 || true
import socket, sys
src, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
for dst in sys.argv[4:]:  # one address after another, as a client walking its server list
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(timeout)
    try:
        s.connect((dst, port))
        break
    except OSError as e:
        print(src, "->", dst, port, e)
    finally:
        s.close()
PY
	sleep 2 # past the last attempt's next SYN, had it retried: the capture shows it given up
	for a in "${list[@]}"; do
		i=$((i + 1))
		case $a in
		10.91.2.6) agent_row 10.91.1.7 refused - - - REJ "a real client (Python, one connect() at a time, $timeout s timeout) walking its list of 30 server addresses on $PORT, address $i of 30: $a refuses (RST). Not a sweep: a client's own failure" ;;
		10.91.2.5) agent_row 10.91.1.7 syn-timeout - - - S0 "a real client (Python, one connect() at a time, $timeout s timeout: $syns) walking its list of 30 server addresses on $PORT, address $i of 30: $a is dropped by a firewall. Not a sweep: a client's own failure" ;;
		*)
			if [[ -n $icmp ]]; then
				agent_row 10.91.1.7 "$ICMP_VERDICT" - - - S0 "a real client (Python, one connect() at a time, $timeout s timeout) walking its list of 30 server addresses on $PORT, address $i of 30: the router rejects its SYN to $a with ICMP ($icmp) and connect() fails at once (EHOSTUNREACH), so the next address's SYN follows within milliseconds, as a scanner's burst does; the ICMP error is an answer, so this is no burst of unanswered probes. Not a sweep: a client's own failure"
			else
				agent_row 10.91.1.7 syn-timeout - - - S0 "a real client (Python, one connect() at a time, $timeout s timeout: $syns) walking its list of 30 server addresses on $PORT, address $i of 30: $a is dropped by a firewall. Not a sweep: a client's own failure"
			fi
			;;
		esac
	done
	oget -tls1_2
	agent_row 10.91.1.1 ok "TLS 1.2" "TLS 1.2" - SF "a real agent (OpenSSL s_client -tls1_2) to 10.91.2.2 after the client's list: GET 200"
	cap_stop
	sweep_expect none - -
	finish
}
cap_sweep-client() { sweep_client sweep-client 1.5 "2 SYNs, at 0 and 1 s"; }
cap_sweep-client-short() { sweep_client sweep-client-short 0.5 "one SYN"; }
# The same client with a router that rejects 10.91.2.11-38 with ICMP host unreachable: each of
# those connect()s fails at once. Analysed narrowed to one of its servers (--host), the ICMP errors
# about the other hosts must still count as their answers.
cap_sweep-client-icmp() { ICMP_VERDICT=unreachable sweep_client sweep-client-icmp 0.5 "one SYN" icmp-host-unreachable; }

# 1e"". A connect() sweep: nmap -sT (the system's connect(), a new source port each, the
# system's SYN options) over port 4343 of 10.91.2.1-40 from 10.91.1.9, in parallel: still a
# sweep (port-scan), told from a client walking its list by its burst of attempts.
cap_port-sweep-connect() {
	begin port-sweep-connect
	acc_up 10.91.1.9
	sweep_hosts
	NACCEPT=2 bg server osrv -tls1_2 -WWW # the sweep's connect() is accepted too
	wait_listen $PORT
	bg other S python3 -m http.server "$PORT" --bind 10.91.2.3 --directory "$WORK/www"
	sleep 0.5
	: >"$WORK/agent-rows.tsv"
	cap_start
	# connect() takes its source address from the route (nmap -S is for raw SYNs): 10.91.1.9's.
	A ip route change default via "$RTR_A" src 10.91.1.9
	A nmap -sT -Pn -n -p "$PORT" --max-retries 1 -T4 10.91.2.1-40 >>"$WORK/client.log" 2>&1
	A ip route change default via "$RTR_A"
	sleep 0.5
	oget -tls1_2
	agent_row 10.91.1.1 ok "TLS 1.2" "TLS 1.2" - SF "a real agent (OpenSSL s_client -tls1_2) to 10.91.2.2 after the sweep: GET 200"
	sleep 3
	cap_stop
	sweep_expect 10.91.1.9 port-scan "nmap -sT -Pn -n -p 4343 --max-retries 1 -T4 10.91.2.1-40 from 10.91.1.9: a connect() sweep of one port over 40 addresses (the system's SYNs, a new source port each, many at once). Named as a sweep in the summary, not one of dozens of syn-timeouts, refusals or unreachable hosts"
	finish
}

# 1e'. Several protocols on one port: on the SMTP port 25 one client upgrades with STARTTLS, one
# speaks plain SMTP and quits, one sends a ClientHello at once (implicit TLS to a STARTTLS port: the
# server greets in plain text); on 8080 a plain HTTP health check; on 4343 a TLS client.
cap_mixed-port-protocols() {
	begin mixed-port-protocols
	acc_up 10.91.1.3 10.91.1.4 10.91.1.5
	bg smtp S "$WORK/bin/acctool" starttls -listen "$SRV:25" -proto smtp -count 3 -max 1.2 -cert "$PKI/server.pem" -key "$PKI/server.key"
	wait_listen 25
	start_http
	wait_listen 8080
	NACCEPT=1 bg tls osrv -tls1_2 -WWW
	wait_listen $PORT
	cap_start
	printf 'EHLO agent\r\nQUIT\r\n' | A timeout 10 openssl s_client -connect "$SRV:25" -starttls smtp -bind 10.91.1.1 -ign_eof >>"$WORK/client.log" 2>&1 || true
	expect ok "TLS 1.0,TLS 1.1,TLS 1.2,TLS 1.3" "TLS 1.2" - SF "10.91.1.1: openssl s_client -starttls smtp to port 25: greeting, EHLO, STARTTLS, 220, then TLS 1.2 (the scripted server allows up to 1.2), QUIT inside TLS, 221, close_notify and FIN both ways"
	sleep 0.3
	A timeout 10 python3 -c '
import socket, time
s = socket.create_connection(("'"$SRV"'", 25), source_address=("10.91.1.3", 0))
print(s.recv(999)); s.sendall(b"EHLO agent\r\n"); time.sleep(0.2); print(s.recv(999)); s.sendall(b"QUIT\r\n"); time.sleep(0.2); print(s.recv(999)); s.close()' >>"$WORK/client.log" 2>&1
	expect ok - - - SF "10.91.1.3: plain SMTP on the same port (EHLO, QUIT), no TLS asked for, none expected: ok, never not-tls by association with the other clients' TLS"
	sleep 0.3
	ofail -connect "$SRV:25" -bind 10.91.1.4 -tls1_2
	expect not-tls "TLS 1.2" - - SF "10.91.1.4: openssl s_client -tls1_2 straight to port 25 (implicit TLS to a STARTTLS port): its ClientHello meets the plain-text 220 greeting and a 500 answer; the client fails (wrong version number) and closes. not-tls (the server answered in plain text) for this flow only"
	sleep 0.3
	A timeout 10 python3 -c '
import socket
s = socket.create_connection(("'"$SRV"'", 8080), source_address=("10.91.1.5", 0))
s.sendall(b"GET /health HTTP/1.0\r\n\r\n"); d = b""
while True:
    x = s.recv(4096)
    if not x: break
    d += x
print(d[:40]); s.close()' >>"$WORK/client.log" 2>&1
	expect ok - - - SF "10.91.1.5: plain HTTP health check on 8080 (Python http.server answers 404 for /health): a working plain port, ok"
	sleep 0.3
	oget -tls1_2
	expect ok "TLS 1.2" "TLS 1.2" - SF "10.91.1.1: OpenSSL s_client -tls1_2 GET on the TLS port 4343"
	sleep 0.5
	cap_stop
	finish
}

# ---------------------------------------------------------------- 2. TLS after a protocol preamble

# 2. MariaDB: the client's SSLRequest (a 32-byte handshake response with CLIENT_SSL) after the
# server's greeting, then TLS on the same connection (real mariadbd and mariadb client).
cap_preamble-mariadb() {
	begin preamble-mariadb
	acc_up
	local d=$WORK/mysql
	rm -rf "$d"
	mkdir -p "$d/data" "$d/run"
	cp "$PKI/server.pem" "$PKI/server.key" "$PKI/ca.pem" "$d/"
	chown -R mysql:mysql "$d"
	chmod 755 "$WORK"
	mariadb-install-db --user=mysql --datadir="$d/data" --auth-root-authentication-method=normal >"$WORK/mariadb-install.log" 2>&1
	bg mariadb S mariadbd --no-defaults --user=mysql --datadir="$d/data" --socket="$d/run/sock" --pid-file="$d/run/pid" \
		--bind-address="$SRV" --port=3306 --skip-grant-tables --skip-name-resolve \
		--ssl-cert="$d/server.pem" --ssl-key="$d/server.key" --ssl-ca="$d/ca.pem"
	wait_listen 3306
	cap_start
	A timeout 20 mariadb --no-defaults -h "$SRV" -P 3306 -u root --ssl --skip-ssl-verify-server-cert -e 'SHOW STATUS LIKE "Ssl_version"' >>"$WORK/client.log" 2>&1
	sleep 0.5
	cap_stop
	grep -q 'TLSv1' "$WORK/client.log" || die "the mariadb client did not use TLS: $(cat "$WORK/client.log")"
	expect ok "TLS 1.0,TLS 1.1,TLS 1.2,TLS 1.3" "TLS 1.3" - SF "real MariaDB server (mariadbd, Debian) and client (mariadb --ssl): server greeting (protocol 10), client SSLRequest (32 bytes, CLIENT_SSL), then a TLS 1.3 handshake on 3306, a query inside TLS, COM_QUIT, close"
	finish
}

# 2. PostgreSQL: SSLRequest (8 bytes, code 80877103), the server's single byte "S", then TLS.
cap_preamble-postgres() {
	begin preamble-postgres
	acc_up
	local d=$WORK/pg
	rm -rf "$d"
	mkdir -p "$d/sock"
	chmod 755 "$WORK"
	chown -R postgres:postgres "$d"
	runuser -u postgres -- initdb -D "$d/data" -A trust >"$WORK/initdb.log" 2>&1
	cp "$PKI/server.pem" "$d/data/server.crt"
	cp "$PKI/server.key" "$d/data/server.key"
	chown postgres:postgres "$d/data/server.crt" "$d/data/server.key"
	chmod 600 "$d/data/server.key"
	cat >>"$d/data/postgresql.conf" <<EOF
listen_addresses = '$SRV'
unix_socket_directories = '$d/sock'
ssl = on
EOF
	echo "hostssl all all 0.0.0.0/0 trust" >>"$d/data/pg_hba.conf"
	bg postgres S runuser -u postgres -- postgres -D "$d/data"
	wait_listen 5432
	cap_start
	A timeout 20 psql "host=$SRV port=5432 user=postgres dbname=postgres sslmode=require" -c 'SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()' >>"$WORK/client.log" 2>&1
	sleep 0.5
	cap_stop
	grep -q 'TLSv1' "$WORK/client.log" || die "psql did not use TLS: $(cat "$WORK/client.log")"
	expect ok "TLS 1.2,TLS 1.3" "TLS 1.3" - RSTO "real PostgreSQL 15 server and psql (sslmode=require; libpq offers TLS 1.2-1.3): SSLRequest (00 00 00 08 04 d2 16 2f), the server's one byte 'S', then TLS 1.3 on 5432, a query, Terminate inside TLS; psql then sends its close_notify and closes with a RST (RSTO) after a complete session: ok"
	finish
}

# 2. LDAP StartTLS: the extended operation 1.3.6.1.4.1.1466.20037 and its success response in clear,
# then TLS (real slapd, real ldapsearch -ZZ).
cap_preamble-ldap-starttls() {
	begin preamble-ldap-starttls
	acc_up
	local d=$WORK/ldap
	rm -rf "$d"
	mkdir -p "$d/db"
	cat >"$d/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
pidfile $d/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCertificateFile $PKI/server.pem
TLSCertificateKeyFile $PKI/server.key
database mdb
suffix "dc=connscope,dc=test"
rootdn "cn=admin,dc=connscope,dc=test"
directory $d/db
EOF
	bg slapd S slapd -d 0 -f "$d/slapd.conf" -h "ldap://$SRV:389/"
	wait_listen 389
	cap_start
	A env LDAPTLS_REQCERT=never timeout 20 ldapsearch -x -ZZ -H "ldap://$SRV:389" -b "" -s base namingContexts >>"$WORK/client.log" 2>&1
	sleep 0.5
	cap_stop
	expect ok "TLS 1.0,TLS 1.1,TLS 1.2,TLS 1.3" "TLS 1.3" - RSTO "real slapd (OpenLDAP, Debian, GnuTLS) and ldapsearch -ZZ: LDAP ExtendedRequest StartTLS (1.3.6.1.4.1.1466.20037) and its success response in clear, then TLS 1.3 on 389, a root DSE search and an unbind inside TLS; ldapsearch sends close_notify and FIN, and the server's close_notify arriving after that draws the client's RST (RSTO) after a complete session: ok"
	finish
}

# 2. SOCKS5 and SOCKS4: curl through testdata/tools/acctool socks (on the server host, port 1080)
# to the TLS server 10.91.2.2:4343; the agent's capture shows the SOCKS dialogue, then TLS.
socks_capture() { # socks_capture NAME CURL-PROXY-URL NOTE
	begin "$1"
	acc_up
	start_tls
	wait_listen $PORT
	bg socks S "$WORK/bin/acctool" socks -listen "$SRV:1080"
	wait_listen 1080
	cap_start
	A timeout 20 curl -sS --tlsv1.2 --tls-max 1.2 -k -x "$2" "https://$SRV:$PORT$OFC_PATH" >>"$WORK/client.log" 2>&1
	sleep 0.5
	cap_stop
	expect ok "TLS 1.2" "TLS 1.2" - SF "$3"
	finish
}
cap_preamble-socks5() {
	socks_capture preamble-socks5 "socks5://$SRV:1080" "curl --socks5 (RFC 1928: greeting 05 01 00, method 00, CONNECT 10.91.2.2:4343, success) through testdata/tools/acctool socks on 10.91.2.2:1080, then curl's TLS 1.2 ClientHello (OpenSSL, --tls-max 1.2) and a GET to s_server -tls1_2 -WWW through the tunnel; close"
}
cap_preamble-socks4() {
	socks_capture preamble-socks4 "socks4://$SRV:1080" "curl --socks4 (CONNECT 04 01 10f7 0a5b0202, reply 00 5a) through testdata/tools/acctool socks, then TLS 1.2 and a GET through the tunnel"
}

# 2. STARTTLS text protocols: openssl s_client -starttls PROTO (a real client) against
# testdata/tools/acctool starttls (a scripted server: greeting, capabilities, the STARTTLS
# command's go-ahead, then Go crypto/tls up to TLS 1.2; no mail daemon runs here).
starttls_capture() { # starttls_capture NAME PORT PROTO QUIT-LINE NOTE
	begin "$1"
	acc_up
	bg srv S "$WORK/bin/acctool" starttls -listen "$SRV:$2" -proto "$3" -max 1.2 -cert "$PKI/server.pem" -key "$PKI/server.key"
	wait_listen "$2"
	cap_start
	printf '%s\r\n' "$4" | A timeout 10 openssl s_client -connect "$SRV:$2" -starttls "$3" -ign_eof >>"$WORK/client.log" 2>&1 || true
	sleep 0.5
	cap_stop
	expect ok "TLS 1.0,TLS 1.1,TLS 1.2,TLS 1.3" "TLS 1.2" - SF "$5"
	finish
}
cap_starttls-smtp() { starttls_capture starttls-smtp 25 smtp QUIT "openssl s_client -starttls smtp to a scripted SMTP server (acctool starttls): 220, EHLO, 250-STARTTLS, STARTTLS, 220, then TLS 1.2 (Go crypto/tls server), QUIT inside TLS"; }
cap_starttls-imap() { starttls_capture starttls-imap 143 imap 'a LOGOUT' "openssl s_client -starttls imap to a scripted IMAP server: * OK [CAPABILITY ... STARTTLS], . CAPABILITY, . STARTTLS, OK, then TLS 1.2, LOGOUT inside TLS"; }
cap_starttls-pop3() { starttls_capture starttls-pop3 110 pop3 QUIT "openssl s_client -starttls pop3 to a scripted POP3 server: +OK, CAPA, STLS, +OK, then TLS 1.2, QUIT inside TLS"; }
cap_starttls-ftp() { starttls_capture starttls-ftp 21 ftp QUIT "openssl s_client -starttls ftp to a scripted FTP server: 220, FEAT, AUTH TLS, 234, then TLS 1.2 on the control connection, QUIT inside TLS"; }

# 2. RDP: the X.224 Connection Request with an RDP Negotiation Request (TLS) and the server's
# Connection Confirm, then TLS on 3389 (real xrdp server; real FreeRDP client, +auth-only).
cap_preamble-rdp() {
	begin preamble-rdp
	acc_up
	mkdir -p /var/run/xrdp
	bg xrdp S xrdp --nodaemon --port "tcp://$SRV:3389"
	local xrdp=$LAST_PID
	wait_listen 3389
	cap_start
	A timeout 10 xvfb-run -a xfreerdp /v:"$SRV":3389 /sec:tls /cert:ignore /u:agent /p:x +auth-only >>"$WORK/client.log" 2>&1 || true
	# xrdp keeps its side open after the client's FIN (it would time out much later): stop it,
	# so that its close ends the connection within the capture.
	# (xrdp serves each connection in a child process: end every process of the server namespace,
	# all started here.)
	sleep 1
	local pid
	for pid in $(ip netns pids "$NS_S"); do kill -TERM "$pid" 2>/dev/null || true; done
	stop_pid "$xrdp"
	cap_stop 1
	expect ok "TLS 1.0,TLS 1.1,TLS 1.2,TLS 1.3" "TLS 1.3" - RSTO "real xrdp server and FreeRDP client (xfreerdp /sec:tls +auth-only under xvfb-run): X.224 Connection Request with an RDP_NEG_REQ (PROTOCOL_SSL) and the Connection Confirm in clear (TPKT 03 00), then the TLS 1.3 handshake on 3389 and RDP's MCS/licensing exchange inside TLS; the client sends its FIN; xrdp keeps its side open until the script ends it, and its last data then meets the client's closed socket: client RST (RSTO) after a working session: ok"
	finish
}

# ---------------------------------------------------------------- 3. after the ServerHello (TLS 1.2, plain text)

# 3a. The server requires a client certificate; the client has none.
cap_client-cert-required() {
	begin client-cert-required
	acc_up
	bg server osrv -tls1_2 -WWW -Verify 1 -verifyCAfile "$PKI/ca.pem"
	wait_listen $PORT
	cap_start
	ofail -tls1_2
	wait_exit "$LAST_PID" 5
	cap_stop
	expect client-certificate-required "TLS 1.2" "TLS 1.2" server:handshake_failure SF "s_server -tls1_2 -Verify 1 (client certificate required); s_client -tls1_2 without a certificate: ServerHello (cipher chosen), Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone; the client sends an EMPTY Certificate message, ClientKeyExchange, CCS, Finished; the server answers with a fatal handshake_failure (40). A cipher was chosen: not 'no cipher in common'"
	finish
}

# 3b. The client sends a certificate the server does not trust.
cap_client-cert-rejected() {
	begin client-cert-rejected
	acc_up
	bg server osrv -tls1_2 -WWW -Verify 1 -verifyCAfile "$PKI/ca.pem" -verify_return_error
	wait_listen $PORT
	cap_start
	# s_client's exit status is 0 here (its handshake had finished on its side when the alert came).
	ocli -tls1_2 -cert "$PKI/selfsigned.pem" -key "$PKI/selfsigned.key" </dev/null >>"$WORK/client.log" 2>&1 || true
	wait_exit "$LAST_PID" 5
	cap_stop
	expect client-certificate-rejected "TLS 1.2" "TLS 1.2" server:unknown_ca SF "s_server -tls1_2 -Verify 1 -verify_return_error trusting only the test CA; s_client -tls1_2 presents a self-signed certificate: its Certificate message carries one certificate; the server answers with a fatal unknown_ca (48) after the client's flight. The server rejected the CLIENT's certificate (not the client the server's)"
	finish
}

# 3b'. The same two cases in TLS 1.3 (s_server -tls1_3 -Verify 1 -verify_return_error): the
# CertificateRequest, the client's Certificate and the server's alert are all encrypted. What the
# packets show: the client's second flight (ChangeCipherSpec for middlebox compatibility, then
# encrypted records), the server's one short encrypted record (its alert: certificate_required
# (116) without a certificate, unknown_ca (48) for the self-signed one, per the server's log) and
# its close. The client sends its GET right after its Finished, as an agent does: it has no way of
# knowing that the server will refuse it, and it waits for the answer (-ign_eof).
cap_client-cert-required-tls13() {
	begin client-cert-required-tls13
	acc_up
	bg server osrv -tls1_3 -WWW -Verify 1 -verifyCAfile "$PKI/ca.pem" -verify_return_error
	wait_listen $PORT
	cap_start
	# s_client's exit status is 0: its side of the TLS 1.3 handshake had finished before the alert.
	oget -tls1_3 || true
	wait_exit "$LAST_PID" 5
	cap_stop
	grep -q 'peer did not return a certificate' "$WORK/server.log" || die "the server did not refuse for a missing certificate: $(cat "$WORK/server.log")"
	expect tls-handshake-failure "TLS 1.3" "TLS 1.3" - SF "s_server -tls1_3 -Verify 1 -verify_return_error (client certificate required); s_client -tls1_3 without a certificate, sending its GET right after its Finished: ServerHello TLS 1.3, then everything encrypted; the client's second flight (CCS, then encrypted records: an empty Certificate and Finished, then the GET) is answered by the server's one short encrypted record (its alert certificate_required, 116, per the server's log) and its FIN. On the wire: the handshake reached the client's second flight and the server refused; it cannot show whether the handshake completed, nor why: client certificate required/rejected are the candidates, never 'ok'"
	finish
}

cap_client-cert-rejected-tls13() {
	begin client-cert-rejected-tls13
	acc_up
	bg server osrv -tls1_3 -WWW -Verify 1 -verifyCAfile "$PKI/ca.pem" -verify_return_error
	wait_listen $PORT
	cap_start
	oget -tls1_3 -cert "$PKI/selfsigned.pem" -key "$PKI/selfsigned.key" || true
	wait_exit "$LAST_PID" 5
	cap_stop
	grep -q 'self-signed certificate\|unknown ca\|certificate verify failed' "$WORK/server.log" || die "the server did not reject the client's certificate: $(cat "$WORK/server.log")"
	expect tls-handshake-failure "TLS 1.3" "TLS 1.3" - SF "s_server -tls1_3 -Verify 1 -verify_return_error trusting only the test CA; s_client -tls1_3 presents a self-signed certificate and sends its GET right after its Finished: the client's second flight (CCS, encrypted Certificate, CertificateVerify, Finished, then the GET) is answered by the server's one short encrypted record (its alert unknown_ca, 48, per the server's log) and its FIN. Same packets as without a certificate, but for the sizes: client certificate required/rejected are the candidates, never 'ok'"
	finish
}

# 3b-ii'. The mirror case: a TLS 1.3 client that rejects the server's certificate. The Go client
# (crypto/tls) has switched to its handshake keys when it reads the server's Certificate, so its
# alert (bad_certificate, per its own error) goes out encrypted: one alert-sized encrypted record
# right after the server's flight, then its FIN. (OpenSSL's s_client sends the same alert in
# plaintext: untrusted-cert-tls13.pcap.) The packets show the record's size and place, not which
# alert it is.
cap_untrusted-cert-go-tls13() {
	begin untrusted-cert-go-tls13
	acc_up
	bg server osrv -tls1_3 -WWW -cert "$PKI/selfsigned.pem" -key "$PKI/selfsigned.key"
	wait_listen $PORT
	cap_start
	if A timeout 20 "$WORK/bin/tlsclient" -connect "$SRV:$PORT" -min 1.3 -cafile "$PKI/ca.pem" -servername apexone.connscope.test >>"$WORK/client.log" 2>&1; then
		die "the Go client accepted the self-signed certificate"
	fi
	wait_exit "$LAST_PID" 5
	cap_stop
	grep -q 'certificate' "$WORK/client.log" || die "the Go client did not fail on the certificate: $(cat "$WORK/client.log")"
	expect tls-certificate-rejected "TLS 1.3" "TLS 1.3" - SF "Go crypto/tls client (tlsclient -min 1.3, trusting only the test CA) to s_server -tls1_3 with a self-signed certificate: the client fails on the certificate (per its own error) and sends its alert encrypted with its handshake keys: one 19-byte encrypted record right after the server's flight, then its FIN. The alert is not readable: the certificate is the most likely cause, not a certain one"
	finish
}

# 3b-iii. The same packets but for their timing, and no failure: a TLS 1.3 server that sends no
# session tickets (Python ssl, num_tickets 0) completes the handshake, and 2 s later closes the idle
# session with its close_notify (one 19-byte encrypted record) and a FIN; the client (s_client,
# stdin held open) had sent nothing after its Finished. One alert-sized record and the server's
# close, as when a server refuses the client's flight, but not at once: ok, never a refusal.
cap_tls13-server-idle-close() {
	begin tls13-server-idle-close
	acc_up
	bg server S python3 -c '
import socket, ssl, sys, time
host, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.num_tickets = 0
ctx.load_cert_chain(cert, key)
ls = socket.create_server((host, port))
conn, _ = ls.accept()
s = ctx.wrap_socket(conn, server_side=True)
time.sleep(2)
s.unwrap().close()
' "$SRV" "$PORT" "$PKI/server.pem" "$PKI/server.key"
	wait_listen $PORT
	cap_start
	sleep 4 | ocli -tls1_3 >>"$WORK/client.log" 2>&1 || true
	wait_exit "$LAST_PID" 5
	cap_stop
	expect ok "TLS 1.3" "TLS 1.3" - SF "Python ssl server (TLS 1.3 only, num_tickets 0: no NewSessionTicket) and s_client -tls1_3 that sends nothing after its Finished: 2 s after the handshake the server closes the idle session with its close_notify (one 19-byte encrypted record) and a FIN. The same records as a server refusing the client's flight (client-cert-*-tls13), but 2 s later, not at once: ok, not a refusal"
	finish
}

# 3b-iv. The same, on a network with a round trip: a delay of DELAY_MS (10) each way on the router
# (nfqdelay: the kernel here has no sch_netem), so the handshake's round trip is about 20 ms, and
# the server closes sooner than promptEnd (1 s). These tell a server that refuses the client's
# flight (answers it as soon as it has read it) from one that closes an idle session.
DELAY_MS=10

# delay_up : every forwarded packet held DELAY_MS by testdata/tools/nfqdelay.py on the router.
delay_up() {
	R iptables -A FORWARD -j NFQUEUE --queue-num 9
	bg delay ip netns exec "$NS_R" python3 "$ACC_HERE/tools/nfqdelay.py" --queue 9 --delay-ms "$DELAY_MS"
	sleep 0.5
	grep -q 'nfqdelay: queue 9' "$WORK/delay.log" || die "nfqdelay did not start: $(cat "$WORK/delay.log")"
}

# pyserver IDLE [answer] : for `bg`: a Python ssl server (OpenSSL, TLS 1.3 only, num_tickets 0: no
# NewSessionTicket) for one connection. Without "answer" it reads nothing: IDLE seconds after the
# handshake it closes the session with its close_notify and a FIN. With "answer" it reads one
# request, answers it with an HTTP 200, then after IDLE seconds closes the same way.
pyserver() {
	exec ip netns exec "$NS_S" python3 -c '
import socket, ssl, sys, time
host, port, cert, key, idle, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5]), sys.argv[6]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.num_tickets = 0
ctx.load_cert_chain(cert, key)
ls = socket.create_server((host, port))
conn, _ = ls.accept()
s = ctx.wrap_socket(conn, server_side=True)
print("handshake done", flush=True)
if mode == "answer":
    print("request:", s.recv(4096), flush=True)
    body = b"connscope test stand-in for OfcNTCer.dat\n"
    s.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
time.sleep(idle)
try:
    s.unwrap().close()
except (ssl.SSLError, OSError) as e: # a client that closes without its own close_notify
    print("no close_notify from the client:", e, flush=True)
    s.close()
print("closed", flush=True)
' "$SRV" "$PORT" "$PKI/server.pem" "$PKI/server.key" "$1" "${2:-idle}"
}

# idle_close NAME IDLE VANTAGE NOTE : the client (s_client -tls1_3, stdin held open) sends nothing
# after its Finished; the server closes IDLE seconds after the handshake; tcpdump on the agent's
# veth (VANTAGE agent) or the server's (VANTAGE server).
idle_close() {
	begin "$1"
	acc_up
	delay_up
	bg server pyserver "$2"
	wait_listen $PORT
	if [[ $3 == server ]]; then cap_start_server; else cap_start; fi
	sleep 3 | ocli -tls1_3 >>"$WORK/client.log" 2>&1 || true
	wait_exit "$LAST_PID" 5
	cap_stop
	grep -q closed "$WORK/server.log" || die "the server did not close the session: $(cat "$WORK/server.log")"
	expect ok "TLS 1.3" "TLS 1.3" - SF "$4"
	finish
}

cap_tls13-idle-close-100ms() {
	idle_close tls13-idle-close-100ms 0.1 agent "Python ssl server (TLS 1.3 only, num_tickets 0) and s_client -tls1_3 that sends nothing after its Finished, 10 ms of delay each way on the router (a 20 ms round trip), captured at the agent: the server ACKs the client's flight on its own (a bare ACK), and 100 ms after the handshake closes the idle session with its close_notify (one 19-byte encrypted record) and a FIN, well within 1 s. A refusal comes as soon as the server has read the flight (about one round trip after it, at the agent); this record comes 5 round trips later: an idle close, ok"
}

cap_tls13-idle-close-600ms() {
	idle_close tls13-idle-close-600ms 0.6 agent "As tls13-idle-close-100ms, but the server closes the idle session 600 ms after the handshake: ok, not a refusal"
}

cap_tls13-idle-close-server-side() {
	idle_close tls13-idle-close-server-side 0.1 server "As tls13-idle-close-100ms (the server closes 100 ms after the handshake), captured at the server's veth: there the client's flight and the server's close_notify are 100 ms apart, the round trip is not in between: ok, not a refusal"
}

# A refusal on the same network: tls13-idle-close-100ms's delays, client-cert-required-tls13's
# server and client. It must stay a refusal when the round trip is 20 ms.
cap_client-cert-required-tls13-delay() {
	begin client-cert-required-tls13-delay
	acc_up
	delay_up
	bg server osrv -tls1_3 -WWW -Verify 1 -verifyCAfile "$PKI/ca.pem" -verify_return_error
	wait_listen $PORT
	cap_start
	oget -tls1_3 || true
	wait_exit "$LAST_PID" 5
	cap_stop
	grep -q 'peer did not return a certificate' "$WORK/server.log" || die "the server did not refuse for a missing certificate: $(cat "$WORK/server.log")"
	expect tls-handshake-failure "TLS 1.3" "TLS 1.3" - SF "client-cert-required-tls13 with 10 ms of delay each way on the router (a 20 ms round trip), captured at the agent: the server's one short encrypted record (certificate_required, per its log) and FIN come one round trip after the client's second flight: the server refused it at once. Client certificate required/rejected are the candidates, never 'ok'"
	finish
}

# The client asks and the server answers before closing: s_client -tls1_3 sends its GET after its
# Finished, the Python server answers it with a 200, and 100 ms later closes with its close_notify
# and a FIN (same network as tls13-idle-close-100ms). More than one record after the client's
# flight: ok, never a refusal.
cap_tls13-answer-then-close() {
	begin tls13-answer-then-close
	acc_up
	delay_up
	bg server pyserver 0.1 answer
	wait_listen $PORT
	cap_start
	oget -tls1_3 || true
	wait_exit "$LAST_PID" 5
	cap_stop
	grep -q closed "$WORK/server.log" || die "the server did not close the session: $(cat "$WORK/server.log")"
	expect ok "TLS 1.3" "TLS 1.3" - SF "Python ssl server (TLS 1.3 only, num_tickets 0) and s_client -tls1_3 sending its GET after its Finished, 10 ms of delay each way on the router: the server answers the GET with a 200, then 100 ms later closes with its close_notify and a FIN. The server answered with data before its close: ok"
	finish
}

# 3b-v. After the window: a server that asked for a client certificate and refuses it slowly (as
# one that checks its revocation over the network for hundreds of ms), and one that accepts it and
# closes the idle session as slowly. Same network as tls13-idle-close-100ms.
#
# certserver MODE WAIT : for `bg`: a Python ssl server (OpenSSL, TLS 1.3 only, num_tickets 0) that
# requests a client certificate and trusts selfsigned.pem. Its verify callback (OpenSSL's own,
# SSL_CTX_set_verify through ctypes: Python's ssl module has none) with MODE refuse sleeps WAIT
# seconds on its first call, then fails the certificate (the server sends its alert and a FIN,
# then waits for the client's FIN);
# with MODE accept it accepts the certificate, and WAIT seconds after the handshake the server
# closes the idle session with its close_notify and a FIN.
certserver() {
	exec ip netns exec "$NS_S" python3 -c '
import ctypes, socket, ssl, sys, time
host, port, cert, key, ca, mode, wait = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], float(sys.argv[7])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.num_tickets = 0
ctx.load_cert_chain(cert, key)
ctx.load_verify_locations(ca)
ctx.verify_mode = ssl.CERT_REQUIRED
CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_void_p)
calls = []
def verify(ok, store):
    calls.append(ok)
    if mode == "refuse":
        if len(calls) == 1:
            time.sleep(wait)
        return 0
    return 1
cb = CB(verify)
libssl = ctypes.CDLL("libssl.so.3")
libssl.SSL_CTX_set_verify.argtypes = [ctypes.c_void_p, ctypes.c_int, CB]
# The SSL_CTX pointer is the first field after the PySSLContext object header.
sslctx = ctypes.c_void_p.from_address(id(ctx) + object.__basicsize__).value
libssl.SSL_CTX_set_verify(sslctx, 0x01 | 0x02, cb) # SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
ls = socket.create_server((host, port))
conn, _ = ls.accept()
s = ctx.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
try:
    s.do_handshake()
except ssl.SSLError as e:
    print("refused:", e, "verify calls:", calls, flush=True)
    # End with a FIN, as s_server does: close only once the client has closed too (a close with
    # the unread bytes of the client flight would send a reset).
    socket.socket.shutdown(s, socket.SHUT_WR)
    s.settimeout(3)
    while socket.socket.recv(s, 4096):
        pass
    s.close()
    sys.exit(0)
print("handshake done, verify calls:", calls, flush=True)
time.sleep(wait)
try:
    s.unwrap().close()
except (ssl.SSLError, OSError) as e: # a client that closes without its own close_notify
    print("no close_notify from the client:", e, flush=True)
    s.close()
print("closed", flush=True)
' "$SRV" "$PORT" "$PKI/server.pem" "$PKI/server.key" "$PKI/selfsigned.pem" "$1" "$2"
}

# quietclient [nocert] : for the agent: a Python ssl client (OpenSSL, TLS 1.3) presenting
# selfsigned.pem (none with nocert) that sends nothing after its Finished, reads until the server's
# close_notify or alert, then closes its socket without a close_notify of its own (Python sends
# one only on unwrap()).
quietclient() {
	A timeout 10 python3 -c '
import socket, ssl, sys
host, port, ca, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.check_hostname = False
ctx.load_verify_locations(ca)
if cert != "nocert":
    ctx.load_cert_chain(cert, key)
s = ctx.wrap_socket(socket.create_connection((host, port)))
print("handshake done", flush=True)
try:
    print("read:", s.recv(4096), flush=True)
except ssl.SSLError as e:
    print("error:", e, flush=True)
s.close()
' "$SRV" "$PORT" "$PKI/ca.pem" "${1:-$PKI/selfsigned.pem}" "$PKI/selfsigned.key"
}

cap_tls13-client-cert-slow-refusal() {
	begin tls13-client-cert-slow-refusal
	acc_up
	delay_up
	bg server certserver refuse 0.3
	wait_listen $PORT
	cap_start
	sleep 3 | ocli -tls1_3 -cert "$PKI/selfsigned.pem" -key "$PKI/selfsigned.key" >>"$WORK/client.log" 2>&1 || true
	wait_exit "$LAST_PID" 5
	cap_stop
	grep -q 'refused:' "$WORK/server.log" || die "the server did not refuse the client's certificate: $(cat "$WORK/server.log")"
	expect tls-handshake-failure "TLS 1.3" "TLS 1.3" - SF "Python ssl server (TLS 1.3 only, num_tickets 0) that requests a client certificate; its verify callback sleeps 300 ms, then fails it (alert unsupported_certificate, per s_client's log); s_client -tls1_3 presents selfsigned.pem and sends nothing after its Finished; 10 ms of delay each way on the router, captured at the agent. The server's one short encrypted record and FIN come about 300 ms after the client's flight (past twice the turnaround plus 10 ms) and the client answers it with nothing: a slow refusal of the certificate and an idle close fit the packets alike; never 'ok'"
	finish
}

cap_tls13-client-cert-idle-close() {
	begin tls13-client-cert-idle-close
	acc_up
	delay_up
	bg server certserver accept 0.3
	wait_listen $PORT
	cap_start
	sleep 3 | ocli -tls1_3 -cert "$PKI/selfsigned.pem" -key "$PKI/selfsigned.key" >>"$WORK/client.log" 2>&1 || true
	wait_exit "$LAST_PID" 5
	cap_stop
	grep -q closed "$WORK/server.log" || die "the server did not close the session: $(cat "$WORK/server.log")"
	expect tls-handshake-failure "TLS 1.3" "TLS 1.3" - SF "As tls13-client-cert-slow-refusal, but the verify callback accepts the certificate at once and the server closes the idle session with its close_notify 300 ms after the handshake; s_client answers with its own close_notify (one 19-byte encrypted record) and a FIN, which s_client does not send after a fatal alert, but a Go client does (tls13-client-cert-slow-refusal-go): the reply does not tell a slow refusal from an idle close, the verdict says it cannot tell and names both"
	finish
}

cap_tls13-client-cert-idle-close-quiet() {
	begin tls13-client-cert-idle-close-quiet
	acc_up
	delay_up
	bg server certserver accept 0.3
	wait_listen $PORT
	cap_start
	quietclient >>"$WORK/client.log" 2>&1 || true
	wait_exit "$LAST_PID" 5
	cap_stop
	grep -q closed "$WORK/server.log" || die "the server did not close the session: $(cat "$WORK/server.log")"
	expect tls-handshake-failure "TLS 1.3" "TLS 1.3" - SF "As tls13-client-cert-idle-close (the server accepts the certificate, closes the idle session 300 ms after the handshake), but the client is a Python ssl client presenting selfsigned.pem that closes its socket without a close_notify of its own: the packets are those of tls13-client-cert-slow-refusal but for the timing; a slow refusal of the certificate and an idle close fit them alike: the verdict says it cannot tell and names both"
	finish
}

# The idle close of tls13-idle-close-100ms (no certificate asked for), 300 ms after the handshake,
# to quietclient without a certificate: no close_notify comes back, but the client's flight is a
# bare Finished (69 bytes with TLS_AES_256_GCM_SHA384), so the server had asked for no certificate.
cap_tls13-idle-close-quiet() {
	begin tls13-idle-close-quiet
	acc_up
	delay_up
	bg server pyserver 0.3
	wait_listen $PORT
	cap_start
	quietclient nocert >>"$WORK/client.log" 2>&1 || true
	wait_exit "$LAST_PID" 5
	cap_stop
	grep -q closed "$WORK/server.log" || die "the server did not close the session: $(cat "$WORK/server.log")"
	expect ok "TLS 1.3" "TLS 1.3" - SF "pyserver (no client certificate asked for) closes the idle session with its close_notify and a FIN 300 ms after the handshake; the client, a Python ssl client without a certificate, closes its socket without a close_notify of its own. The client's flight is a bare Finished (69 bytes): the server asked for no certificate, and a refusal of a Finished comes at once: an idle close, ok"
	finish
}

# tls13-client-cert-slow-refusal with a Go crypto/tls client (tlsclient -wait) presenting the same
# certificate: on the fatal alert its read fails, and its Close sends a close_notify anyway (the
# handshake is complete on its side), so the reply that tells an idle close for s_client is there
# after a refusal too.
cap_tls13-client-cert-slow-refusal-go() {
	begin tls13-client-cert-slow-refusal-go
	acc_up
	delay_up
	bg server certserver refuse 0.3
	wait_listen $PORT
	cap_start
	gotls -connect "$SRV:$PORT" -cafile "$PKI/ca.pem" -servername 10.77.1.2 -max 1.3 -min 1.3 -cert "$PKI/selfsigned.pem" -key "$PKI/selfsigned.key" -wait >>"$WORK/client.log" 2>&1 || true
	wait_exit "$LAST_PID" 5
	cap_stop
	grep -q 'refused:' "$WORK/server.log" || die "the server did not refuse the client's certificate: $(cat "$WORK/server.log")"
	expect tls-handshake-failure "TLS 1.3" "TLS 1.3" - SF "As tls13-client-cert-slow-refusal (the server refuses the certificate 300 ms after the flight, alert unsupported_certificate), with a Go crypto/tls client (tlsclient -wait) presenting selfsigned.pem: its read fails on the alert, and its Close sends a close_notify (one 19-byte encrypted record) and a FIN, the same as s_client after an idle close (tls13-client-cert-idle-close): a slow refusal and an idle close fit alike, never 'ok'"
	finish
}

# 3b''. A GnuTLS server that requires a client certificate (gnutls-serv --require-client-cert
# --verify-client-cert, TLS 1.3) and gnutls-cli without one, sending a line after the handshake.
cap_client-cert-gnutls-tls13() {
	begin client-cert-gnutls-tls13
	acc_up
	bg server S gnutls-serv --port "$PORT" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3' --require-client-cert --verify-client-cert \
		--x509cafile "$PKI/ca.pem" --x509certfile "$PKI/server.pem" --x509keyfile "$PKI/server.key"
	local srv=$LAST_PID
	wait_listen $PORT
	cap_start
	{ printf 'GET %s HTTP/1.0\r\n\r\n' "$OFC_PATH"; sleep 2; } |
		A timeout 20 gnutls-cli --insecure -p "$PORT" "$SRV" >>"$WORK/client.log" 2>&1 || true
	sleep 0.3
	cap_stop
	stop_pid "$srv"
	grep -q 'Certificate is required' "$WORK/server.log" || die "gnutls-serv did not refuse for a missing certificate: $(cat "$WORK/server.log")"
	expect tls-handshake-failure "TLS 1.0,TLS 1.1,TLS 1.2,TLS 1.3" "TLS 1.3" - RSTR "gnutls-serv --priority NORMAL:-VERS-ALL:+VERS-TLS1.3 --require-client-cert --verify-client-cert; gnutls-cli (default: supported_versions 1.3 down to 1.0) without a certificate, sending a GET after the handshake: ServerHello TLS 1.3, the client's encrypted second flight, the server's one 19-byte encrypted record (certificate_required, 116, per both logs), the client's GET arriving after it, then the server's FIN and RST (RSTR). Client certificate required/rejected are the candidates, never 'ok'"
	finish
}

# 3c. Records that do not parse, late: after a completed handshake and a GET/200, the server
# (acctool garbage-server, Go crypto/tls) writes raw bytes that are no TLS record; the OpenSSL
# client fails ("wrong version number"/"packet length too long") and closes.
cap_late-garbage() {
	begin late-garbage
	acc_up
	bg server S "$WORK/bin/acctool" garbage-server -listen "$SRV:$PORT" -cert "$PKI/server.pem" -key "$PKI/server.key"
	wait_listen $PORT
	cap_start
	{ printf 'GET %s HTTP/1.0\r\n\r\n' "$OFC_PATH"; sleep 2; } | ocli -tls1_2 >>"$WORK/client.log" 2>&1 || true
	wait_exit "$LAST_PID" 6
	cap_stop
	expect tls-protocol-error "TLS 1.2" "TLS 1.2" - SF "handshake complete (TLS 1.2, CCS and Finished both ways), GET answered with 200 in an application_data record; 0.3 s later the server writes 44 raw bytes '00 00 GARBAGE-AFTER-FINISHED...' that are no TLS record; the OpenSSL client sends its (encrypted, record type 21) fatal alert and closes. A protocol error late in the session, not a certificate rejection"
	finish
}

# 3d. A server limited to TLS 1.0/1.1 and clients whose minimum is TLS 1.2. OpenSSL 3, GnuTLS 3.7
# and Go servers all honour supported_versions: a client that sends it (offers 1.3 and 1.2) gets a
# protocol_version alert from them, not a downgrade (connection 1 shows it). The downgrade happens
# with clients that offer "up to TLS 1.2" the RFC 5246 way (legacy_version 0x0303, no
# supported_versions, as OpenSSL -tls1_2 and gnutls-cli limited to 1.2 send): the server picks
# TLS 1.1, below the client's minimum, and the client refuses it (connections 2 and 3).
cap_downgrade-refused() {
	begin downgrade-refused
	acc_up
	NACCEPT=3 bg server osrv -no_tls1_2 -no_tls1_3 -cipher "$SECLEVEL0" -WWW
	wait_listen $PORT
	cap_start
	if A timeout 20 "$WORK/bin/tlsclient" -connect "$SRV:$PORT" -min 1.2 -cafile "$PKI/ca.pem" -servername apexone.connscope.test >>"$WORK/client.log" 2>&1; then
		die "the Go client got a connection"
	fi
	expect tls-version-mismatch "TLS 1.2,TLS 1.3" - server:protocol_version SF "Go crypto/tls client with MinVersion TLS 1.2 (supported_versions 1.3, 1.2) to OpenSSL s_server limited to TLS 1.0/1.1 (-no_tls1_2 -no_tls1_3, SECLEVEL=0): OpenSSL reads supported_versions, finds no common version and sends protocol_version (70): no downgrade offered, a plain version mismatch (client 1.2-1.3, server 1.0-1.1)"
	sleep 0.3
	ofail -tls1_2
	expect tls-version-mismatch "TLS 1.2" "TLS 1.1" client:protocol_version SF "OpenSSL s_client -tls1_2 (minimum AND maximum TLS 1.2; on the wire legacy_version 0x0303 without supported_versions) to the same server: its ServerHello chooses TLS 1.1 (0x0302); the client refuses a version below its minimum with protocol_version (70) and closes. Downgrade refused by the client: server chose TLS 1.1, client offered up to TLS 1.2 and accepts only 1.2"
	sleep 0.3
	if A timeout 20 gnutls-cli --insecure --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' -p "$PORT" "$SRV" </dev/null >>"$WORK/client.log" 2>&1; then
		die "gnutls-cli got a connection"
	fi
	expect tls-version-mismatch "TLS 1.2" "TLS 1.1" client:protocol_version RSTO "gnutls-cli --priority NORMAL:-VERS-ALL:+VERS-TLS1.2 (legacy_version 0x0303, no supported_versions) to the same server: ServerHello TLS 1.1; GnuTLS sends protocol_version (70), a FIN and, with the server's flight unread, a RST (RSTO). Downgrade refused by the client; its RST is its own, not a middlebox's"
	wait_exit "$LAST_PID" 5
	cap_stop
	finish
}

# 3e. A TLS 1.3-only GnuTLS server and a client that offers at most TLS 1.2: GnuTLS answers with
# handshake_failure (40), the alert of a cipher mismatch. The versions decide.
cap_tls13-only-gnutls() {
	begin tls13-only-gnutls
	acc_up
	bg server S gnutls-serv --port "$PORT" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3' --x509certfile "$PKI/server.pem" --x509keyfile "$PKI/server.key"
	local srv=$LAST_PID
	wait_listen $PORT
	cap_start
	ofail -tls1_2
	sleep 0.3
	cap_stop
	stop_pid "$srv"
	expect tls-version-mismatch "TLS 1.2" - server:handshake_failure SF "gnutls-serv --priority NORMAL:-VERS-ALL:+VERS-TLS1.3; OpenSSL s_client -tls1_2 (legacy_version 0x0303, no supported_versions): GnuTLS answers with handshake_failure (40), not protocol_version. Version mismatch first (the client offers at most 1.2, the server allows only 1.3), a cipher mismatch the other candidate"
	finish
}

# 3e'. A TLS 1.3-only client (s_client -tls1_3: supported_versions lists only TLS 1.3) and an
# OpenSSL server that allows only TLS 1.2: protocol_version (70) from the server before any
# ServerHello. The client offers nothing older, so the server allows only older versions than
# every one offered (variant server-older).
cap_tls13-client-tls12-server() {
	begin tls13-client-tls12-server
	acc_up
	bg server osrv -tls1_2 -WWW
	wait_listen $PORT
	cap_start
	ofail -tls1_3
	wait_exit "$LAST_PID" 5
	cap_stop
	expect tls-version-mismatch "TLS 1.3" - server:protocol_version SF "s_client -tls1_3 (supported_versions: TLS 1.3 only; legacy_version 0x0303) to s_server -tls1_2: the server reads supported_versions, shares no version and answers with protocol_version (70) before any ServerHello. A version mismatch where the SERVER is the older side (variant server-older): the client offers only TLS 1.3"
	finish
}

# expect_raw VERDICT OFFERED CHOSEN ALERTS CONN_STATE NOTE : expect, with OFFERED as written (no
# RFC 5246 widening of "TLS 1.2": for a ClientHello whose supported_versions lists only TLS 1.2).
expect_raw() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$WORK/expect.tsv"; }

# 3e''. Clients that offer at most TLS 1.2 to a TLS 1.3-only server, two ways on the wire:
# 1. the Go client (tlsclient -min 1.2 -max 1.2): supported_versions lists TLS 1.2 alone (Go
#    always sends the extension), so it offers exactly TLS 1.2, nothing below;
# 2. gnutls-cli --priority NORMAL:-VERS-ALL:+VERS-TLS1.2: no supported_versions (GnuTLS sends the
#    extension only when TLS 1.3 is enabled), legacy_version 0x0303: up to TLS 1.2.
# Server: gnutls-serv allowing only TLS 1.3: it reads supported_versions and answers the first with
# protocol_version (70), the second (no extension) with handshake_failure (40) (FIELD-NOTES).
cap_tls12-only-vs-tls13-server() {
	begin tls12-only-vs-tls13-server
	acc_up
	bg server S gnutls-serv --port "$PORT" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3' --x509certfile "$PKI/server.pem" --x509keyfile "$PKI/server.key"
	local srv=$LAST_PID
	wait_listen $PORT
	cap_start
	if A timeout 20 "$WORK/bin/tlsclient" -connect "$SRV:$PORT" -min 1.2 -max 1.2 -cafile "$PKI/ca.pem" -servername apexone.connscope.test >>"$WORK/client.log" 2>&1; then
		die "the Go client got a connection"
	fi
	expect_raw tls-version-mismatch "TLS 1.2" - server:protocol_version SF "Go crypto/tls client with MinVersion = MaxVersion = TLS 1.2: its supported_versions extension lists only TLS 1.2 (0x0303), legacy_version 0x0303; gnutls-serv allowing only TLS 1.3 reads the extension and answers with protocol_version (70) before any ServerHello (unlike the hello without the extension below, which gets handshake_failure). The client offers exactly TLS 1.2, nothing below (the extension says so): offered 'TLS 1.2', not 'TLS 1.0-1.2'; variant client-tls12 (the client already has TLS 1.2: 'enable TLS 1.2 on the client' does not apply)"
	sleep 0.3
	if A timeout 20 gnutls-cli --insecure --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' -p "$PORT" "$SRV" </dev/null >>"$WORK/client.log" 2>&1; then
		die "gnutls-cli got a connection"
	fi
	expect tls-version-mismatch "TLS 1.2" - server:handshake_failure SF "gnutls-cli --priority NORMAL:-VERS-ALL:+VERS-TLS1.2 to the same server: GnuTLS sends no supported_versions when TLS 1.3 is off (legacy_version 0x0303 only); handshake_failure (40) from the server before any ServerHello"
	sleep 0.3
	cap_stop
	stop_pid "$srv"
	finish
}

# 3f. A ServerHello in a TLS 1.3 draft layout (version 0x7f1c, no session id, no compression):
# acctool draft-server. The OpenSSL client cannot read it either and aborts.
cap_draft-server-hello() {
	begin draft-server-hello
	acc_up
	bg server S "$WORK/bin/acctool" draft-server -listen "$SRV:$PORT" -version 0x7f1c
	wait_listen $PORT
	cap_start
	ofail
	wait_exit "$LAST_PID" 6
	cap_stop
	expect tls-protocol-error "TLS 1.0,TLS 1.1,TLS 1.2,TLS 1.3" 0x7f1c client:decode_error SF "OpenSSL s_client (default: TLS 1.0-1.3) to testdata/tools/acctool draft-server: a handshake record (16 03 03) holding a ServerHello whose version field is 0x7f1c (TLS 1.3 draft 28) in the pre-draft-22 layout (random, cipher 0x1301, extensions; no session id, no compression); the OpenSSL client cannot decode it either and sends decode_error (50), then closes [chosen_version: the version field as tshark reads it; no version was agreed]. 'Unparseable ServerHello, version field 0x7f1c', never 'the server did not answer'"
	finish
}

# ---------------------------------------------------------------- 4. resets

# 4b. A forged RST that does not end the connection: testdata/tools/rstinject.py on the router
# forges a RST+ACK in the server's name (TTL 64, IP ID 0) with a sequence number inside the agent's
# window but not the next byte; Linux answers with a challenge ACK and ignores it. The exchange
# goes on; later the server itself ends the connection with a RST (SO_LINGER 0; TTL 63).
cap_forged-rst-survived() {
	begin forged-rst-survived
	acc_up
	bg server S "$WORK/bin/acctool" close-reset-server -listen "$SRV:8080" -lines 10
	wait_listen 8080
	bg inject R python3 "$ACC_HERE/tools/rstinject.py" --iface "$VETH_RA" --sport 8080 --after 3 --offset 1000
	sleep 0.3
	cap_start
	A timeout 20 python3 -c '
import socket, time
s = socket.create_connection(("'"$SRV"'", 8080))
try:
    for i in range(12):
        s.sendall(b"line %d\n" % i); time.sleep(0.2); print(s.recv(100))
except OSError as e:
    print("ended:", e)
s.close()' >>"$WORK/client.log" 2>&1
	sleep 0.5
	cap_stop
	grep -q 'forged RST' "$WORK/inject.log" || die "no RST forged: $(cat "$WORK/inject.log")"
	expect reset - - - RSTR "plain TCP on 8080, a line and its echo every 0.2 s; after the server's 3rd answer the router forges a RST+ACK in the server's name (TTL 64 and IP ID 0, where the server's packets have 63) with a sequence number 1000 bytes into the agent's window: the agent answers with a challenge ACK and the exchange goes on (7 more lines); after 10 lines the server closes with SO_LINGER 0: its own RST (TTL 63) ends the connection. The reset that ended it is the server's, not the forged one"
	finish
}

# ---------------------------------------------------------------- 5. TCP sequence anchoring

# 5a. TCP Fast Open: tcp_fastopen=3 on the agent, 0x403 on the server (every listener takes TFO
# without a socket option). The first connection asks for a cookie (SYN with an empty TFO option);
# the second carries its whole ClientHello in the SYN (cookie + 300-odd bytes of data).
cap_tfo-client-hello() {
	begin tfo-client-hello
	acc_up
	A sysctl -qw net.ipv4.tcp_fastopen=3
	S sysctl -qw net.ipv4.tcp_fastopen=1027
	NACCEPT=2 bg server osrv -WWW
	wait_listen $PORT
	cap_start
	A timeout 20 "$WORK/bin/acctool" tfo-client -connect "$SRV:$PORT" -n 2 -get "$OFC_PATH" >>"$WORK/client.log" 2>&1
	wait_exit "$LAST_PID" 5
	cap_stop
	local syndata
	syndata=$(tshark -n -r "$OUT/$CAP_NAME.pcap" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.len>0' -T fields -e tcp.len 2>/dev/null)
	[[ -n "$syndata" ]] || die "no SYN carries data"
	log "SYN data: $syndata bytes"
	expect ok "TLS 1.2,TLS 1.3" "TLS 1.3" - SF "first connection: the SYN asks for a Fast Open cookie (TFO option, no data), the SYN-ACK gives one; normal TLS 1.3 handshake (Go client, X25519 only: a ~250-byte ClientHello), GET 200"
	expect ok "TLS 1.2,TLS 1.3" "TLS 1.3" - SF "second connection: the SYN carries the cookie AND the whole ClientHello ($syndata bytes of data in the SYN; the data starts at ISN+1); the SYN-ACK acknowledges ISN+1+$syndata; TLS 1.3, GET 200"
	finish
}

# 5b. Two SYN-ACKs with different ISNs for one SYN, from real stacks: two server namespaces hold
# the same address and MAC on a bridge whose ports do not learn, so every frame to that MAC is
# flooded to both; both run s_server and answer the SYN. The client acknowledges the first SYN-ACK
# and completes the handshake with that host; the other keeps retransmitting its SYN-ACK (its
# resets are dropped by its firewall) and the client answers each with a duplicate ACK.
cap_duplicate-synack() {
	begin duplicate-synack
	netns_down
	local ns
	for ns in "$NS_A" "$NS_S" acc-server2; do
		ip netns add "$ns"
		ip netns exec "$ns" ip link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
	# The bridge is in the router namespace (no router here: one layer-2 segment, 10.91.3.0/24).
	ip netns add "$NS_R"
	R sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	R ip link add br0 type bridge
	R ip link set br0 type bridge ageing_time 0
	ip link add "$VETH_A" netns "$NS_A" address 02:91:00:01:00:01 type veth peer name b-a netns "$NS_R"
	ip link add "$VETH_S" netns "$NS_S" address 02:91:00:02:00:02 type veth peer name b-s1 netns "$NS_R"
	ip link add acc-s2 netns acc-server2 address 02:91:00:02:00:02 type veth peer name b-s2 netns "$NS_R"
	local p
	for p in b-a b-s1 b-s2; do
		R ethtool -K "$p" tx off rx off tso off gso off gro off >/dev/null
		R ip link set "$p" master br0
		R bridge link set dev "$p" learning off
		R ip link set "$p" up
	done
	R ip link set br0 up
	A ethtool -K "$VETH_A" tx off rx off tso off gso off gro off >/dev/null
	S ethtool -K "$VETH_S" tx off rx off tso off gso off gro off >/dev/null
	ip netns exec acc-server2 ethtool -K acc-s2 tx off rx off tso off gso off gro off >/dev/null
	A ip addr add 10.91.3.1/24 dev "$VETH_A"
	S ip addr add 10.91.3.2/24 dev "$VETH_S"
	ip netns exec acc-server2 ip addr add 10.91.3.2/24 dev acc-s2
	A ip link set "$VETH_A" up
	S ip link set "$VETH_S" up
	ip netns exec acc-server2 ip link set acc-s2 up
	A ip neigh replace 10.91.3.2 lladdr 02:91:00:02:00:02 dev "$VETH_A" nud permanent
	S ip neigh replace 10.91.3.1 lladdr 02:91:00:01:00:01 dev "$VETH_S" nud permanent
	ip netns exec acc-server2 ip neigh replace 10.91.3.1 lladdr 02:91:00:01:00:01 dev acc-s2 nud permanent
	# Both hosts drop their own outgoing RSTs: the one whose SYN-ACK the client did not acknowledge
	# would otherwise reset the client's connection (its RST carries the sequence number the client
	# expects from the other host), and which host answers first varies from run to run.
	S iptables -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
	ip netns exec acc-server2 iptables -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
	local SRV=10.91.3.2
	bg server osrv -tls1_2 -WWW
	NS_S=acc-server2 bg server2 osrv -tls1_2 -WWW
	wait_listen $PORT
	sleep 0.5
	cap_start
	oget -tls1_2
	sleep 2.5
	cap_stop
	local n
	n=$(tshark -n -r "$OUT/$CAP_NAME.pcap" -Y 'tcp.flags.syn==1 && tcp.flags.ack==1' -T fields -e tcp.seq_raw 2>/dev/null | sort -u | wc -l)
	[[ $n -ge 2 ]] || die "only $n distinct SYN-ACK ISNs"
	expect ok "TLS 1.2" "TLS 1.2" - SF "one SYN, SYN-ACKs with two different ISNs from two real Linux hosts that share 10.91.3.2 and its MAC (flooded by a non-learning bridge; no router: TTL 64 both ways); the client acknowledges the first SYN-ACK and completes TLS 1.2 and the GET with that host; the other host retransmits its SYN-ACK (~1 s, ~3 s; its RSTs are dropped by its own firewall) and each draws a duplicate ACK from the client. Anchor on the SYN-ACK the client acknowledges (the one whose ISN+1 its ACK carries)"
	finish
}

# 5c. An IPv4 total length larger than the frame, the frame not cut by the snap length: built from
# a real capture (tls12 GET through the router) by testdata/tools/acctool iplen, which raises the
# total length of the server's ServerHello frame by 100 and fixes the header checksum.
cap_iplen-overrun() {
	begin iplen-overrun
	acc_up
	start_tls
	wait_listen $PORT
	cap_start
	oget -tls1_2
	wait_exit "$LAST_PID" 5
	cap_stop
	local f=$OUT/$CAP_NAME.pcap frame
	frame=$(tshark -n -r "$f" -Y 'tls.handshake.type == 2' -T fields -e frame.number 2>/dev/null | head -1)
	acctool iplen -in "$f" -out "$f.tmp" -frame "$frame" -add 100 >>"$WORK/client.log"
	mv "$f.tmp" "$f"
	expect ok "TLS 1.2" "TLS 1.2" - SF "a real TLS 1.2 GET (OpenSSL, through the router), then frame $frame (the server's ServerHello flight) rewritten by testdata/tools/acctool iplen: IPv4 total length +100 bytes (header checksum fixed), captured length = original length (no snaplen cut). Trust the captured bytes, flag the packet as malformed, no phantom 100 bytes of payload (no gap, no 'missing data')"
	finish
}

# ---------------------------------------------------------------- issue 15 item 5: incomplete and contradicting ClientHellos

# A ClientHello that never completes: a Python client makes a real ClientHello (Python's ssl, that
# is OpenSSL, through a memory BIO), sends its first 200 bytes to s_server, waits 2 s and closes
# its side; s_server, still waiting for the rest, sees the end of the stream and closes too.
cap_client-hello-incomplete() {
	begin client-hello-incomplete
	acc_up
	start_tls
	local srv=$LAST_PID
	wait_listen $PORT
	cap_start
	A timeout 20 python3 - "$SRV" "$PORT" <<'PY' >>"$WORK/client.log" 2>&1
import socket, ssl, sys, time
host, port = sys.argv[1], int(sys.argv[2])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(inc, out, server_hostname="apexone.connscope.test")
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    pass
hello = out.read()
print("ClientHello record:", len(hello), "bytes; sending 200")
s = socket.create_connection((host, port), timeout=10)
s.sendall(hello[:200])
time.sleep(2)
s.shutdown(socket.SHUT_WR)
print("server sent:", s.recv(4096))
s.close()
PY
	wait_exit "$srv" 5
	cap_stop
	expect client-hello-incomplete - - server:decode_error SF "a real ClientHello (Python ssl, i.e. OpenSSL, made through a memory BIO) of which the client sends only the first 200 bytes (the record header announces more), waits 2 s and closes its side; s_server -tls1_2, waiting for the rest, sends nothing until the stream ends, then a decode_error alert and its FIN. Never ok: the ClientHello never completed, the server's silence and its alert are the consequence"
	finish
}

# The same unfinished ClientHello, but the client gives up with a reset (SO_LINGER 0) instead of
# closing its side: s_server never sees the end of the stream, so it sends no alert and no data,
# only its ACK of the 200 bytes. The server "sent no data", not "nothing".
cap_client-hello-incomplete-rst() {
	begin client-hello-incomplete-rst
	acc_up
	start_tls
	local srv=$LAST_PID
	wait_listen $PORT
	cap_start
	A timeout 20 python3 - "$SRV" "$PORT" <<'PY' >>"$WORK/client.log" 2>&1
import socket, ssl, struct, sys, time
host, port = sys.argv[1], int(sys.argv[2])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(inc, out, server_hostname="apexone.connscope.test")
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    pass
hello = out.read()
print("ClientHello record:", len(hello), "bytes; sending 200, then a reset")
s = socket.create_connection((host, port), timeout=10)
s.sendall(hello[:200])
time.sleep(2)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
PY
	sleep 0.5
	cap_stop
	stop_pid "$srv"
	expect client-hello-incomplete - - - RSTO "the ClientHello of client-hello-incomplete (Python ssl through a memory BIO, its first 200 bytes sent), but after 2 s the client resets the connection (SO_LINGER 0) instead of closing its side: s_server, waiting for the rest, sent only its ACK of the 200 bytes, no data and no alert. The server sent no data, though it sent a packet: never 'sent nothing'"
	finish
}

# Contradicting retransmissions: OpenSSL s_client -tls1 (a TLS 1.0 ClientHello) and then -tls1_3 (a
# TLS 1.3 one) to one s_server; testdata/tools/acctool rexmit then inserts, right after the first
# connection's ClientHello segment, that segment again (same sequence number) carrying the second
# connection's ClientHello: two real ClientHellos at one place of one stream.
cap_retransmission-differs() {
	begin retransmission-differs
	acc_up
	NACCEPT=2 start_tls_all
	wait_listen $PORT
	cap_start
	oget -tls1 -cipher DEFAULT:@SECLEVEL=0
	oget -tls1_3
	wait_exit "$LAST_PID" 5
	cap_stop
	local f=$OUT/$CAP_NAME.pcap frames
	frames=($(tshark -n -r "$f" -Y 'tls.handshake.type == 1' -T fields -e frame.number 2>/dev/null))
	acctool rexmit -in "$f" -out "$f.tmp" -frame "${frames[0]}" -from "${frames[1]}" >>"$WORK/client.log"
	mv "$f.tmp" "$f"
	expect ok "TLS 1.0" "TLS 1.0" - SF "s_client -tls1 -cipher DEFAULT:@SECLEVEL=0 to s_server (SECLEVEL 0): TLS 1.0 and a GET; frame ${frames[0]}, its ClientHello segment, is followed by acctool rexmit's copy of it (same sequence number) carrying the next connection's TLS 1.3 ClientHello: a retransmission that contradicts the first transmission. The server answered the first (TLS 1.0): ok, and the contradiction flagged on the flow"
	expect ok "TLS 1.3" "TLS 1.3" - SF "s_client -tls1_3 to the same server: TLS 1.3 and a GET (its ClientHello is the one copied into the first connection)"
	finish
}
start_tls_all() { bg server osrv -WWW -cipher DEFAULT:@SECLEVEL=0; }

# 1f. ICMP errors that arrive after the connection ended: a GET 200, the server closes (FIN), and
# the router rejects the agent's FIN with ICMP administratively prohibited (a firewall that closed
# the session on the server's FIN). The agent's kernel keeps resending its FIN (RTO backoff: ~0.2,
# 0.6, 1.4, 3 s later), each answered by another ICMP error: both FINs are in the capture at the
# first, so the connection is over, and the later FINs and ICMP errors come after the tracker
# buried it (track/tomb.go: late packets and lateICMP). The exchange succeeded: ok, with every
# ICMP error counted once (track's TestTombLateICMP reads this capture).
cap_late-icmp-after-close() {
	begin late-icmp-after-close
	acc_up
	R iptables -A FORWARD -p tcp -s "$AGENT" --dport 4343 --tcp-flags FIN FIN -j REJECT --reject-with icmp-admin-prohibited
	start_tls
	wait_listen 4343
	cap_start
	oget -tls1_2
	expect ok "TLS 1.2" "TLS 1.2" - SF "GET 200, then the server's close_notify and FIN; the router rejects each of the agent's FINs (the first and its retransmissions ~0.2, 0.6, 1.4 and 3 s later) with ICMP administratively prohibited (type 3 code 13): errors that arrive after the connection ended. Not a failure: the exchange was complete"
	cap_stop 3.5
	finish
}

# 1g. Failures near the end of a capture that goes on with other ports: whether a SYN or a
# ClientHello went unanswered, or the capture merely ended too soon, is measured to the capture's
# last packet, analysed or not (an analysis narrowed with --port must judge as the whole one).
# The server's firewall drops SYNs to 4343; the agent's connect() to it sends one SYN and closes
# (SO_LINGER 0) 0.3 s later in SYN-SENT, which sends nothing. A silent server on 4345 (Python:
# accepts, reads, never answers) gets a ClientHello from s_client, which stays open past the end
# of the capture. Then, 1.5 s after the SYN, a plain HTTP GET to 8080 (200), and the capture
# stops ~1 s later: 4343's SYN and 4345's ClientHello are ~2.5 s old at the end.
# analyze's TestCaptureEndNarrowed reads this capture narrowed to each port.
cap_narrowed-end() {
	begin narrowed-end
	acc_up
	S iptables -A INPUT -p tcp --dport 4343 --tcp-flags SYN,ACK SYN -j DROP
	bg silent S python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("'"$SRV"'", 4345)); s.listen(1)
c, _ = s.accept(); c.recv(4096); time.sleep(60)'
	wait_listen 4345
	start_http
	wait_listen 8080
	cap_start
	bg abort A "$WORK/bin/acctool" abort-client -connect "$SRV:4343" -after 300ms -wait 5s
	sleep 0.1
	bg hello A timeout 30 sh -c "sleep 30 | openssl s_client -connect $SRV:4345 -tls1_2"
	sleep 1.4
	http_get
	expect syn-timeout - - - S0 "connect() to 4343, whose SYN the server's firewall drops (iptables DROP); the agent closes the socket (SO_LINGER 0) 0.3 s later in SYN-SENT, which sends nothing: one SYN, never answered, and the capture goes on ~2.5 s after it (other ports). Not incomplete: the SYN waited past a second, when Linux would have resent it"
	expect incomplete "TLS 1.2" - - S1 "OpenSSL s_client -tls1_2 to a silent server on 4345 (accepts, reads the ClientHello, never answers); the client is still waiting when the capture stops ~2.4 s later: the capture ended before the client gave up"
	expect ok - - - SF "plain HTTP GET to Python http.server on 8080, 1.5 s after the SYN to 4343: 200, closed normally. The traffic after the failures, on another port"
	cap_stop 1
	finish
}

# ---------------------------------------------------------------- main

acc_main() {
	if [[ "${1:-}" == --list ]]; then
		printf '%s\n' "${ACC_ALL[@]}"
		return
	fi
	if [[ "${1:-}" == --today ]]; then
		shift
		local bin
		bin=$(mktemp -d)
		(cd "$ROOT" && go build -o "$bin/connscope" ./cmd/connscope)
		python3 "$CHECK" today "$EXPECTED" "$bin/connscope" "$@"
		rm -rf "$bin"
		return
	fi
	local names=("$@") n pkgs=()
	[[ ${#names[@]} -eq 0 ]] && names=("${ACC_ALL[@]}")
	for n in "${names[@]}"; do
		declare -F "cap_$n" >/dev/null || die "unknown capture $n (see --list)"
	done
	[[ $EUID -eq 0 ]] || die "run as root (network namespaces, tcpdump)"
	# wants NAME... : one of the named captures is to be made (only their servers get installed).
	wants() { local w; for w in "$@"; do [[ " ${names[*]} " == *" $w "* ]] && return 0; done; return 1; }
	wants port-scan port-sweep port-sweep-connect && ! command -v nmap >/dev/null && pkgs+=(nmap)
	wants preamble-mariadb && ! command -v mariadbd >/dev/null && pkgs+=(mariadb-server mariadb-client)
	wants preamble-postgres && ! command -v psql >/dev/null && pkgs+=(postgresql)
	wants preamble-ldap-starttls && ! command -v slapd >/dev/null && pkgs+=(slapd)
	wants preamble-ldap-starttls && ! command -v ldapsearch >/dev/null && pkgs+=(ldap-utils)
	wants preamble-rdp && ! command -v xrdp >/dev/null && pkgs+=(xrdp)
	wants preamble-rdp && ! command -v xfreerdp >/dev/null && pkgs+=(freerdp2-x11)
	wants preamble-rdp && ! command -v xvfb-run >/dev/null && pkgs+=(xvfb xauth)
	wants preamble-socks5 preamble-socks4 && ! command -v curl >/dev/null && pkgs+=(curl)
	command -v ethtool >/dev/null || pkgs+=(ethtool)
	if ((${#pkgs[@]})); then
		log "installing ${pkgs[*]}"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
	fi
	for t in tcpdump tshark openssl gnutls-cli gnutls-serv iptables ethtool python3 go ip ss bridge; do
		command -v "$t" >/dev/null || die "$t is not installed"
	done
	WORK=$(mktemp -d /tmp/connscope-accuracy.XXXXXX)
	trap cleanup EXIT INT TERM
	mkdir -p "$OUT" "$WORK/bin" "$WORK/www${OFC_PATH%/*}"
	printf 'connscope test stand-in for OfcNTCer.dat\n' >"$WORK/www$OFC_PATH"
	(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$WORK/bin/" ./testdata/tools/acctool ./testdata/tools/tlsclient)
	for n in "${names[@]}"; do
		"cap_$n"
		CAP_NAME=""
	done
	python3 "$CHECK" check "$EXPECTED" >&2
}

acc_main "$@"
