package tls

import "strconv"

// Record layer (RFC 8446, Section 5.1; RFC 5246, Section 6.2.1):
//
//	 0        1        2        3        4        5
//	+--------+--------+--------+--------+--------+------------------------+
//	|  type  |  version (major, minor)  |  length (uint16)  |  fragment ...
//	+--------+--------+--------+--------+--------+------------------------+
//
// Handshake message (RFC 8446, Section 4):
//
//	+--------+--------+--------+--------+------------------------+
//	|  type  |     length (uint24)      |  body ...
//	+--------+--------+--------+--------+------------------------+
const (
	recordHeaderLen    = 5
	handshakeHeaderLen = 4

	// MaxRecordPayload is the largest record payload accepted: 2^14 plus the 2048 bytes of
	// expansion RFC 5246, Section 6.2.3 allows a TLSCiphertext (crypto/tls maxCiphertext).
	MaxRecordPayload = 16384 + 2048

	// MaxHandshakeMessage is the largest handshake message body buffered for parsing
	// (crypto/tls maxHandshake). Longer messages, such as a big Certificate, are skipped by
	// counting their bytes and reported with their type and length only.
	MaxHandshakeMessage = 65536
)

// ContentType is a record's content type (RFC 8446, Section 5.1; RFC 6520 for heartbeat).
type ContentType uint8

// Record content types.
const (
	ContentChangeCipherSpec ContentType = 20
	ContentAlert            ContentType = 21
	ContentHandshake        ContentType = 22
	ContentApplicationData  ContentType = 23
	ContentHeartbeat        ContentType = 24
)

// String returns "change_cipher_spec", "alert", "handshake", "application_data", "heartbeat",
// or "content_type(N)".
func (c ContentType) String() string {
	switch c {
	case ContentChangeCipherSpec:
		return "change_cipher_spec"
	case ContentAlert:
		return "alert"
	case ContentHandshake:
		return "handshake"
	case ContentApplicationData:
		return "application_data"
	case ContentHeartbeat:
		return "heartbeat"
	}
	return "content_type(" + strconv.Itoa(int(c)) + ")"
}

// valid reports whether c is one of the five TLS record content types.
func (c ContentType) valid() bool {
	return c >= ContentChangeCipherSpec && c <= ContentHeartbeat
}

// validRecordVersion reports whether a record header's version bytes look like TLS: 0x0300
// through 0x0304, or a TLS 1.3 draft's 0x7fNN.
func validRecordVersion(major, minor byte) bool {
	return major == 3 && minor <= 4 || major == 0x7f
}

// HandshakeType is a handshake message's type (RFC 8446, Section 4; IANA "TLS HandshakeType"
// registry).
type HandshakeType uint8

// Handshake message types.
const (
	HandshakeHelloRequest             HandshakeType = 0
	HandshakeClientHello              HandshakeType = 1
	HandshakeServerHello              HandshakeType = 2
	HandshakeHelloVerifyRequest       HandshakeType = 3 // DTLS
	HandshakeNewSessionTicket         HandshakeType = 4
	HandshakeEndOfEarlyData           HandshakeType = 5
	HandshakeHelloRetryRequest        HandshakeType = 6 // TLS 1.3 drafts before -22 only
	HandshakeEncryptedExtensions      HandshakeType = 8
	HandshakeRequestConnectionID      HandshakeType = 9  // DTLS 1.3
	HandshakeNewConnectionID          HandshakeType = 10 // DTLS 1.3
	HandshakeCertificate              HandshakeType = 11
	HandshakeServerKeyExchange        HandshakeType = 12
	HandshakeCertificateRequest       HandshakeType = 13
	HandshakeServerHelloDone          HandshakeType = 14
	HandshakeCertificateVerify        HandshakeType = 15
	HandshakeClientKeyExchange        HandshakeType = 16
	HandshakeClientCertificateRequest HandshakeType = 17 // RFC 9261
	HandshakeFinished                 HandshakeType = 20
	HandshakeCertificateURL           HandshakeType = 21
	HandshakeCertificateStatus        HandshakeType = 22
	HandshakeSupplementalData         HandshakeType = 23
	HandshakeKeyUpdate                HandshakeType = 24
	HandshakeCompressedCertificate    HandshakeType = 25 // RFC 8879
	HandshakeEKTKey                   HandshakeType = 26 // RFC 8870
	HandshakeNextProtocol             HandshakeType = 67 // NPN, never registered
	HandshakeMessageHash              HandshakeType = 254
)

var handshakeNames = map[HandshakeType]string{
	HandshakeHelloRequest:             "hello_request",
	HandshakeClientHello:              "client_hello",
	HandshakeServerHello:              "server_hello",
	HandshakeHelloVerifyRequest:       "hello_verify_request",
	HandshakeNewSessionTicket:         "new_session_ticket",
	HandshakeEndOfEarlyData:           "end_of_early_data",
	HandshakeHelloRetryRequest:        "hello_retry_request",
	HandshakeEncryptedExtensions:      "encrypted_extensions",
	HandshakeRequestConnectionID:      "request_connection_id",
	HandshakeNewConnectionID:          "new_connection_id",
	HandshakeCertificate:              "certificate",
	HandshakeServerKeyExchange:        "server_key_exchange",
	HandshakeCertificateRequest:       "certificate_request",
	HandshakeServerHelloDone:          "server_hello_done",
	HandshakeCertificateVerify:        "certificate_verify",
	HandshakeClientKeyExchange:        "client_key_exchange",
	HandshakeClientCertificateRequest: "client_certificate_request",
	HandshakeFinished:                 "finished",
	HandshakeCertificateURL:           "certificate_url",
	HandshakeCertificateStatus:        "certificate_status",
	HandshakeSupplementalData:         "supplemental_data",
	HandshakeKeyUpdate:                "key_update",
	HandshakeCompressedCertificate:    "compressed_certificate",
	HandshakeEKTKey:                   "ekt_key",
	HandshakeNextProtocol:             "next_protocol",
	HandshakeMessageHash:              "message_hash",
}

// String returns the RFC name, such as "client_hello", or "handshake(N)" for an unknown value.
func (t HandshakeType) String() string {
	if s, ok := handshakeNames[t]; ok {
		return s
	}
	return "handshake(" + strconv.Itoa(int(t)) + ")"
}
