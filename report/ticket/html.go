package ticket

import (
	"bytes"
	_ "embed"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/report/wording"
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
	wd        *wording.Words
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
	Empty     *wording.EmptyText
	Servers   []htmlServer
	Verdicts  []htmlVerdict
	Groups    []htmlGroup
	Steps     []htmlSteps
	Names     []htmlName
	Agents    []htmlAgent
	AgentsNot string // agents not shown
	// AgentsHead and AgentsCol head the table of agents (wording.AgentsHeads): its clients may
	// be management servers notifying agents.
	AgentsHead, AgentsCol string
	Fleet                 []htmlFleet
	Prints                []result.FingerprintGroup
	// PrintsClients is the heading of the fingerprints' clients column (wording.FingerprintCols).
	PrintsClients string
	Ladders       []htmlFlowDetail
	// LaddersNot says how many failing connections past maxLadders get no diagram.
	LaddersNot string
	Flows      []htmlFlowRow
	LegacyNote string // the footnote on offered versions, when a row needs it
	NotListed  string
	NotShown   string // rows left out of the table past maxHTMLFlows
	Footer     string
	Generated  string
	// Vantages names where the packets were captured, and Offsets the clock offsets between
	// them, when there are several vantages.
	Vantages string
	Offsets  []string
}

// Say words a catalog key, for the template.
func (p *htmlPage) Say(key string) string { return p.wd.Say(key) }

// Label words a label with its first letter in capitals, for the template.
func (p *htmlPage) Label(key string) string { return p.wd.Label(key) }

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
	// Seen and Between are where a connection seen at several vantages was seen, and per
	// direction what left one vantage and what reached the other; TwoLadder draws it.
	Seen      string
	Between   []wording.Labelled
	TwoLadder *htmlTwoLadder
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
	Between string // what arrived between the vantages, with several
}

// HTML writes the report as a single HTML page.
func HTML(b *bytes.Buffer, r *result.Result, wd *wording.Words) error {
	fs := findings.Of(r)
	a := wd.Answer(r, fs)
	p := htmlPage{wd: wd, Lang: string(wd.Lang), Title: wording.Clean(wd.Say("report.title")), Lead: wording.Clean(a.Lead),
		Failed: fs.Failed > 0 || len(fs.Names) > 0, Lines: cleanAll(a.Lines), More: cleanAll(a.More), NextStep: wording.Clean(a.Next),
		Analysed: wording.Clean(wd.Analysed(&r.Options)), Input: wording.Clean(wd.Msg(wording.InputMsg(&r.Input))),
		Footer:    wd.Say("report.html.footer", result.Text("generator", r.Input.Generator.String()), result.Text("schema", result.SchemaVersion)),
		Generated: r.Input.Generator.String() + ", schema " + result.SchemaVersion}
	if r.Input.File != "" {
		p.Title = wording.Clean(wd.Say("report.title-file", result.File("file", wording.InputName(&r.Input))))
	}
	for i := range r.Warnings {
		p.Warnings = append(p.Warnings, wording.Clean(wd.Warning(&r.Warnings[i])))
	}
	p.Vantages, p.Offsets = wd.InputVantages(&r.Input)
	p.Vantages = wording.Clean(p.Vantages)
	for i, o := range p.Offsets {
		p.Offsets[i] = wording.UpperFirst(wording.Clean(o))
	}
	if fs.Flows == 0 && fs.Listed == 0 {
		e := wd.Empty(r)
		p.Empty = &e
	}
	for _, sv := range r.Summary.Servers {
		p.Servers = append(p.Servers, htmlServer{Server: wording.Clean(sv.Server), Flows: sv.Flows, Failed: sv.Failed, Accepted: sv.AcceptedVersions})
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
		fl := htmlFleet{Policy: wording.Clean(wd.ServerPolicy(&r.Summary, sv.Server, sv.Policy))}
		for _, g := range r.Summary.Fleet {
			if g.Server == sv.Server && !g.Text.IsZero() {
				fl.Groups = append(fl.Groups, wording.Clean(wd.Msg(g.Text)))
			}
		}
		p.Fleet = append(p.Fleet, fl)
	}
	p.Prints = r.Summary.Fingerprints
	printsClients, _ := wording.FingerprintCols(p.Prints)
	p.PrintsClients = wd.Say(printsClients)
	htmlFlows(&p, r, fs, wd)
	return htmlTemplate.Execute(b, &p)
}

func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = wording.Clean(s)
	}
	return out
}

// htmlGroups fills the table of failing groups and their next steps.
func htmlGroups(p *htmlPage, fs *findings.Findings, wd *wording.Words) {
	var steps []htmlSteps
	var stepsFor [][]string
	for i, g := range fs.Groups {
		h := htmlGroup{N: i + 1, Headline: wording.Clean(wording.UpperFirst(wd.Msg(wd.Headline(g, fs)))), Offered: "?", Chosen: "?",
			Verdict: string(g.Verdict), Flows: strconv.Itoa(g.Connections)}
		if !g.Unlisted {
			h.Offered, h.Chosen = wording.Clean(findings.VersionRange(g.Offered)), wording.OrDash(g.Chosen)
			h.Flows = wording.Clean(wd.Say("report.group-connections", result.Int("n", g.Connections), result.Sub("refs", wording.Refs(g.FlowIDs, g.Connections))))
		}
		p.Groups = append(p.Groups, h)
		s := cleanAll(wd.GroupSteps(g))
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
		steps[i].For = wording.Clean(wording.UpperFirst(wd.Say("report.for-groups", result.Int("n", len(stepsFor[i])), wording.Texts("groups", stepsFor[i]))))
	}
	p.Steps = steps
}

// htmlNames fills the DNS names and the next steps of the failing ones.
func htmlNames(p *htmlPage, r *result.Result, wd *wording.Words) {
	for i := range r.Names {
		n := wording.ViewName(&r.Names[i], wd)
		h := htmlName{Name: wording.Clean(n.Name.Name), Relation: wording.OrDash(n.Relation), Outcome: wording.OrDash(n.Outcome), Askers: wording.OrDash(wd.Askers(n.Name)),
			DNSServers: wording.OrDash(strings.Join(result.Strings(n.DNSServers), ", ")), Answers: wording.OrDash(strings.Join(result.Strings(n.Answers), ", ")),
			Verdict: string(n.Verdict), Failed: n.Failed}
		if n.Failed {
			h.Headline, h.Reason, h.Filter = wording.Clean(wording.UpperFirst(wd.Msg(wd.NameHeadline(n.Name)))), wording.Clean(n.Reason), wording.Clean(n.WiresharkFilter())
			h.Evidence = htmlEvidenceOf(n.Evidence, wd)
			if len(n.NextSteps) > 0 {
				p.Steps = append(p.Steps, htmlSteps{For: wording.Clean(wording.UpperFirst(wd.Say("report.for-name", result.From("name", n.Name.Name)))),
					Steps: cleanAll(n.NextSteps)})
			}
		}
		p.Names = append(p.Names, h)
	}
}

// htmlAgents fills the table of agents from the summary: those with a failure first.
func htmlAgents(p *htmlPage, s *result.Summary, wd *wording.Words) {
	agents := slices.Clone(s.Agents)
	head, col := wording.AgentsHeads(agents)
	p.AgentsHead, p.AgentsCol = wd.Say(head), wd.Say(col)
	slices.SortStableFunc(agents, func(x, y result.AgentSummary) int { return boolRank(x.Failed == 0) - boolRank(y.Failed == 0) })
	for i, a := range agents {
		if i == maxHTMLAgents {
			p.AgentsNot = wd.Say("report.agents-more", result.Int("n", len(agents)-i))
			break
		}
		h := htmlAgent{Agent: wording.Clean(a.Agent), Connections: a.Flows, Failed: a.Failed, Offered: wording.Clean(findings.VersionRange(a.OfferedVersions))}
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
func htmlFlows(p *htmlPage, r *result.Result, fs *findings.Findings, wd *wording.Words) {
	anchors := map[int]string{}
	detail := func(f *result.Flow) {
		if _, done := anchors[f.ID]; done || len(p.Ladders) == maxLadders {
			return
		}
		d := flowDetail(wording.ViewFlow(f, wd), wd)
		anchors[f.ID] = d.Anchor
		p.Ladders = append(p.Ladders, d)
	}
	for _, g := range fs.Groups {
		if g.Example != nil {
			detail(g.Example)
		}
	}
	// Only the flows a row or a detail shows are made: the first rows, and the failing flows
	// until the details are drawn (the list's briefs tell which fail without making them).
	var legacy wording.LegacyNotes
	failing := fs.ListedFailed
	for i, f := range r.Flows.Where(func(i int, b result.Brief) bool { return i < maxHTMLFlows || b.Failed }) {
		if i >= maxHTMLFlows && len(p.Ladders) == maxLadders {
			break
		}
		if f.Failed {
			detail(f) // the detail copies what it shows: f may be reused
		}
		if i >= maxHTMLFlows {
			continue
		}
		offered := wording.Clean(findings.VersionRange(f.OfferedVersions))
		if findings.OfferedLegacy(f) {
			offered += wording.LegacyMark
			legacy.Add(f.OfferedVersions)
		}
		p.Flows = append(p.Flows, htmlFlowRow{ID: f.ID, Anchor: anchors[f.ID], Time: wording.UTC(f.Start, wording.StartLayout), Client: wording.OrDash(f.Client),
			Server: wording.OrDash(f.Server), SNI: wording.OrDash(findings.SNI(f)), State: wording.OrDash(f.ConnState), Offered: offered,
			Chosen: wording.OrDash(findings.Chosen(f)), Verdict: wording.Clean(wd.VerdictCell(f)), Failed: f.Failed, OK: f.Verdict == result.VerdictOK,
			Between: wording.Clean(wd.VantageCell(f))})
	}
	for i, g := range fs.Groups {
		if !g.Unlisted && len(g.FlowIDs) > 0 {
			p.Groups[i].Anchor = anchors[g.FlowIDs[0]]
		}
	}
	if n := failing - len(p.Ladders); n > 0 {
		p.LaddersNot = wd.Say("report.ladders-more", result.Int("n", n), result.Int("max", maxLadders))
	}
	if k := legacy.Key(); k != "" {
		p.LegacyNote = wording.Clean(wd.Say(k))
	}
	if n := fs.Listed - len(p.Flows); n > 0 {
		p.NotShown = wd.Say("report.rows-more", result.Int("n", n))
	}
	if fs.NotListed > 0 {
		p.NotListed = wd.Say("report.not-listed", result.Int("n", fs.NotListed), result.Int("max", r.Options.MaxFlows))
	}
}

func htmlEvidenceOf(es []wording.EvidenceView, wd *wording.Words) []htmlEvidence {
	out := make([]htmlEvidence, len(es))
	for i, e := range es {
		out[i] = htmlEvidence{Frame: wd.Say("report.frame", result.Int("n", e.Frame)), Time: wording.UTC(e.Time, wording.EvidenceLayout), Text: wording.Clean(e.Text)}
	}
	return out
}

func flowDetail(f *wording.FlowView, wd *wording.Words) htmlFlowDetail {
	d := htmlFlowDetail{ID: f.ID, Anchor: "flow-" + strconv.Itoa(f.ID), Verdict: string(f.Verdict),
		Client: wording.OrDash(f.Client), Server: wording.OrDash(f.Server), State: wording.OrDash(f.ConnState), SNI: wording.Clean(findings.SNI(f.Flow)),
		Reason: wording.Clean(f.Reason), NextStep: wording.Clean(f.NextStep), NotTLS: wording.Clean(f.NotTLS), Filter: wording.Clean(f.WiresharkFilter()),
		Evidence: htmlEvidenceOf(f.Evidence, wd)}
	if f.HTTP != nil {
		d.HTTP = wording.Clean(wd.HTTPLine(f.Flow))
	}
	if len(f.Packets) > 0 {
		d.Ladder = buildLadder(f, wd)
	}
	if f.Vantages != nil {
		d.Seen, d.Between = wd.VantageLines(f.Flow)
		d.Seen = wording.Clean(d.Seen)
		for i := range d.Between {
			d.Between[i] = wording.Labelled{Label: wording.UpperFirst(wording.Clean(d.Between[i].Label)), Text: wording.Clean(d.Between[i].Text)}
		}
		if len(f.Vantages.Ladder) > 0 {
			d.TwoLadder = buildTwoLadder(f, wd)
		}
	}
	return d
}
