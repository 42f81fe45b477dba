// Package report renders a result.Result for people (a table, Markdown ticket text, an HTML page)
// or programs (JSON).
//
// It knows only the result package: what was analysed and how is decided elsewhere. Each format
// is one function in the formats table below; adding markdown or html is adding an entry.
package report

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// Format names an output format.
type Format string

// The output formats.
const (
	// FormatTable is the default, for a person at a terminal: the answer, then a row per
	// connection and the detail of each failing one for a capture that fits on a screen, or the
	// failing groups with one example each for a bigger one; the servers, the fleet and the
	// counts.
	FormatTable Format = "table"
	// FormatJSON is the result as the versioned JSON document described in docs/json-schema.md.
	FormatJSON Format = "json"
	// FormatNDJSON is newline-delimited JSON for log pipelines: a line per connection, per DNS
	// name and a summary line, with Elastic Common Schema names (docs/ndjson.md).
	FormatNDJSON Format = "ndjson"
	// FormatMarkdown is ticket text: the answer in one paragraph, the failing groups with their
	// evidence and next steps, then every flow.
	FormatMarkdown Format = "markdown"
	// FormatHTML is one self-contained HTML page (inline CSS and SVG, no script, nothing
	// fetched): the answer, the servers and verdicts, a ladder diagram of each failing flow and
	// every flow.
	FormatHTML Format = "html"
)

// ErrUnknownFormat is returned (wrapped) for a format name that is not one of Formats.
var ErrUnknownFormat = errors.New("unknown format")

// Options controls rendering.
type Options struct {
	// Verbose lists, in the table format, every connection with its evidence and next step, not
	// only the failing ones.
	Verbose bool
	// List lists, in the table format, every connection one by one, however many there are (by
	// default a capture of more than a screenful is summed up in its failing groups).
	List bool
	// Failed lists, in the table format, the failing connections one by one, and only them.
	Failed bool
	// Color adds ANSI colours to the table format. The caller sets it only when the output is a
	// terminal.
	Color bool
	// Lang is the language the report's texts are worded in (verdict titles, reasons, next steps,
	// evidence, headings); "" is English. JSON keys and verdict codes stay English in every
	// language.
	Lang knowledge.Lang
}

// writer renders one format. It writes into a buffer, so it need not check write errors.
type writer func(b *bytes.Buffer, r *result.Result, o Options) error

// streamer renders one format straight to the output, for a format whose report can be large;
// it returns the first write error.
type streamer func(w io.Writer, r *result.Result, o Options) error

// formats lists the formats in the order help text and error messages show them. A format with
// a streamer is written with it; the others are rendered into a buffer first.
var formats = []struct {
	f      Format
	write  writer
	stream streamer
}{
	{FormatTable, writeTable, nil},
	{FormatJSON, writeJSON, streamJSON},
	{FormatNDJSON, nil, streamNDJSON},
	{FormatMarkdown, writeMarkdown, nil},
	{FormatHTML, writeHTML, nil},
}

// Formats returns the valid format names, the default first.
func Formats() []Format {
	out := make([]Format, len(formats))
	for i, e := range formats {
		out[i] = e.f
	}
	return out
}

// ParseFormat returns the format named s (case and surrounding space ignored). For any other
// name it returns an error that wraps ErrUnknownFormat and lists the valid formats.
func ParseFormat(s string) (Format, error) {
	name := Format(strings.ToLower(strings.TrimSpace(s)))
	for _, e := range formats {
		if e.f == name {
			return e.f, nil
		}
	}
	return "", fmt.Errorf("%w %q: valid formats are %s", ErrUnknownFormat, s, formatList())
}

func formatList() string {
	names := make([]string, len(formats))
	for i, e := range formats {
		names[i] = string(e.f)
	}
	return strings.Join(names, ", ")
}

// Write renders r to w in format f. The zero Format means FormatTable. r is not modified. The
// whole report is rendered before anything is written, so a rendering error writes nothing;
// except for JSON, which is written flow by flow as it is encoded, so that its size in memory
// does not grow with the number of flows (encoding a result cannot fail, only writing can).
func Write(w io.Writer, r *result.Result, f Format, o Options) error {
	if r == nil {
		return errors.New("report: nil result")
	}
	if f == "" {
		f = FormatTable
	}
	for _, e := range formats {
		if e.f != f {
			continue
		}
		if e.stream != nil {
			bw := bufio.NewWriterSize(w, 64<<10)
			err := e.stream(bw, r, o)
			if err == nil {
				err = bw.Flush()
			}
			if err != nil {
				return fmt.Errorf("report: %s: %w", f, err)
			}
			return nil
		}
		var b bytes.Buffer
		if err := e.write(&b, r, o); err != nil {
			return fmt.Errorf("report: %s: %w", f, err)
		}
		if _, err := w.Write(b.Bytes()); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		return nil
	}
	return fmt.Errorf("report: %w %q: valid formats are %s", ErrUnknownFormat, string(f), formatList())
}
