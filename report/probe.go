package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/report/wording"
	"github.com/connscope/connscope/result"
)

// ProbeOptions controls how a probe's result is rendered.
type ProbeOptions struct {
	// Lang is the language every sentence is worded in (English when empty).
	Lang knowledge.Lang
}

// WriteProbe renders a probe's result (connscope probe) in format f: every sentence is a
// template of the knowledge catalog in o.Lang, worded from the result's messages. A redacted
// report is written from a result redact.Redactor.Probe returned. The whole report is rendered
// before anything is written.
func WriteProbe(w io.Writer, r *result.ProbeResult, f Format, o ProbeOptions) error {
	if r == nil {
		return errors.New("report: nil probe result")
	}
	if o.Lang == "" {
		o.Lang = knowledge.English
	}
	pv := newProbeView(r, knowledge.CatalogOf(o.Lang))
	var b bytes.Buffer
	var err error
	switch f {
	case FormatTable, "":
		err = pv.table(&b)
	case FormatJSON:
		err = pv.json(&b)
	case FormatMarkdown:
		pv.markdown(&b)
	case FormatHTML:
		err = pv.html(&b)
	default:
		return fmt.Errorf("report: %w %q: valid formats are %s", ErrUnknownFormat, string(f), formatList())
	}
	if err != nil {
		return fmt.Errorf("report: %s: %w", f, err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// probeView is a probe's result with its sentences worded, shared by the formats.
type probeView struct {
	r   *result.ProbeResult
	cat *knowledge.Catalog
	// findings in report order: problems, warnings, then what works.
	problems, warnings, infos []result.ProbeFinding
}

func newProbeView(r *result.ProbeResult, cat *knowledge.Catalog) *probeView {
	pv := &probeView{r: r, cat: cat}
	for _, f := range r.Findings {
		switch f.Severity {
		case result.SeverityProblem:
			pv.problems = append(pv.problems, f)
		case result.SeverityWarning:
			pv.warnings = append(pv.warnings, f)
		default:
			pv.infos = append(pv.infos, f)
		}
	}
	return pv
}

func (pv *probeView) say(key string, args ...result.Arg) string { return pv.cat.Say(key, args...) }

func (pv *probeView) text(m result.Message) string { return pv.cat.Render(m) }

// title is the report's first line.
func (pv *probeView) title() string {
	var targets []result.Message
	for _, t := range pv.r.Targets {
		targets = append(targets, result.Msg("probe.report.target", result.Endpoint("target", t.Input)))
	}
	return pv.say("probe.report.title", result.List("targets", targets))
}

// header says when and how the probe ran.
func (pv *probeView) header() string {
	r := pv.r
	return pv.say("probe.report.header", result.Text("time", wording.UTC(r.Started, "2006-01-02 15:04:05")),
		result.Text("profile", wording.OrDash(r.Options.Profile)), result.Int("connections", r.Connections),
		result.Text("seconds", strconv.FormatFloat(r.Finished.Sub(r.Started).Seconds(), 'f', 1, 64)),
		result.Text("timeout", strconv.FormatFloat(r.Options.Timeout, 'f', -1, 64)))
}

// client says which versions the agent has, and where that came from.
func (pv *probeView) client() string {
	c := pv.r.Client
	if len(c.Versions) == 0 {
		if c.Detail.IsZero() {
			return pv.say("probe.report.client-unknown", result.Sub("detail", result.Msg("probe.client-versions-unreadable")))
		}
		return pv.say("probe.report.client-unknown", result.Sub("detail", c.Detail))
	}
	return pv.say("probe.report.client", result.Text("versions", findings.VersionRange(c.Versions)), result.Sub("detail", c.Detail))
}

// answer is the one-sentence summary: the count of problems and warnings.
func (pv *probeView) answer() string {
	return pv.say("probe.report.answer", result.Int("problems", len(pv.problems)), result.Int("warnings", len(pv.warnings)))
}

// versionCell words what came back to one version's hello compactly, for a table cell.
func (pv *probeView) versionCell(v *result.ProbeVersion) string {
	switch v.Answer {
	case "server-hello":
		if v.Outcome == result.ProbeAccepted {
			return pv.say("probe.cell.accepted")
		}
		return pv.say("probe.cell.other-version", result.Text("chosen", v.Chosen))
	case "alert":
		return pv.say("probe.cell.alert", result.Text("alert", v.Alert))
	case "encrypted-alert":
		return pv.say("probe.cell.encrypted-alert")
	case "reset":
		return pv.say("probe.cell.reset")
	case "close":
		return pv.say("probe.cell.closed")
	case "silence":
		return pv.say("probe.cell.silence")
	case "not-tls":
		return pv.say("probe.cell.not-tls")
	}
	return wording.Clean(v.Outcome)
}

// tcpCell words the TCP outcome: "ok 0.2 ms", "refused", ...
func (pv *probeView) tcpCell(t *result.ProbeTCP) string {
	if t.Verdict == string(result.VerdictOK) {
		return pv.say("probe.cell.tcp-ok", result.Text("ms", strconv.FormatFloat(t.ConnectMS, 'f', 1, 64)))
	}
	return wording.Clean(t.Verdict)
}

// endpointRow is one row of the table of addresses: address, TCP, each version, settled.
func (pv *probeView) endpointRow(ep *result.ProbeEndpoint) []string {
	row := []string{wording.Clean(ep.Address), pv.tcpCell(&ep.TCP)}
	for _, name := range probedVersions {
		cell := "-"
		for i := range ep.Versions {
			if ep.Versions[i].Version == name {
				cell = pv.versionCell(&ep.Versions[i])
			}
		}
		row = append(row, cell)
	}
	settled := "-"
	switch {
	case ep.Settled != "":
		settled = ep.Settled
	case len(pv.r.Client.Versions) > 0 && len(ep.Accepted) > 0:
		settled = pv.say("probe.cell.no-common-version")
	case len(pv.r.Client.Versions) == 0 && len(ep.Accepted) > 0:
		settled = pv.say("probe.cell.unknown")
	}
	return append(row, settled)
}

// probedVersions are the table's version columns.
var probedVersions = []string{"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}

// endpointHeader is the header of the table of addresses.
func (pv *probeView) endpointHeader() []string {
	h := []string{pv.say("probe.col.address"), pv.say("probe.col.tcp")}
	h = append(h, probedVersions...)
	return append(h, pv.say("probe.col.settles"))
}

// lookupLine words a target's lookups: "system: 10.0.0.2; 10.0.0.53:53: no such name (NXDOMAIN)".
func (pv *probeView) lookupLine(t *result.ProbeTarget) string {
	var items []result.Message
	for _, l := range t.Lookups {
		answer := l.AnswerMessage()
		if l.Resolver == "system" {
			items = append(items, result.Msg("probe.report.lookup-system", result.Sub("answer", answer)))
		} else {
			items = append(items, result.Msg("probe.report.lookup", result.Endpoint("resolver", l.Resolver), result.Sub("answer", answer)))
		}
	}
	return pv.say("probe.report.lookups", result.HostName("name", t.Name), result.List("lookups", items))
}

// targetLine names a target and its role.
func (pv *probeView) targetLine(t *result.ProbeTarget) string {
	if t.Role == "agent-listener" {
		return pv.say("probe.report.target-agent", result.Endpoint("target", t.Input), result.Int("port", t.Port))
	}
	return pv.say("probe.report.target-server", result.Endpoint("target", t.Input), result.Int("port", t.Port))
}

// severityLabel is the label of a finding's severity.
func (pv *probeView) severityLabel(s string) string {
	switch s {
	case result.SeverityProblem:
		return pv.say("probe.label.problem")
	case result.SeverityWarning:
		return pv.say("probe.label.warning")
	}
	return pv.say("probe.label.info")
}

// json writes the result with every message worded (Text, NextText, DetailText).
func (pv *probeView) json(b *bytes.Buffer) error {
	r := *pv.r
	fill := func(fs []result.ProbeFinding) []result.ProbeFinding {
		out := slices.Clone(fs)
		for i := range out {
			out[i].Text = pv.text(out[i].Message)
			out[i].NextText = pv.text(out[i].NextStep)
		}
		if out == nil {
			out = []result.ProbeFinding{}
		}
		return out
	}
	r.Findings = fill(r.Findings)
	r.Targets = slices.Clone(r.Targets)
	for i := range r.Targets {
		t := &r.Targets[i]
		t.Findings = fill(t.Findings)
		t.Endpoints = slices.Clone(t.Endpoints)
		for j := range t.Endpoints {
			ep := &t.Endpoints[j]
			if c := ep.Certificate; c != nil {
				cc := *c
				cc.Findings = slices.Clone(c.Findings)
				for k := range cc.Findings {
					if k < len(c.Messages) {
						cc.Findings[k].Text = pv.text(c.Messages[k])
					}
				}
				ep.Certificate = &cc
			}
		}
	}
	r.Client.DetailText = pv.text(r.Client.Detail)
	enc := json.NewEncoder(b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(&r)
}
