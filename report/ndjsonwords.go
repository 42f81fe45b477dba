package report

import (
	"io"

	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/report/ndjson"
	"github.com/connscope/connscope/result"
)

// streamNDJSON writes r as NDJSON (package ndjson), worded in the report's language.
func streamNDJSON(w io.Writer, r *result.Result, _ Options) error {
	return ndjson.Write(w, r, ndjsonWords{wordsFor(r)})
}

// ndjsonWords words the NDJSON lines with a report's words.
type ndjsonWords struct{ wd *words }

func (n ndjsonWords) Msg(m *result.Message) string { return string(n.wd.appendMsg(nil, m)) }

func (n ndjsonWords) Advice(v result.Verdict, a *result.Advice) (string, []string) {
	w := n.wd.advice(v, a)
	return w.Title, w.NextSteps
}

func (n ndjsonWords) Headline(g *findings.Group, fs *findings.Findings) string {
	return upperFirst(n.wd.msg(n.wd.headline(g, fs)))
}

func (n ndjsonWords) Answer(r *result.Result, fs *findings.Findings) string {
	return n.wd.answer(r, fs).paragraph(n.wd)
}
