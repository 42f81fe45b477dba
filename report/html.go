package report

import (
	"bytes"
	_ "embed"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/result"
)

// The html format is one self-contained file: the CSS and the ladder diagrams (SVG) are inline,
// nothing is fetched and no script runs. html/template escapes every string that reaches the
// page, so text from the capture (an SNI, an HTTP path) is shown as text. Every word on the page
// comes from the catalog: the template calls Say and Label with its keys.

//go:embed templates/report.html.tmpl
var htmlTemplateText string

var htmlTemplate = template.Must(template.New("report").Parse(htmlTemplateText))

// Bounds that keep the page quick to open with thousands of connections.
const (
	maxLadders    = 50   // ladder diagrams drawn (of the first failing connections)
	maxHTMLFlows  = 5000 // rows of the table of all connections
	maxHTMLAgents = 1000 // rows of the table of agents
)

// htmlPage is what the template renders.
type htmlPage struct {
	wd        *words
	Lang      string
	Title     string
	Input     string // "x.pcap, 72 frames from ... to ... UTC"
	Analysed  string // "port 4343; every server address"
	Lead      string
	Failed    bool
	Lines     []string
	More      []string
	NextStep  string
	Warnings  []string
	Empty     *emptyText
	Servers   []htmlServer
	Verdicts  []htmlVerdict
	Groups    []htmlGroup
	Steps     []htmlSteps
	Names     []htmlName
	Agents    []htmlAgent
	AgentsNot string // agents not shown
	Fleet     []htmlFleet
	Prints    []result.FingerprintGroup
	Ladders   []htmlFlowDetail
	// LaddersNot says how many failing connections past maxLadders get no diagram.
	LaddersNot string
	Flows      []htmlFlowRow
	LegacyNote string // the footnote on offered versions, when a row needs it
	NotListed  string
	NotShown   string // rows left out of the table past maxHTMLFlows
	Footer     string
	Generated  string
}

// Say words a catalog key, for the template.
func (p *htmlPage) Say(key string) string { return p.wd.say(key) }

// Label words a label with its first letter in capitals, for the template.
func (p *htmlPage) Label(key string) string { return p.wd.label(key) }

type htmlServer struct {
	Server        string
	Flows, Failed int
	Accepted      []string
}

type htmlVerdict struct {
	Verdict string
	Count   int
	Failed  bool
	OK      bool
	Percent int // of all connections, for the bar (at least 1 when Count > 0)
}

type htmlAgent struct {
	Agent               string
	Connections, Failed int
	Offered             string
	Verdicts            []htmlVerdict
}

type htmlGroup struct {
	N        int
	Headline string
	Offered  string
	Chosen   string
	Verdict  string
	Flows    string
	Anchor   string // the example's detail on the page, or ""
}

type htmlSteps struct {
	For   string
	Steps []string
}

type htmlName struct {
	Name, Relation, Outcome, Askers, DNSServers, Answers, Verdict string
	Failed                                                        bool
	Headline, Reason, Filter                                      string
	Evidence                                                      []htmlEvidence
}

type htmlFleet struct {
	Policy string
	Groups []string
}

type htmlFlowDetail struct {
	ID       int
	Anchor   string
	Verdict  string
	Client   string
	Server   string
	State    string
	SNI      string
	Reason   string
	NextStep string
	NotTLS   string
	HTTP     string
	Evidence []htmlEvidence
	Filter   string
	Ladder   *htmlLadder
}

type htmlEvidence struct {
	Frame string // "frame 62"
	Time  string
	Text  string
}

type htmlFlowRow struct {
	ID      int
	Anchor  string // "" when the connection has no detail on the page
	Time    string
	Client  string
	Server  string
	SNI     string
	State   string
	Offered string
	Chosen  string
	Verdict string
	Failed  bool
	OK      bool
}

// writeHTML writes the report as a single HTML page.
func writeHTML(b *bytes.Buffer, r *result.Result, _ Options) error {
	wd := wordsFor(r)
	fs := findings.Of(r)
	a := wd.answer(r, fs)
	p := htmlPage{wd: wd, Lang: string(wd.lang), Title: clean(wd.say("report.title")), Lead: clean(a.Lead),
		Failed: fs.Failed > 0 || len(fs.Names) > 0, Lines: cleanAll(a.Lines), More: cleanAll(a.More), NextStep: clean(a.Next),
		Analysed: clean(wd.analysed(&r.Options)), Input: clean(wd.msg(inputMsg(&r.Input))),
		Footer: wd.say("report.html.footer", result.Text("schema", result.SchemaVersion)), Generated: "connscope, schema " + result.SchemaVersion}
	if r.Input.File != "" {
		p.Title = clean(wd.say("report.title-file", result.File("file", baseName(r.Input.File))))
	}
	for i := range r.Warnings {
		p.Warnings = append(p.Warnings, clean(wd.warning(&r.Warnings[i])))
	}
	if fs.Flows == 0 && fs.Listed == 0 {
		e := wd.empty(r)
		p.Empty = &e
	}
	for _, sv := range r.Summary.Servers {
		p.Servers = append(p.Servers, htmlServer{Server: clean(sv.Server), Flows: sv.Flows, Failed: sv.Failed, Accepted: sv.AcceptedVersions})
	}
	for _, v := range r.Summary.Verdicts {
		pct := 0
		if r.Summary.Flows > 0 {
			pct = max(1, v.Count*100/r.Summary.Flows)
		}
		p.Verdicts = append(p.Verdicts, htmlVerdict{Verdict: string(v.Verdict), Count: v.Count, Failed: v.Verdict.Failed(),
			OK: v.Verdict == result.VerdictOK, Percent: pct})
	}
	htmlGroups(&p, fs, wd)
	htmlNames(&p, r, wd)
	htmlAgents(&p, &r.Summary, wd)
	for _, sv := range r.Summary.Servers {
		if sv.Policy.IsZero() {
			continue
		}
		fl := htmlFleet{Policy: clean(sv.Server + " " + wd.msg(sv.Policy))}
		for _, g := range r.Summary.Fleet {
			if g.Server == sv.Server && !g.Text.IsZero() {
				fl.Groups = append(fl.Groups, clean(wd.msg(g.Text)))
			}
		}
		p.Fleet = append(p.Fleet, fl)
	}
	p.Prints = r.Summary.Fingerprints
	htmlFlows(&p, r, fs, wd)
	return htmlTemplate.Execute(b, &p)
}

func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return out
}

// htmlGroups fills the table of failing groups and their next steps.
func htmlGroups(p *htmlPage, fs *findings.Findings, wd *words) {
	var steps []htmlSteps
	var stepsFor [][]string
	for i, g := range fs.Groups {
		h := htmlGroup{N: i + 1, Headline: clean(upperFirst(wd.msg(wd.headline(g, fs)))), Offered: "?", Chosen: "?",
			Verdict: string(g.Verdict), Flows: strconv.Itoa(g.Connections)}
		if !g.Unlisted {
			h.Offered, h.Chosen = clean(findings.VersionRange(g.Offered)), orDash(g.Chosen)
			h.Flows = clean(wd.say("report.group-connections", result.Int("n", g.Connections), result.Sub("refs", refs(g.FlowIDs, g.Connections))))
		}
		p.Groups = append(p.Groups, h)
		s := cleanAll(wd.groupSteps(g))
		if len(s) == 0 {
			continue
		}
		j := slices.IndexFunc(steps, func(x htmlSteps) bool { return slices.Equal(x.Steps, s) })
		if j < 0 {
			steps = append(steps, htmlSteps{Steps: s})
			stepsFor = append(stepsFor, nil)
			j = len(steps) - 1
		}
		stepsFor[j] = append(stepsFor[j], strconv.Itoa(i+1))
	}
	for i := range steps {
		steps[i].For = clean(upperFirst(wd.say("report.for-groups", result.Int("n", len(stepsFor[i])), texts("groups", stepsFor[i]))))
	}
	p.Steps = steps
}

// htmlNames fills the DNS names and the next steps of the failing ones.
func htmlNames(p *htmlPage, r *result.Result, wd *words) {
	for i := range r.Names {
		n := viewName(&r.Names[i], wd)
		h := htmlName{Name: clean(n.Name.Name), Relation: orDash(n.Relation), Outcome: orDash(n.Outcome), Askers: orDash(askersCell(n.Name, wd)),
			DNSServers: orDash(strings.Join(n.DNSServers, ", ")), Answers: orDash(strings.Join(n.Answers, ", ")),
			Verdict: string(n.Verdict), Failed: n.Failed}
		if n.Failed {
			h.Headline, h.Reason, h.Filter = clean(upperFirst(wd.msg(wd.nameHeadline(n.Name)))), clean(n.Reason), clean(n.Filter)
			h.Evidence = htmlEvidenceOf(n.Evidence, wd)
			if len(n.NextSteps) > 0 {
				p.Steps = append(p.Steps, htmlSteps{For: clean(upperFirst(wd.say("report.for-name", result.HostName("name", n.Name.Name)))),
					Steps: cleanAll(n.NextSteps)})
			}
		}
		p.Names = append(p.Names, h)
	}
}

// htmlAgents fills the table of agents from the summary: those with a failure first.
func htmlAgents(p *htmlPage, s *result.Summary, wd *words) {
	agents := slices.Clone(s.Agents)
	slices.SortStableFunc(agents, func(x, y result.AgentSummary) int { return boolRank(x.Failed == 0) - boolRank(y.Failed == 0) })
	for i, a := range agents {
		if i == maxHTMLAgents {
			p.AgentsNot = wd.say("report.agents-more", result.Int("n", len(agents)-i))
			break
		}
		h := htmlAgent{Agent: clean(a.Agent), Connections: a.Flows, Failed: a.Failed, Offered: clean(findings.VersionRange(a.OfferedVersions))}
		for _, v := range a.Verdicts {
			h.Verdicts = append(h.Verdicts, htmlVerdict{Verdict: string(v.Verdict), Count: v.Count, Failed: v.Verdict.Failed(), OK: v.Verdict == result.VerdictOK})
		}
		p.Agents = append(p.Agents, h)
	}
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// htmlFlows fills the detail and ladder of failing connections (the example of each group first,
// then the others in order, maxLadders in all) and the table of the first connections, in one
// pass over the listed ones.
func htmlFlows(p *htmlPage, r *result.Result, fs *findings.Findings, wd *words) {
	anchors := map[int]string{}
	detail := func(f *result.Flow) {
		if _, done := anchors[f.ID]; done || len(p.Ladders) == maxLadders {
			return
		}
		d := flowDetail(viewFlow(f, wd), wd)
		anchors[f.ID] = d.Anchor
		p.Ladders = append(p.Ladders, d)
	}
	for _, g := range fs.Groups {
		if g.Example != nil {
			detail(g.Example)
		}
	}
	legacy, failing := false, 0
	for i, f := range r.Flows.All() {
		if f.Failed {
			failing++
			detail(f) // the detail copies what it shows: f may be reused

		}
		if i >= maxHTMLFlows {
			continue
		}
		offered := clean(findings.VersionRange(f.OfferedVersions))
		if findings.OfferedLegacy(f) {
			offered += legacyMark
			legacy = true
		}
		p.Flows = append(p.Flows, htmlFlowRow{ID: f.ID, Anchor: anchors[f.ID], Time: utc(f.Start, startLayout), Client: orDash(f.Client),
			Server: orDash(f.Server), SNI: orDash(findings.SNI(f)), State: orDash(f.ConnState), Offered: offered,
			Chosen: orDash(findings.Chosen(f)), Verdict: clean(wd.verdictCell(f)), Failed: f.Failed, OK: f.Verdict == result.VerdictOK})
	}
	for i, g := range fs.Groups {
		if !g.Unlisted && len(g.FlowIDs) > 0 {
			p.Groups[i].Anchor = anchors[g.FlowIDs[0]]
		}
	}
	if n := failing - len(p.Ladders); n > 0 {
		p.LaddersNot = wd.say("report.ladders-more", result.Int("n", n), result.Int("max", maxLadders))
	}
	if legacy {
		p.LegacyNote = clean(wd.say("report.legacy-footnote"))
	}
	if n := fs.Listed - len(p.Flows); n > 0 {
		p.NotShown = wd.say("report.rows-more", result.Int("n", n))
	}
	if fs.NotListed > 0 {
		p.NotListed = wd.say("report.not-listed", result.Int("n", fs.NotListed), result.Int("max", r.Options.MaxFlows))
	}
}

func htmlEvidenceOf(es []evidenceView, wd *words) []htmlEvidence {
	out := make([]htmlEvidence, len(es))
	for i, e := range es {
		out[i] = htmlEvidence{Frame: wd.say("report.frame", result.Int("n", e.Frame)), Time: utc(e.Time, evidenceLayout), Text: clean(e.Text)}
	}
	return out
}

func flowDetail(f *flowView, wd *words) htmlFlowDetail {
	d := htmlFlowDetail{ID: f.ID, Anchor: "flow-" + strconv.Itoa(f.ID), Verdict: string(f.Verdict),
		Client: orDash(f.Client), Server: orDash(f.Server), State: orDash(f.ConnState), SNI: clean(findings.SNI(f.Flow)),
		Reason: clean(f.Reason), NextStep: clean(f.NextStep), NotTLS: clean(f.NotTLS), Filter: clean(f.Filter),
		Evidence: htmlEvidenceOf(f.Evidence, wd)}
	if f.HTTP != nil {
		d.HTTP = clean(httpLine(f.HTTP, wd))
	}
	if len(f.Packets) > 0 {
		d.Ladder = buildLadder(f, wd)
	}
	return d
}
