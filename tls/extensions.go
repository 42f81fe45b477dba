package tls

import "github.com/connscope/connscope/tls/iana"

// ExtensionType is a hello extension's type (RFC 8446, Section 4.2; IANA "TLS ExtensionType
// Values" registry).
type ExtensionType uint16

// Extension types this package reads, and a few others worth naming in code.
const (
	ExtensionServerName              ExtensionType = 0      // RFC 6066, Section 3
	ExtensionStatusRequest           ExtensionType = 5      // RFC 6066, Section 8
	ExtensionSupportedGroups         ExtensionType = 10     // RFC 8422, Section 5.1.1; RFC 7919
	ExtensionECPointFormats          ExtensionType = 11     // RFC 8422, Section 5.1.2
	ExtensionSignatureAlgorithms     ExtensionType = 13     // RFC 8446, Section 4.2.3
	ExtensionHeartbeat               ExtensionType = 15     // RFC 6520
	ExtensionALPN                    ExtensionType = 16     // RFC 7301
	ExtensionSCT                     ExtensionType = 18     // RFC 6962
	ExtensionPadding                 ExtensionType = 21     // RFC 7685
	ExtensionExtendedMasterSecret    ExtensionType = 23     // RFC 7627
	ExtensionSessionTicket           ExtensionType = 35     // RFC 5077
	ExtensionKeyShareDraft           ExtensionType = 40     // key_share in TLS 1.3 drafts before -23
	ExtensionPreSharedKey            ExtensionType = 41     // RFC 8446, Section 4.2.11
	ExtensionEarlyData               ExtensionType = 42     // RFC 8446, Section 4.2.10
	ExtensionSupportedVersions       ExtensionType = 43     // RFC 8446, Section 4.2.1
	ExtensionCookie                  ExtensionType = 44     // RFC 8446, Section 4.2.2
	ExtensionPSKModes                ExtensionType = 45     // RFC 8446, Section 4.2.9
	ExtensionCertificateAuthorities  ExtensionType = 47     // RFC 8446, Section 4.2.4
	ExtensionSignatureAlgorithmsCert ExtensionType = 50     // RFC 8446, Section 4.2.3
	ExtensionKeyShare                ExtensionType = 51     // RFC 8446, Section 4.2.8
	ExtensionQUICTransportParameters ExtensionType = 57     // RFC 9001
	ExtensionEncryptedClientHello    ExtensionType = 0xfe0d // draft-ietf-tls-esni
	ExtensionRenegotiationInfo       ExtensionType = 0xff01 // RFC 5746
)

// String returns the IANA name, such as "supported_versions", "GREASE (0x0a0a)" for a GREASE
// value (RFC 8701), or "0x%04x" for an unknown value.
func (e ExtensionType) String() string { return registryName(iana.ExtensionTypes, uint16(e)) }

// IsGREASE reports whether e is a GREASE value (RFC 8701).
func (e ExtensionType) IsGREASE() bool { return IsGREASE(uint16(e)) }
