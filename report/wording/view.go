package wording

import (
	"time"

	"github.com/connscope/connscope/result"
)

// FlowView is one flow with its messages and knowledge entry worded, for the text formats
// (table, Markdown, HTML): the worded fields shadow the flow's own. A report makes one for each
// flow it writes in detail, never for every flow at once.
type FlowView struct {
	*result.Flow
	Reason, NotTLS, Title, NextStep string // NotTLS only for the verdict not-tls
	NextSteps                       []string
	Evidence                        []EvidenceView
}

// EvidenceView is an evidence line worded: with several vantages, Text names the capture the
// frame is in.
type EvidenceView struct {
	Frame int
	Time  time.Time
	Text  string
	Flow  int
}

// ViewFlow words one flow.
func ViewFlow(f *result.Flow, wd *Words) *FlowView {
	v := &FlowView{Flow: f, Reason: wd.Msg(f.Reason)}
	if f.Verdict == result.VerdictNotTLS { // plain HTTP to a plain-HTTP port is not "instead of TLS"
		v.NotTLS = wd.Msg(f.NotTLS)
	}
	v.Title, v.NextSteps, v.NextStep = wd.Flow(f)
	v.Evidence = viewEvidence(f.Evidence, wd)
	return v
}

// viewEvidence words evidence lines; with several vantages, each after the capture its frame
// is in (report.evidence-at), so that the frame number says which file to open.
func viewEvidence(es []result.Evidence, wd *Words) []EvidenceView {
	out := make([]EvidenceView, len(es))
	for i, e := range es {
		text := e.Text
		if e.EvidenceAt != nil {
			text = result.Msg("report.evidence-at", result.Sub("at", e.Name), result.Sub("text", e.Text))
		}
		out[i] = EvidenceView{Frame: e.Frame, Time: e.Time, Text: wd.Msg(text), Flow: e.Flow}
	}
	return out
}

// NameView is a DNS name with its messages and knowledge entry worded.
type NameView struct {
	*result.Name
	Reason, Title, NextStep string
	NextSteps               []string
	Evidence                []EvidenceView
}

// ViewNames words the result's names (they are few: tracking bounds them).
func ViewNames(r *result.Result, wd *Words) []*NameView {
	out := make([]*NameView, len(r.Names))
	for i := range r.Names {
		out[i] = ViewName(&r.Names[i], wd)
	}
	return out
}

// ViewName words one DNS name.
func ViewName(n *result.Name, wd *Words) *NameView {
	v := &NameView{Name: n, Reason: wd.Msg(n.Reason), Evidence: viewEvidence(n.Evidence, wd)}
	v.Title, v.NextSteps, v.NextStep = wd.Name(n)
	return v
}
