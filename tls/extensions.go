package tls

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
func (e ExtensionType) String() string { return registryName(extensionNames, e) }

// IsGREASE reports whether e is a GREASE value (RFC 8701).
func (e ExtensionType) IsGREASE() bool { return isGREASE(uint16(e)) }

// extensionNames holds the IANA "TLS ExtensionType Values" registry plus the few unregistered
// code points that real clients send (NPN, ALPS, Channel ID) and the TLS 1.3 draft ones.
var extensionNames = map[ExtensionType]string{
	0:      "server_name",
	1:      "max_fragment_length",
	2:      "client_certificate_url",
	3:      "trusted_ca_keys",
	4:      "truncated_hmac",
	5:      "status_request",
	6:      "user_mapping",
	7:      "client_authz",
	8:      "server_authz",
	9:      "cert_type",
	10:     "supported_groups",
	11:     "ec_point_formats",
	12:     "srp",
	13:     "signature_algorithms",
	14:     "use_srtp",
	15:     "heartbeat",
	16:     "application_layer_protocol_negotiation",
	17:     "status_request_v2",
	18:     "signed_certificate_timestamp",
	19:     "client_certificate_type",
	20:     "server_certificate_type",
	21:     "padding",
	22:     "encrypt_then_mac",
	23:     "extended_master_secret",
	24:     "token_binding",
	25:     "cached_info",
	26:     "tls_lts",
	27:     "compress_certificate",
	28:     "record_size_limit",
	29:     "pwd_protect",
	30:     "pwd_clear",
	31:     "password_salt",
	32:     "ticket_pinning",
	33:     "tls_cert_with_extern_psk",
	34:     "delegated_credential",
	35:     "session_ticket",
	36:     "TLMSP",
	37:     "TLMSP_proxying",
	38:     "TLMSP_delegate",
	39:     "supported_ekt_ciphers",
	40:     "Reserved (key_share)",
	41:     "pre_shared_key",
	42:     "early_data",
	43:     "supported_versions",
	44:     "cookie",
	45:     "psk_key_exchange_modes",
	46:     "Reserved (ticket_early_data_info)",
	47:     "certificate_authorities",
	48:     "oid_filters",
	49:     "post_handshake_auth",
	50:     "signature_algorithms_cert",
	51:     "key_share",
	52:     "transparency_info",
	53:     "connection_id-deprecated",
	54:     "connection_id",
	55:     "external_id_hash",
	56:     "external_session_id",
	57:     "quic_transport_parameters",
	58:     "ticket_request",
	59:     "dnssec_chain",
	60:     "sequence_number_encryption_algorithms",
	61:     "rrc",
	62:     "tls_flags",
	13172:  "next_protocol_negotiation",
	17513:  "application_settings (old)",
	17613:  "application_settings",
	30031:  "channel_id_old",
	30032:  "channel_id",
	0xfd00: "ech_outer_extensions",
	0xfe0d: "encrypted_client_hello",
	0xff01: "renegotiation_info",
}
