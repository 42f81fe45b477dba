// Package preamble finds where TLS begins in a direction's stream after another protocol's
// exchange (STARTTLS, a database's SSLRequest, RDP's negotiation, a proxy's CONNECT): the
// tracker's search for a plausible hello record in the stream's first bytes.
package preamble

import (
	"bytes"

	"github.com/connscope/connscope/tls"
)

// MaxLen is how far into a direction's stream TLS may begin after another protocol's
// exchange: STARTTLS in SMTP, IMAP, POP3, FTP and LDAP; the SSLRequest of MySQL/MariaDB and
// PostgreSQL; RDP's X.224 negotiation; a SOCKS4/5 or HTTP CONNECT. Their exchanges before TLS
// take a few hundred bytes; the bytes past this bound are not searched.
const MaxLen = 8192

// helloHeaderLen is how many bytes plausibleHello reads: the record header (5), the handshake
// header (4) and the hello's version (2).
const helloHeaderLen = 11

// plausibleHello reports whether p begins with what a ClientHello (from the client) or a
// ServerHello (fromServer) looks like at the start of a TLS stream: a handshake record of TLS
// 1.0-1.3's version and a sane length, holding that hello with a sane length and version. p must
// hold helloHeaderLen bytes.
func plausibleHello(p []byte, fromServer bool) bool {
	want := byte(tls.HandshakeClientHello)
	if fromServer {
		want = byte(tls.HandshakeServerHello)
	}
	if p[0] != 0x16 || p[1] != 3 || p[2] > 4 || p[5] != want || p[6] != 0 {
		return false
	}
	recLen := int(p[3])<<8 | int(p[4])
	msgLen := int(p[7])<<8 | int(p[8])
	// A hello holds at least a version and a 32-byte random; a record at most 2^14 bytes (RFC
	// 8446, Section 5.1); the hello's version is 0x03NN, or 0x7fNN for a TLS 1.3 draft server.
	if recLen < 4+34 || recLen > 1<<14 || msgLen < 34 {
		return false
	}
	return p[9] == 3 && p[10] <= 4 || fromServer && p[9] == 0x7f
}

// Scan looks for the start of TLS after another protocol's bytes in one direction: a
// plausible hello record anywhere in the first MaxLen bytes, also across segment
// boundaries (the last helloHeaderLen-1 bytes of each segment are carried to the next).
type Scan struct {
	carry  [helloHeaderLen - 1]byte
	nCarry uint8
}

// Find returns where TLS begins in b (a direction's bytes, fromServer or from the client), whose first byte is at stream offset off: an index in b,
// or a negative one -k when it begins k bytes before b, in the carried bytes (then the carry
// holds them: Carried). It reports false when b holds no start, and remembers b's tail.
func (ps *Scan) Find(b []byte, off int64, fromServer bool) (at int, ok bool) {
	if room := MaxLen - off; int64(len(b)) > room {
		b = b[:max(room, 0)]
	}
	// A start in the carried bytes that b completes.
	if n := int(ps.nCarry); n > 0 {
		var joined [2*helloHeaderLen - 2]byte
		k := copy(joined[:], ps.carry[:n])
		k += copy(joined[k:], b)
		for i := 0; i < n && i+helloHeaderLen <= k; i++ {
			if joined[i] == 0x16 && plausibleHello(joined[i:], fromServer) {
				return i - n, true
			}
		}
	}
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], 0x16)
		if j < 0 {
			break
		}
		i += j
		if i+helloHeaderLen > len(b) {
			break
		}
		if plausibleHello(b[i:], fromServer) {
			return i, true
		}
		i++
	}
	ps.Remember(b)
	return 0, false
}

// Remember keeps the last bytes of b (with those carried before, when b is short).
func (ps *Scan) Remember(b []byte) {
	const keep = helloHeaderLen - 1
	if len(b) >= keep {
		ps.nCarry = uint8(copy(ps.carry[:], b[len(b)-keep:]))
		return
	}
	var all [2 * keep]byte
	n := copy(all[:], ps.carry[:ps.nCarry])
	n += copy(all[n:], b)
	start := max(n-keep, 0)
	ps.nCarry = uint8(copy(ps.carry[:], all[start:n]))
}

// Carried returns the last k carried bytes.
func (ps *Scan) Carried(k int) []byte {
	return ps.carry[int(ps.nCarry)-k : ps.nCarry]
}
