package fingerprint

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/connscope/connscope/tls"
)

// JA4 client fingerprint (FoxIO, https://github.com/FoxIO-LLC/ja4, technical_details/JA4.md;
// the JA4 TLS client fingerprint is BSD-3-Clause):
//
//	JA4 = a_b_c
//	a = "t" (TLS over TCP), 2-character version, "d" (SNI present) or "i", 2-digit cipher
//	    count, 2-digit extension count, first and last character of the first ALPN value
//	b = first 12 hex digits of SHA-256 of the cipher suites as 4-digit hex, sorted, joined ","
//	c = first 12 hex digits of SHA-256 of the extensions as 4-digit hex, sorted, without SNI
//	    (0000) and ALPN (0010), joined ","; then "_" and the signature algorithms in the order
//	    sent, when there are any
//
// GREASE values are ignored everywhere. The version is the highest value of supported_versions
// when that extension is present, else legacy_version (the record version is never used).
// Counts above 99 print as 99. An empty cipher or extension list hashes to "000000000000".

// ja4Empty stands for the hash of an empty list (JA4.md: "make it clear ... no values").
const ja4Empty = "000000000000"

// JA4 returns the JA4 fingerprint of a ClientHello sent over TCP, such as
// "t13d1516h2_8daaf6152771_e5627efa2ab1", or "" for an SSLv2-format hello, which has no
// extensions and for which JA4 defines no fields.
func JA4(m *tls.ClientHello) string {
	if m.SSLv2 {
		return ""
	}
	ciphers, exts, sigs := ja4Lists(m)
	return ja4Prefix(m, ciphers, exts) + "_" + ja4Hash(hexList(sortedCopy(ciphers))) + "_" +
		ja4ExtHash(hexList(sortedCopy(withoutSNIALPN(exts))), hexList(sigs))
}

// JA4R returns JA4's raw form (JA4_r): the same prefix, then the sorted cipher list and the
// sorted extension list (without SNI and ALPN) and the signature algorithms, unhashed.
func JA4R(m *tls.ClientHello) string {
	if m.SSLv2 {
		return ""
	}
	ciphers, exts, sigs := ja4Lists(m)
	return ja4Prefix(m, ciphers, exts) + "_" + hexList(sortedCopy(ciphers)) + "_" +
		ja4ExtRaw(hexList(sortedCopy(withoutSNIALPN(exts))), hexList(sigs))
}

// JA4O returns JA4_o: as JA4, but with ciphers and extensions in the order sent, and SNI and
// ALPN kept in the extension list.
func JA4O(m *tls.ClientHello) string {
	if m.SSLv2 {
		return ""
	}
	ciphers, exts, sigs := ja4Lists(m)
	return ja4Prefix(m, ciphers, exts) + "_" + ja4Hash(hexList(ciphers)) + "_" + ja4ExtHash(hexList(exts), hexList(sigs))
}

// ja4Lists returns the cipher suites, extensions and signature algorithms, GREASE removed, in
// the order sent.
func ja4Lists(m *tls.ClientHello) (ciphers, exts, sigs []uint16) {
	ciphers = make([]uint16, 0, len(m.CipherSuites))
	for _, c := range m.CipherSuites {
		if !c.IsGREASE() {
			ciphers = append(ciphers, uint16(c))
		}
	}
	exts = make([]uint16, 0, len(m.Extensions))
	for _, e := range m.Extensions {
		if !e.IsGREASE() {
			exts = append(exts, uint16(e))
		}
	}
	sigs = make([]uint16, 0, len(m.SignatureAlgorithms))
	for _, s := range m.SignatureAlgorithms {
		if !tls.IsGREASE(s) {
			sigs = append(sigs, s)
		}
	}
	return ciphers, exts, sigs
}

// ja4Prefix is JA4's readable first part, e.g. "t13d1516h2".
func ja4Prefix(m *tls.ClientHello, ciphers, exts []uint16) string {
	sni := "i"
	if slices.Contains(m.Extensions, tls.ExtensionServerName) {
		sni = "d"
	}
	return "t" + ja4VersionName(helloVersion(m)) + sni + fmt.Sprintf("%02d%02d", min(len(ciphers), 99), min(len(exts), 99)) + ja4ALPN(m.ALPN)
}

// helloVersion is the highest non-GREASE value of supported_versions, else legacy_version.
func helloVersion(m *tls.ClientHello) tls.Version {
	if m.SupportedVersions == nil {
		return m.LegacyVersion
	}
	var top tls.Version
	for _, v := range m.SupportedVersions {
		if !v.IsGREASE() && v > top {
			top = v
		}
	}
	return top
}

// ja4VersionName names a version as JA4 does; "00" when JA4 has no name for it.
func ja4VersionName(v tls.Version) string {
	switch v {
	case tls.VersionTLS13:
		return "13"
	case tls.VersionTLS12:
		return "12"
	case tls.VersionTLS11:
		return "11"
	case tls.VersionTLS10:
		return "10"
	case tls.VersionSSL30:
		return "s3"
	case tls.VersionSSL20:
		return "s2"
	case 0xfeff:
		return "d1"
	case 0xfefd:
		return "d2"
	case 0xfefc:
		return "d3"
	}
	return "00"
}

// ja4ALPN is the first and last character of the first ALPN value: "00" without one; the first
// and last hex digit of the value when either end is not an ASCII letter or digit.
func ja4ALPN(alpn []string) string {
	if len(alpn) == 0 || alpn[0] == "" {
		return "00"
	}
	v := alpn[0]
	first, last := v[0], v[len(v)-1]
	if !isAlnum(first) || !isAlnum(last) {
		h := hex.EncodeToString([]byte(v))
		return h[:1] + h[len(h)-1:]
	}
	return string([]byte{first, last})
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func withoutSNIALPN(exts []uint16) []uint16 {
	out := make([]uint16, 0, len(exts))
	for _, e := range exts {
		if e != uint16(tls.ExtensionServerName) && e != uint16(tls.ExtensionALPN) {
			out = append(out, e)
		}
	}
	return out
}

func sortedCopy(s []uint16) []uint16 {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// hexList writes values as 4-digit lower-case hex joined with ",": "002f,0035".
func hexList(vs []uint16) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 5*len(vs))
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, digits[v>>12], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf])
	}
	return string(b)
}

// ja4Hash is the first 12 hex digits of SHA-256 of a list already joined with ",", or ja4Empty
// for an empty list.
func ja4Hash(list string) string {
	if list == "" {
		return ja4Empty
	}
	return sha256Prefix(list)
}

// ja4ExtRaw is the extension part before hashing: the extensions, then "_" and the signature
// algorithms when there are any.
func ja4ExtRaw(exts, sigs string) string {
	if sigs != "" {
		return exts + "_" + sigs
	}
	return exts
}

func ja4ExtHash(exts, sigs string) string {
	if exts == "" {
		return ja4Empty
	}
	return sha256Prefix(ja4ExtRaw(exts, sigs))
}

func sha256Prefix(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:12]
}
