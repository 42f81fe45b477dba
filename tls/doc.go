// Package tls parses the plaintext parts of a TLS (and SSLv2-compatible) byte stream: records,
// handshake messages, ClientHello and ServerHello contents, and alerts. It decrypts nothing and
// knows nothing of packets: one direction of a TCP connection goes in, in order, and events come
// out (see Stream).
//
// Messages are parsed with golang.org/x/crypto/cryptobyte in the manner of Go's crypto/tls
// handshake_messages.go: framing is strict, unknown extensions are skipped, and no input can
// cause a panic or an allocation larger than the caps below.
//
// References: RFC 8446 (TLS 1.3), RFC 5246 (TLS 1.2), RFC 6101 (SSL 3.0, appendix E for SSLv2
// compatibility), RFC 8701 (GREASE), and the IANA "Transport Layer Security (TLS) Parameters" and
// "TLS ExtensionType Values" registries.
package tls
