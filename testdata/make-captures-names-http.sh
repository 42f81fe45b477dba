#!/usr/bin/env bash
# make-captures-names-http.sh — makes the test captures for name resolution (DNS over UDP 53,
# answered by a real dnsmasq and asked by the real glibc resolver) and plain HTTP (Python's
# http.server) and their rows in testdata/captures/MANIFEST.tsv; NAMES.tsv (the DNS findings) is
# written by hand from what these scenarios are built to show and checked by analyze's tests.
#
#   sudo ./testdata/make-captures-names-http.sh               # all of them
#   sudo ./testdata/make-captures-names-http.sh dns-timeout   # only the named ones
#   ./testdata/make-captures-names-http.sh --list
#
# It sources testdata/make-captures.sh for its helpers (processes, capture, manifest rows, clean-up)
# and uses its own namespaces and addresses: d4-agent (d4-a0: 10.48.1.1, extra agents 10.48.1.3-5)
# and d4-server (d4-s0: 10.48.1.2, the Apex One stand-in, and 10.48.1.53, the DNS server), joined
# by one veth pair. Inside d4-agent, `ip netns exec` bind-mounts /etc/netns/d4-agent/resolv.conf
# (nameserver 10.48.1.53, timeout:1 attempts:2) over /etc/resolv.conf, so the agents' lookups go
# through the real resolver library to the real DNS server. Nothing leaves the machine.
#
# Needs root, tcpdump, tshark, openssl, dnsmasq (Debian package dnsmasq-base), iptables, ethtool,
# python3 and Go.
set -euo pipefail

# shellcheck source=make-captures.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/make-captures.sh"

NS_A=d4-agent
NS_S=d4-server
VETH_A=d4-a0
VETH_S=d4-s0
SRV=10.48.1.2
DNS=10.48.1.53
NAME=apexone.connscope.test # the server's name; the certificate's SAN holds it
OLD=10.48.1.99              # the address the name pointed at before the server moved

D4_ALL=(dns-nxdomain-ip-works dns-timeout-sni dns-elsewhere dns-ok-by-name http-check-status)

# d4_netns_up [EXTRA_AGENT_IPV4...] : the two namespaces, as netns_up makes them, with this script's
# addresses, a second server address for the DNS server, and the agents' resolv.conf.
d4_netns_up() {
	local a ns
	netns_down
	ip netns add "$NS_A"
	ip netns add "$NS_S"
	ip link add "$VETH_A" netns "$NS_A" address 02:48:00:01:00:01 type veth \
		peer name "$VETH_S" netns "$NS_S" address 02:48:00:01:00:02
	for ns in "$NS_A" "$NS_S"; do
		ip netns exec "$ns" ip link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
	A ethtool -K "$VETH_A" tx off rx off tso off gso off gro off >/dev/null 2>&1 || A ethtool -K "$VETH_A" tx off tso off gso off >/dev/null
	S ethtool -K "$VETH_S" tx off rx off tso off gso off gro off >/dev/null 2>&1 || S ethtool -K "$VETH_S" tx off tso off gso off >/dev/null
	A ip addr add 10.48.1.1/24 dev "$VETH_A"
	for a in "$@"; do A ip addr add "$a/24" dev "$VETH_A"; done
	S ip addr add "$SRV/24" dev "$VETH_S"
	S ip addr add "$DNS/24" dev "$VETH_S"
	A ip link set "$VETH_A" up
	S ip link set "$VETH_S" up
	mkdir -p "/etc/netns/$NS_A"
	printf 'nameserver %s\noptions timeout:1 attempts:2\n' "$DNS" >"/etc/netns/$NS_A/resolv.conf"
}

d4_cleanup() {
	rm -rf "/etc/netns/$NS_A"
	rmdir /etc/netns 2>/dev/null || true # only when no one else keeps a file there
	cleanup
}

# dnsmasq_up ARGS... : the DNS server on 10.48.1.53, authoritative for connscope.test (a name it
# has no record for is NXDOMAIN), forwarding nothing.
dnsmasq_up() {
	bg dns S dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --user=root \
		--listen-address="$DNS" --bind-interfaces --local=/connscope.test/ --log-queries --log-facility=- "$@"
	local i
	for i in $(seq 100); do
		S ss -Hlun "sport = :53" | grep -q "$DNS" && return 0
		sleep 0.05
	done
	die "dnsmasq does not listen on $DNS:53"
}

# lookup_and_connect FROM NAME : an agent that knows the server by name: the resolver library
# looks the name up (getaddrinfo, any family: A and AAAA), then it connects to the IPv4 address
# that came back, on 4343.
lookup_and_connect() {
	A timeout 20 python3 - "$1" "$2" "$PORT" <<'PY' || true
import socket, sys
src, name, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    infos = socket.getaddrinfo(name, port, socket.AF_UNSPEC, socket.SOCK_STREAM)  # asks A and AAAA
except socket.gaierror as e:
    print(f"lookup of {name} failed: {e}"); sys.exit(0)
addr = [i[4][0] for i in infos if i[0] == socket.AF_INET][0]
print(f"{name} is {addr}")
s = socket.socket(); s.bind((src, 0)); s.settimeout(3)
try:
    s.connect((addr, port)); print("connected")
except OSError as e:
    print(f"connect to {addr} failed: {e}")
PY
}

# tls_by_ip FROM [SNI] : an agent that knows the server by address: OpenSSL, TLS 1.2, a GET of the
# check URL, the certificate checked against the name it holds.
tls_by_ip() {
	local sni=()
	[[ -n "${2:-}" ]] && sni=(-servername "$2")
	printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$OFC_PATH" "$SRV" "$PORT" |
		A timeout 20 openssl s_client -connect "$SRV:$PORT" -bind "$1" -CAfile "$PKI/ca.pem" -verify_return_error \
			-verify_hostname "$NAME" -ign_eof -tls1_2 "${sni[@]}"
}

tls_server() { # one connection, TLS 1.2 only, serving the web root
	bg server bash -c "cd '$WORK/www' && exec ip netns exec $NS_S openssl s_server -accept '$SRV:$PORT' -naccept 1 -cert '$PKI/server.pem' -key '$PKI/server.key' -tls1_2 -WWW"
	wait_listen "$PORT"
}

cap_dns-nxdomain-ip-works() {
	begin dns-nxdomain-ip-works
	d4_netns_up 10.48.1.3
	dnsmasq_up
	tls_server
	cap_start
	# 10.48.1.1 knows the server by name: NXDOMAIN for A and AAAA, so it never connects.
	lookup_and_connect 10.48.1.1 "$NAME" >>"$WORK/client.log" 2>&1
	sleep 0.3
	# 10.48.1.3 knows it by address: TLS 1.2 works.
	tls_by_ip 10.48.1.3 >>"$WORK/client.log" 2>&1
	expect ok "TLS 1.2" "TLS 1.2" - SF "agent 10.48.1.3 connects by IP (OpenSSL -tls1_2, no SNI) and fetches the check URL, while agent 10.48.1.1's lookup of $NAME gets NXDOMAIN from dnsmasq at $DNS (see NAMES.tsv)"
	wait_exit "$LAST_PID" 5
	cap_stop
	finish
}

cap_dns-timeout-sni() {
	begin dns-timeout-sni
	d4_netns_up 10.48.1.3
	dnsmasq_up
	S iptables -A INPUT -d "$DNS" -p udp --dport 53 -j DROP # the DNS server's port is blocked
	tls_server
	cap_start
	# 10.48.1.1: glibc asks A and AAAA, waits 1 s, asks again, gives up after 2 s.
	lookup_and_connect 10.48.1.1 "$NAME" >>"$WORK/client.log" 2>&1
	sleep 1
	# 10.48.1.3 connects by address but sends the name as SNI: that ties the name to the server.
	tls_by_ip 10.48.1.3 "$NAME" >>"$WORK/client.log" 2>&1
	expect ok "TLS 1.2" "TLS 1.2" - SF "agent 10.48.1.3 connects by IP with SNI $NAME (OpenSSL -tls1_2), while agent 10.48.1.1's queries for $NAME to $DNS are dropped by iptables and time out (see NAMES.tsv)"
	wait_exit "$LAST_PID" 5
	cap_stop
	finish
}

cap_dns-elsewhere() {
	begin dns-elsewhere
	d4_netns_up 10.48.1.3
	dnsmasq_up --address="/$NAME/$OLD"
	tls_server
	cap_start
	# 10.48.1.1 resolves the name to the old address, where nothing answers ARP: no SYN leaves.
	lookup_and_connect 10.48.1.1 "$NAME" >>"$WORK/client.log" 2>&1
	sleep 0.3
	tls_by_ip 10.48.1.3 "$NAME" >>"$WORK/client.log" 2>&1
	expect ok "TLS 1.2" "TLS 1.2" - SF "agent 10.48.1.3 connects by IP with SNI $NAME; dnsmasq answers $NAME with the old address $OLD, where nothing answers, so agent 10.48.1.1 (by name) never gets a SYN out (see NAMES.tsv)"
	wait_exit "$LAST_PID" 5
	cap_stop
	finish
}

cap_dns-ok-by-name() {
	begin dns-ok-by-name
	d4_netns_up
	dnsmasq_up --address="/$NAME/$SRV"
	tls_server
	cap_start
	# The agent knows the server by name: OpenSSL resolves it through the resolver library and
	# sends it as SNI; the name resolves to the server, and TLS 1.2 works.
	printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$OFC_PATH" "$NAME" "$PORT" |
		A timeout 20 openssl s_client -connect "$NAME:$PORT" -CAfile "$PKI/ca.pem" -verify_return_error \
			-verify_hostname "$NAME" -ign_eof -tls1_2 >>"$WORK/client.log" 2>&1
	expect ok "TLS 1.2" "TLS 1.2" - SF "agent 10.48.1.1 connects by name: dnsmasq answers $NAME with $SRV, OpenSSL (-tls1_2, SNI $NAME) fetches the check URL (see NAMES.tsv: the name is ok)"
	wait_exit "$LAST_PID" 5
	cap_stop
	finish
}

# http_status_server : Python's http.server on 8080 whose answer to the check URL depends on the
# agent asking (200, 403, 500), and 404 for any other path, as a broken Apex One web server would.
http_status_server() {
	# Written to a file: a background process does not get the here-document as its input.
	cat >"$WORK/status_server.py" <<'PY'
import http.server, sys
host, check = sys.argv[1], sys.argv[2]
by_agent = {"10.48.1.1": 200, "10.48.1.3": 403, "10.48.1.4": 500}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = by_agent.get(self.client_address[0], 404) if self.path == check else 404
        body = b"connscope test stand-in for OfcNTCer.dat\n" if code == 200 else b""
        if code == 200:
            self.send_response(code); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
        else:
            self.send_error(code)
http.server.HTTPServer((host, 8080), H).serve_forever()
PY
	bg server S python3 "$WORK/status_server.py" "$SRV" "$OFC_PATH"
	wait_listen 8080
}

http_get() { # http_get FROM PATH : one plain-HTTP GET from the agent address FROM
	A timeout 20 python3 - "$1" "$SRV" 8080 "$2" <<'PY'
import socket, sys
src, host, port, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
s = socket.create_connection((host, port), timeout=10, source_address=(src, 0))
s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: connscope-test\r\nConnection: close\r\n\r\n".encode())
data = b""
while (d := s.recv(4096)):
    data += d
print(data.split(b"\r\n", 1)[0].decode())
s.close()
PY
}

cap_http-check-status() {
	begin http-check-status
	d4_netns_up 10.48.1.3 10.48.1.4
	http_status_server
	cap_start
	http_get 10.48.1.1 "$OFC_PATH" >>"$WORK/client.log" 2>&1
	expect ok - - - SF "GET of the check URL answered 200 (Python http.server)"
	sleep 0.3
	http_get 10.48.1.3 "$OFC_PATH" >>"$WORK/client.log" 2>&1
	expect ok - - - SF "GET of the check URL answered 403: ok in the generic profile, http-error with --profile apexone"
	sleep 0.3
	http_get 10.48.1.4 "$OFC_PATH" >>"$WORK/client.log" 2>&1
	expect ok - - - SF "GET of the check URL answered 500: ok in the generic profile, http-error with --profile apexone"
	sleep 0.3
	http_get 10.48.1.1 /officescan/console/html/missing.htm >>"$WORK/client.log" 2>&1
	expect ok - - - SF "GET of another path answered 404: ok in every profile, with the flag http-status:404"
	cap_stop
	finish
}

d4_main() {
	if [[ "${1:-}" == --list ]]; then
		printf '%s\n' "${D4_ALL[@]}"
		return
	fi
	local names=("$@") n t
	[[ ${#names[@]} -eq 0 ]] && names=("${D4_ALL[@]}")
	for n in "${names[@]}"; do
		declare -F "cap_$n" >/dev/null || die "unknown capture $n (see --list)"
	done
	[[ $EUID -eq 0 ]] || die "run as root (network namespaces, tcpdump)"
	for t in tcpdump tshark openssl dnsmasq iptables ethtool python3 ip ss; do
		command -v "$t" >/dev/null || die "$t is not installed"
	done
	WORK=$(mktemp -d /tmp/connscope-captures.XXXXXX)
	trap d4_cleanup EXIT INT TERM
	mkdir -p "$OUT" "$WORK/www${OFC_PATH%/*}"
	printf 'connscope test stand-in for OfcNTCer.dat\n' >"$WORK/www$OFC_PATH"
	for n in "${names[@]}"; do
		"cap_$n"
		CAP_NAME=""
	done
}

d4_main "$@"
