package tls

import "golang.org/x/crypto/cryptobyte"

// MaxCertificateChain is the most certificates Certificate.Unmarshal keeps; the rest of a longer
// chain is counted in Certificate.Dropped.
const MaxCertificateChain = 16

// Certificate is the content of a certificate handshake message: the sender's chain, its own
// certificate first (RFC 5246, Section 7.4.2; RFC 8446, Section 4.4.2).
//
// In TLS 1.2 and before the server's Certificate is sent in plaintext; in TLS 1.3 it is
// encrypted, so a plaintext one in the 1.3 syntax only comes from unusual captures (or a
// decrypted stream). Unmarshal keeps references into the bytes it was given (Chain,
// RequestContext).
type Certificate struct {
	TLS13          bool     // parsed with the TLS 1.3 syntax (request context, per-entry extensions)
	RequestContext []byte   // TLS 1.3 certificate_request_context
	Chain          [][]byte // DER certificates, the sender's own first; at most MaxCertificateChain
	Dropped        int      // certificates past MaxCertificateChain
}

// Unmarshal parses data, a whole certificate handshake message including its 4-byte header,
// into m with the TLS 1.2 syntax (tls13 false) or the TLS 1.3 one (tls13 true), and reports
// whether it was well formed. An empty chain is well formed (a client with no certificate).
func (m *Certificate) Unmarshal(data []byte, tls13 bool) bool {
	*m = Certificate{TLS13: tls13}
	s := cryptobyte.String(data)
	var typ uint8
	var body, list cryptobyte.String
	if !s.ReadUint8(&typ) || HandshakeType(typ) != HandshakeCertificate ||
		!s.ReadUint24LengthPrefixed(&body) || !s.Empty() {
		return false
	}
	if tls13 && !readUint8LengthPrefixed(&body, &m.RequestContext) {
		return false
	}
	if !body.ReadUint24LengthPrefixed(&list) || !body.Empty() {
		return false
	}
	for !list.Empty() {
		var cert cryptobyte.String
		if !list.ReadUint24LengthPrefixed(&cert) || cert.Empty() {
			return false
		}
		if tls13 {
			// RFC 8446, Section 4.4.2: each CertificateEntry carries its own extensions.
			var exts cryptobyte.String
			if !list.ReadUint16LengthPrefixed(&exts) {
				return false
			}
		}
		if len(m.Chain) < MaxCertificateChain {
			m.Chain = append(m.Chain, cert)
		} else {
			m.Dropped++
		}
	}
	return true
}
