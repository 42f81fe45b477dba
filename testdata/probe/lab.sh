#!/usr/bin/env bash
# A small lab for trying `connscope probe` by hand (and the README's example): an agent namespace
# (10.66.0.1) and a server namespace (10.66.0.2) joined by a veth pair; in the server namespace an
# OpenSSL server that allows only TLS 1.2 on port 4343 (serving the Apex One check URL from a
# directory, -WWW), and dnsmasq that knows apexone.connscope.test. Only addresses inside the two
# namespaces are used. Needs root, iproute2, openssl and dnsmasq.
#
#   sudo testdata/probe/lab.sh up
#   sudo ip netns exec prbdemo-c connscope probe apexone.connscope.test --profile apexone --client-versions 1.0
#   sudo testdata/probe/lab.sh down
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pki="$here/../pki"
c=prbdemo-c s=prbdemo-s
run=/run/connscope-prbdemo

down() {
  if [ -d "$run" ]; then
    for p in "$run"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done
    rm -rf "$run"
  fi
  ip netns del "$c" 2>/dev/null || true
  ip netns del "$s" 2>/dev/null || true
  rm -rf "/etc/netns/$c"
}

up() {
  down
  mkdir -p "$run/www/officescan/hotfix_pccnt/Common" "/etc/netns/$c"
  head -c 1187 /dev/zero | tr '\0' 'x' > "$run/www/officescan/hotfix_pccnt/Common/OfcNTCer.dat"
  printf 'nameserver 10.66.0.2\noptions timeout:1 attempts:1\n' > "/etc/netns/$c/resolv.conf"
  ip netns add "$c"
  ip netns add "$s"
  ip link add prbdemo-cv type veth peer name prbdemo-sv
  ip link set prbdemo-cv netns "$c"
  ip link set prbdemo-sv netns "$s"
  ip -n "$c" addr add 10.66.0.1/24 dev prbdemo-cv
  ip -n "$s" addr add 10.66.0.2/24 dev prbdemo-sv
  for ns in "$c" "$s"; do ip -n "$ns" link set lo up; done
  ip -n "$c" link set prbdemo-cv up
  ip -n "$s" link set prbdemo-sv up
  (cd "$run/www" && ip netns exec "$s" openssl s_server -quiet -accept 4343 -tls1_2 -WWW \
    -cert "$pki/server.pem" -key "$pki/server.key" </dev/null >/dev/null 2>&1 & echo $! > "$run/openssl.pid")
  ip netns exec "$s" dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
    --listen-address=10.66.0.2 --pid-file= --local=/connscope.test/ \
    --host-record=apexone.connscope.test,10.66.0.2 </dev/null >/dev/null 2>&1 & echo $! > "$run/dnsmasq.pid"
  sleep 0.5
  echo "lab up: run probes with 'ip netns exec $c connscope probe ...'; '$0 down' removes it"
}

case "${1:-}" in
up) up ;;
down) down ;;
*) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
