package tls

import "github.com/connscope/connscope/tls/iana"

// CipherSuite is a TLS cipher suite value (RFC 8446, Section 4.1.2; RFC 5246, Appendix A.5).
type CipherSuite uint16

// String returns the suite's name from the IANA "TLS Cipher Suites" registry (for example
// 0x1301 "TLS_AES_128_GCM_SHA256", 0xc02f "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
// "GREASE (0x0a0a)" for a GREASE value (RFC 8701), and "0x%04x" for an unassigned value.
func (c CipherSuite) String() string { return registryName(iana.CipherSuites, uint16(c)) }

// IsGREASE reports whether c is a GREASE value (RFC 8701).
func (c CipherSuite) IsGREASE() bool { return isGREASE(uint16(c)) }

// IsSignalling reports whether c is a signalling value rather than a real suite:
// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746) or TLS_FALLBACK_SCSV (RFC 7507).
func (c CipherSuite) IsSignalling() bool { return c == 0x00ff || c == 0x5600 }
