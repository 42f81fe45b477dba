package report

import (
	"strings"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// words words a result's messages and knowledge entries for one report: in its language, with
// its profile's titles and next steps.
type words struct {
	lang    knowledge.Lang
	cat     *knowledge.Catalog
	profile *knowledge.Profile
	red     knowledge.Redactor
}

// wordsFor returns the words of result r in language lang ("" or an unknown language: English).
func wordsFor(r *result.Result, lang knowledge.Lang) *words {
	p, err := knowledge.ProfileByName(r.Options.Profile)
	if err != nil {
		p = knowledge.Default()
	}
	if lang != knowledge.Japanese {
		lang = knowledge.English
	}
	return &words{lang: lang, cat: knowledge.CatalogOf(lang), profile: p}
}

// msg words a message.
func (w *words) msg(m result.Message) string { return string(w.cat.AppendRender(nil, &m, w.red)) }

// appendMsg appends a worded message to b.
func (w *words) appendMsg(b []byte, m *result.Message) []byte { return w.cat.AppendRender(b, m, w.red) }

// advice words a finding's title and next steps.
func (w *words) advice(v result.Verdict, adv *result.Advice) knowledge.Words {
	return w.profile.Advise(w.lang, v, adv, w.red)
}

// flowWords is a flow's title, next steps and the steps joined in one line.
func (w *words) flow(f *result.Flow) (title string, steps []string, step string) {
	a := w.advice(f.Verdict, &f.Advice)
	return a.Title, a.NextSteps, w.joinSteps(a.NextSteps)
}

// name is a DNS name's title, next steps and the steps joined in one line.
func (w *words) name(n *result.Name) (title string, steps []string, step string) {
	a := w.advice(n.Verdict, &n.Advice)
	return a.Title, a.NextSteps, w.joinSteps(a.NextSteps)
}

// joinSteps joins next steps in one line as the language joins sentences (message
// report.sentences: English with a space, Japanese, whose sentences end in 「。」, with nothing).
func (w *words) joinSteps(steps []string) string {
	if len(steps) == 0 { // a flow that worked: no catalog look-up
		return ""
	}
	return strings.Join(steps, w.cat.Separator("report.sentences", "parts"))
}

// verdictInfo explains every verdict the result holds, in the order of result.AllVerdicts.
func (w *words) verdictInfo(r *result.Result) []result.VerdictInfo {
	seen := map[result.Verdict]bool{}
	for _, v := range r.Summary.Verdicts {
		seen[v.Verdict] = true
	}
	for _, n := range r.Names {
		seen[n.Verdict] = true
	}
	out := []result.VerdictInfo{}
	for _, v := range result.AllVerdicts {
		if !seen[v] {
			continue
		}
		_, e := w.profile.ResolveIn(w.lang, v, "", "")
		a := w.advice(v, &result.Advice{NoSteps: true})
		out = append(out, result.VerdictInfo{Verdict: v, Title: a.Title, Explanation: a.Explanation, EvidenceFields: append([]string{}, e.Evidence...)})
	}
	return out
}
