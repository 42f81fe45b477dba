package wording

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/connscope/connscope/report/findings"
)

// Layouts of the times the reports print, in UTC, and the mark of an offer without
// supported_versions.
const (
	// StartLayout is a connection's start time.
	StartLayout = "2006-01-02 15:04:05.000"
	// EvidenceLayout is an evidence line's time.
	EvidenceLayout = "15:04:05.000000"
	// LegacyMark marks an offer from a ClientHello without supported_versions (only its highest
	// version is on the wire); the legacy footnote explains it.
	LegacyMark = "*"
)

// Clean makes text safe to print on a terminal. Much of it comes from the capture (an SNI, a
// hostname, bytes a client sent), so control characters, including ESC, and bidirectional
// overrides are shown escaped as \xNN or \uNNNN, and invalid UTF-8 as U+FFFD. A newline would
// also break a table row.
func Clean(s string) string {
	if !needsClean(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		case isBidiControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r) // utf8.RuneError for invalid bytes
		}
	}
	return b.String()
}

func needsClean(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			return true
		case c >= 0x80:
			ascii = false
		}
	}
	if ascii {
		return false
	}
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if (r >= 0x80 && r < 0xa0) || isBidiControl(r) {
			return true
		}
	}
	return false
}

func isBidiControl(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// OrDash is s cleaned, or "-" for "".
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return Clean(s)
}

// UTC formats t in UTC with layout, or "-" for the zero time.
func UTC(t time.Time, layout string) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(layout)
}

// UpperFirst capitalises the first letter of s when it is an ASCII letter (a label, a
// headline); other scripts have no capitals to give.
func UpperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// BaseName is the last element of a slash- or backslash-separated path.
func BaseName(p string) string { return findings.FileName(p) }
