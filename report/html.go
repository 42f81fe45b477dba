package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/connscope/connscope/result"
)

// The html format is one self-contained file: the CSS and the ladder diagrams (SVG) are inline,
// nothing is fetched and no script runs. html/template escapes every string that reaches the
// page, so text from the capture (an SNI, an HTTP path) is shown as text.

//go:embed templates/report.html.tmpl
var htmlTemplateText string

var htmlTemplate = template.Must(template.New("report").Parse(htmlTemplateText))

// Bounds that keep the page quick to open with thousands of flows.
const (
	maxLadders    = 50   // ladder diagrams drawn (of the first failing flows)
	maxHTMLFlows  = 5000 // rows of the table of all connections
	maxHTMLAgents = 1000 // rows of the table of agents
)

// htmlPage is what the template renders.
type htmlPage struct {
	Title     string
	Input     string // "72 frames from ... to ... UTC"
	Analysed  string // "ports 4343; all hosts"
	Lead      string
	Failed    bool
	Headlines []string
	More      string
	NextStep  string
	Warnings  []string
	Servers   []htmlServer
	Verdicts  []htmlVerdict
	Groups    []htmlGroup
	Agents    []htmlAgent
	// AgentsNotShown counts agents past maxHTMLAgents.
	AgentsNotShown int
	Ladders        []htmlFlowDetail
	// LaddersOmitted counts failing flows past maxLadders that get no diagram.
	LaddersOmitted int
	Flows          []htmlFlowRow
	Legacy         bool
	LegacyNote     string
	NotListed      string
	NotShown       string // rows left out of the table past maxHTMLFlows
	Generated      string
	// Lang is the page's language, its html lang attribute: "en" or "ja" (which also picks a
	// font stack that has Japanese glyphs on Windows, macOS and Linux, nothing fetched).
	Lang string
}

type htmlServer struct {
	Server        string
	Flows, Failed int
	Accepted      []string
}

type htmlVerdict struct {
	Verdict string
	Count   int
	Failed  bool
	Percent int // of all flows, for the bar (at least 1 when Count > 0)
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
	Evidence []htmlEvidence
	Filter   string
	Ladder   *htmlLadder
}

type htmlEvidence struct {
	Frame int
	Time  string
	Text  string
}

type htmlFlowRow struct {
	ID      int
	Anchor  string // "" when the flow has no detail on the page
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
func writeHTML(b *bytes.Buffer, r *result.Result, o Options) error {
	wd := wordsFor(r, o.Lang)
	flows := viewFlows(r, wd)
	groups := groupFailures(flows)
	sum := summarizeFailures(r, groups)
	p := htmlPage{
		Lang:      string(wd.lang),
		Title:     "connscope report",
		Lead:      sum.Lead,
		Failed:    r.Summary.Failed > 0,
		Headlines: sum.Headlines,
		More:      sum.More,
		NextStep:  sum.NextStep,
	}
	if r.Input.File != "" {
		p.Title += ": " + clean(baseName(r.Input.File))
	}
	in := r.Input
	p.Input = clean(orDash(baseName(in.File))) + ", " + plural(in.Frames, "frame", "frames")
	if !in.First.IsZero() {
		p.Input += fmt.Sprintf(" from %s to %s UTC", utc(in.First, startLayout), utc(in.Last, startLayout))
	}
	p.Analysed = analysedText(r)
	for _, w := range r.Warnings {
		p.Warnings = append(p.Warnings, warningText(w, wd))
	}
	for _, sv := range r.Summary.Servers {
		p.Servers = append(p.Servers, htmlServer{Server: clean(sv.Server), Flows: sv.Flows, Failed: sv.Failed,
			Accepted: sv.AcceptedVersions})
	}
	for _, v := range r.Summary.Verdicts {
		pct := 0
		if r.Summary.Flows > 0 {
			pct = max(1, v.Count*100/r.Summary.Flows)
		}
		p.Verdicts = append(p.Verdicts, htmlVerdict{Verdict: string(v.Verdict), Count: v.Count, Failed: v.Verdict.Failed(), Percent: pct})
	}
	for i, a := range agentRows(flows) {
		if i == maxHTMLAgents {
			p.AgentsNotShown++
			continue
		}
		ha := htmlAgent{Agent: clean(a.Agent), Connections: a.Connections, Failed: a.Failed, Offered: a.Offered}
		for _, v := range a.Verdicts {
			ha.Verdicts = append(ha.Verdicts, htmlVerdict{Verdict: v, Failed: result.Verdict(v).Failed()})
		}
		p.Agents = append(p.Agents, ha)
	}
	for i, g := range groups {
		p.Groups = append(p.Groups, htmlGroup{N: i + 1, Headline: clean(upperFirst(g.headline(accepted(r, g.Server)))),
			Offered: clean(g.Offered), Chosen: clean(g.Chosen), Verdict: string(g.Verdict), Flows: flowRefs(g.Flows)})
	}
	detailed := map[int]bool{}
	for _, f := range flows {
		if !f.Failed {
			continue
		}
		if len(p.Ladders) == maxLadders {
			p.LaddersOmitted++
			continue
		}
		detailed[f.ID] = true
		p.Ladders = append(p.Ladders, flowDetail(f))
	}
	for i, f := range flows {
		if i == maxHTMLFlows {
			p.NotShown = fmt.Sprintf("%d more connections are not shown here: the table and JSON reports list them.",
				len(flows)-i)
			break
		}
		offered, mark := offeredCell(f)
		p.Legacy = p.Legacy || mark
		row := htmlFlowRow{ID: f.ID, Time: utc(f.Start, startLayout), Client: orDash(f.Client), Server: orDash(f.Server),
			SNI: orDash(sniOf(f)), State: orDash(f.ConnState), Offered: offered, Chosen: orDash(chosenOf(f)),
			Verdict: string(f.Verdict), Failed: f.Failed, OK: f.Verdict == result.VerdictOK}
		if detailed[f.ID] {
			row.Anchor = "flow-" + strconv.Itoa(f.ID)
		}
		p.Flows = append(p.Flows, row)
	}
	p.LegacyNote = legacyFootnote
	if r.FlowsNotListed > 0 {
		p.NotListed = fmt.Sprintf("%s more not listed (only the first %d are); the counts include them.",
			plural(r.FlowsNotListed, "connection", "connections"), r.Options.MaxFlows)
	}
	p.Generated = "connscope, schema " + result.SchemaVersion
	return htmlTemplate.Execute(b, &p)
}

// analysedText says which ports and hosts were analysed.
func analysedText(r *result.Result) string {
	ports := "every TCP port"
	if len(r.Options.Ports) > 0 {
		ps := make([]string, len(r.Options.Ports))
		for i, port := range r.Options.Ports {
			ps[i] = strconv.Itoa(port)
		}
		ports = "port " + strings.Join(ps, ", ")
	}
	hosts := "every server address"
	if len(r.Options.Hosts) > 0 {
		hosts = "server " + clean(strings.Join(r.Options.Hosts, ", "))
	}
	return ports + "; " + hosts
}

func flowDetail(f *flowView) htmlFlowDetail {
	d := htmlFlowDetail{ID: f.ID, Anchor: "flow-" + strconv.Itoa(f.ID), Verdict: string(f.Verdict),
		Client: orDash(f.Client), Server: orDash(f.Server), State: orDash(f.ConnState), SNI: clean(sniOf(f)),
		Reason: clean(f.Reason), NextStep: clean(f.NextStep), NotTLS: clean(f.NotTLS), Filter: clean(f.Filter)}
	for _, e := range f.Evidence {
		d.Evidence = append(d.Evidence, htmlEvidence{Frame: e.Frame, Time: utc(e.Time, evidenceLayout), Text: clean(e.Text)})
	}
	if len(f.Packets) > 0 {
		d.Ladder = buildLadder(f)
	}
	return d
}

// The ladder (sequence) diagram: the client's line on the left, the server's on the right, one
// arrow per packet, top to bottom in capture order.
const (
	ladderWidth   = 960
	ladderTimeX   = 8   // left edge of the time column
	ladderClientX = 210 // x of the client's line
	ladderServerX = 820 // x of the server's line
	ladderTop     = 58  // y of the first arrow
	ladderRow     = 34  // vertical distance between arrows with one label line each
	ladderText    = 12  // more room for a second label line (TLS messages above the arrow)
	ladderGap     = 34  // height of the "packets not shown" row
)

type htmlLadder struct {
	Width, Height    int
	ClientX, ServerX int // x of the two lines
	MidX, TimeX      int // x of the labels and of the time column
	LineTop, LineBot int
	Client, Server   string
	Arrows           []htmlArrow
	OmittedY         int    // y of the "not shown" row
	Omitted          string // "… 18 packets not shown …", or ""
}

type htmlArrow struct {
	Y          int
	X1, X2     int // from, to
	HeadPoints string
	Time       string // seconds since the flow's first packet, "+0.000123 s"
	Frame      string // "frame 62"
	Label      string // "PSH, ACK · 104 bytes"
	Messages   string // "client_hello", "alert fatal protocol_version"
	Class      string // colour class: "rst", "alert", "hello", "fin", "syn", "data"
	FromClient bool
}

func buildLadder(f *flowView) *htmlLadder {
	l := &htmlLadder{Width: ladderWidth, ClientX: ladderClientX, ServerX: ladderServerX, TimeX: ladderTimeX,
		MidX: (ladderClientX + ladderServerX) / 2, Client: clean(f.Client), Server: clean(f.Server), LineTop: 34}
	t0 := f.Packets[0].Time
	y := ladderTop
	head := min(len(f.Packets), result.LadderHead)
	for i, pk := range f.Packets {
		if i == head && f.PacketsOmitted > 0 {
			l.OmittedY = y - ladderRow/2 + ladderGap/2
			l.Omitted = fmt.Sprintf("… %s not shown …", plural(f.PacketsOmitted, "packet", "packets"))
			y += ladderGap
		}
		if i > 0 && len(pk.Messages) > 0 {
			y += ladderText // the messages above the arrow
		}
		a := htmlArrow{Y: y, Time: relTime(pk.Time.Sub(t0)), Frame: "frame " + strconv.Itoa(pk.Frame),
			Messages: clean(strings.Join(pk.Messages, ", ")), FromClient: pk.From == "client"}
		a.X1, a.X2 = ladderServerX, ladderClientX
		if a.FromClient {
			a.X1, a.X2 = ladderClientX, ladderServerX
		}
		label := pk.TCPFlags
		if label == "" {
			label = "no flags"
		}
		if pk.PayloadLen > 0 {
			label += fmt.Sprintf(" · %d bytes", pk.PayloadLen)
		}
		if pk.Retransmission {
			label += " · retransmission"
		}
		a.Label = clean(label)
		a.Class = arrowClass(&pk)
		dir := 1
		if !a.FromClient {
			dir = -1
		}
		tip := a.X2 - dir*2
		a.HeadPoints = fmt.Sprintf("%d,%d %d,%d %d,%d", tip, y, tip-dir*10, y-5, tip-dir*10, y+5)
		l.Arrows = append(l.Arrows, a)
		y += ladderRow
		if len(pk.Messages) > 0 {
			y += ladderText // the flags below the arrow
		}
	}
	last := l.Arrows[len(l.Arrows)-1].Y
	l.LineBot = last + 14
	l.Height = last + 28
	return l
}

// arrowClass picks the colour of a packet's arrow: resets and alerts red, hellos blue, FINs
// grey, the rest neutral.
func arrowClass(p *result.Packet) string {
	for _, m := range p.Messages {
		if strings.HasPrefix(m, "alert ") || m == "not_tls" {
			return "alert"
		}
	}
	switch {
	case strings.Contains(p.TCPFlags, "RST"):
		return "rst"
	case len(p.Messages) > 0 && (strings.HasSuffix(p.Messages[0], "_hello") || p.Messages[0] == "certificate"):
		return "hello"
	case strings.Contains(p.TCPFlags, "SYN"):
		return "syn"
	case strings.Contains(p.TCPFlags, "FIN"):
		return "fin"
	case len(p.Messages) > 0 || p.PayloadLen > 0:
		return "data"
	}
	return "ack"
}

// relTime writes a time since the flow's first packet: "+0.000140 s", "+1.002 s".
func relTime(d time.Duration) string {
	s := d.Seconds()
	if s < 1 {
		return fmt.Sprintf("+%.6f s", s)
	}
	return fmt.Sprintf("+%.3f s", s)
}
