package tls

import "strconv"

// AlertLevel is the level byte of an alert (RFC 5246, Section 7.2).
type AlertLevel uint8

// Alert levels.
const (
	AlertLevelWarning AlertLevel = 1
	AlertLevelFatal   AlertLevel = 2
)

// String returns "warning", "fatal", or "level(N)".
func (l AlertLevel) String() string {
	switch l {
	case AlertLevelWarning:
		return "warning"
	case AlertLevelFatal:
		return "fatal"
	}
	return "level(" + strconv.Itoa(int(l)) + ")"
}

// AlertDescription is the description byte of an alert (RFC 8446, Section 6; RFC 5246,
// Section 7.2; IANA "TLS Alerts" registry).
type AlertDescription uint8

// Alert descriptions. Values marked legacy are reserved in TLS 1.3 but still seen from old stacks.
const (
	AlertCloseNotify                  AlertDescription = 0
	AlertEndOfEarlyData               AlertDescription = 1 // TLS 1.3 drafts only
	AlertUnexpectedMessage            AlertDescription = 10
	AlertBadRecordMAC                 AlertDescription = 20
	AlertDecryptionFailed             AlertDescription = 21 // legacy (TLS 1.0)
	AlertRecordOverflow               AlertDescription = 22
	AlertDecompressionFailure         AlertDescription = 30 // legacy
	AlertHandshakeFailure             AlertDescription = 40
	AlertNoCertificate                AlertDescription = 41 // legacy (SSL 3.0)
	AlertBadCertificate               AlertDescription = 42
	AlertUnsupportedCertificate       AlertDescription = 43
	AlertCertificateRevoked           AlertDescription = 44
	AlertCertificateExpired           AlertDescription = 45
	AlertCertificateUnknown           AlertDescription = 46
	AlertIllegalParameter             AlertDescription = 47
	AlertUnknownCA                    AlertDescription = 48
	AlertAccessDenied                 AlertDescription = 49
	AlertDecodeError                  AlertDescription = 50
	AlertDecryptError                 AlertDescription = 51
	AlertTooManyCIDsRequested         AlertDescription = 52 // RFC 9146
	AlertExportRestriction            AlertDescription = 60 // legacy
	AlertProtocolVersion              AlertDescription = 70
	AlertInsufficientSecurity         AlertDescription = 71
	AlertInternalError                AlertDescription = 80
	AlertInappropriateFallback        AlertDescription = 86 // RFC 7507
	AlertUserCanceled                 AlertDescription = 90
	AlertNoRenegotiation              AlertDescription = 100 // legacy
	AlertMissingExtension             AlertDescription = 109
	AlertUnsupportedExtension         AlertDescription = 110
	AlertCertificateUnobtainable      AlertDescription = 111 // legacy (RFC 6066)
	AlertUnrecognizedName             AlertDescription = 112
	AlertBadCertificateStatusResponse AlertDescription = 113
	AlertBadCertificateHashValue      AlertDescription = 114 // legacy (RFC 6066)
	AlertUnknownPSKIdentity           AlertDescription = 115
	AlertCertificateRequired          AlertDescription = 116
	AlertGeneralError                 AlertDescription = 117 // RFC 8446bis
	AlertNoApplicationProtocol        AlertDescription = 120
	AlertECHRequired                  AlertDescription = 121 // Encrypted Client Hello (draft-ietf-tls-esni)
)

var alertNames = map[AlertDescription]string{
	AlertCloseNotify:                  "close_notify",
	AlertEndOfEarlyData:               "end_of_early_data",
	AlertUnexpectedMessage:            "unexpected_message",
	AlertBadRecordMAC:                 "bad_record_mac",
	AlertDecryptionFailed:             "decryption_failed",
	AlertRecordOverflow:               "record_overflow",
	AlertDecompressionFailure:         "decompression_failure",
	AlertHandshakeFailure:             "handshake_failure",
	AlertNoCertificate:                "no_certificate",
	AlertBadCertificate:               "bad_certificate",
	AlertUnsupportedCertificate:       "unsupported_certificate",
	AlertCertificateRevoked:           "certificate_revoked",
	AlertCertificateExpired:           "certificate_expired",
	AlertCertificateUnknown:           "certificate_unknown",
	AlertIllegalParameter:             "illegal_parameter",
	AlertUnknownCA:                    "unknown_ca",
	AlertAccessDenied:                 "access_denied",
	AlertDecodeError:                  "decode_error",
	AlertDecryptError:                 "decrypt_error",
	AlertTooManyCIDsRequested:         "too_many_cids_requested",
	AlertExportRestriction:            "export_restriction",
	AlertProtocolVersion:              "protocol_version",
	AlertInsufficientSecurity:         "insufficient_security",
	AlertInternalError:                "internal_error",
	AlertInappropriateFallback:        "inappropriate_fallback",
	AlertUserCanceled:                 "user_canceled",
	AlertNoRenegotiation:              "no_renegotiation",
	AlertMissingExtension:             "missing_extension",
	AlertUnsupportedExtension:         "unsupported_extension",
	AlertCertificateUnobtainable:      "certificate_unobtainable",
	AlertUnrecognizedName:             "unrecognized_name",
	AlertBadCertificateStatusResponse: "bad_certificate_status_response",
	AlertBadCertificateHashValue:      "bad_certificate_hash_value",
	AlertUnknownPSKIdentity:           "unknown_psk_identity",
	AlertCertificateRequired:          "certificate_required",
	AlertGeneralError:                 "general_error",
	AlertNoApplicationProtocol:        "no_application_protocol",
	AlertECHRequired:                  "ech_required",
}

// String returns the RFC name, such as "handshake_failure", or "alert(N)" for an unknown value.
func (d AlertDescription) String() string {
	if s, ok := alertNames[d]; ok {
		return s
	}
	return "alert(" + strconv.Itoa(int(d)) + ")"
}

// Alert is a plaintext alert message (RFC 8446, Section 6; RFC 5246, Section 7.2).
type Alert struct {
	Level       AlertLevel       // warning or fatal (ignored by TLS 1.3, where every alert but close_notify and user_canceled is fatal)
	Description AlertDescription // what went wrong
}

// String returns the level and description, e.g. "fatal handshake_failure".
func (a Alert) String() string {
	return a.Level.String() + " " + a.Description.String()
}

// Error makes an Alert usable as an error, as crypto/tls's alert type is.
func (a Alert) Error() string { return "tls: " + a.String() }

// IsCertificateRejection reports whether the alert says a certificate was refused:
// bad_certificate, unsupported_certificate, certificate_revoked, certificate_expired,
// certificate_unknown, unknown_ca, certificate_required (a client certificate was required but
// missing), bad_certificate_status_response, and the legacy certificate_unobtainable and
// bad_certificate_hash_value (RFC 6066 certificate URLs).
func (a Alert) IsCertificateRejection() bool {
	switch a.Description {
	case AlertBadCertificate, AlertUnsupportedCertificate, AlertCertificateRevoked,
		AlertCertificateExpired, AlertCertificateUnknown, AlertUnknownCA,
		AlertCertificateRequired, AlertBadCertificateStatusResponse,
		AlertCertificateUnobtainable, AlertBadCertificateHashValue:
		return true
	}
	return false
}
