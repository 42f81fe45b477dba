package tls

import "golang.org/x/crypto/cryptobyte"

// SSLv2 message framing (RFC 6101, Appendix E; the SSL 2.0 specification). A record with a
// 2-byte header has the high bit of the first byte set and a 15-bit length:
//
//	+--------+--------+--------+------------------
//	|1| length (15)   |  type  |  message ...
//	+--------+--------+--------+------------------
//
// Only the two hellos are parsed; everything after them is encrypted or irrelevant here.
const (
	sslv2ClientHello = 1 // MSG-CLIENT-HELLO
	sslv2ServerHello = 4 // MSG-SERVER-HELLO
	sslv2HeaderLen   = 2
)

// readSSLv2Record reads a record with a 2-byte header (high bit set) that must span exactly s.
func readSSLv2Record(s *cryptobyte.String, body *cryptobyte.String) bool {
	var hdr uint16
	if !s.ReadUint16(&hdr) || hdr&0x8000 == 0 {
		return false
	}
	return s.ReadBytes((*[]byte)(body), int(hdr&0x7fff)) && s.Empty()
}

// UnmarshalSSLv2 parses data, a whole SSLv2-format CLIENT-HELLO record including its 2-byte
// header (RFC 6101, Appendix E.1; RFC 5246, Appendix E.2), into m and reports whether it was
// well formed. The 3-byte cipher specs whose first byte is 0 are TLS cipher suites and go to
// CipherSuites; the others (SSL 2.0 ciphers) are counted in SSLv2Ciphers. Random is the
// challenge (16 to 32 bytes). m aliases data.
func (m *ClientHello) UnmarshalSSLv2(data []byte) bool {
	*m = ClientHello{SSLv2: true}
	s := cryptobyte.String(data)
	var body cryptobyte.String
	if !readSSLv2Record(&s, &body) {
		return false
	}
	var typ uint8
	var vers, specsLen, sessionIDLen, challengeLen uint16
	var specs cryptobyte.String
	if !body.ReadUint8(&typ) || typ != sslv2ClientHello ||
		!body.ReadUint16(&vers) || !body.ReadUint16(&specsLen) ||
		!body.ReadUint16(&sessionIDLen) || !body.ReadUint16(&challengeLen) ||
		specsLen%3 != 0 || sessionIDLen > 32 || challengeLen < 16 || challengeLen > 32 ||
		!body.ReadBytes((*[]byte)(&specs), int(specsLen)) ||
		!body.ReadBytes(&m.SessionID, int(sessionIDLen)) ||
		!body.ReadBytes(&m.Random, int(challengeLen)) || !body.Empty() {
		return false
	}
	m.LegacyVersion = Version(vers)
	m.CipherSuites = make([]CipherSuite, 0, len(specs)/3)
	for !specs.Empty() {
		var kind uint8
		var suite uint16
		if !specs.ReadUint8(&kind) || !specs.ReadUint16(&suite) {
			return false
		}
		if kind != 0 {
			m.SSLv2Ciphers++
			continue
		}
		m.CipherSuites = append(m.CipherSuites, CipherSuite(suite))
	}
	return true
}

// UnmarshalSSLv2 parses data, a whole SSLv2 SERVER-HELLO record including its 2-byte header
// (the SSL 2.0 specification, as referenced by RFC 6101, Appendix E), into m and reports
// whether it was well formed. LegacyVersion is the server's version (0x0002 for SSL 2.0),
// Random the connection id, and SSLv2CipherSpecs the number of cipher specs offered. m
// aliases data.
func (m *ServerHello) UnmarshalSSLv2(data []byte) bool {
	*m = ServerHello{SSLv2: true}
	s := cryptobyte.String(data)
	var body cryptobyte.String
	if !readSSLv2Record(&s, &body) {
		return false
	}
	var typ, hit, certType uint8
	var vers, certLen, specsLen, connIDLen uint16
	if !body.ReadUint8(&typ) || typ != sslv2ServerHello ||
		!body.ReadUint8(&hit) || hit > 1 || !body.ReadUint8(&certType) ||
		!body.ReadUint16(&vers) || !body.ReadUint16(&certLen) ||
		!body.ReadUint16(&specsLen) || !body.ReadUint16(&connIDLen) ||
		specsLen%3 != 0 || connIDLen < 16 || connIDLen > 32 ||
		!body.Skip(int(certLen)) || !body.Skip(int(specsLen)) ||
		!body.ReadBytes(&m.Random, int(connIDLen)) || !body.Empty() {
		return false
	}
	m.LegacyVersion = Version(vers)
	m.SSLv2SessionIDHit = hit == 1
	m.SSLv2CipherSpecs = int(specsLen) / 3
	return true
}
