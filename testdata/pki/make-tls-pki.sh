#!/usr/bin/env bash
# make-tls-pki.sh — the extra certificates that testdata/make-tls-captures.sh uses (issue 3:
# certificate findings). Run once; the output is committed. Refuses to overwrite without --force.
#
#   tls-server.pem / .key   signed by the connscope Test CA (ca.pem), SAN IP:10.33.1.2,
#                           DNS:apexone.connscope.test, RSA 2048, SHA-256, valid 100 years
#   weak.pem / weak.key     self-signed, RSA 1024, SHA-1 signature, CN=legacy.connscope.test,
#                           SAN DNS:legacy.connscope.test only (no IP), valid 100 years
#   notyet.pem / .key       signed by the CA, RSA 2048, valid from 2090-01-01 to 2100-01-01
set -euo pipefail
cd "$(dirname "$0")"
if [[ "${1:-}" != --force ]] && [[ -e tls-server.pem || -e weak.pem || -e notyet.pem ]]; then
	echo "make-tls-pki.sh: certificates already exist; pass --force to make new ones" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
newkey() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"$2" -out "$1" 2>/dev/null; }

newkey tls-server.key 2048
openssl req -new -key tls-server.key -subj "/O=connscope test/CN=apexone.connscope.test" -out "$tmp/s.csr"
printf 'subjectAltName=IP:10.33.1.2,DNS:apexone.connscope.test\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >"$tmp/s.ext"
openssl x509 -req -in "$tmp/s.csr" -CA ca.pem -CAkey ca.key -set_serial 0x0c5c0031 -sha256 -days 36500 \
	-extfile "$tmp/s.ext" -out tls-server.pem

newkey weak.key 1024
openssl req -x509 -new -key weak.key -sha1 -days 36500 -set_serial 0x0c5c0032 \
	-subj "/O=connscope test/CN=legacy.connscope.test" -addext "subjectAltName=DNS:legacy.connscope.test" \
	-addext "basicConstraints=critical,CA:FALSE" -out weak.pem

newkey notyet.key 2048
openssl req -new -key notyet.key -subj "/O=connscope test/CN=apexone.connscope.test" -out "$tmp/n.csr"
mkdir -p "$tmp/ca/new"
: >"$tmp/ca/index.txt"
echo 0c5c0033 >"$tmp/ca/serial"
cat >"$tmp/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
dir = $tmp/ca
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
x509_extensions = ext
[any]
organizationName = optional
commonName = supplied
[ext]
subjectAltName = IP:10.33.1.2,DNS:apexone.connscope.test
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
CNF
openssl ca -batch -config "$tmp/ca.cnf" -cert ca.pem -keyfile ca.key -in "$tmp/n.csr" \
	-startdate 20900101000000Z -enddate 21000101000000Z -notext -out notyet.pem 2>/dev/null
echo "made tls-server.pem weak.pem notyet.pem"
