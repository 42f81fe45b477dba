package probe

import (
	"crypto/ecdh"
	"crypto/rand"

	"github.com/connscope/connscope/tls"
	"github.com/connscope/connscope/tls/hello"
)

// Versions are the versions probed, lowest first.
var Versions = []tls.Version{tls.VersionSSL30, tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13}

// Cipher suite lists a client of each version typically offers (PROBE-NOTES section 2: the
// Windows SChannel defaults, which are what Apex One agents send, plus the suites common
// elsewhere). A hello offers only its version's list, so that a server is judged by what such a
// client would offer.
var (
	// ssl3Suites: SSL 3.0 clients (Windows 7 with SSL 3.0 enabled): RSA, DHE and the old
	// ciphers, and the renegotiation SCSV.
	ssl3Suites = []tls.CipherSuite{0x0039, 0x0038, 0x0035, 0x0033, 0x0032, 0x002f, 0x0016, 0x0013, 0x000a, 0x0005, 0x0004, 0x00ff}
	// tls10Suites: TLS 1.0 and 1.1 clients: what Windows 7 can use below TLS 1.2, plus
	// ECDHE-ECDSA/RSA CBC and DHE 3DES.
	tls10Suites = []tls.CipherSuite{0xc014, 0xc013, 0xc00a, 0xc009, 0x0039, 0x0033, 0x0038, 0x0032, 0x0035, 0x002f,
		0xc012, 0xc008, 0x0016, 0x0013, 0x000a, 0x0005, 0x0004, 0x00ff}
	// tls12Suites: TLS 1.2 clients: the Windows 10 list, ChaCha20, and the CBC SHA-384 suites.
	tls12Suites = []tls.CipherSuite{0xc02c, 0xc02b, 0xc030, 0xc02f, 0xcca9, 0xcca8, 0x009f, 0x009e, 0xc024, 0xc023,
		0xc028, 0xc027, 0xc00a, 0xc009, 0xc014, 0xc013, 0x0039, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035,
		0x002f, 0x006b, 0x0067, 0x000a, 0x006a, 0x0040, 0x0038, 0x0032, 0x0013, 0x0005, 0x0004, 0x00ff}
	// tls13Suites: the TLS 1.3 suites (RFC 8446, Appendix B.4).
	tls13Suites = []tls.CipherSuite{0x1301, 0x1302, 0x1303, 0x1304, 0x1305}
)

// typicalSuites returns the suites a client of version v offers.
func typicalSuites(v tls.Version) []tls.CipherSuite {
	switch v {
	case tls.VersionSSL30:
		return ssl3Suites
	case tls.VersionTLS10, tls.VersionTLS11:
		return tls10Suites
	case tls.VersionTLS12:
		return tls12Suites
	}
	return tls13Suites
}

// Signature algorithms offered from TLS 1.2 on (RFC 8446, Section 4.2.3): ECDSA, RSA-PSS,
// RSA PKCS#1, Ed25519 and the SHA-1 ones old servers need.
var sigAlgs = []uint16{0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0807, 0x0203, 0x0201, 0x0402, 0x0202}

// helloFor builds the ClientHello that offers only version v with suites: SSL 3.0 without
// extensions; TLS 1.0 to 1.2 with legacy_version v and no supported_versions (as SChannel sends
// them); TLS 1.3 with legacy_version TLS 1.2, supported_versions TLS 1.3 only and an X25519 key
// share. serverName is sent as SNI (not for SSL 3.0, nor for an address).
func helloFor(v tls.Version, suites []tls.CipherSuite, serverName string) (*hello.ClientHelloSpec, error) {
	s := &hello.ClientHelloSpec{LegacyVersion: v, Random: make([]byte, 32), CipherSuites: suites}
	if _, err := rand.Read(s.Random); err != nil {
		return nil, err
	}
	if v == tls.VersionSSL30 {
		s.NoExtensions = true
		return s, nil
	}
	s.Pad = true
	s.ServerName = serverName
	s.SupportedGroups = []tls.Group{tls.GroupX25519, tls.GroupSecp256r1, tls.GroupSecp384r1}
	s.ECPointFormats = []uint8{0}
	if v.Rank() >= tls.VersionTLS12.Rank() {
		s.SignatureAlgorithms = sigAlgs
	}
	// renegotiation_info (RFC 5746): one byte, never empty, so a good last extension.
	s.Raw = []hello.RawExtension{{Type: tls.ExtensionExtendedMasterSecret}, {Type: tls.ExtensionRenegotiationInfo, Data: []byte{0}}}
	if v == tls.VersionTLS13 {
		s.LegacyVersion = tls.VersionTLS12
		s.SessionID = make([]byte, 32)
		if _, err := rand.Read(s.SessionID); err != nil {
			return nil, err
		}
		key, err := ecdh.X25519().GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		s.SupportedVersions = []tls.Version{tls.VersionTLS13}
		s.PSKModes = []uint8{1} // psk_dhe_ke
		s.KeyShares = []hello.KeyShare{{Group: tls.GroupX25519, Data: key.PublicKey().Bytes()}}
	}
	return s, nil
}

// recordVersion is the version a client writes in the ClientHello's record header: 0x0300 for
// SSL 3.0, 0x0301 for every later version (as crypto/tls, OpenSSL and SChannel do).
func recordVersion(v tls.Version) tls.Version {
	if v == tls.VersionSSL30 {
		return tls.VersionSSL30
	}
	return tls.VersionTLS10
}
