# Shared by encap/make-captures.sh and rotated/make-captures.sh (source it, as root): two network
# namespaces joined by a veth pair, the TLS servers they capture, and a TLS upload client.
# Namespace and interface names start with "cap", so that they never collide with other tests'.

tmp=$(mktemp -d)
pids=()
namespaces=()

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# veth_pair NS_A NS_B IF_A IF_B ADDR_A ADDR_B ADDR6_A ADDR6_B: the namespaces, joined by a veth
# pair, with the addresses given (a /24 and a /64 each), without router solicitations.
veth_pair() {
	local a=$1 b=$2
	ip netns add "$a"
	ip netns add "$b"
	namespaces+=("$a" "$b")
	for ns in "$a" "$b"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.router_solicitations=0
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.router_solicitations=0
		ip -n "$ns" link set lo up
	done
	ip link add "$3" netns "$a" type veth peer name "$4" netns "$b"
	ip -n "$a" addr add "$5/24" dev "$3"
	ip -n "$b" addr add "$6/24" dev "$4"
	ip -n "$a" addr add "$7/64" dev "$3" nodad
	ip -n "$b" addr add "$8/64" dev "$4" nodad
	ip -n "$a" link set "$3" up
	ip -n "$b" link set "$4" up
}

# tls_servers NS: OpenSSL 3 s_server on port 4343 (TLS 1.2 and 1.3) and 4344 (TLS 1.2 only), with a
# fresh self-signed certificate, running until cleanup.
tls_servers() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
		-subj /CN=connscope-test -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
	ip netns exec "$1" openssl s_server -quiet -accept 4343 -cert "$tmp/cert.pem" -key "$tmp/key.pem" \
		>/dev/null 2>&1 </dev/null &
	pids+=($!)
	ip netns exec "$1" openssl s_server -quiet -tls1_2 -accept 4344 -cert "$tmp/cert.pem" -key "$tmp/key.pem" \
		>/dev/null 2>&1 </dev/null &
	pids+=($!)
	for _ in $(seq 50); do
		[ "$(ip netns exec "$1" ss -Hltn 'sport = :4343 or sport = :4344' | wc -l)" -ge 2 ] && break
		sleep 0.1
	done
}

# upload_client HOST BYTES: writes $tmp/upload.py, a Python ssl client that sends BYTES random
# bytes to HOST:4343 and closes cleanly (a socket closed with unread data, the server's session
# tickets, would be reset and the data still in flight lost).
upload_client() {
	cat >"$tmp/upload.py" <<PY
import os, socket, ssl
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with socket.create_connection(("$1", 4343)) as s:
    with ctx.wrap_socket(s) as t:
        t.sendall(os.urandom($2))
        t.settimeout(5)
        t.unwrap()
PY
}

# touch_closed NS HOST: a bare connect to the closed port 4400 (answered by a RST), which also
# resolves the neighbour.
touch_closed() {
	ip netns exec "$1" timeout 3 bash -c "exec 3<>/dev/tcp/$2/4400" 2>/dev/null || true
}
