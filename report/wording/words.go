// Package wording words what the reports say, in one language: the analysis' messages and the
// knowledge profile's titles and next steps, and everything the report formats add around them
// (labels, headings, table columns, the answer paragraph, the headline of each failing group and
// name, footnotes and hints), every sentence a template of the catalog
// (knowledge/data/<lang>/messages/report.txt). It words plain text: each format escapes it as it
// needs (Clean for a terminal, Markdown escaping, html/template).
package wording

import (
	"strconv"
	"strings"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// Words words a report's messages and knowledge entries in its language, with its profile's
// titles and next steps.
type Words struct {
	// Lang is the language the report is written in.
	Lang    knowledge.Lang
	cat     *knowledge.Catalog
	profile *knowledge.Profile
	red     knowledge.Redactor
	// sentenceSep joins sentences (message report.sentences): a space in English, nothing in
	// Japanese, whose sentences end in 「。」.
	sentenceSep string
}

// New returns the words of a report in lang with profile's titles and next steps; red, when
// not nil, replaces every parameter taken from the capture.
func New(lang knowledge.Lang, profile *knowledge.Profile, red knowledge.Redactor) *Words {
	cat := knowledge.CatalogOf(lang)
	return &Words{Lang: lang, cat: cat, profile: profile, red: red, sentenceSep: cat.Separator("report.sentences", "parts")}
}

// Msg words a message.
func (w *Words) Msg(m result.Message) string { return string(w.cat.AppendRender(nil, &m, w.red)) }

// AppendMsg appends a worded message to b.
func (w *Words) AppendMsg(b []byte, m *result.Message) []byte { return w.cat.AppendRender(b, m, w.red) }

// Advice words a finding's title and next steps.
func (w *Words) Advice(v result.Verdict, adv *result.Advice) knowledge.Words {
	return w.profile.Advise(w.Lang, v, adv, w.red)
}

// Flow is a flow's title, next steps and the steps joined in one line.
func (w *Words) Flow(f *result.Flow) (title string, steps []string, step string) {
	a := w.Advice(f.Verdict, &f.Advice)
	return a.Title, a.NextSteps, w.Sentences(a.NextSteps...)
}

// Sentences joins sentences as the report's language does.
func (w *Words) Sentences(s ...string) string { return strings.Join(s, w.sentenceSep) }

// SentenceSep is what goes between two sentences in the report's language: " " in English,
// nothing in Japanese.
func (w *Words) SentenceSep() string { return w.sentenceSep }

// Name is a DNS name's title, next steps and the steps joined in one line.
func (w *Words) Name(n *result.Name) (title string, steps []string, step string) {
	a := w.Advice(n.Verdict, &n.Advice)
	return a.Title, a.NextSteps, w.Sentences(a.NextSteps...)
}

// Wording that every format shares: labels, the answer paragraph, the headline of each failing
// group and name, a group's next steps. Everything here is worded from the catalog
// (knowledge/data/<lang>/messages/report.txt) as plain text; each format escapes it as it needs.

// Say words the template key with args.
func (w *Words) Say(key string, args ...result.Arg) string {
	m := result.Message{Key: key, Args: args}
	return string(w.AppendMsg(nil, &m))
}

// Label words a label with its first letter in capitals, as Markdown and HTML write labels.
func (w *Words) Label(key string) string { return UpperFirst(w.Say(key)) }

// Cols words a table's column headings.
func (w *Words) Cols(keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = w.Say(k)
	}
	return out
}

// Texts is program text (versions, verdicts, port numbers) as a list parameter.
func Texts(name string, ss []string) result.Arg {
	items := make([]result.Message, len(ss))
	for i, s := range ss {
		items[i] = result.Msg("report.text", result.Text("text", s))
	}
	return result.List(name, items)
}

// Refs lists connection numbers, "#4, #5", with "and N more" when total is more.
func Refs(ids []int, total int) result.Message {
	items := make([]result.Message, len(ids))
	for i, id := range ids {
		items[i] = result.Msg("flow-ref", result.Int("id", id))
	}
	if total > len(ids) {
		return result.Msg("report.refs-more", result.List("refs", items), result.Int("n", total-len(ids)))
	}
	return result.Msg("report.refs", result.List("refs", items))
}

// Warning words a warning, with its code and frame in brackets.
func (w *Words) Warning(x *result.Warning) string {
	text := result.Text("text", w.Msg(x.Message))
	code, frame := result.Text("code", x.Code), result.Int("frame", x.Frame)
	switch {
	case x.Code != "" && x.Frame > 0:
		return w.Say("report.warning-code-frame", text, code, frame)
	case x.Code != "":
		return w.Say("report.warning-code", text, code)
	case x.Frame > 0:
		return w.Say("report.warning-frame", text, frame)
	}
	return text.Text
}

// Analysed says which ports and hosts were analysed: "port 4343; every server address".
func (w *Words) Analysed(o *result.Options) string {
	ports, hosts := result.Msg("report.ports-all"), result.Msg("report.hosts-all")
	if len(o.Ports) > 0 {
		ps := make([]string, len(o.Ports))
		for i, p := range o.Ports {
			ps[i] = strconv.Itoa(p)
		}
		ports = result.Msg("report.ports", result.Int("n", len(ps)), Texts("ports", ps))
	}
	if len(o.Hosts) > 0 {
		items := make([]result.Message, len(o.Hosts))
		for i, h := range o.Hosts {
			items[i] = result.Msg("addr", result.From("addr", h))
		}
		hosts = result.Msg("report.hosts", result.Int("n", len(items)), result.List("hosts", items))
	}
	return w.Say("report.analysed", result.Sub("ports", ports), result.Sub("hosts", hosts))
}

// VerdictCell is a connection's verdict as a listing shows it: with the HTTP status of a
// plain-HTTP connection, "http-error (HTTP 404)".
func (w *Words) VerdictCell(f *result.Flow) string {
	if f.HTTP != nil && f.HTTP.Status > 0 {
		return w.Say("report.verdict-http", result.Text("verdict", string(f.Verdict)), result.Int("status", f.HTTP.Status))
	}
	return string(f.Verdict)
}

// maxHintPorts is how many ports the hint for --port names.
const maxHintPorts = 3

// Askers lists the clients that asked for a name, with how many more the result counts.
func (w *Words) Askers(n *result.Name) string {
	askers := strings.Join(result.Strings(n.Askers), ", ")
	if n.AskerCount > len(n.Askers) {
		return w.Say("report.asked-more", result.Capture("askers", askers), result.Int("n", n.AskerCount-len(n.Askers)))
	}
	return askers
}

// HTTPLine is a plain-HTTP connection's request and response: "GET /path → HTTP/1.1 404 Not Found".
// Without a response, it says whether the capture missed some of the server's data (the
// response may be among it).
func (w *Words) HTTPLine(f *result.Flow) string {
	h := f.HTTP
	if h.Status == 0 {
		if f.MissedData(false) {
			return w.Say("report.http-response-missed", result.From("method", h.Method), result.From("path", h.Path))
		}
		return w.Say("report.http-no-response", result.From("method", h.Method), result.From("path", h.Path))
	}
	return w.Say("report.http", result.From("method", h.Method), result.From("path", h.Path), result.From("status", h.StatusLine))
}

// VerdictCounts is the counts per verdict as a list parameter: "3 ok, 2 refused".
func VerdictCounts(vs []result.VerdictCount) result.Arg {
	items := make([]result.Message, len(vs))
	for i, v := range vs {
		items[i] = result.Msg("report.count", result.Int("n", v.Count), result.Text("verdict", string(v.Verdict)))
	}
	return result.List("counts", items)
}

// InputMsg says what was read: "x.pcap, 72 frames from ... to ... UTC".
func InputMsg(in *result.Input) result.Message {
	file, frames := result.File("file", OrDash(InputName(in))), result.Int("frames", in.Frames)
	if in.First.IsZero() {
		return result.Msg("report.input", file, frames)
	}
	return result.Msg("report.input-span", file, frames, result.Text("first", UTC(in.First, StartLayout)),
		result.Text("last", UTC(in.Last, StartLayout)))
}

// ServerPolicy words a server's policy sentence after the server's address
// (report.server-policy): "10.0.0.2:4343 accepted TLS 1.2 (...)"; after the agent's when the
// address is an agents' listener (report.server-policy-agent), as its fleet groups say.
func (w *Words) ServerPolicy(s *result.Summary, server result.HostPort, policy result.Message) string {
	key := "report.server-policy"
	for _, g := range s.Fleet {
		if g.Server == server && g.Role == result.RoleAgentListener {
			key = "report.server-policy-agent"
			break
		}
	}
	return w.Say(key, result.Text("server", OrDash(string(server))), result.Sub("policy", policy))
}
