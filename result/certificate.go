package result

import "time"

// Certificate is one X.509 certificate of the chain a server sent in plaintext (TLS 1.2 and
// before), as crypto/x509 read it.
type Certificate struct {
	Subject            DN        `json:"subject"` // RFC 2253 form, e.g. "CN=apexone.example.com,O=Example"
	Issuer             DN        `json:"issuer"`
	SerialNumber       Raw       `json:"serial_number"` // hex
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	DNSNames           []Host    `json:"dns_names"`
	IPAddresses        []IP      `json:"ip_addresses"`
	KeyType            string    `json:"key_type"` // "RSA", "ECDSA", "Ed25519", "DSA" or "unknown"
	KeyBits            int       `json:"key_bits"` // RSA modulus or curve size; 0 when unknown
	SignatureAlgorithm string    `json:"signature_algorithm"`
	SelfSigned         bool      `json:"self_signed"` // issuer equals subject and the signature verifies with its own key
	IsCA               bool      `json:"is_ca"`
	SHA256             Raw       `json:"sha256"` // SHA-256 of the DER, hex, as Wireshark and browsers show it
	// ParseError is set when crypto/x509 could not read the certificate; the other fields are
	// then empty.
	ParseError Raw `json:"parse_error,omitempty"`
}

// CertificateFinding is one problem found in a server's certificate chain.
type CertificateFinding struct {
	// Code is a stable identifier: "expired", "not-yet-valid", "name-mismatch", "self-signed",
	// "weak-key", "weak-signature", "unparsable".
	Code string  `json:"code"`
	Text Message `json:"text"` // one sentence, e.g. "server certificate CN=x expired 2021-01-01, 5 years before this capture"
}
