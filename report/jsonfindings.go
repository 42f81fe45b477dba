package report

import (
	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/report/wording"
	"github.com/connscope/connscope/result"
)

// jsonFindings writes what the report finds wrong, as every format says it (package findings):
// the answer paragraph, the failing groups and the names that failed.
func jsonFindings(w *jsonWriter, wd *wording.Words, r *result.Result, fs *findings.Findings) {
	w.open('{')
	w.key("answer")
	w.str(wd.Answer(r, fs).Paragraph(wd))
	w.key("groups")
	w.open('[')
	for _, g := range fs.Groups {
		w.elem()
		w.open('{')
		w.key("verdict")
		w.str(string(g.Verdict))
		w.key("server")
		w.str(string(g.Server))
		w.key("not_listed")
		w.bool(g.Unlisted)
		w.key("connections")
		w.int(g.Connections)
		w.key("offered_versions")
		w.strings(g.Offered)
		w.key("chosen_version")
		if g.Chosen == "" {
			w.null()
		} else {
			w.str(g.Chosen)
		}
		w.key("http_status")
		w.int(g.HTTPStatus)
		w.key("agent_count")
		w.int(g.AgentCount)
		w.key("agents")
		w.strings(result.Strings(g.Agents))
		if g.Role != "" {
			w.key("role")
			w.str(g.Role)
		}
		w.key("flow_ids")
		w.ints(g.FlowIDs)
		w.key("headline")
		w.str(wording.UpperFirst(wd.Msg(wd.Headline(g, fs))))
		adv := g.Advice()
		a := wd.Advice(g.Verdict, &adv)
		w.key("title")
		w.str(a.Title)
		w.key("next_steps")
		w.strings(a.NextSteps)
		w.close('}')
	}
	w.close(']')
	w.key("names_failed")
	w.open('[')
	for _, n := range fs.Names {
		w.elem()
		w.str(string(n.Name))
	}
	w.close(']')
	w.close('}')
}
