package tls

import "github.com/connscope/connscope/tls/iana"

// CipherSuite is a TLS cipher suite value (RFC 8446, Section 4.1.2; RFC 5246, Appendix A.5).
type CipherSuite uint16

// String returns the suite's name from the IANA "TLS Cipher Suites" registry (for example
// 0x1301 "TLS_AES_128_GCM_SHA256", 0xc02f "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
// "GREASE (0x0a0a)" for a GREASE value (RFC 8701), and "0x%04x" for an unassigned value.
func (c CipherSuite) String() string { return registryName(iana.CipherSuites, uint16(c)) }

// IsGREASE reports whether c is a GREASE value (RFC 8701).
func (c CipherSuite) IsGREASE() bool { return IsGREASE(uint16(c)) }

// IsSignalling reports whether c is a signalling value rather than a real suite:
// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746) or TLS_FALLBACK_SCSV (RFC 7507).
func (c CipherSuite) IsSignalling() bool { return c == 0x00ff || c == 0x5600 }

// TLS13Sizes returns, for a TLS 1.3 cipher suite (RFC 8446, Appendix B.4; RFC 8998), the length
// of its hash (and so of a Finished message's verify_data) and of its AEAD tag; ok is false for
// any other suite.
func (c CipherSuite) TLS13Sizes() (hashLen, tagLen int, ok bool) {
	switch c {
	case 0x1301, 0x1303, 0x1304: // TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_CCM_SHA256
		return 32, 16, true
	case 0x1302: // TLS_AES_256_GCM_SHA384
		return 48, 16, true
	case 0x1305: // TLS_AES_128_CCM_8_SHA256
		return 32, 8, true
	case 0x00c6, 0x00c7: // TLS_SM4_GCM_SM3, TLS_SM4_CCM_SM3
		return 32, 16, true
	}
	return 0, 0, false
}
