package terminal

import (
	"github.com/connscope/connscope/report/wording"
	"github.com/connscope/connscope/result"
)

// ANSI SGR colours.
const (
	ansiRed    = "31"
	ansiGreen  = "32"
	ansiYellow = "33"
)

// painter colours text when true.
type painter bool

func (p painter) paint(code, s string) string {
	if !p || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// verdictOf is a verdict's text (cleaned), red when it failed, green when ok, yellow otherwise
// (incomplete).
func (p painter) verdictOf(verdict result.Verdict, failed bool, text string) string {
	v := wording.OrDash(text)
	switch {
	case failed:
		return p.paint(ansiRed, v)
	case verdict == result.VerdictOK:
		return p.paint(ansiGreen, v)
	default:
		return p.paint(ansiYellow, v)
	}
}

// verdict is a verdict code painted.
func (p painter) verdict(v result.Verdict) string { return p.verdictOf(v, v.Failed(), string(v)) }
