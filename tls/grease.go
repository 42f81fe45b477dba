package tls

import "fmt"

// IsGREASE reports whether v is one of the 16 values RFC 8701, Section 2 reserves for
// cipher suites, extensions, named groups and versions: 0x0A0A, 0x1A1A, ..., 0xFAFA.
func IsGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// greaseString is how every GREASE value prints, e.g. "GREASE (0x0a0a)".
func greaseString(v uint16) string {
	return fmt.Sprintf("GREASE (0x%04x)", v)
}

// hex4 is how an unknown 16-bit value prints, e.g. "0x1234".
func hex4(v uint16) string {
	return fmt.Sprintf("0x%04x", v)
}

// registryName names a value of a 16-bit IANA registry (cipher suites, extensions, groups): its
// name, the GREASE form, or its number in hex; never nothing.
func registryName(names map[uint16]string, v uint16) string {
	if s, ok := names[v]; ok {
		return s
	}
	if IsGREASE(v) {
		return greaseString(v)
	}
	return hex4(v)
}
