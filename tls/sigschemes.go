package tls

import "github.com/connscope/connscope/tls/iana"

// SignatureScheme is a signature_algorithms entry (RFC 8446, Section 4.2.3; IANA "TLS
// SignatureScheme" registry). In TLS 1.2 the two bytes are a HashAlgorithm and a
// SignatureAlgorithm (RFC 5246, Section 7.4.1.4.1); the legacy pairs are named as
// "sha1+dsa" and the like.
type SignatureScheme uint16

// String returns the IANA name, such as "ecdsa_secp256r1_sha256", a "hash+signature" name for a
// TLS 1.2 pair without a scheme name, "GREASE (0x0a0a)", or "0x%04x".
func (s SignatureScheme) String() string {
	if n, ok := iana.SignatureSchemes[uint16(s)]; ok {
		return n
	}
	if s.IsGREASE() {
		return greaseString(uint16(s))
	}
	hash, sig := legacyHashNames[uint8(s>>8)], legacySigNames[uint8(s)]
	if hash != "" && sig != "" {
		return hash + "+" + sig
	}
	return hex4(uint16(s))
}

// IsGREASE reports whether s is a GREASE value (RFC 8701).
func (s SignatureScheme) IsGREASE() bool { return IsGREASE(uint16(s)) }

// SignatureSchemes returns SignatureAlgorithms as SignatureSchemes, in the order sent.
func (m *ClientHello) SignatureSchemes() []SignatureScheme {
	out := make([]SignatureScheme, len(m.SignatureAlgorithms))
	for i, a := range m.SignatureAlgorithms {
		out[i] = SignatureScheme(a)
	}
	return out
}

// TLS 1.2 HashAlgorithm and SignatureAlgorithm values (RFC 5246, Section 7.4.1.4.1).
var (
	legacyHashNames = map[uint8]string{1: "md5", 2: "sha1", 3: "sha224", 4: "sha256", 5: "sha384", 6: "sha512", 8: "intrinsic"}
	legacySigNames  = map[uint8]string{1: "rsa", 2: "dsa", 3: "ecdsa"}
)
