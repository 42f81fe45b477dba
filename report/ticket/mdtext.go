package ticket

import (
	"strings"
	"unicode"

	"github.com/connscope/connscope/report/wording"
)

// mdSpecial are the characters backslash-escaped in Markdown text: those that start emphasis,
// code, links and strikethrough, and the table cell separator (CommonMark lets a backslash escape
// any ASCII punctuation). "<", ">" and an "&" that could start an entity are written as entities
// instead, which every Markdown renderer (CommonMark, GitHub, Python-Markdown) shows as the
// character and none reads as HTML. "_" and "#" are escaped only where they could mean
// something (see mdText), so that names such as legacy_version and "#4" stay readable.
const mdSpecial = "\\`*[]|~"

// mdText makes text safe to paste as Markdown: control characters shown escaped (as the table
// does), line breaks joined, and every Markdown metacharacter escaped, so a hostile SNI such as
// "<script>" or "a|b" stays text and cannot end a table cell. "_" is escaped at a word boundary
// (where it can start or end emphasis), "#" at the start.
func mdText[T ~string](text T) string {
	s := wording.Clean(text)
	var b strings.Builder
	prev := rune(' ')
	rs := []rune(s)
	for i, r := range rs {
		next := rune(' ')
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&' && (next == '#' || unicode.IsLetter(next)):
			b.WriteString("&amp;")
		case r < 0x80 && strings.ContainsRune(mdSpecial, r),
			r == '_' && !(isWordRune(prev) && isWordRune(next)),
			r == '#' && i == 0:
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// mdCodeText makes text safe inside a single-backtick code span in a table: it has no way to
// escape a backtick, so backticks become "'", and a pipe would end the cell, so it is escaped
// (GitHub renders "\|" in a code span in a table as "|").
func mdCodeText[T ~string](text T) string {
	s := strings.ReplaceAll(wording.Clean(text), "`", "'")
	return strings.ReplaceAll(s, "|", `\|`)
}

// mdCode writes s as an inline code span outside a table, with a fence longer than any run of
// backticks in it.
func mdCode(s string) string {
	s = wording.Clean(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// MDText is mdText for the other Markdown writers of the report package (the probe's).
func MDText(s string) string { return mdText(s) }

// MDCode is mdCode for the other Markdown writers of the report package (the probe's).
func MDCode(s string) string { return mdCode(s) }
