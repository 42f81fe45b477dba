package wording

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/connscope/connscope/report/escape"
	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/result"
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
// hostname, bytes a client sent), so every character that a terminal or viewer does not show as
// itself (escape.Invisible: control characters, ESC included, and every Unicode format, line
// and paragraph separator character: zero-width characters, U+FEFF, U+2028/U+2029, the
// bidirectional overrides) is shown escaped as \xNN (controls below U+00A0) or \uNNNN
// (\UNNNNNNNN beyond U+FFFF), and invalid UTF-8 as U+FFFD. A newline would also break a table
// row. Markdown and HTML clean their text with it too.
func Clean[T ~string](text T) string {
	s := string(text)
	if !needsClean(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0xa0 && escape.Invisible(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case r > 0xffff && escape.Invisible(r):
			fmt.Fprintf(&b, `\U%08x`, r)
		case escape.Invisible(r):
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
		if r >= 0x80 && escape.Invisible(r) {
			return true
		}
	}
	return false
}

// OrDash is s cleaned, or "-" for "".
func OrDash[T ~string](s T) string {
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
func BaseName[T ~string](p T) string { return findings.FileName(string(p)) }

// InputName is what a report calls its input: the file's name without its folder, or, for
// several capture points, each point's so named, joined by " + " as Input.File joins them.
func InputName(in *result.Input) string {
	if len(in.Points) < 2 {
		return BaseName(in.File)
	}
	names := make([]string, len(in.Points))
	for i, pt := range in.Points {
		names[i] = BaseName(pt.Name)
	}
	return strings.Join(names, " + ")
}

// LegacyNotes gathers the offers marked with LegacyMark in a table, to pick the footnote that
// explains them: an offer whose highest version is TLS 1.0 or later is shown as a range starting
// at TLS 1.0; an SSL 2.0 or SSL 3.0 offer is below TLS 1.0, shown as that version alone.
type LegacyNotes struct {
	tlsRange, sslAlone bool
}

// Add notes a marked offer, its versions lowest first.
func (n *LegacyNotes) Add(offered []string) {
	if len(offered) == 0 {
		return
	}
	switch offered[len(offered)-1] {
	case "SSL 2.0", "SSL 3.0":
		n.sslAlone = true
	default:
		n.tlsRange = true
	}
}

// Key is the footnote's catalog key, "" when no offer was marked.
func (n LegacyNotes) Key() string {
	switch {
	case n.tlsRange && n.sslAlone:
		return "report.legacy-footnote-both"
	case n.sslAlone:
		return "report.legacy-footnote-ssl"
	case n.tlsRange:
		return "report.legacy-footnote"
	}
	return ""
}
