#!/usr/bin/env bash
# make-tls-captures.sh — the TLS-in-depth captures of issue 3 (testdata/captures/*.pcap) and their
# MANIFEST.tsv rows. It sources testdata/make-captures.sh for every helper (namespaces, tcpdump,
# servers, clients, manifest checks) and only changes the names and addresses: namespaces
# t3-agent/t3-server, veth t3-a0/t3-s0, agent 10.33.1.1 (plus 10.33.1.11.. for the many-agents
# capture), server 10.33.1.2:4343. Nothing leaves the machine.
#
#   sudo ./testdata/make-tls-captures.sh              # every capture below
#   sudo ./testdata/make-tls-captures.sh many-agents  # only the named ones
#
# Certificates: testdata/pki/make-tls-pki.sh (tls-server.pem for 10.33.1.2, weak.pem, notyet.pem).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=make-captures.sh
source "$HERE/make-captures.sh"

NS_A=t3-agent
NS_S=t3-server
VETH_A=t3-a0
VETH_S=t3-s0
SRV=10.33.1.2
AGENT=10.33.1.1

# What MANIFEST.tsv says of a ClientHello without supported_versions (as make-captures.sh's rows).
LEGACY_NOTE=" [offered: the ClientHello has legacy_version TLS 1.2 and no supported_versions, which by RFC 5246 offers every version up to 1.2; the client's own floor is not on the wire]"

TLS_ALL=(many-agents hello-retry-request weak-cert notyet-cert stacks-tls10-13 server-notifies-agent)
ALL+=("${TLS_ALL[@]}")

# t3_server ARGS... : s_server with the certificate for 10.33.1.2 (for `bg`: it execs).
t3_server() { s_server -cert "$PKI/tls-server.pem" -key "$PKI/tls-server.key" "$@"; }

# The many-agents capture: 11 agent addresses, 12 connections, against one server that allows only
# TLS 1.2 and resets older clients (testdata/tools/resetserver, Windows-like). 8 connections offer
# TLS 1.2 (OpenSSL, GnuTLS from 10.33.1.1, Go), 4 agents offer only TLS 1.0 (OpenSSL, Go) and fail.
cap_many-agents() {
	begin many-agents
	local ips=() i ip
	for i in $(seq 11 22); do ips+=("10.33.1.$i"); done
	netns_up "${ips[@]}"
	bg server S "$WORK/bin/resetserver" -listen "$SRV:$PORT" -cert "$PKI/tls-server.pem" -key "$PKI/tls-server.key" -mode rst -count 12
	wait_listen $PORT
	cap_start
	for i in $(seq 11 22); do
		ip=10.33.1.$i
		case $i in
		11 | 14 | 17)
			https_get -tls1_2 -bind "$ip" >>"$WORK/client.log" 2>&1
			expect ok "TLS 1.0,TLS 1.1,TLS 1.2" "TLS 1.2" - SF "agent $ip: OpenSSL s_client -tls1_2; the server (resetserver, Go crypto/tls, TLS 1.2 only) answers one GET$LEGACY_NOTE" ;;
		12 | 15 | 18)
			gotls -connect "$SRV:$PORT" -local "$ip" -cafile "$PKI/ca.pem" -get "$OFC_PATH" >>"$WORK/client.log" 2>&1
			expect ok "TLS 1.2,TLS 1.3" "TLS 1.2" - SF "agent $ip: Go crypto/tls default client (offers 1.3 and 1.2); the server picks TLS 1.2" ;;
		13 | 16)
			{ printf 'GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$OFC_PATH" "$SRV" "$PORT"; sleep 1; } |
				A timeout 20 gnutls-cli --x509cafile "$PKI/ca.pem" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' \
					-p "$PORT" "$SRV" >>"$WORK/client.log" 2>&1 || true
			expect ok "TLS 1.0,TLS 1.1,TLS 1.2" "TLS 1.2" - SF "agent $AGENT (gnutls-cli cannot choose its source address, so these connections come from the first one): gnutls-cli, TLS 1.2 only$LEGACY_NOTE" ;;
		19 | 21)
			s_client_fail -tls1 -cipher "$SECLEVEL0" -bind "$ip"
			expect tls-version-mismatch "TLS 1.0" - - RSTR "agent $ip: OpenSSL s_client -tls1 (SECLEVEL=0): bare TCP RST right after the ClientHello; the 8 other agents prove the server accepts TLS 1.2" ;;
		20 | 22)
			if gotls -connect "$SRV:$PORT" -local "$ip" -min 1.0 -max 1.0 -cafile "$PKI/ca.pem" >>"$WORK/client.log" 2>&1; then
				die "the TLS 1.0 Go client succeeded"
			fi
			expect tls-version-mismatch "TLS 1.0" - - RSTR "agent $ip: Go crypto/tls client, TLS 1.0 only: bare TCP RST right after the ClientHello" ;;
		esac
		sleep 0.2
	done
	wait_exit "$LAST_PID" 5
	cap_stop
	finish
}

# HelloRetryRequest: the server allows only secp256r1 (P-256); OpenSSL's client sends a key share
# for its first group (x25519) only, so the server asks for P-256 with a HelloRetryRequest.
cap_hello-retry-request() {
	begin hello-retry-request
	netns_up
	bg server t3_server -tls1_3 -groups P-256 -WWW
	wait_listen $PORT
	cap_start
	https_get -tls1_3 -groups x25519:P-256 >"$WORK/client.log" 2>&1
	wait_exit "$LAST_PID" 5
	cap_stop
	grep -q 'P-256' "$WORK/client.log" || log "warning: no P-256 in the client's log"
	expect ok "TLS 1.3" "TLS 1.3" - SF "OpenSSL s_client -tls1_3 -groups x25519:P-256 (key share x25519 only) to s_server -groups P-256: HelloRetryRequest for secp256r1, second ClientHello, TLS 1.3"
	finish
}

# A server with a self-signed RSA-1024 certificate signed with SHA-1, named legacy.connscope.test
# (not the address the agent connects to): the OpenSSL agent (trusting only the test CA) rejects it.
cap_weak-cert() {
	begin weak-cert
	netns_up
	bg server s_server -tls1_2 -cert "$PKI/weak.pem" -key "$PKI/weak.key" -cipher "$SECLEVEL0" -WWW
	wait_listen $PORT
	cap_start
	s_client_fail -tls1_2 -servername apexone.connscope.test
	wait_exit "$LAST_PID" 5
	cap_stop
	expect tls-certificate-rejected "TLS 1.0,TLS 1.1,TLS 1.2" "TLS 1.2" "$(alerts_of weak-cert)" SF "server certificate: self-signed, RSA 1024, SHA-1, CN=legacy.connscope.test; OpenSSL s_client -tls1_2 -verify_return_error with SNI apexone.connscope.test rejects it$LEGACY_NOTE"
	finish
}

# A server certificate whose validity starts in 2090.
cap_notyet-cert() {
	begin notyet-cert
	netns_up
	bg server s_server -tls1_2 -cert "$PKI/notyet.pem" -key "$PKI/notyet.key" -WWW
	wait_listen $PORT
	cap_start
	s_client_fail -tls1_2
	wait_exit "$LAST_PID" 5
	cap_stop
	expect tls-certificate-rejected "TLS 1.0,TLS 1.1,TLS 1.2" "TLS 1.2" "$(alerts_of notyet-cert stacks-tls10-13 server-notifies-agent)" SF "server certificate signed by the trusted CA but valid only from 2090-01-01; OpenSSL s_client -tls1_2 -verify_return_error rejects it$LEGACY_NOTE"
	finish
}

# alerts_of NAME : the plaintext alerts of the capture being made, as MANIFEST.tsv writes them.
alerts_of() {
	tshark -n -r "$OUT/$1.pcap" -d tcp.port==4343,tls -Y tls.alert_message -T fields -e tcp.srcport -e tls.alert_message.desc 2>/dev/null |
		awk -v p="$PORT" 'BEGIN { m["42"] = "bad_certificate"; m["43"] = "unsupported_certificate"; m["45"] = "certificate_expired"
			m["46"] = "certificate_unknown"; m["48"] = "unknown_ca"; m["40"] = "handshake_failure"; m["71"] = "insufficient_security" }
		{ d = $2; if (d in m) d = m[d]; s = s (n++ ? "," : "") (($1 == p) ? "server" : "client") ":" d }
		END { print (n ? s : "-") }'
}

# Several stacks and versions against one port, one after another, each server for one
# connection: gnutls-cli to an OpenSSL TLS 1.0-only server; a Python ssl client to a Python ssl
# TLS 1.3-only server; a Go client (TLS 1.0-1.1) to an OpenSSL TLS 1.1+1.2 server.
cap_stacks-tls10-13() {
	begin stacks-tls10-13
	netns_up
	# 1. OpenSSL s_server allowing only TLS 1.0 (SECLEVEL=0); gnutls-cli offering 1.0-1.2: TLS 1.0.
	bg server t3_server -tls1 -cipher "$SECLEVEL0" -WWW
	local srv=$LAST_PID
	wait_listen $PORT
	cap_start
	{ printf 'GET %s HTTP/1.0\r\n\r\n' "$OFC_PATH"; sleep 1; } |
		A timeout 10 gnutls-cli --x509cafile "$PKI/ca.pem" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.0:+VERS-TLS1.1:+VERS-TLS1.2' \
			-p "$PORT" "$SRV" >>"$WORK/client.log" 2>&1 || true
	expect ok "TLS 1.0,TLS 1.1,TLS 1.2" "TLS 1.0" - SF "gnutls-cli (TLS 1.0-1.2) to OpenSSL s_server -tls1 (SECLEVEL=0): TLS 1.0$LEGACY_NOTE"
	wait_exit "$srv" 5
	sleep 0.3
	# 2. Python ssl server allowing only TLS 1.3; Python ssl client with its default context.
	bg server2 S python3 -c "$PY_TLS13_SERVER" "$SRV" "$PORT" "$PKI/tls-server.pem" "$PKI/tls-server.key"
	srv=$LAST_PID
	wait_listen $PORT
	A timeout 10 python3 -c "$PY_CLIENT" "$SRV" "$PORT" "$PKI/ca.pem" >>"$WORK/client.log" 2>&1
	expect ok "TLS 1.2,TLS 1.3" "TLS 1.3" - SF "Python 3 ssl client (default context: TLS 1.2-1.3) to a Python ssl server allowing only TLS 1.3"
	wait_exit "$srv" 5
	sleep 0.3
	# 3. OpenSSL server TLS 1.1+1.2; Go client allowing TLS 1.0-1.1: TLS 1.1.
	bg server3 t3_server -no_tls1 -no_tls1_3 -cipher "$SECLEVEL0" -WWW
	srv=$LAST_PID
	wait_listen $PORT
	gotls -connect "$SRV:$PORT" -min 1.0 -max 1.1 -cafile "$PKI/ca.pem" -get "$OFC_PATH" >>"$WORK/client.log" 2>&1
	expect ok "TLS 1.0,TLS 1.1" "TLS 1.1" - SF "Go crypto/tls client (TLS 1.0-1.1) to OpenSSL s_server -no_tls1 -no_tls1_3 (SECLEVEL=0): TLS 1.1"
	wait_exit "$srv" 5
	cap_stop
	finish
}

PY_TLS13_SERVER='
import socket, ssl, sys
host, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.load_cert_chain(cert, key)
ls = socket.create_server((host, port))
c, _ = ls.accept()
s = ctx.wrap_socket(c, server_side=True)
s.recv(1024)
s.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
s.unwrap()
s.close()
'
PY_CLIENT='
import socket, ssl, sys
host, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection((host, port)), server_hostname=host)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
print(s.version(), s.recv(1024))
try:
    s.unwrap()
except (ssl.SSLError, OSError):
    pass
s.close()
'

# Both directions of the product: the agent connects to the server's TLS port, and the server
# connects to the agent's listener (server notifications, plain HTTP on 8080 here) — once while
# the agent listens, once after it stopped (SYN answered by RST). Roles come from the SYN: for the
# notifications the management server is the TCP client.
cap_server-notifies-agent() {
	begin server-notifies-agent
	netns_up
	bg server t3_server -tls1_2 -WWW
	local srv=$LAST_PID
	wait_listen $PORT
	bg listener A python3 -m http.server 8080 --bind "$AGENT" --directory "$WORK/www"
	local lst=$LAST_PID
	for _ in $(seq 100); do A ss -Hltn "sport = :8080" | grep -q . && break; sleep 0.05; done
	cap_start
	https_get -tls1_2 >>"$WORK/client.log" 2>&1
	expect ok "TLS 1.0,TLS 1.1,TLS 1.2" "TLS 1.2" - SF "the agent 10.33.1.1 connects to the server's TLS port: OpenSSL s_client -tls1_2 to s_server -tls1_2$LEGACY_NOTE"
	wait_exit "$srv" 5
	sleep 0.3
	S timeout 10 python3 -c "$PY_NOTIFY" "$AGENT" >>"$WORK/client.log" 2>&1
	expect ok - - - SF "the server 10.33.1.2 notifies the agent: plain HTTP GET to the agent's listener 10.33.1.1:8080 (Python http.server), 200; the server host is the TCP client"
	sleep 0.3
	stop_pid "$lst"
	S timeout 10 python3 -c "$PY_NOTIFY" "$AGENT" >>"$WORK/client.log" 2>&1 || true
	expect refused - - - REJ "the server tries to notify the agent again after the agent's listener stopped: SYN to 10.33.1.1:8080 answered by RST"
	cap_stop
	finish
}

PY_NOTIFY='
import sys, urllib.request
try:
    print(urllib.request.urlopen("http://%s:8080/officescan/hotfix_pccnt/Common/OfcNTCer.dat" % sys.argv[1], timeout=5).status)
except OSError as e:
    print("notify failed:", e); sys.exit(1)
'

if [[ $# -eq 0 ]]; then
	set -- "${TLS_ALL[@]}"
fi
main "$@"
