package fingerprint

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/connscope/connscope/tls"
)

// JA3 fingerprints (Salesforce, https://github.com/salesforce/ja3, BSD-3-Clause): the decimal
// values of a hello's fields, each list joined with "-", the fields joined with ",", GREASE
// values (RFC 8701) left out; the fingerprint is the MD5 of that string, in lower-case hex.
//
//	JA3 string:  SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats
//	JA3S string: SSLVersion,Cipher,Extensions
//
// SSLVersion is the hello's legacy_version (client_version / server_version), not the version
// from supported_versions, so that every TLS 1.3 client shows 771. This is what Salesforce's
// ja3.py and Wireshark's tls.handshake.ja3 compute.

// JA3String returns the JA3 string of a ClientHello, or "" for an SSLv2-format hello (JA3 is
// defined for TLS handshake records only).
func JA3String(m *tls.ClientHello) string {
	if m.SSLv2 {
		return ""
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(m.LegacyVersion)))
	b.WriteByte(',')
	writeDecimalList(&b, m.CipherSuites)
	b.WriteByte(',')
	writeDecimalList(&b, m.Extensions)
	b.WriteByte(',')
	writeDecimalList(&b, m.SupportedGroups)
	b.WriteByte(',')
	for i, f := range m.ECPointFormats {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(strconv.Itoa(int(f)))
	}
	return b.String()
}

// JA3 returns the JA3 fingerprint of a ClientHello (32 hex digits), or "" when JA3String is "".
func JA3(m *tls.ClientHello) string { return md5Hex(JA3String(m)) }

// JA3SString returns the JA3S string of a ServerHello, or "" for an SSLv2 SERVER-HELLO.
func JA3SString(m *tls.ServerHello) string {
	if m.SSLv2 {
		return ""
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(m.LegacyVersion)))
	b.WriteByte(',')
	b.WriteString(strconv.Itoa(int(m.CipherSuite)))
	b.WriteByte(',')
	writeDecimalList(&b, m.Extensions)
	return b.String()
}

// JA3S returns the JA3S fingerprint of a ServerHello (32 hex digits), or "" when JA3SString
// is "".
func JA3S(m *tls.ServerHello) string { return md5Hex(JA3SString(m)) }

// greaser is a 16-bit code point that may be a GREASE value.
type greaser interface {
	~uint16
	IsGREASE() bool
}

// writeDecimalList writes the non-GREASE values of vs in decimal, joined with "-".
func writeDecimalList[T greaser](b *strings.Builder, vs []T) {
	first := true
	for _, v := range vs {
		if v.IsGREASE() {
			continue
		}
		if !first {
			b.WriteByte('-')
		}
		first = false
		b.WriteString(strconv.Itoa(int(v)))
	}
}

func md5Hex(s string) string {
	if s == "" {
		return ""
	}
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
