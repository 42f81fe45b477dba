package report

import (
	"time"

	"github.com/connscope/connscope/result"
)

// flowView is one flow with its messages and knowledge entry worded, for the text formats
// (table, Markdown, HTML): the worded fields shadow the flow's own. A report makes one for each
// flow it writes in detail, never for every flow at once.
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

// viewNames words the result's names (they are few: tracking bounds them).
func viewNames(r *result.Result, wd *words) []*nameView {
	out := make([]*nameView, len(r.Names))
	for i := range r.Names {
		out[i] = viewName(&r.Names[i], wd)
	}
	return out
}

func viewName(n *result.Name, wd *words) *nameView {
	v := &nameView{Name: n, Reason: wd.msg(n.Reason), Evidence: viewEvidence(n.Evidence, wd)}
	v.Title, v.NextSteps, v.NextStep = wd.name(n)
	return v
}
