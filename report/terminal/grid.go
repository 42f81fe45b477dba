package terminal

import (
	"bytes"
	"strings"

	"github.com/mattn/go-runewidth"
)

// grid is a table drawn with ASCII borders, for the terminal:
//
//	+---+---------+
//	| # | VERDICT |
//	+---+---------+
//	| 1 | ok      |
//	+---+---------+
//
// Its rows are kept as strings and the widths measured once, so that a listing of a hundred
// thousand connections draws in a fraction of a second. Widths are display widths with East
// Asian ambiguous runes narrow, whatever the environment says (a CJK locale or
// RUNEWIDTH_EASTASIAN=1 would count "é" or "–" as two columns and misalign the rows; CJK
// ideographs and kana still count two): the borders are ASCII, whose width no terminal disputes.
// ANSI colour sequences in a cell take no width.
type grid struct {
	head  []string
	right []bool // right-aligned columns
	rows  [][]string
}

// narrowWidth measures display width with ambiguous-width runes narrow.
var narrowWidth = &runewidth.Condition{EastAsianWidth: false}

// newGrid returns a grid with the given headings (written in capitals); right says, column by
// column from the first, whether it is right-aligned (the columns past it are left-aligned).
func newGrid(head []string, right ...bool) *grid {
	g := &grid{head: make([]string, len(head)), right: make([]bool, len(head))}
	for i, h := range head {
		g.head[i] = strings.ToUpper(h)
	}
	copy(g.right, right)
	return g
}

// row adds a row; a missing cell is empty.
func (g *grid) row(cells ...string) { g.rows = append(g.rows, cells) }

// render writes the table to b.
func (g *grid) render(b *bytes.Buffer) {
	widths := make([]int, len(g.head))
	measure := func(cells []string) {
		for i, c := range cells {
			if i < len(widths) {
				widths[i] = max(widths[i], cellWidth(c))
			}
		}
	}
	measure(g.head)
	for _, r := range g.rows {
		measure(r)
	}
	border := func() {
		b.WriteByte('+')
		for _, w := range widths {
			for range w + 2 {
				b.WriteByte('-')
			}
			b.WriteByte('+')
		}
		b.WriteByte('\n')
	}
	line := func(cells []string) {
		b.WriteByte('|')
		for i, w := range widths {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			pad := w - cellWidth(c)
			b.WriteByte(' ')
			if g.right[i] {
				writeSpaces(b, pad)
				b.WriteString(c)
			} else {
				b.WriteString(c)
				writeSpaces(b, pad)
			}
			b.WriteString(" |")
		}
		b.WriteByte('\n')
	}
	border()
	line(g.head)
	border()
	for _, r := range g.rows {
		line(r)
	}
	border()
}

func writeSpaces(b *bytes.Buffer, n int) {
	for range n {
		b.WriteByte(' ')
	}
}

// cellWidth is the display width of a cell, without its ANSI colour sequences.
func cellWidth(s string) int {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == 0x1b {
			ascii = false
			break
		}
	}
	if ascii {
		return len(s)
	}
	if strings.IndexByte(s, 0x1b) >= 0 {
		s = stripANSI(s)
	}
	return narrowWidth.StringWidth(s)
}

// stripANSI removes SGR sequences (ESC [ ... m).
func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && s[j] != 'm' {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Table writes head and rows as the terminal report draws its tables, for the report package's
// other text writers (the probe's).
func Table(b *bytes.Buffer, head []string, rows [][]string) {
	g := newGrid(head)
	for _, r := range rows {
		g.row(r...)
	}
	g.render(b)
}
