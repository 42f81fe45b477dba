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
	"encoding/binary"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

const hexDigits = "0123456789abcdef"

// Invisible reports whether r is a character a JSON string (and any text a report prints)
// writes escaped: a control character (C0, DEL, C1) or a format, line or paragraph separator
// character (Unicode categories Cc, Cf, Zl, Zp).
func Invisible(r rune) bool {
	if uint32(r) < 1<<16 {
		return invisibleBMP[r>>6]&(1<<(r&63)) != 0
	}
	return r < 0 || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// invisibleBMP holds Invisible of every character up to U+FFFF, a bit each (8 KiB): most text
// a report writes is there, and a bit is read faster than Unicode's tables are searched.
var invisibleBMP = func() (t [1 << 10]uint64) {
	set := func(lo, hi, stride int) {
		for r := lo; r <= hi && r < 1<<16; r += stride {
			t[r>>6] |= 1 << (r & 63)
		}
	}
	set(0, 0x1f, 1)
	set(0x7f, 0x9f, 1)
	for _, tab := range []*unicode.RangeTable{unicode.Cf, unicode.Zl, unicode.Zp} {
		for _, rg := range tab.R16 {
			set(int(rg.Lo), int(rg.Hi), int(rg.Stride))
		}
	}
	return t
}()

// plain holds the ASCII bytes a JSON string holds as they are: printable, and neither quote
// nor backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Masks of the bytes of a word, for testing eight bytes at once.
const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special8 is non-zero when one of the eight bytes of x is not plain: below 0x20, a quote, a
// backslash, DEL or not ASCII. (Each term is the classic test for a byte less than n, or equal
// to zero, in a word: exact as to whether there is one, which is all that is asked of it.)
func special8(x uint64) uint64 {
	quote, backslash, del := x^(lows*'"'), x^(lows*'\\'), x^(lows*0x7f)
	return (x-lows*0x20)&^x |
		(quote-lows)&^quote |
		(backslash-lows)&^backslash |
		(del-lows)&^del |
		x&highs
}

// AppendJSON appends s as a JSON string: quote and backslash escaped, \b \f \n \r \t for
// those controls, \uXXXX for the other invisible characters (a pair of surrogates beyond
// U+FFFF), invalid UTF-8 as \ufffd.
func AppendJSON(dst []byte, s string) []byte {
	dst = append(dst, '"')
	var b []byte // s's bytes, read eight at a time
	if len(s) >= 8 {
		b = unsafe.Slice(unsafe.StringData(s), len(s))
	}
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(b) && special8(binary.LittleEndian.Uint64(b[i:]))&highs == 0 {
			i += 8
			continue
		}
		if c := s[i]; c < utf8.RuneSelf {
			if plain[c] {
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
