package tls

import (
	"errors"
	"testing"

	"github.com/connscope/connscope/tls/iana"
)

func TestCipherSuiteString(t *testing.T) {
	cases := []struct {
		c    CipherSuite
		want string
	}{
		{0x1301, "TLS_AES_128_GCM_SHA256"},
		{0x1302, "TLS_AES_256_GCM_SHA384"},
		{0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
		{0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
		{0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
		{0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
		{0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"},
		{0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
		{0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
		{0x0000, "TLS_NULL_WITH_NULL_NULL"},
		{0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
		{0x5600, "TLS_FALLBACK_SCSV"},
		{0xd005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256"},
		{0xc106, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S"},
		{0x0a0a, "GREASE (0x0a0a)"},
		{0xdada, "GREASE (0xdada)"},
		{0x0066, "0x0066"}, // DHE-DSS-RC4-SHA: never registered
		{0xd004, "0xd004"},
		{0xffff, "0xffff"},
	}
	for _, tc := range cases {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("CipherSuite(0x%04x) = %q, want %q", uint16(tc.c), got, tc.want)
		}
	}
	if n := len(iana.CipherSuites); n != 352 {
		t.Errorf("%d cipher suite names, want the 352 of the IANA registry", n)
	}
	for c := range iana.CipherSuites {
		if CipherSuite(c).IsGREASE() {
			t.Errorf("GREASE value 0x%04x has a name", uint16(c))
		}
	}
	if !CipherSuite(0x5600).IsSignalling() || CipherSuite(0x1301).IsSignalling() {
		t.Error("IsSignalling")
	}
}

func TestExtensionTypeString(t *testing.T) {
	cases := []struct {
		e    ExtensionType
		want string
	}{
		{0, "server_name"},
		{10, "supported_groups"},
		{13, "signature_algorithms"},
		{16, "application_layer_protocol_negotiation"},
		{40, "Reserved (key_share)"},
		{43, "supported_versions"},
		{51, "key_share"},
		{65281, "renegotiation_info"},
		{0xfe0d, "encrypted_client_hello"},
		{0x4469, "application_settings (old)"},
		{0x2a2a, "GREASE (0x2a2a)"},
		{0x1234, "0x1234"},
	}
	for _, tc := range cases {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("ExtensionType(%d) = %q, want %q", uint16(tc.e), got, tc.want)
		}
	}
}

func TestGroupString(t *testing.T) {
	cases := []struct {
		g    Group
		want string
		pq   bool
	}{
		{0x001d, "x25519", false},
		{0x0017, "secp256r1", false},
		{0x0018, "secp384r1", false},
		{0x0100, "ffdhe2048", false},
		{0x11ec, "X25519MLKEM768", true},
		{0x11eb, "SecP256r1MLKEM768", true},
		{0x6399, "X25519Kyber768Draft00", true},
		{0x0201, "MLKEM768", true},
		{0xfafa, "GREASE (0xfafa)", false},
		{0x0099, "0x0099", false},
	}
	for _, tc := range cases {
		if got := tc.g.String(); got != tc.want {
			t.Errorf("Group(0x%04x) = %q, want %q", uint16(tc.g), got, tc.want)
		}
		if got := tc.g.IsPostQuantum(); got != tc.pq {
			t.Errorf("Group(0x%04x).IsPostQuantum() = %v", uint16(tc.g), got)
		}
	}
}

func TestAlertStrings(t *testing.T) {
	cases := []struct {
		a          Alert
		want       string
		certReject bool
	}{
		{Alert{AlertLevelFatal, AlertHandshakeFailure}, "fatal handshake_failure", false},
		{Alert{AlertLevelFatal, AlertProtocolVersion}, "fatal protocol_version", false},
		{Alert{AlertLevelWarning, AlertCloseNotify}, "warning close_notify", false},
		{Alert{AlertLevelFatal, AlertUnknownCA}, "fatal unknown_ca", true},
		{Alert{AlertLevelFatal, AlertBadCertificate}, "fatal bad_certificate", true},
		{Alert{AlertLevelFatal, AlertUnsupportedCertificate}, "fatal unsupported_certificate", true},
		{Alert{AlertLevelFatal, AlertCertificateRevoked}, "fatal certificate_revoked", true},
		{Alert{AlertLevelFatal, AlertCertificateExpired}, "fatal certificate_expired", true},
		{Alert{AlertLevelFatal, AlertCertificateUnknown}, "fatal certificate_unknown", true},
		{Alert{AlertLevelFatal, AlertCertificateRequired}, "fatal certificate_required", true},
		{Alert{AlertLevelFatal, AlertBadCertificateStatusResponse}, "fatal bad_certificate_status_response", true},
		{Alert{AlertLevelFatal, AlertAccessDenied}, "fatal access_denied", false},
		{Alert{AlertLevelFatal, AlertInternalError}, "fatal internal_error", false},
		{Alert{AlertLevelFatal, AlertUnexpectedMessage}, "fatal unexpected_message", false},
		{Alert{AlertLevelFatal, AlertDecryptionFailed}, "fatal decryption_failed", false},
		{Alert{AlertLevelWarning, AlertNoCertificate}, "warning no_certificate", false},
		{Alert{AlertLevelFatal, AlertExportRestriction}, "fatal export_restriction", false},
		{Alert{AlertLevelFatal, AlertDecompressionFailure}, "fatal decompression_failure", false},
		{Alert{AlertLevelFatal, AlertInappropriateFallback}, "fatal inappropriate_fallback", false},
		{Alert{AlertLevelWarning, AlertUserCanceled}, "warning user_canceled", false},
		{Alert{AlertLevelWarning, AlertNoRenegotiation}, "warning no_renegotiation", false},
		{Alert{AlertLevelFatal, AlertMissingExtension}, "fatal missing_extension", false},
		{Alert{AlertLevelFatal, AlertUnsupportedExtension}, "fatal unsupported_extension", false},
		{Alert{AlertLevelFatal, AlertUnrecognizedName}, "fatal unrecognized_name", false},
		{Alert{AlertLevelFatal, AlertUnknownPSKIdentity}, "fatal unknown_psk_identity", false},
		{Alert{AlertLevelFatal, AlertNoApplicationProtocol}, "fatal no_application_protocol", false},
		{Alert{AlertLevelFatal, AlertDecodeError}, "fatal decode_error", false},
		{Alert{AlertLevelFatal, AlertDecryptError}, "fatal decrypt_error", false},
		{Alert{AlertLevelFatal, AlertIllegalParameter}, "fatal illegal_parameter", false},
		{Alert{AlertLevelFatal, AlertInsufficientSecurity}, "fatal insufficient_security", false},
		{Alert{AlertLevelFatal, AlertRecordOverflow}, "fatal record_overflow", false},
		{Alert{AlertLevelFatal, AlertBadRecordMAC}, "fatal bad_record_mac", false},
		{Alert{3, 200}, "level(3) alert(200)", false},
		{Alert{0, 122}, "level(0) alert(122)", false},
	}
	for _, tc := range cases {
		if got := tc.a.String(); got != tc.want {
			t.Errorf("Alert%v = %q, want %q", []uint8{uint8(tc.a.Level), uint8(tc.a.Description)}, got, tc.want)
		}
		if got := tc.a.IsCertificateRejection(); got != tc.certReject {
			t.Errorf("%v.IsCertificateRejection() = %v", tc.a, got)
		}
	}
	var err error = Alert{AlertLevelFatal, AlertUnknownCA}
	var a Alert
	if !errors.As(err, &a) || a.Description != 48 || err.Error() != "tls: fatal unknown_ca" {
		t.Errorf("Alert as error: %v", err)
	}
}

func TestEnumStrings(t *testing.T) {
	cases := []struct {
		got, want string
	}{
		{ContentChangeCipherSpec.String(), "change_cipher_spec"},
		{ContentAlert.String(), "alert"},
		{ContentHandshake.String(), "handshake"},
		{ContentApplicationData.String(), "application_data"},
		{ContentHeartbeat.String(), "heartbeat"},
		{ContentType(25).String(), "content_type(25)"},
		{HandshakeHelloRequest.String(), "hello_request"},
		{HandshakeClientHello.String(), "client_hello"},
		{HandshakeServerHello.String(), "server_hello"},
		{HandshakeNewSessionTicket.String(), "new_session_ticket"},
		{HandshakeEndOfEarlyData.String(), "end_of_early_data"},
		{HandshakeEncryptedExtensions.String(), "encrypted_extensions"},
		{HandshakeCertificate.String(), "certificate"},
		{HandshakeServerKeyExchange.String(), "server_key_exchange"},
		{HandshakeCertificateRequest.String(), "certificate_request"},
		{HandshakeServerHelloDone.String(), "server_hello_done"},
		{HandshakeCertificateVerify.String(), "certificate_verify"},
		{HandshakeClientKeyExchange.String(), "client_key_exchange"},
		{HandshakeFinished.String(), "finished"},
		{HandshakeCertificateStatus.String(), "certificate_status"},
		{HandshakeKeyUpdate.String(), "key_update"},
		{HandshakeMessageHash.String(), "message_hash"},
		{HandshakeType(99).String(), "handshake(99)"},
		{AlertLevel(1).String(), "warning"},
		{AlertLevel(2).String(), "fatal"},
		{AlertLevel(7).String(), "level(7)"},
		{EventHandshake.String(), "handshake"},
		{EventAlert.String(), "alert"},
		{EventChangeCipherSpec.String(), "change_cipher_spec"},
		{EventApplicationData.String(), "application_data"},
		{EventHeartbeat.String(), "heartbeat"},
		{EventNotTLS.String(), "not_tls"},
		{EventError.String(), "error"},
		{EventKind(0).String(), "event(0)"},
	}
	for i, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("case %d: %q, want %q", i, tc.got, tc.want)
		}
	}
}
