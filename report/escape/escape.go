// Package escape says which characters a report never prints as they are, and writes JSON
// strings for the report's JSON and NDJSON formats: as encoding/json writes them with HTML
// escaping off, except that every character a viewer does not show as itself is an escape.
// Besides the control characters (which JSON requires escaped), those are DEL, the C1 controls
// (U+0080-U+009F) and every Unicode format, line separator and paragraph separator character
// (categories Cf, Zl, Zp: U+200B zero-width space, U+FEFF, U+2028, U+2029, the bidirectional
// overrides and isolates U+202A-U+202E and U+2066-U+2069, the tag characters...). A JSON reader
// gets the same string back; a person reading the file, or a ticket it is pasted into, sees
// each such character as \uXXXX instead of text that is hidden or shown reordered.
package escape

import (
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// Invisible reports whether r is a character a JSON string (and any text a report prints)
// writes escaped: a control character (C0, DEL, C1) or a format, line or paragraph separator
// character (Unicode categories Cc, Cf, Zl, Zp).
func Invisible(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r < 0xa0) || r >= 0xa0 && unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// AppendJSON appends s as a JSON string: quote and backslash escaped, \b \f \n \r \t for
// those controls, \uXXXX for the other invisible characters (a pair of surrogates beyond
// U+FFFF), invalid UTF-8 as \ufffd.
func AppendJSON(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = appendEscape(dst, rune(c))
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if Invisible(r) {
			dst = append(dst, s[start:i]...)
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				dst = appendEscape(appendEscape(dst, r1), r2)
			} else {
				dst = appendEscape(dst, r)
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendEscape appends \uXXXX for a rune of at most U+FFFF.
func appendEscape(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
