package report

import (
	"bytes"

	"github.com/connscope/connscope/report/terminal"
	"github.com/connscope/connscope/report/ticket"
	"github.com/connscope/connscope/report/wording"
	"github.com/connscope/connscope/result"
)

// wording is the report's words as the format packages take them.
func (w *words) wording() *wording.Words { return wording.New(w.lang, w.profile, w.red) }

// writeTable writes the table format (package terminal).
func writeTable(b *bytes.Buffer, r *result.Result, o Options) error {
	return terminal.Write(b, r, wordsFor(r, o.Lang).wording(), terminal.Options{Verbose: o.Verbose, List: o.List, Failed: o.Failed, Color: o.Color})
}

// writeMarkdown writes the Markdown ticket text (package ticket).
func writeMarkdown(b *bytes.Buffer, r *result.Result, o Options) error {
	return ticket.Markdown(b, r, wordsFor(r, o.Lang).wording())
}

// writeHTML writes the HTML page (package ticket).
func writeHTML(b *bytes.Buffer, r *result.Result, o Options) error {
	return ticket.HTML(b, r, wordsFor(r, o.Lang).wording())
}
