package report

import (
	"io"

	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/report/ndjson"
	"github.com/connscope/connscope/report/wording"
	"github.com/connscope/connscope/result"
)

// streamNDJSON writes r as NDJSON (package ndjson), worded in the report's language.
func streamNDJSON(w io.Writer, r *result.Result, o Options) error {
	return ndjson.Write(w, r, ndjsonWords{wordsFor(r, o.Lang).wording()})
}

// ndjsonWords words the NDJSON lines.
type ndjsonWords struct{ wd *wording.Words }

func (n ndjsonWords) Msg(m *result.Message) string { return string(n.wd.AppendMsg(nil, m)) }

func (n ndjsonWords) Advice(v result.Verdict, a *result.Advice) (string, []string) {
	w := n.wd.Advice(v, a)
	return w.Title, w.NextSteps
}

func (n ndjsonWords) Headline(g *findings.Group, fs *findings.Findings) string {
	return wording.UpperFirst(n.wd.Msg(n.wd.Headline(g, fs)))
}

func (n ndjsonWords) Answer(r *result.Result, fs *findings.Findings) string {
	return n.wd.Answer(r, fs).Paragraph(n.wd)
}
