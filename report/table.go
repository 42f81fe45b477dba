package report

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/connscope/connscope/result"
)

const (
	startLayout    = "2006-01-02 15:04:05.000" // TIME column, UTC
	evidenceLayout = "15:04:05.000000"         // evidence lines, UTC

	legacyMark     = "*"
	legacyFootnote = "* no supported_versions extension: only the highest version is on the wire; the range below it starts at TLS 1.0, as that ClientHello allows"

	emptyLine = "no TCP connections on the analysed ports"
)

// writeTable writes the report for a person: warnings, one row per listed flow, the detail of
// each failed flow (of every flow when o.Verbose), then the summary.
func writeTable(b *bytes.Buffer, r *result.Result, o Options) error {
	p := painter(o.Color)
	wd := wordsFor(r, o.Lang)
	for _, w := range r.Warnings {
		fmt.Fprintf(b, "%s %s\n", p.paint(ansiYellow, "WARNING:"), warningText(w, wd))
	}
	flows, names := viewFlows(r, wd), viewNames(r, wd)
	if len(r.Warnings) > 0 {
		b.WriteByte('\n')
	}
	if len(flows) == 0 && r.Summary.Flows == 0 {
		writeEmpty(b, r)
		if len(names) > 0 {
			b.WriteByte('\n')
		}
		return writeNames(b, names, o, p)
	}
	if len(flows) > 0 {
		if err := writeFlows(b, flows, p); err != nil {
			return err
		}
		for _, f := range flows {
			if f.Failed || o.Verbose {
				b.WriteByte('\n')
				writeDetail(b, f, p)
			}
		}
		b.WriteByte('\n')
	}
	if err := writeNames(b, names, o, p); err != nil {
		return err
	}
	return writeSummary(b, r, wd)
}

// writeFlows writes the table of flows and, when a row needs it, the footnote on offered
// versions.
func writeFlows(b *bytes.Buffer, flows []*flowView, p painter) error {
	t := newTable(b, tw.AlignRight) // "#" right, the rest left
	t.Header("#", "TIME", "CLIENT", "SERVER", "SNI", "TCP", "OFFERED", "CHOSEN", "VERDICT")
	legacy := false
	for _, f := range flows {
		offered := versionRange(f.OfferedVersions)
		if f.TLS != nil && f.TLS.ClientHello != nil && f.TLS.ClientHello.OfferedFromLegacy && len(f.OfferedVersions) > 0 {
			offered += legacyMark
			legacy = true
		}
		sni := "-"
		if f.TLS != nil && f.TLS.ClientHello != nil && f.TLS.ClientHello.SNI != "" {
			sni = clean(f.TLS.ClientHello.SNI)
		}
		chosen := "-"
		if f.ChosenVersion != nil && *f.ChosenVersion != "" {
			chosen = clean(*f.ChosenVersion)
		}
		err := t.Append(
			strconv.Itoa(f.ID),
			utc(f.Start, startLayout),
			orDash(f.Client),
			orDash(f.Server),
			sni,
			orDash(f.ConnState),
			offered,
			chosen,
			p.verdict(f.Flow),
		)
		if err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	if legacy {
		b.WriteString(legacyFootnote + "\n")
	}
	return nil
}

// writeDetail writes the block that explains one flow:
//
//	#3 tls-version-mismatch 10.0.0.5:50420 -> 10.0.0.1:4343
//	  why: ...
//	  next: ...
//	  evidence:
//	    frame 4  01:02:03.123456  ...
//	  filter: ...
func writeDetail(b *bytes.Buffer, f *flowView, p painter) {
	fmt.Fprintf(b, "#%d %s %s -> %s\n", f.ID, p.verdict(f.Flow), orDash(f.Client), orDash(f.Server))
	if f.Reason != "" {
		fmt.Fprintf(b, "  why: %s\n", clean(f.Reason))
	}
	writeNext(b, f.NextStep, f.NextSteps)
	if f.RolesGuessed {
		b.WriteString("  note: no SYN captured, so which side is the client was guessed\n")
	}
	if len(f.Flags) > 0 {
		fmt.Fprintf(b, "  flags: %s\n", clean(strings.Join(f.Flags, ", ")))
	}
	writeEvidence(b, f.Evidence)
	if f.Filter != "" {
		fmt.Fprintf(b, "  filter: %s\n", clean(f.Filter))
	}
}

// writeSummary writes the counts per verdict, the table per server and the closing line.
func writeSummary(b *bytes.Buffer, r *result.Result, wd *words) error {
	s := r.Summary
	if len(s.Verdicts) > 0 {
		t := newTable(b, tw.AlignLeft, tw.AlignRight)
		t.Header("VERDICT", "FLOWS")
		for _, v := range s.Verdicts {
			if err := t.Append(clean(string(v.Verdict)), strconv.Itoa(v.Count)); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
		b.WriteByte('\n')
	}
	if len(s.Servers) > 0 {
		t := newTable(b, tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignLeft)
		t.Header("SERVER", "FLOWS", "FAILED", "ACCEPTED VERSIONS")
		for _, sv := range s.Servers {
			accepted := "-"
			if len(sv.AcceptedVersions) > 0 {
				accepted = clean(strings.Join(sv.AcceptedVersions, ", "))
			}
			if err := t.Append(orDash(sv.Server), strconv.Itoa(sv.Flows), strconv.Itoa(sv.Failed), accepted); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
		b.WriteByte('\n')
	}
	if err := writeFleet(b, &s, wd); err != nil {
		return err
	}
	fmt.Fprintf(b, "%s, %d failed.\n", plural(s.Flows, "flow", "flows"), s.Failed)
	if len(r.Names) > 0 {
		fmt.Fprintf(b, "%s tied to the servers, %d failed.\n", plural(len(r.Names), "DNS name", "DNS names"), s.NamesFailed)
	}
	if r.FlowsNotListed > 0 {
		fmt.Fprintf(b, "%s not listed above", plural(r.FlowsNotListed, "flow", "flows"))
		if r.Options.MaxFlows > 0 {
			fmt.Fprintf(b, " (only the first %d are listed)", r.Options.MaxFlows)
		}
		b.WriteString("; the counts include them.\n")
	}
	return nil
}

// writeEmpty says that no flow was found, and what was read.
func writeEmpty(b *bytes.Buffer, r *result.Result) {
	in := r.Input
	b.WriteString(emptyLine + "\n")
	fmt.Fprintf(b, "read: %s (%d bytes)", plural(in.Frames, "frame", "frames"), in.Bytes)
	if in.File != "" {
		fmt.Fprintf(b, " from %s", clean(in.File))
	}
	if in.Format != "" {
		fmt.Fprintf(b, " (%s)", clean(in.Format))
	}
	b.WriteString("\n")
	ports := "all TCP ports"
	if len(r.Options.Ports) > 0 {
		ps := make([]string, len(r.Options.Ports))
		for i, port := range r.Options.Ports {
			ps[i] = strconv.Itoa(port)
		}
		ports = strings.Join(ps, ", ")
	}
	hosts := "all"
	if len(r.Options.Hosts) > 0 {
		hosts = clean(strings.Join(r.Options.Hosts, ", "))
	}
	fmt.Fprintf(b, "ports: %s; hosts: %s\n", ports, hosts)
	if !in.Complete {
		b.WriteString("reading stopped early: see the warnings above\n")
	}
}

// newTable returns a table that writes to w with the settings every table of the report
// shares. aligns gives the alignment of the first columns; the others are left-aligned.
//
// The width settings are explicit so that output does not depend on the user's environment:
// East Asian width is off (RUNEWIDTH_EASTASIAN=1 or a CJK locale would otherwise count
// ambiguous-width runes such as "é" or "–" as two columns and misalign the rows; CJK
// ideographs and kana still count two), and the borders are ASCII, whose width no terminal
// disputes. tablewriter keeps the East Asian setting in a package variable, so this also
// applies to any other table the process draws afterwards.
func newTable(w io.Writer, aligns ...tw.Align) *tablewriter.Table {
	align := tw.CellAlignment{Global: tw.AlignLeft, PerColumn: aligns}
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithEastAsian(tw.Off),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignmentConfig(align),
		tablewriter.WithRowAlignmentConfig(align),
	)
}

// versionOrder is the usual order of the versions, for telling whether an offer is a range.
var versionOrder = []string{"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}

// versionRange writes the offered versions compactly: "TLS 1.0–1.2" when they are contiguous
// in versionOrder, "SSL 3.0–TLS 1.2" across protocols, "TLS 1.2" for one, else a comma list
// (lowest first when every name is known, as given otherwise); "-" for none.
func versionRange(vs []string) string {
	if len(vs) == 0 {
		return "-"
	}
	var idx []int
	for _, v := range vs {
		i := slices.Index(versionOrder, v)
		if i < 0 {
			return clean(strings.Join(vs, ", "))
		}
		if !slices.Contains(idx, i) {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	lo, hi := idx[0], idx[len(idx)-1]
	if lo == hi {
		return versionOrder[lo]
	}
	if hi-lo+1 != len(idx) {
		names := make([]string, len(idx))
		for i, x := range idx {
			names[i] = versionOrder[x]
		}
		return strings.Join(names, ", ")
	}
	from, to := versionOrder[lo], versionOrder[hi]
	if proto, _, _ := strings.Cut(from, " "); strings.HasPrefix(to, proto+" ") {
		to = strings.TrimPrefix(to, proto+" ")
	}
	return from + "–" + to
}

func warningText(w result.Warning, wd *words) string {
	s := clean(wd.msg(w.Message))
	switch {
	case w.Code != "" && w.Frame > 0:
		s += fmt.Sprintf(" (%s, frame %d)", clean(w.Code), w.Frame)
	case w.Code != "":
		s += fmt.Sprintf(" (%s)", clean(w.Code))
	case w.Frame > 0:
		s += fmt.Sprintf(" (frame %d)", w.Frame)
	}
	return s
}

// clean makes text safe to print on a terminal. Much of it comes from the capture (an SNI, a
// hostname, bytes a client sent), so control characters, including ESC, and bidirectional
// overrides are shown escaped as \xNN or \uNNNN, and invalid UTF-8 as U+FFFD. A newline would
// also break a table row.
func clean(s string) string {
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
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isBidiControl(r) {
			return true
		}
	}
	return false
}

func isBidiControl(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return clean(s)
}

// utc formats t in UTC with layout, or "-" for the zero time.
func utc(t time.Time, layout string) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(layout)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

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

// verdict is the flow's verdict, red when it failed, green when ok, yellow otherwise
// (incomplete).
func (p painter) verdict(f *result.Flow) string { return p.verdictOf(f.Verdict, f.Failed) }

// verdictOf is verdict for a verdict and whether it failed.
func (p painter) verdictOf(verdict result.Verdict, failed bool) string {
	v := orDash(string(verdict))
	switch {
	case failed:
		return p.paint(ansiRed, v)
	case verdict == result.VerdictOK:
		return p.paint(ansiGreen, v)
	default:
		return p.paint(ansiYellow, v)
	}
}
