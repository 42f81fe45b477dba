#!/usr/bin/env bash
# make-captures-markers.sh — makes the redaction test captures (testdata/captures/markers/*.pcap):
# real stacks whose every field that connscope reads holds a unique marker string, so that a test
# can assert that no marker survives in a redacted report or export (cmd/connscope
# TestRedactedMarkers). Every marker contains "mkr" (in DNS names, lower case: the analysis
# lowers them); MARKERS.tsv lists them and where each stands.
#
#   sudo ./testdata/make-captures-markers.sh                 # all of them
#   sudo ./testdata/make-captures-markers.sh markers-dns     # only the named ones
#   ./testdata/make-captures-markers.sh --list
#
# It sources testdata/make-captures.sh for its helpers (processes, capture, clean-up) and uses
# its own namespaces and addresses: mk-agent (mk-a0: 10.93.1.1, extra agent 10.93.1.3) and
# mk-server (mk-s0: 10.93.1.2, the server, and 10.93.1.53, the DNS server), joined by one veth
# pair. Inside mk-agent, `ip netns exec` bind-mounts /etc/netns/mk-agent/resolv.conf (nameserver
# 10.93.1.53) over /etc/resolv.conf. The certificates are made afresh by each run (a CA and two
# server certificates full of markers, see make_pki); the captures keep them. Nothing leaves the
# machine. No manifest rows: these captures are about what a report may show, not verdicts.
#
# Needs root, tcpdump, openssl, gnutls-cli/gnutls-serv, dnsmasq (Debian package dnsmasq-base),
# curl, ethtool, python3 and Go.
set -euo pipefail

# shellcheck source=make-captures.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/make-captures.sh"

NS_A=mk-agent
NS_S=mk-server
VETH_A=mk-a0
VETH_S=mk-s0
AGENT=10.93.1.1
SRV=10.93.1.2
DNS=10.93.1.53
OUT=$HERE/captures/markers

MK_ALL=(markers-tls markers-dns markers-http markers-banner unicode-sni)

# mk_netns_up : the two namespaces, as netns_up makes them, with this script's addresses, a
# second agent address, the DNS server's address, and the agent's resolv.conf.
mk_netns_up() {
	netns_up 10.93.1.3
	S ip addr add "$DNS/24" dev "$VETH_S"
	mkdir -p "/etc/netns/$NS_A"
	printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$DNS" >"/etc/netns/$NS_A/resolv.conf"
}

mk_cleanup() {
	rm -rf "/etc/netns/$NS_A"
	rmdir /etc/netns 2>/dev/null || true # only when no one else keeps a file there
	cleanup
}

# mk_finish : stop everything, delete the namespaces (no manifest: see the header).
mk_finish() {
	stop_all
	netns_down
}

# cap_stop moves the file into $OUT, which it takes from the sourced script's OUT: set above.

# make_pki : a CA and two server certificates whose every name field holds a marker.
#   ca.pem    C=JP, O=mkrcaorg, OU=mkrcaunit, CN=mkrcaname Root CA
#   a.pem     CN=mkrcn-a.markers.test, O, OU, L, ST, emailAddress markers; SAN DNS mkrsan1 and
#             mkrsan2, IP 10.93.1.2, email and URI markers; serial 0x6d6b7273657269616c ("mkrserial")
#   b.pem     CN only (no subjectAltName), with the characters < > | \ * in it; O=mkrorgb
make_pki() {
	local p=$WORK/pki
	mkdir -p "$p"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$p/ca.key" -out "$p/ca.pem" -days 36500 -sha256 \
		-subj "/C=JP/O=mkrcaorg/OU=mkrcaunit/CN=mkrcaname Root CA" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$p/a.key" -out "$p/a.csr" -sha256 \
		-subj "/C=JP/ST=mkrstate/L=mkrcity/O=mkrorg/OU=mkrunit/CN=mkrcn-a.markers.test/emailAddress=mkrmail@mkrmaildomain.test" 2>/dev/null
	printf '%s\n' 'basicConstraints=CA:FALSE' \
		'subjectAltName=DNS:mkrsan1.markers.test,DNS:mkrsan2.markers.test,IP:10.93.1.2,email:mkrsanmail@markers.test,URI:https://mkruri.markers.test/mkruripath' \
		>"$p/a.ext"
	openssl x509 -req -in "$p/a.csr" -CA "$p/ca.pem" -CAkey "$p/ca.key" -set_serial 0x6d6b7273657269616c \
		-days 36500 -sha256 -extfile "$p/a.ext" -out "$p/a.pem" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$p/b.key" -out "$p/b.csr" -sha256 \
		-subj '/O=mkrorgb/CN=mkrcnb<x>|y\\z*.markers.test' 2>/dev/null
	printf 'basicConstraints=CA:FALSE\n' >"$p/b.ext"
	openssl x509 -req -in "$p/b.csr" -CA "$p/ca.pem" -CAkey "$p/ca.key" -set_serial 0x6d6b72736572b2 \
		-days 36500 -sha256 -extfile "$p/b.ext" -out "$p/b.pem" 2>/dev/null
	openssl asn1parse -in "$p/b.pem" | grep -qF ':mkrcnb<x>|y\z*.markers.test' ||
		die "certificate b does not have the CN with special characters: $(openssl x509 -in "$p/b.pem" -noout -subject)"
	cat "$p/a.pem" "$p/ca.pem" >"$p/a-chain.pem"
}

# py NAME : write the Python helper NAME (below) to $WORK/NAME.py.
py() {
	case $1 in
	banner_server) cat >"$WORK/$1.py" <<'PY'
# banner_server HOST PORT BANNER : accept one connection, send BANNER, read what comes, close.
import socket, sys
host, port, banner = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode().decode("unicode_escape").encode("latin-1")
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); ls.bind((host, port)); ls.listen(1)
c, _ = ls.accept(); c.sendall(banner); c.settimeout(2)
try:
    c.recv(65536)
except OSError:
    pass
c.close()
PY
	;;
	send_client) cat >"$WORK/$1.py" <<'PY'
# send_client HOST PORT DATA : connect, send DATA (with \r\n escapes), read until the server closes.
import socket, sys
host, port, data = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode().decode("unicode_escape").encode("latin-1")
s = socket.create_connection((host, port), timeout=5)
s.sendall(data)
try:
    while s.recv(65536):
        pass
except OSError:
    pass
s.close()
PY
	;;
	http_server) cat >"$WORK/$1.py" <<'PY'
# http_server HOST PORT : answer every GET with 404 and a reason phrase, Server header and body
# of markers, as a web server configured by a customer would.
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    server_version = "mkrserver/1.0"
    sys_version = ""
    def do_GET(self):
        body = b"mkrbody\n"
        self.send_response(404, "mkrreason phrase")
        self.send_header("X-Mkr", "mkrrespheader")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()
PY
	;;
	dns_query) cat >"$WORK/$1.py" <<'PY'
# dns_query SERVER TYPE NAME : one DNS query over UDP (A, AAAA, ANY or TXT), as a resolver sends it.
import random, socket, struct, sys
server, qtype, name = sys.argv[1], {"A": 1, "AAAA": 28, "TXT": 16, "ANY": 255}[sys.argv[2]], sys.argv[3]
q = struct.pack(">HHHHHH", random.randrange(65536), 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack(">HH", qtype, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2); s.sendto(q, (server, 53))
try:
    print(name, sys.argv[2], len(s.recv(4096)), "bytes")
except socket.timeout:
    print(name, sys.argv[2], "no answer")
PY
	;;
	esac
}

cap_markers-tls() {
	begin markers-tls
	mk_netns_up
	cap_start
	# 1. OpenSSL server with certificate a, choosing the marker ALPN name; OpenSSL client with a
	# marker SNI that the certificate is not for: it rejects the certificate.
	bg server S openssl s_server -www -accept "$SRV:$PORT" -naccept 1 -cert "$WORK/pki/a.pem" -key "$WORK/pki/a.key" \
		-CAfile "$WORK/pki/ca.pem" -tls1_2 -alpn mkralpn1
	wait_listen $PORT
	A timeout 20 openssl s_client -connect "$SRV:$PORT" -tls1_2 -servername mkrsni-a.markers.test -alpn mkralpn1,h2 \
		-CAfile "$WORK/pki/ca.pem" -verify_return_error -verify_hostname mkrsni-a.markers.test </dev/null >>"$WORK/client.log" 2>&1 || true
	wait_exit "$LAST_PID" 5
	# 2. The same server; a Go client that sends a name the certificate is for: it works.
	bg server S openssl s_server -www -accept "$SRV:$PORT" -naccept 1 -cert "$WORK/pki/a.pem" -key "$WORK/pki/a.key" \
		-tls1_2 -alpn mkralpn1
	wait_listen $PORT
	gotls -connect "$SRV:$PORT" -servername mkrsan1.markers.test -cafile "$WORK/pki/ca.pem" -max 1.2 >>"$WORK/client.log" 2>&1 || true
	wait_exit "$LAST_PID" 5
	# 3. GnuTLS server with certificate b (CN only, with < > | \ *); gnutls-cli with a marker SNI
	# and ALPN name rejects it.
	bg server S gnutls-serv --x509certfile "$WORK/pki/b.pem" --x509keyfile "$WORK/pki/b.key" -p "$PORT" \
		--priority 'NORMAL:-VERS-TLS1.3' --alpn mkralpn2 --alpn-fatal
	wait_listen $PORT
	A timeout 20 gnutls-cli --x509cafile "$WORK/pki/ca.pem" --sni-hostname mkrsni-b.markers.test \
		--verify-hostname mkrsni-b.markers.test --alpn mkralpn2 \
		--priority 'NORMAL:-VERS-TLS1.3' -p "$PORT" "$SRV" </dev/null >>"$WORK/client.log" 2>&1 || true
	sleep 0.5
	stop_pid "$LAST_PID"
	cap_stop
	mk_finish
}

cap_markers-dns() {
	begin markers-dns
	mk_netns_up
	bg dns S dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --user=root \
		--listen-address="$DNS" --bind-interfaces --local=/markers.test/ --log-queries --log-facility=- \
		--address=/mkrname-a.markers.test/"$SRV" --host-record=mkrname-six.markers.test,fd93::2 \
		--cname=mkrcname.markers.test,mkrname-a.markers.test --host-record=mkrany.markers.test,"$SRV" \
		--txt-record=mkrany.markers.test,mkrtxt --address=/mkrelsewhere.markers.test/10.93.1.99
	local i
	for i in $(seq 100); do S ss -Hlun "sport = :53" | grep -q "$DNS" && break; sleep 0.05; done
	bg server S openssl s_server -www -accept "$SRV:$PORT" -naccept 2 -cert "$WORK/pki/a.pem" -key "$WORK/pki/a.key" -tls1_2
	wait_listen $PORT
	cap_start
	# Every question type the analysis reads (A, AAAA, ANY), answered with addresses, a CNAME
	# chain, a TXT record, NXDOMAIN and no data; a TXT question it does not read.
	py dns_query
	for q in "A mkrname-a.markers.test" "AAAA mkrname-six.markers.test" "A mkrcname.markers.test" \
		"ANY mkrany.markers.test" "TXT mkrany.markers.test" "A mkrnx-other.markers.test" \
		"AAAA mkrnx-other2.markers.test" "A mkrname-six.markers.test" "A mkrelsewhere.markers.test"; do
		# shellcheck disable=SC2086
		A python3 "$WORK/dns_query.py" "$DNS" $q >>"$WORK/client.log" 2>&1
	done
	# A name that fails and is sent as SNI: tied to the server. The glibc resolver asks A and AAAA.
	A python3 -c 'import socket,sys
try: socket.getaddrinfo("mkrsni-nx.markers.test", 4343)
except socket.gaierror as e: print(e)' >>"$WORK/client.log" 2>&1
	A timeout 20 openssl s_client -connect "$SRV:$PORT" -tls1_2 -servername mkrsni-nx.markers.test </dev/null >>"$WORK/client.log" 2>&1 || true
	# The server's name resolves; the client connects by it.
	A timeout 20 openssl s_client -connect "mkrname-a.markers.test:$PORT" -tls1_2 -servername mkrname-a.markers.test \
		</dev/null >>"$WORK/client.log" 2>&1 || true
	wait_exit "$LAST_PID" 5
	cap_stop
	mk_finish
}

cap_markers-http() {
	begin markers-http
	mk_netns_up
	py http_server
	py send_client
	bg web S python3 "$WORK/http_server.py" "$SRV" 8080
	wait_listen 8080
	bg server S openssl s_server -www -accept "$SRV:$PORT" -naccept 1 -cert "$WORK/pki/a.pem" -key "$WORK/pki/a.key"
	wait_listen $PORT
	cap_start
	# A hand-written request: a target with a quote and a space, a Host, and headers of markers.
	A python3 "$WORK/send_client.py" "$SRV" 8080 \
		'GET /mkrpath/a"b c?mkrquery=1 HTTP/1.1\r\nHost: mkrhost.markers.test:8080\r\nUser-Agent: mkragent\r\nCookie: mkrcookie=1\r\nX-Mkr: mkrheader\r\nConnection: close\r\n\r\n' \
		>>"$WORK/client.log" 2>&1
	# curl, with its own request line and headers.
	A timeout 20 curl -sS --path-as-is -H 'Host: mkrhost2.markers.test' -A mkragent2 -H 'X-Mkr2: mkrheader2' \
		"http://$SRV:8080/mkrcurlpath/x?mkrq=1" >>"$WORK/client.log" 2>&1 || true
	# Plain HTTP to the TLS port: the request line is what the report quotes.
	A python3 "$WORK/send_client.py" "$SRV" "$PORT" \
		'GET /mkrtlspath/a"b c HTTP/1.1\r\nHost: mkrtlshost.markers.test\r\nUser-Agent: mkragent3\r\n\r\n' >>"$WORK/client.log" 2>&1
	wait_exit "$LAST_PID" 5
	cap_stop
	mk_finish
}

cap_markers-banner() {
	begin markers-banner
	mk_netns_up
	py banner_server
	py send_client
	cap_start
	# Servers that answer a ClientHello with a banner: SSH, SMTP.
	bg banner S python3 "$WORK/banner_server.py" "$SRV" "$PORT" 'SSH-2.0-mkrbanner_9.9 mkrcomment\r\n'
	wait_listen $PORT
	A timeout 20 openssl s_client -connect "$SRV:$PORT" -tls1_2 -servername mkrsni-ssh.markers.test </dev/null >>"$WORK/client.log" 2>&1 || true
	wait_exit "$LAST_PID" 5
	bg banner S python3 "$WORK/banner_server.py" "$SRV" "$PORT" '220 mkrsmtp.markers.test ESMTP mkrsoft\r\n'
	wait_listen $PORT
	gotls -connect "$SRV:$PORT" -servername mkrsni-smtp.markers.test >>"$WORK/client.log" 2>&1 || true
	wait_exit "$LAST_PID" 5
	# Clients that speak something else to a TLS server: SMTP, binary bytes.
	bg server S openssl s_server -www -accept "$SRV:$PORT" -naccept 2 -cert "$WORK/pki/a.pem" -key "$WORK/pki/a.key"
	wait_listen $PORT
	A python3 "$WORK/send_client.py" "$SRV" "$PORT" 'EHLO mkrehlo.markers.test\r\n' >>"$WORK/client.log" 2>&1
	A python3 "$WORK/send_client.py" "$SRV" "$PORT" '\x00\x01mkrbinary\x02\x03' >>"$WORK/client.log" 2>&1
	wait_exit "$LAST_PID" 5
	cap_stop
	mk_finish
}

# unicode-sni: a Go client sends a server name holding Unicode format and separator characters
# (zero-width space U+200B, BOM U+FEFF, line and paragraph separators U+2028/U+2029, the bidi
# override U+202E and isolate U+2066), as a hostile or broken client could; the OpenSSL server
# answers and the client rejects its certificate (not for that name).
cap_unicode-sni() {
	begin unicode-sni
	mk_netns_up
	bg server S openssl s_server -www -accept "$SRV:$PORT" -naccept 1 -cert "$WORK/pki/a.pem" -key "$WORK/pki/a.key" -tls1_2
	wait_listen $PORT
	cap_start
	gotls -connect "$SRV:$PORT" -servername $'mkr\u200bzw\ufeffbom\u2028ls\u2029ps\u202eevil\u2066iso.markers.test' \
		-cafile "$WORK/pki/ca.pem" -max 1.2 >>"$WORK/client.log" 2>&1 || true
	wait_exit "$LAST_PID" 5
	cap_stop
	mk_finish
}

mk_main() {
	if [[ "${1:-}" == --list ]]; then
		printf '%s\n' "${MK_ALL[@]}"
		return
	fi
	local names=("$@") n t
	[[ ${#names[@]} -eq 0 ]] && names=("${MK_ALL[@]}")
	for n in "${names[@]}"; do
		declare -F "cap_$n" >/dev/null || die "unknown capture $n (see --list)"
	done
	[[ $EUID -eq 0 ]] || die "run as root (network namespaces, tcpdump)"
	for t in tcpdump openssl gnutls-cli gnutls-serv dnsmasq curl ethtool python3 go ip ss; do
		command -v "$t" >/dev/null || die "$t is not installed"
	done
	WORK=$(mktemp -d /tmp/connscope-captures.XXXXXX)
	trap mk_cleanup EXIT INT TERM
	mkdir -p "$OUT" "$WORK/bin"
	(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$WORK/bin/" ./testdata/tools/tlsclient)
	make_pki
	for n in "${names[@]}"; do
		"cap_$n"
		CAP_NAME=""
	done
}

mk_main "$@"
