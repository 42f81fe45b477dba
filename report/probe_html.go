package report

import (
	"bytes"
	_ "embed"
	"html/template"

	"github.com/connscope/connscope/result"
)

// The probe's HTML report is one self-contained page: inline CSS, no script, nothing fetched;
// html/template escapes every string.

//go:embed templates/probe.html.tmpl
var probeHTMLText string

var probeHTMLTemplate = template.Must(template.New("probe").Parse(probeHTMLText))

type probeHTMLPage struct {
	Lang, Title, Answer, Header, Client string
	Failed                              bool
	Targets                             []probeHTMLTarget
	Groups                              []probeHTMLGroup
	NextLabel                           string
}

type probeHTMLTarget struct {
	Title, Lookups string
	Head           []string
	Rows           [][]string
}

type probeHTMLGroup struct {
	Title, Class string
	Findings     []probeHTMLFinding
}

type probeHTMLFinding struct {
	Code, Text, Next string
}

func (pv *probeView) html(b *bytes.Buffer) error {
	page := probeHTMLPage{Lang: string(pv.cat.Lang()), Title: pv.title(), Answer: pv.answer(), Header: pv.header(),
		Client: pv.client(), Failed: len(pv.problems) > 0, NextLabel: pv.say("probe.label.next-step")}
	for i := range pv.r.Targets {
		t := &pv.r.Targets[i]
		ht := probeHTMLTarget{Title: pv.targetLine(t), Head: pv.endpointHeader()}
		if len(t.Lookups) > 0 {
			ht.Lookups = pv.lookupLine(t)
		}
		for j := range t.Endpoints {
			ht.Rows = append(ht.Rows, pv.endpointRow(&t.Endpoints[j]))
		}
		page.Targets = append(page.Targets, ht)
	}
	for _, g := range []struct {
		key, class string
		fs         []result.ProbeFinding
	}{{"probe.report.problems", "problem", pv.problems}, {"probe.report.warnings", "warning", pv.warnings}, {"probe.report.works", "info", pv.infos}} {
		if len(g.fs) == 0 {
			continue
		}
		hg := probeHTMLGroup{Title: pv.say(g.key), Class: g.class}
		for _, f := range g.fs {
			hg.Findings = append(hg.Findings, probeHTMLFinding{Code: f.Code, Text: pv.text(f.Message), Next: pv.text(f.NextStep)})
		}
		page.Groups = append(page.Groups, hg)
	}
	return probeHTMLTemplate.Execute(b, page)
}
