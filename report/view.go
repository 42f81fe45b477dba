package report

import (
	"time"

	"github.com/connscope/connscope/result"
)

// flowView is a flow with its messages and knowledge entry worded, for the text formats (table,
// Markdown, HTML): the worded fields shadow the flow's own.
type flowView struct {
	*result.Flow
	Reason, NotTLS, Title, NextStep string
	NextSteps                       []string
	Evidence                        []evidenceView
}

// evidenceView is an evidence line worded.
type evidenceView struct {
	Frame int
	Time  time.Time
	Text  string
	Flow  int
}

// viewFlows words every flow of r (the text formats hold them all: they are for results a
// person reads).
func viewFlows(r *result.Result, wd *words) []*flowView {
	out := make([]*flowView, 0, r.Flows.Len())
	for i := range r.Flows.Len() {
		f := r.Flows.At(i)
		out = append(out, viewFlow(&f, wd))
	}
	return out
}

// viewFlow words one flow.
func viewFlow(f *result.Flow, wd *words) *flowView {
	v := &flowView{Flow: f, Reason: wd.msg(f.Reason), NotTLS: wd.msg(f.NotTLS)}
	v.Title, v.NextSteps, v.NextStep = wd.flow(f)
	v.Evidence = viewEvidence(f.Evidence, wd)
	return v
}

func viewEvidence(es []result.Evidence, wd *words) []evidenceView {
	out := make([]evidenceView, len(es))
	for i, e := range es {
		out[i] = evidenceView{Frame: e.Frame, Time: e.Time, Text: wd.msg(e.Text), Flow: e.Flow}
	}
	return out
}

// nameView is a DNS name with its messages and knowledge entry worded.
type nameView struct {
	*result.Name
	Reason, Title, NextStep string
	NextSteps               []string
	Evidence                []evidenceView
}

func viewNames(r *result.Result, wd *words) []*nameView {
	out := make([]*nameView, len(r.Names))
	for i := range r.Names {
		n := &r.Names[i]
		v := &nameView{Name: n, Reason: wd.msg(n.Reason), Evidence: viewEvidence(n.Evidence, wd)}
		v.Title, v.NextSteps, v.NextStep = wd.name(n)
		out[i] = v
	}
	return out
}
