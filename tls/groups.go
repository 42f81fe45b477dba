package tls

import "github.com/connscope/connscope/tls/iana"

// Group is a named group for key exchange (RFC 8446, Section 4.2.7; RFC 8422; RFC 7919;
// IANA "TLS Supported Groups" registry), as listed in supported_groups and key_share.
type Group uint16

// Named groups commonly seen.
const (
	GroupSecp256r1             Group = 0x0017
	GroupSecp384r1             Group = 0x0018
	GroupSecp521r1             Group = 0x0019
	GroupX25519                Group = 0x001d
	GroupX448                  Group = 0x001e
	GroupFFDHE2048             Group = 0x0100
	GroupSecP256r1MLKEM768     Group = 0x11eb
	GroupX25519MLKEM768        Group = 0x11ec
	GroupSecP384r1MLKEM1024    Group = 0x11ed
	GroupX25519Kyber768Draft00 Group = 0x6399
)

// String returns the IANA name, such as "x25519", "secp256r1" or "X25519MLKEM768",
// "GREASE (0x0a0a)" for a GREASE value (RFC 8701), or "0x%04x" for an unknown value.
func (g Group) String() string { return registryName(iana.Groups, uint16(g)) }

// IsGREASE reports whether g is a GREASE value (RFC 8701).
func (g Group) IsGREASE() bool { return IsGREASE(uint16(g)) }

// IsPostQuantum reports whether g is a hybrid or pure ML-KEM (or pre-standard Kyber) group,
// whose key shares make a ClientHello about 1.2 kB longer.
func (g Group) IsPostQuantum() bool {
	switch g {
	case 0x0200, 0x0201, 0x0202, 0x11eb, 0x11ec, 0x11ed, 0x6399, 0x639a:
		return true
	}
	return false
}
