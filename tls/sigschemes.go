package tls

// SignatureScheme is a signature_algorithms entry (RFC 8446, Section 4.2.3; IANA "TLS
// SignatureScheme" registry). In TLS 1.2 the two bytes are a HashAlgorithm and a
// SignatureAlgorithm (RFC 5246, Section 7.4.1.4.1); the legacy pairs are named as
// "sha1+dsa" and the like.
type SignatureScheme uint16

// String returns the IANA name, such as "ecdsa_secp256r1_sha256", a "hash+signature" name for a
// TLS 1.2 pair without a scheme name, "GREASE (0x0a0a)", or "0x%04x".
func (s SignatureScheme) String() string {
	if n, ok := signatureSchemeNames[s]; ok {
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
func (s SignatureScheme) IsGREASE() bool { return isGREASE(uint16(s)) }

// SignatureSchemes returns SignatureAlgorithms as SignatureSchemes, in the order sent.
func (m *ClientHello) SignatureSchemes() []SignatureScheme {
	out := make([]SignatureScheme, len(m.SignatureAlgorithms))
	for i, a := range m.SignatureAlgorithms {
		out[i] = SignatureScheme(a)
	}
	return out
}

var signatureSchemeNames = map[SignatureScheme]string{
	0x0201: "rsa_pkcs1_sha1",
	0x0203: "ecdsa_sha1",
	0x0401: "rsa_pkcs1_sha256",
	0x0403: "ecdsa_secp256r1_sha256",
	0x0420: "rsa_pkcs1_sha256_legacy",
	0x0501: "rsa_pkcs1_sha384",
	0x0503: "ecdsa_secp384r1_sha384",
	0x0520: "rsa_pkcs1_sha384_legacy",
	0x0601: "rsa_pkcs1_sha512",
	0x0603: "ecdsa_secp521r1_sha512",
	0x0620: "rsa_pkcs1_sha512_legacy",
	0x0704: "eccsi_sha256",
	0x0705: "iso_ibs1",
	0x0706: "iso_ibs2",
	0x0707: "iso_chinese_ibs",
	0x0708: "sm2sig_sm3",
	0x0709: "gostr34102012_256a",
	0x070a: "gostr34102012_256b",
	0x070b: "gostr34102012_256c",
	0x070c: "gostr34102012_256d",
	0x070d: "gostr34102012_512a",
	0x070e: "gostr34102012_512b",
	0x070f: "gostr34102012_512c",
	0x0804: "rsa_pss_rsae_sha256",
	0x0805: "rsa_pss_rsae_sha384",
	0x0806: "rsa_pss_rsae_sha512",
	0x0807: "ed25519",
	0x0808: "ed448",
	0x0809: "rsa_pss_pss_sha256",
	0x080a: "rsa_pss_pss_sha384",
	0x080b: "rsa_pss_pss_sha512",
	0x081a: "ecdsa_brainpoolP256r1tls13_sha256",
	0x081b: "ecdsa_brainpoolP384r1tls13_sha384",
	0x081c: "ecdsa_brainpoolP512r1tls13_sha512",
	0x0904: "mldsa44",
	0x0905: "mldsa65",
	0x0906: "mldsa87",
}

// TLS 1.2 HashAlgorithm and SignatureAlgorithm values (RFC 5246, Section 7.4.1.4.1).
var (
	legacyHashNames = map[uint8]string{1: "md5", 2: "sha1", 3: "sha224", 4: "sha256", 5: "sha384", 6: "sha512", 8: "intrinsic"}
	legacySigNames  = map[uint8]string{1: "rsa", 2: "dsa", 3: "ecdsa"}
)
