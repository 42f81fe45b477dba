#!/usr/bin/env bash
# make-captures.sh — makes connscope's real-stack test captures (testdata/captures/*.pcap) and
# their rows in testdata/captures/MANIFEST.tsv.
#
#   sudo ./testdata/make-captures.sh            # every capture
#   sudo ./testdata/make-captures.sh tls12-ok   # only the named ones
#   ./testdata/make-captures.sh --list          # the names
#
# Each capture runs real servers and clients (OpenSSL, GnuTLS, Go crypto/tls, Python, the Linux
# TCP stack) in two network namespaces made for it, ct-agent and ct-server, joined by one veth pair
# (ct-a0 in ct-agent, 10.77.1.1 and fd00:77:1::1; ct-s0 in ct-server, 10.77.1.2 and fd00:77:1::2),
# and records the agent side of the veth with tcpdump (-s 0 -U). Nothing leaves the machine.
# The namespaces are deleted when the capture is done, and by a trap on any failure or signal.
#
# Needs root, tcpdump, tshark, openssl (3.0), gnutls-cli/gnutls-serv, iptables, ethtool, python3
# and Go (the Go tools under testdata/tools are built into a temporary directory).
# Keys and certificates come from testdata/pki (made once by testdata/pki/make-pki.sh).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PKI=$HERE/pki
OUT=$HERE/captures
MANIFEST=$OUT/MANIFEST.tsv
NS_A=ct-agent
NS_S=ct-server
VETH_A=ct-a0
VETH_S=ct-s0
SRV=10.77.1.2
AGENT=10.77.1.1 # the agent's first address (netns_up)
SRV6=fd00:77:1::2
PORT=4343
OFC_PATH=/officescan/hotfix_pccnt/Common/OfcNTCer.dat
SECLEVEL0='DEFAULT:@SECLEVEL=0' # OpenSSL 3 needs it to do TLS 1.0/1.1 at all

ALL=(
	tls12-ok tls13-ok
	seed-both-tls12 seed-tls11-common seed-tls10-vs-tls12
	seed-reset-fleet seed-close-fleet seed-reset-lone seed-close-lone
	no-shared-cipher version-or-cipher seed-reset-fleet-cbc
	untrusted-cert untrusted-cert-tls13 untrusted-cert-go expired-cert
	closed-port dropped-syns dropped-syns-classic
	split-client-hello split-client-hello-mss
	plain-http-to-tls plain-http-to-gnutls plain-tcp-ok
	ipv6-tls12-ok sll2-tls12-ok mid-connection offload-tls12-ok
)

log() { printf '[%s] %s\n' "${CAP_NAME:-make-captures}" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# ---------------------------------------------------------------- processes and clean-up

PIDS=()          # background processes this script started
CAP_PID=""       # the running tcpdump
WORK=""          # temporary directory: logs, built tools, web root

# bg LOGNAME CMD... : start CMD in the background, output to $WORK/LOGNAME.log; LAST_PID is its
# process id (CMD is exec'd, so that id is the server's own: A and S become `ip netns exec`, and a
# shell function given as CMD must exec its program itself).
bg() {
	local name=$1
	shift
	case $1 in
	A) shift; set -- ip netns exec "$NS_A" "$@" ;;
	S) shift; set -- ip netns exec "$NS_S" "$@" ;;
	esac
	"$@" >"$WORK/$name.log" 2>&1 &
	PIDS+=($!)
	LAST_PID=$!
}

stop_pid() { # stop_pid PID : end one process this script started, and reap it
	local pid=$1
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

stop_all() {
	local pid
	if [[ -n "$CAP_PID" ]]; then
		kill -INT "$CAP_PID" 2>/dev/null || true
		wait "$CAP_PID" 2>/dev/null || true
		CAP_PID=""
	fi
	for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
	PIDS=()
}

netns_down() {
	local ns pid
	for ns in "$NS_A" "$NS_S"; do
		if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
			# Only processes inside our own namespaces, which this script started.
			for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
			ip netns del "$ns"
		fi
	done
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	stop_all
	netns_down
	if [[ -n "$WORK" && -d "$WORK" ]]; then
		if [[ -n "${KEEP_WORK:-}" ]]; then log "kept the logs in $WORK"; else rm -rf "$WORK"; fi
	fi
	exit "$rc"
}

# ---------------------------------------------------------------- namespaces

A() { ip netns exec "$NS_A" "$@"; } # run in the agent namespace
S() { ip netns exec "$NS_S" "$@"; } # run in the server namespace

# netns_up [--ipv6] [--offload] [EXTRA_AGENT_IPV4...]
# Makes ct-agent and ct-server joined by a veth pair with fixed MAC addresses. IPv6 is switched off
# unless --ipv6 (no router solicitations or MLD reports in IPv4 captures). Checksum offload and
# TSO/GSO are switched off on both ends unless --offload, so the capture holds what a wire would carry
# (valid TCP checksums, segments no larger than the MSS).
netns_up() {
	local ipv6=0 offload=0 a
	while [[ $# -gt 0 && $1 == --* ]]; do
		case $1 in
		--ipv6) ipv6=1 ;;
		--offload) offload=1 ;;
		esac
		shift
	done
	netns_down
	ip netns add "$NS_A"
	ip netns add "$NS_S"
	if ((ipv6)); then
		# New interfaces take these defaults: no duplicate address detection (also for the link-local
		# address), no router solicitations, and the link-up multicast listener reports sent at
		# once rather than spread over a second, so that all are over before the capture starts.
		for ns in "$NS_A" "$NS_S"; do
			ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.dad_transmits=0 \
				net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.default.router_solicitations=0 \
				net.ipv6.conf.default.mldv2_unsolicited_report_interval=1 \
				net.ipv6.conf.default.mldv1_unsolicited_report_interval=1
		done
	fi
	ip link add "$VETH_A" netns "$NS_A" address 02:77:00:01:00:01 type veth \
		peer name "$VETH_S" netns "$NS_S" address 02:77:00:01:00:02
	for ns in "$NS_A" "$NS_S"; do
		ip netns exec "$ns" ip link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=$((1 - ipv6)) \
			net.ipv6.conf.default.disable_ipv6=$((1 - ipv6))
	done
	if ((!offload)); then
		A ethtool -K "$VETH_A" tx off rx off tso off gso off gro off >/dev/null 2>&1 || A ethtool -K "$VETH_A" tx off tso off gso off >/dev/null
		S ethtool -K "$VETH_S" tx off rx off tso off gso off gro off >/dev/null 2>&1 || S ethtool -K "$VETH_S" tx off tso off gso off >/dev/null
	fi
	A ip addr add "$AGENT/24" dev "$VETH_A"
	for a in "$@"; do A ip addr add "$a/24" dev "$VETH_A"; done
	S ip addr add "$SRV/24" dev "$VETH_S"
	if ((ipv6)); then
		A ip addr add fd00:77:1::1/64 dev "$VETH_A" nodad
		S ip addr add "$SRV6/64" dev "$VETH_S" nodad
	fi
	A ip link set "$VETH_A" up
	S ip link set "$VETH_S" up
	if ((ipv6)); then
		sleep 2 # let the link-up multicast listener reports go by before the capture starts
	fi
}

wait_listen() { # wait_listen PORT : until something listens on PORT in the server namespace
	local i
	for i in $(seq 100); do
		S ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	die "nothing listens on port $1 in $NS_S"
}

wait_exit() { # wait_exit PID SECONDS : wait for a background process to end by itself
	local pid=$1 i
	for i in $(seq $(($2 * 10))); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
		sleep 0.1
	done
	log "warning: process $pid did not end within $2 s; stopping it"
	stop_pid "$pid"
}

# ---------------------------------------------------------------- capture

# cap_start [TCPDUMP_ARGS...] : start tcpdump in the agent namespace (default: on ct-a0) and
# wait until it has opened the interface.
cap_start() {
	local args=("$@")
	[[ ${#args[@]} -eq 0 ]] && args=(-i "$VETH_A")
	CAP_FILE=$WORK/$CAP_NAME.pcap
	: >"$WORK/tcpdump.log"
	# Started directly (not through a shell function) so that CAP_PID is tcpdump's own id.
	ip netns exec "$NS_A" tcpdump -Z root -n -s 0 -U --immediate-mode "${args[@]}" -w "$CAP_FILE" 2>"$WORK/tcpdump.log" &
	CAP_PID=$!
	local i
	for i in $(seq 100); do
		grep -q 'listening on' "$WORK/tcpdump.log" && break
		kill -0 "$CAP_PID" 2>/dev/null || die "tcpdump failed: $(cat "$WORK/tcpdump.log")"
		sleep 0.05
	done
	grep -q 'listening on' "$WORK/tcpdump.log" || die "tcpdump did not start: $(cat "$WORK/tcpdump.log")"
	sleep 0.3
}

# cap_stop : after the last packet (FIN/RST and its ACK) has gone by, stop tcpdump with SIGINT so
# it writes out its buffer and closes the file cleanly, then move the file into captures/.
cap_stop() {
	sleep "${1:-0.5}"
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || true
	CAP_PID=""
	grep -q '^0 packets dropped by kernel' "$WORK/tcpdump.log" || die "tcpdump dropped packets: $(cat "$WORK/tcpdump.log")"
	mv "$CAP_FILE" "$OUT/$CAP_NAME.pcap"
	chmod 644 "$OUT/$CAP_NAME.pcap"
	log "wrote captures/$CAP_NAME.pcap ($(stat -c %s "$OUT/$CAP_NAME.pcap") bytes, $(grep -o '^[0-9]* packets captured' "$WORK/tcpdump.log"))"
}

# expect VERDICT OFFERED CHOSEN ALERTS CONN_STATE NOTE : what one connection of the current capture
# must show, in the order the connections are opened. Client and server are read from the capture.
expect() {
	[[ $# -eq 6 ]] || die "expect needs 6 arguments, got $#: $*"
	local offered=$2 note=$6
	if [[ $offered == "TLS 1.2" ]]; then
		# Every client here that offers only TLS 1.2 (OpenSSL -tls1_2, gnutls-cli) sends no
		# supported_versions extension: on the wire that offers every version up to 1.2.
		offered="TLS 1.0,TLS 1.1,TLS 1.2"
		note+=" [offered: the ClientHello has legacy_version TLS 1.2 and no supported_versions, which by RFC 5246 offers every version up to 1.2; the client's own floor is not on the wire]"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$offered" "$3" "$4" "$5" "$note" >>"$WORK/expect.tsv"
}

# finish : stop everything, delete the namespaces, write the manifest rows and check them.
finish() {
	stop_all
	netns_down
	local order
	# ROW_ORDER (set by a script that sources this one) orders the rows of every capture script.
	order=$(IFS=,; echo "${ROW_ORDER[*]:-${ALL[*]}}")
	python3 "$HERE/tools/capcheck.py" update "$MANIFEST" "$OUT/$CAP_NAME.pcap" "$WORK/expect.tsv" "$order"
	if ! python3 "$HERE/tools/capcheck.py" check "$MANIFEST" "$CAP_NAME" >&2; then
		# KEEP_GOING=1 (for working on this script): report and go on to the next capture.
		[[ -n "${KEEP_GOING:-}" ]] || die "the capture does not show what MANIFEST.tsv says"
		log "warning: the capture does not show what MANIFEST.tsv says"
	fi
}

begin() { # begin NAME : start a capture function
	CAP_NAME=$1
	: >"$WORK/expect.tsv"
	log "making captures/$CAP_NAME.pcap"
}

# ---------------------------------------------------------------- clients and servers

# s_server ARGS... : OpenSSL s_server on $SRV:4343 with the CA-signed certificate (later -cert/-key
# ARGS override it), for one connection, in the web root (for -WWW). Only for `bg`: it execs.
s_server() {
	cd "$WORK/www"
	exec ip netns exec "$NS_S" openssl s_server -accept "$SRV:$PORT" -naccept 1 \
		-cert "$PKI/server.pem" -key "$PKI/server.key" "$@"
}

# https_get ARGS... : OpenSSL s_client in the agent namespace: GET the Apex One certificate file,
# verify the server (CA, IP address), wait for the server to close (-ign_eof).
https_get() {
	printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$OFC_PATH" "$SRV" "$PORT" |
		A timeout 20 openssl s_client -connect "$SRV:$PORT" -CAfile "$PKI/ca.pem" -verify_return_error \
			-verify_ip "$SRV" -ign_eof "$@"
}

# s_client_fail ARGS... : OpenSSL s_client that is expected to fail; its output goes to the log.
s_client_fail() {
	if A timeout 20 openssl s_client -connect "$SRV:$PORT" -CAfile "$PKI/ca.pem" -verify_return_error "$@" </dev/null \
		>>"$WORK/client.log" 2>&1; then
		die "openssl s_client $* succeeded, but should have failed"
	fi
}

gotls() { A timeout 20 "$WORK/bin/tlsclient" "$@"; }

# ---------------------------------------------------------------- the captures

cap_tls12-ok() {
	begin tls12-ok
	netns_up
	bg server s_server -tls1_2 -WWW
	wait_listen $PORT
	cap_start
	https_get -tls1_2 >"$WORK/client.log" 2>&1
	wait_exit "$LAST_PID" 5
	cap_stop
	expect ok "TLS 1.2" "TLS 1.2" - SF "OpenSSL s_client -tls1_2 to OpenSSL s_server -tls1_2 -WWW; GET of OfcNTCer.dat, 200; server sends its (encrypted) close_notify first, the client answers with close_notify and the first FIN"
	finish
}

cap_tls13-ok() {
	begin tls13-ok
	netns_up
	bg server s_server -tls1_3 -WWW
	wait_listen $PORT
	cap_start
	https_get -tls1_3 >"$WORK/client.log" 2>&1
	wait_exit "$LAST_PID" 5
	cap_stop
	expect ok "TLS 1.3" "TLS 1.3" - SF "OpenSSL s_client -tls1_3 to OpenSSL s_server -tls1_3; version chosen via supported_versions (ServerHello legacy_version 0x0303)"
	finish
}

cap_seed-both-tls12() {
	begin seed-both-tls12
	netns_up
	bg server s_server -tls1_2 -WWW
	wait_listen $PORT
	cap_start
	https_get -tls1_2 >"$WORK/client.log" 2>&1
	wait_exit "$LAST_PID" 5
	cap_stop
	expect ok "TLS 1.2" "TLS 1.2" - SF "server allows only TLS 1.2 (-tls1_2), agent offers only TLS 1.2 (-tls1_2): TLS 1.2"
	finish
}

cap_seed-tls11-common() {
	begin seed-tls11-common
	netns_up
	bg server s_server -no_tls1 -no_tls1_3 -cipher "$SECLEVEL0" -WWW
	wait_listen $PORT
	cap_start
	https_get -no_tls1_2 -no_tls1_3 -cipher "$SECLEVEL0" >"$WORK/client.log" 2>&1
	wait_exit "$LAST_PID" 5
	cap_stop
	expect ok "TLS 1.0,TLS 1.1" "TLS 1.1" - SF "server allows TLS 1.1+1.2 (-no_tls1 -no_tls1_3), agent 1.0+1.1 (-no_tls1_2 -no_tls1_3), both SECLEVEL=0: they settle on TLS 1.1, the highest common; ClientHello legacy_version 0x0302, no supported_versions"
	finish
}

cap_seed-tls10-vs-tls12() {
	begin seed-tls10-vs-tls12
	netns_up
	bg server s_server -tls1_2 -WWW
	wait_listen $PORT
	cap_start
	s_client_fail -tls1 -cipher "$SECLEVEL0"
	wait_exit "$LAST_PID" 5
	cap_stop
	expect tls-version-mismatch "TLS 1.0" - server:protocol_version SF "server allows only TLS 1.2, agent only TLS 1.0 (-tls1, SECLEVEL=0): OpenSSL server answers the ClientHello with a fatal protocol_version alert and closes"
	finish
}

# The Windows-like server of the fleet captures: testdata/tools/resetserver.
reset_server() { # reset_server MODE COUNT
	bg server S "$WORK/bin/resetserver" -listen "$SRV:$PORT" -cert "$PKI/server.pem" -key "$PKI/server.key" -mode "$1" -count "$2"
	wait_listen $PORT
}

fleet() { # fleet MODE : 3 agents that get TLS 1.2, 2 agents that offer only TLS 1.0
	local mode=$1 ossl_alerts ossl_state go_state lowwhat ossl_what
	if [[ $mode == rst ]]; then
		ossl_alerts=- ossl_state=RSTR go_state=RSTR
		lowwhat="server aborts with a bare TCP RST right after the ClientHello, no alert"
		ossl_what=""
	else
		ossl_alerts=client:decode_error ossl_state=RSTR go_state=SF
		lowwhat="server closes with a FIN right after the ClientHello, no alert, no TLS bytes"
		ossl_what="; OpenSSL then sends a plaintext decode_error alert (its answer to EOF in the handshake), which the closed server socket answers with a RST"
	fi
	netns_up 10.77.1.3 10.77.1.4 10.77.1.5 10.77.1.6
	reset_server "$mode" 5
	cap_start
	# 10.77.1.1: gnutls-cli, TLS 1.2 only. stdin stays open for a second so the response arrives
	# before gnutls-cli sees EOF on stdin.
	{ printf 'GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$OFC_PATH" "$SRV" "$PORT"; sleep 1; } |
		A timeout 20 gnutls-cli --x509cafile "$PKI/ca.pem" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' \
			-p "$PORT" "$SRV" >>"$WORK/client.log" 2>&1
	expect ok "TLS 1.2" "TLS 1.2" - SF "agent 10.77.1.1: gnutls-cli, TLS 1.2 only; the Go crypto/tls server (allows only TLS 1.2) answers one GET"
	sleep 0.3
	# 10.77.1.3: OpenSSL, TLS 1.2 only.
	https_get -tls1_2 -bind 10.77.1.3 >>"$WORK/client.log" 2>&1
	expect ok "TLS 1.2" "TLS 1.2" - SF "agent 10.77.1.3: OpenSSL s_client -tls1_2"
	sleep 0.3
	# 10.77.1.4: Go crypto/tls with its defaults (offers 1.2 and 1.3; the server picks 1.2).
	gotls -connect "$SRV:$PORT" -local 10.77.1.4 -cafile "$PKI/ca.pem" -get "$OFC_PATH" >>"$WORK/client.log" 2>&1
	expect ok "TLS 1.2,TLS 1.3" "TLS 1.2" - SF "agent 10.77.1.4: Go crypto/tls client, default config (offers 1.3 and 1.2, 2-segment ClientHello); server picks TLS 1.2"
	sleep 0.3
	# 10.77.1.5: OpenSSL, TLS 1.0 only.
	s_client_fail -tls1 -cipher "$SECLEVEL0" -bind 10.77.1.5
	expect tls-version-mismatch "TLS 1.0" - "$ossl_alerts" "$ossl_state" "agent 10.77.1.5: OpenSSL s_client -tls1 (SECLEVEL=0): $lowwhat$ossl_what; the other agents prove the server accepts TLS 1.2"
	sleep 0.3
	# 10.77.1.6: Go crypto/tls, TLS 1.0 only.
	if gotls -connect "$SRV:$PORT" -local 10.77.1.6 -min 1.0 -max 1.0 -cafile "$PKI/ca.pem" >>"$WORK/client.log" 2>&1; then
		die "the TLS 1.0 Go client succeeded"
	fi
	expect tls-version-mismatch "TLS 1.0" - - "$go_state" "agent 10.77.1.6: Go crypto/tls client, MinVersion=MaxVersion=TLS 1.0: $lowwhat; the other agents prove the server accepts TLS 1.2"
	wait_exit "$LAST_PID" 5
	cap_stop
}

cap_seed-reset-fleet() {
	begin seed-reset-fleet
	fleet rst
	finish
}

cap_seed-close-fleet() {
	begin seed-close-fleet
	fleet fin
	finish
}

cap_seed-reset-lone() {
	begin seed-reset-lone
	netns_up
	reset_server rst 1
	cap_start
	s_client_fail -tls1 -cipher "$SECLEVEL0"
	wait_exit "$LAST_PID" 5
	cap_stop
	expect server-reset-after-client-hello "TLS 1.0" - - RSTR "the reset server (Windows-like, TLS 1.2 only) and ONE agent offering only TLS 1.0: bare RST after the ClientHello; nothing in the capture shows what the server accepts, so the version cause is only a likely hint"
	finish
}

cap_seed-close-lone() {
	begin seed-close-lone
	netns_up
	reset_server fin 1
	cap_start
	s_client_fail -tls1 -cipher "$SECLEVEL0"
	wait_exit "$LAST_PID" 5
	cap_stop
	expect server-closed-after-client-hello "TLS 1.0" - client:decode_error RSTR "the reset server in FIN mode and ONE OpenSSL agent offering only TLS 1.0: server FIN right after the ClientHello, no alert; the client's decode_error alert (EOF in the handshake) meets the closed socket: server RST; nothing shows what the server accepts"
	finish
}

cap_no-shared-cipher() {
	begin no-shared-cipher
	netns_up
	bg server s_server -tls1_2 -cipher 'ECDHE-RSA-AES256-GCM-SHA384:AES256-GCM-SHA384' -WWW
	wait_listen $PORT
	cap_start
	s_client_fail -tls1_2 -cipher AES128-SHA
	wait_exit "$LAST_PID" 5
	cap_stop
	expect tls-handshake-failure "TLS 1.2" - server:handshake_failure SF "server only ECDHE-RSA-AES256-GCM-SHA384/AES256-GCM-SHA384, agent only AES128-SHA (TLS 1.2): OpenSSL server sends handshake_failure (no shared cipher)"
	finish
}

# Version or cipher told apart: the server 10.77.1.2 allows TLS 1.0-1.2 but only a GCM suite, so
# a TLS 1.0 agent (which cannot use GCM) fails on the cipher; the server 10.77.1.12 allows only
# TLS 1.2 with every suite, so a TLS 1.0 agent fails on the version. A TLS 1.2 agent gets through to each
# first, showing what each server chooses.
cap_version-or-cipher() {
	begin version-or-cipher
	netns_up
	bg server s_server -cipher 'ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0' -WWW -naccept 2
	wait_listen $PORT
	S ip addr add 10.77.1.12/24 dev "$VETH_S"
	SRV=10.77.1.12 bg server2 s_server -tls1_2 -WWW -naccept 2
	sleep 0.5 # wait_listen sees the first server's port already
	cap_start
	https_get -tls1_2 >>"$WORK/client.log" 2>&1
	expect ok "TLS 1.2" "TLS 1.2" - SF "server 10.77.1.2 allows TLS 1.0-1.2 (SECLEVEL=0) but only ECDHE-RSA-AES128-GCM-SHA256; OpenSSL s_client -tls1_2 gets it"
	sleep 0.3
	s_client_fail -tls1 -cipher "$SECLEVEL0"
	expect tls-version-mismatch "TLS 1.0" - server:handshake_failure SF "the same server and OpenSSL s_client -tls1 (SECLEVEL=0, CBC suites only, as TLS 1.0 has no GCM): the server allows TLS 1.0 but shares no suite: handshake_failure (no shared cipher) before any ServerHello; the packets cannot tell it from a version the server refuses"
	sleep 0.3
	# The certificate names 10.77.1.2 only: this GET checks the chain, not the address.
	printf 'GET %s HTTP/1.0\r\n\r\n' "$OFC_PATH" | A timeout 20 openssl s_client -connect 10.77.1.12:$PORT \
		-CAfile "$PKI/ca.pem" -verify_return_error -ign_eof -tls1_2 >>"$WORK/client.log" 2>&1
	expect ok "TLS 1.2" "TLS 1.2" - SF "server 10.77.1.12 allows only TLS 1.2, every default suite; OpenSSL s_client -tls1_2"
	sleep 0.3
	SRV=10.77.1.12 s_client_fail -tls1 -cipher "$SECLEVEL0"
	expect tls-version-mismatch "TLS 1.0" - server:protocol_version SF "the same server and OpenSSL s_client -tls1 (SECLEVEL=0): protocol_version alert, the version named"
	wait_exit "$LAST_PID" 5
	cap_stop
	finish
}

# The reset server (Go, TLS 1.2 only) with agents whose suites overlap what it chose: a TLS 1.2
# agent offering only ECDHE-RSA-AES128-SHA (a CBC suite) gets it; a TLS 1.0 agent offering the
# same suite is reset. The cipher is ruled out: only the version is left.
cap_seed-reset-fleet-cbc() {
	begin seed-reset-fleet-cbc
	netns_up 10.77.1.5
	reset_server rst 2
	cap_start
	https_get -tls1_2 -cipher ECDHE-RSA-AES128-SHA >>"$WORK/client.log" 2>&1
	expect ok "TLS 1.2" "TLS 1.2" - SF "agent 10.77.1.1: OpenSSL s_client -tls1_2 -cipher ECDHE-RSA-AES128-SHA; the Go server (TLS 1.2 only) chooses that CBC suite"
	sleep 0.3
	s_client_fail -tls1 -cipher "ECDHE-RSA-AES128-SHA:@SECLEVEL=0" -bind 10.77.1.5
	expect tls-version-mismatch "TLS 1.0" - - RSTR "agent 10.77.1.5: OpenSSL s_client -tls1 -cipher ECDHE-RSA-AES128-SHA (SECLEVEL=0): bare RST after the ClientHello; the server chose the suite this agent offers for the other agent, so only the version is left"
	wait_exit "$LAST_PID" 5
	cap_stop
	finish
}

cap_untrusted-cert() {
	begin untrusted-cert
	netns_up
	bg server s_server -tls1_2 -WWW -cert "$PKI/selfsigned.pem" -key "$PKI/selfsigned.key"
	wait_listen $PORT
	cap_start
	s_client_fail -tls1_2
	wait_exit "$LAST_PID" 5
	cap_stop
	expect tls-certificate-rejected "TLS 1.2" "TLS 1.2" client:unknown_ca SF "server has a self-signed certificate; OpenSSL s_client -verify_return_error -CAfile ca.pem (another CA): client sends unknown_ca right after the server flight, then FIN; server FIN"
	finish
}

cap_untrusted-cert-tls13() {
	begin untrusted-cert-tls13
	netns_up
	bg server s_server -tls1_3 -WWW -cert "$PKI/selfsigned.pem" -key "$PKI/selfsigned.key"
	wait_listen $PORT
	cap_start
	s_client_fail -tls1_3
	wait_exit "$LAST_PID" 5
	cap_stop
	expect tls-certificate-rejected "TLS 1.3" "TLS 1.3" client:unknown_ca SF "TLS 1.3: self-signed server certificate; the OpenSSL client's unknown_ca goes out as a plaintext record (record version 0x0303; it has not switched to its handshake keys), then FIN; server FIN"
	finish
}

cap_untrusted-cert-go() {
	begin untrusted-cert-go
	netns_up
	bg server s_server -tls1_2 -WWW -cert "$PKI/selfsigned.pem" -key "$PKI/selfsigned.key"
	wait_listen $PORT
	cap_start
	if gotls -connect "$SRV:$PORT" -cafile "$PKI/ca.pem" >>"$WORK/client.log" 2>&1; then
		die "the Go client accepted the self-signed certificate"
	fi
	wait_exit "$LAST_PID" 5
	cap_stop
	expect tls-certificate-rejected "TLS 1.2,TLS 1.3" "TLS 1.2" client:bad_certificate SF "Go crypto/tls client (default config) rejects the self-signed certificate with bad_certificate (Go sends 42 where OpenSSL sends unknown_ca); server allows only TLS 1.2 so the alert is plaintext"
	finish
}

cap_expired-cert() {
	begin expired-cert
	netns_up
	bg server s_server -tls1_2 -WWW -cert "$PKI/expired.pem" -key "$PKI/expired.key"
	wait_listen $PORT
	cap_start
	s_client_fail -tls1_2
	wait_exit "$LAST_PID" 5
	cap_stop
	expect tls-certificate-rejected "TLS 1.2" "TLS 1.2" client:certificate_expired SF "server certificate signed by the trusted CA but expired 2021-01-01; OpenSSL s_client -tls1_2 -verify_return_error sends certificate_expired; server FIN, client FIN"
	finish
}

cap_closed-port() {
	begin closed-port
	netns_up
	cap_start
	s_client_fail -tls1_2
	expect refused - - - REJ "nothing listens on 10.77.1.2:4343: SYN answered by RST-ACK (attempt 1; OpenSSL s_client -tls1_2)"
	sleep 1
	s_client_fail -tls1_2
	expect refused - - - REJ "second attempt, new source port: SYN answered by RST-ACK again"
	cap_stop
	finish
}

cap_dropped-syns() {
	begin dropped-syns
	netns_up
	S iptables -A INPUT -p tcp --dport "$PORT" -j DROP
	A sysctl -qw net.ipv4.tcp_syn_retries=2
	cap_start
	local t0=$SECONDS
	s_client_fail -tls1_2
	log "client gave up after $((SECONDS - t0)) s"
	expect syn-timeout - - - S0 "iptables DROP on the server's INPUT for tcp dport 4343; agent tcp_syn_retries=2 with the default tcp_syn_linear_timeouts=4: Linux 6.18 sends SYNs at 0, 1, 2, 3, 4, 5 s (linear RTO) and connect() fails at ~7 s (the give-up time is worked out as if the 2 retries doubled: 1+2+4 s)"
	cap_stop
	finish
}

cap_dropped-syns-classic() {
	begin dropped-syns-classic
	netns_up
	S iptables -A INPUT -p tcp --dport "$PORT" -j DROP
	A sysctl -qw net.ipv4.tcp_syn_retries=2 net.ipv4.tcp_syn_linear_timeouts=0
	cap_start
	local t0=$SECONDS
	s_client_fail -tls1_2
	log "client gave up after $((SECONDS - t0)) s"
	expect syn-timeout - - - S0 "as dropped-syns with tcp_syn_linear_timeouts=0: the classic doubling schedule, SYNs at 0, 1, 3 s, connect() fails at ~7 s"
	cap_stop
	finish
}

cap_split-client-hello() {
	begin split-client-hello
	netns_up
	bg server s_server -tls1_3 -WWW
	wait_listen $PORT
	cap_start
	gotls -connect "$SRV:$PORT" -cafile "$PKI/ca.pem" -get "$OFC_PATH" >"$WORK/client.log" 2>&1
	wait_exit "$LAST_PID" 5
	cap_stop
	expect ok "TLS 1.2,TLS 1.3" "TLS 1.3" - SF "Go crypto/tls default client (X25519MLKEM768 + X25519 key shares, ~1.5 kB ClientHello) to OpenSSL s_server -tls1_3: the ClientHello spans 2 TCP segments (MSS 1448)"
	finish
	local n
	n=$(split_count "$OUT/split-client-hello.pcap")
	[[ $n == 2 ]] || die "ClientHello spans $n segments, expected 2"
}

cap_split-client-hello-mss() {
	begin split-client-hello-mss
	netns_up
	# A path with MTU 576: the agent advertises MSS 536 and sends at most 536 bytes (less options).
	A ip route replace "$SRV/32" dev "$VETH_A" mtu lock 576
	bg server s_server -tls1_2 -WWW
	wait_listen $PORT
	cap_start
	gotls -connect "$SRV:$PORT" -cafile "$PKI/ca.pem" -get "$OFC_PATH" >"$WORK/client.log" 2>&1
	wait_exit "$LAST_PID" 5
	cap_stop
	expect ok "TLS 1.2,TLS 1.3" "TLS 1.2" - SF "route MTU 576 on the agent (MSS 536 both ways): the Go default client's ~1.5 kB ClientHello spans 3 TCP segments; OpenSSL server allows only TLS 1.2 and picks it"
	finish
	local n
	n=$(split_count "$OUT/split-client-hello-mss.pcap")
	[[ $n == 3 ]] || die "ClientHello spans $n segments, expected 3"
}

split_count() { # split_count PCAP : how many TCP segments the (first) ClientHello was reassembled from
	tshark -n -r "$1" -d tcp.port==4343,tls 2>/dev/null -Y 'tls.handshake.type == 1' -T fields -e tcp.segment.count | head -1
}

plain_http_client() { # plain_http_client PORT : send the Apex One GET in clear, print what comes back
	A timeout 20 python3 - "$SRV" "$1" "$OFC_PATH" <<'PY'
import socket, sys
host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.create_connection((host, port), timeout=10)
s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
data = b""
while True:
    try:
        d = s.recv(4096)
    except ConnectionResetError:
        print("connection reset by the server"); break
    if not d:
        break
    data += d
print(f"{len(data)} bytes back: {data[:64]!r}")
s.close()
PY
}

cap_plain-http-to-tls() {
	begin plain-http-to-tls
	netns_up
	bg server s_server -WWW
	wait_listen $PORT
	cap_start
	plain_http_client $PORT >"$WORK/client.log" 2>&1
	wait_exit "$LAST_PID" 5
	cap_stop
	expect not-tls - - - SF "plain HTTP GET (Python socket) sent to OpenSSL s_server on 4343: the server closes with a FIN without sending a byte"
	finish
}

cap_plain-http-to-gnutls() {
	begin plain-http-to-gnutls
	netns_up
	bg server S gnutls-serv --port "$PORT" --x509certfile "$PKI/server.pem" --x509keyfile "$PKI/server.key"
	local srv=$LAST_PID
	wait_listen $PORT
	cap_start
	plain_http_client $PORT >"$WORK/client.log" 2>&1
	cap_stop
	stop_pid "$srv"
	expect not-tls - - server:unexpected_message RSTR "plain HTTP GET to gnutls-serv on 4343: the server answers with the raw 7-byte alert 15 03 03 00 02 02 0a (unexpected_message) and closes"
	finish
}

cap_plain-tcp-ok() {
	begin plain-tcp-ok
	netns_up
	bg server S python3 -m http.server 8080 --bind "$SRV" --directory "$WORK/www"
	local srv=$LAST_PID
	wait_listen 8080
	cap_start
	plain_http_client 8080 >"$WORK/client.log" 2>&1
	cap_stop
	stop_pid "$srv"
	expect ok - - - SF "plain HTTP on 8080 (the agents' non-TLS port): Python http.server answers 200 with OfcNTCer.dat and closes"
	finish
}

cap_ipv6-tls12-ok() {
	begin ipv6-tls12-ok
	netns_up --ipv6
	bg server bash -c "cd '$WORK/www' && exec ip netns exec $NS_S openssl s_server -accept '[$SRV6]:$PORT' -naccept 1 -cert '$PKI/server.pem' -key '$PKI/server.key' -tls1_2 -WWW"
	wait_listen $PORT
	cap_start
	printf 'GET %s HTTP/1.0\r\nHost: [%s]:%s\r\n\r\n' "$OFC_PATH" "$SRV6" "$PORT" |
		A timeout 20 openssl s_client -connect "[$SRV6]:$PORT" -CAfile "$PKI/ca.pem" -verify_return_error \
			-verify_ip "$SRV6" -ign_eof -tls1_2 >"$WORK/client.log" 2>&1
	wait_exit "$LAST_PID" 5
	cap_stop
	expect ok "TLS 1.2" "TLS 1.2" - SF "as tls12-ok over IPv6, fd00:77:1::1 -> fd00:77:1::2 (neighbour solicitation/advertisement before the SYN)"
	finish
}

cap_sll2-tls12-ok() {
	begin sll2-tls12-ok
	netns_up
	bg server s_server -tls1_2 -WWW
	wait_listen $PORT
	cap_start -i any -y LINUX_SLL2
	https_get -tls1_2 >"$WORK/client.log" 2>&1
	wait_exit "$LAST_PID" 5
	cap_stop
	expect ok "TLS 1.2" "TLS 1.2" - SF "as tls12-ok, captured with tcpdump -i any -y LINUX_SLL2 in the agent namespace (link type 276)"
	finish
}

cap_mid-connection() {
	begin mid-connection
	netns_up
	bg server s_server -tls1_2 -rev
	wait_listen $PORT
	# The agent sends a line every 0.3 s for 6 s; s_server -rev sends each line back reversed.
	bg client bash -c "for i in \$(seq 1 20); do echo heartbeat-\$i; sleep 0.3; done |
		ip netns exec $NS_A openssl s_client -connect $SRV:$PORT -CAfile '$PKI/ca.pem' -verify_return_error -tls1_2"
	local client=$LAST_PID
	sleep 1.5 # the handshake is long over
	cap_start
	sleep 2
	cap_stop 0
	wait_exit "$client" 10
	expect incomplete - - - OTH "client configured -tls1_2; capture starts ~1.5 s after the handshake of a TLS 1.2 connection and stops ~2 s later, before its end: no SYN, no handshake, no FIN/RST; only application_data both ways"
	finish
}

cap_offload-tls12-ok() {
	begin offload-tls12-ok
	netns_up --offload
	bg server s_server -tls1_2 -WWW
	wait_listen $PORT
	cap_start
	https_get -tls1_2 >"$WORK/client.log" 2>&1
	wait_exit "$LAST_PID" 5
	cap_stop
	expect ok "TLS 1.2" "TLS 1.2" - SF "as tls12-ok with the veth's checksum offload left on (the default): every TCP checksum in the capture is wrong (as on a sending host); a correct analyzer must not drop the packets"
	finish
}

# ---------------------------------------------------------------- main

main() {
	if [[ "${1:-}" == --list ]]; then
		printf '%s\n' "${ALL[@]}"
		return
	fi
	local names=("$@") n
	[[ ${#names[@]} -eq 0 ]] && names=("${ALL[@]}")
	for n in "${names[@]}"; do
		declare -F "cap_$n" >/dev/null || die "unknown capture $n (see --list)"
	done
	[[ $EUID -eq 0 ]] || die "run as root (network namespaces, tcpdump)"
	for t in tcpdump tshark openssl gnutls-cli gnutls-serv iptables ethtool python3 go ip ss; do
		command -v "$t" >/dev/null || die "$t is not installed"
	done
	[[ -f "$PKI/server.pem" ]] || die "no $PKI/server.pem: run testdata/pki/make-pki.sh once"

	WORK=$(mktemp -d /tmp/connscope-captures.XXXXXX)
	trap cleanup EXIT INT TERM
	mkdir -p "$OUT" "$WORK/bin" "$WORK/www${OFC_PATH%/*}"
	# What the Apex One agents fetch from the server: a small stand-in for the certificate file.
	printf 'connscope test stand-in for OfcNTCer.dat\n' >"$WORK/www$OFC_PATH"
	(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$WORK/bin/" ./testdata/tools/resetserver ./testdata/tools/tlsclient)
	for n in "${names[@]}"; do
		"cap_$n"
		CAP_NAME=""
	done
	python3 "$HERE/tools/capcheck.py" check "$MANIFEST" >&2
}

# Run main only when executed: make-captures-names-http.sh, make-tls-captures.sh and
# make-path-captures.sh source this file for its helpers.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	main "$@"
fi
