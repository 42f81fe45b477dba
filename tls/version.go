package tls

import (
	"strconv"
	"strings"
)

// Version is a protocol version as it appears on the wire: a record's version, a
// ClientHello's legacy_version, an entry of supported_versions (RFC 8446, Section 4.2.1).
type Version uint16

// Protocol versions. SSL 2.0 is written 0x0002 in an SSLv2-format hello (RFC 6101, Appendix E).
const (
	VersionSSL20 Version = 0x0002
	VersionSSL30 Version = 0x0300
	VersionTLS10 Version = 0x0301
	VersionTLS11 Version = 0x0302
	VersionTLS12 Version = 0x0303
	VersionTLS13 Version = 0x0304
)

var versionNames = map[Version]string{
	VersionSSL20: "SSL 2.0",
	VersionSSL30: "SSL 3.0",
	VersionTLS10: "TLS 1.0",
	VersionTLS11: "TLS 1.1",
	VersionTLS12: "TLS 1.2",
	VersionTLS13: "TLS 1.3",
}

// draftNumber returns N for a TLS 1.3 draft version 0x7fNN (draft-ietf-tls-tls13-N).
func (v Version) draftNumber() (int, bool) {
	if v>>8 == 0x7f {
		return int(v & 0xff), true
	}
	return 0, false
}

// String returns "SSL 2.0" ... "TLS 1.3", "TLS 1.3 draft N" for 0x7fNN, "GREASE (0x0a0a)" for a
// GREASE value, and "0x%04x" for anything else (such as the experimental 0xfb17).
func (v Version) String() string {
	if s, ok := versionNames[v]; ok {
		return s
	}
	if n, ok := v.draftNumber(); ok {
		return "TLS 1.3 draft " + strconv.Itoa(n)
	}
	if v.IsGREASE() {
		return greaseString(uint16(v))
	}
	return hex4(uint16(v))
}

// IsGREASE reports whether v is a GREASE value (RFC 8701: 0x0a0a, 0x1a1a, ..., 0xfafa).
func (v Version) IsGREASE() bool { return IsGREASE(uint16(v)) }

// Rank orders versions for comparison: SSL 2.0 < SSL 3.0 < TLS 1.0 < TLS 1.1 < TLS 1.2 < any
// TLS 1.3 draft (ordered by draft number) < TLS 1.3. Unknown and GREASE values rank 0.
func (v Version) Rank() int {
	switch v {
	case VersionSSL20:
		return 1
	case VersionSSL30:
		return 2
	case VersionTLS10:
		return 3
	case VersionTLS11:
		return 4
	case VersionTLS12:
		return 5
	case VersionTLS13:
		return 1000
	}
	if n, ok := v.draftNumber(); ok {
		return 100 + n
	}
	return 0
}

// isTLS13 reports whether v is TLS 1.3 or one of its drafts.
func (v Version) isTLS13() bool { return v.Rank() > VersionTLS12.Rank() }

// ParseVersion is the inverse of String: it accepts "SSL 2.0" ... "TLS 1.3" (also written
// "TLSv1.2", "tls1.2", "SSLv3"), "TLS 1.3 draft 16", "GREASE (0x0a0a)" and hexadecimal values
// such as "0x7f10".
func ParseVersion(name string) (Version, bool) {
	s := strings.ToLower(strings.TrimSpace(name))
	if strings.HasPrefix(s, "grease") {
		s = strings.TrimSpace(strings.TrimPrefix(s, "grease"))
		s = strings.TrimSuffix(strings.TrimPrefix(s, "("), ")")
		if v, ok := parseHexVersion(s); ok && v.IsGREASE() {
			return v, true
		}
		return 0, false
	}
	if strings.HasPrefix(s, "0x") {
		return parseHexVersion(s)
	}
	if rest, ok := strings.CutPrefix(s, "tls 1.3 draft"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(rest))
		if err != nil || n < 0 || n > 0xff {
			return 0, false
		}
		return Version(0x7f00 | n), true
	}
	// Normalise "TLSv1.2", "tls1.2", "TLS 1.2", "SSLv3" to "tls 1.2" / "ssl 3".
	for _, p := range []string{"tls", "ssl"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			rest = strings.TrimPrefix(strings.TrimSpace(rest), "v")
			rest = strings.TrimSpace(rest)
			if !strings.Contains(rest, ".") {
				rest += ".0"
			}
			s = p + " " + rest
			break
		}
	}
	for v, n := range versionNames {
		if strings.ToLower(n) == s {
			return v, true
		}
	}
	return 0, false
}

func parseHexVersion(s string) (Version, bool) {
	digits, ok := strings.CutPrefix(s, "0x")
	if !ok || digits == "" {
		return 0, false
	}
	v, err := strconv.ParseUint(digits, 16, 16)
	if err != nil {
		return 0, false
	}
	return Version(v), true
}
