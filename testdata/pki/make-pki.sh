#!/usr/bin/env bash
# make-pki.sh — makes the test keys and certificates that testdata/make-captures.sh uses.
#
# Run it once; its output is committed so that every capture is made with the same keys.
# It refuses to overwrite existing files unless given --force (new keys would change every
# certificate byte in every capture).
#
# Files (all RSA 2048, SHA-256 signatures, test use only — these private keys are public):
#   ca.pem / ca.key                 "connscope Test CA", valid 100 years: the CA the agents trust
#   server.pem / server.key         server cert signed by the CA, SAN IP:10.77.1.2, IP:fd00:77:1::2,
#                                   DNS:apexone.connscope.test, valid 100 years
#   selfsigned.pem / selfsigned.key self-signed server cert (same SANs), which no agent trusts
#   expired.pem / expired.key       server cert signed by the CA, valid 2020-01-01 .. 2021-01-01 only
#
# Made with OpenSSL 3.0 (`openssl ca` for the fixed start/end dates of expired.pem).
set -euo pipefail
cd "$(dirname "$0")"

if [[ "${1:-}" != --force ]] && [[ -e ca.pem || -e server.pem || -e selfsigned.pem || -e expired.pem ]]; then
	echo "make-pki.sh: certificates already exist; pass --force to make new ones (changes every capture)" >&2
	exit 1
fi

DAYS=36500
SAN="subjectAltName=IP:10.77.1.2,IP:fd00:77:1::2,DNS:apexone.connscope.test"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

newkey() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

# CA
newkey ca.key
openssl req -x509 -new -key ca.key -sha256 -days "$DAYS" -set_serial 0x0c5c0001 \
	-subj "/O=connscope test/CN=connscope Test CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" \
	-out ca.pem

# Server certificate signed by the CA
newkey server.key
openssl req -new -key server.key -subj "/O=connscope test/CN=apexone.connscope.test" -out "$tmp/server.csr"
printf '%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' "$SAN" >"$tmp/server.ext"
openssl x509 -req -in "$tmp/server.csr" -CA ca.pem -CAkey ca.key -set_serial 0x0c5c0002 \
	-sha256 -days "$DAYS" -extfile "$tmp/server.ext" -out server.pem

# Self-signed server certificate (no agent trusts it)
newkey selfsigned.key
openssl req -x509 -new -key selfsigned.key -sha256 -days "$DAYS" -set_serial 0x0c5c0003 \
	-subj "/O=connscope test/CN=apexone.connscope.test" \
	-addext "$SAN" -addext "basicConstraints=critical,CA:FALSE" \
	-addext "keyUsage=critical,digitalSignature,keyEncipherment" \
	-addext "extendedKeyUsage=serverAuth" \
	-out selfsigned.pem

# Expired server certificate signed by the CA: `openssl ca` is the OpenSSL 3.0 tool that takes
# explicit start and end dates.
newkey expired.key
openssl req -new -key expired.key -subj "/O=connscope test/CN=apexone.connscope.test" -out "$tmp/expired.csr"
mkdir -p "$tmp/ca/new"
: >"$tmp/ca/index.txt"
echo 0C5C0004 >"$tmp/ca/serial"
cat >"$tmp/ca.cnf" <<CNF
[ ca ]
default_ca = testca
[ testca ]
dir = $tmp/ca
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir/new
certificate = $PWD/ca.pem
private_key = $PWD/ca.key
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
x509_extensions = server_ext
[ anything ]
organizationName = optional
commonName = supplied
[ server_ext ]
$SAN
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
CNF
openssl ca -batch -notext -config "$tmp/ca.cnf" -in "$tmp/expired.csr" \
	-startdate 20200101000000Z -enddate 20210101000000Z -out expired.pem 2>/dev/null

for c in ca server selfsigned expired; do
	printf '%-11s ' "$c.pem"
	openssl x509 -in "$c.pem" -noout -subject -issuer -enddate | tr '\n' ' '
	echo
done
