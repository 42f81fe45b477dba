package wording

import (
	"strings"
	"testing"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/result"
)

// TestEveryHeadlineWords: the headline of a failing group of every verdict, and of a failing
// name of every outcome, words from templates the catalog has (the keys are made from the
// verdict and the outcome, so knowledge.TestEveryKeyUsedExists cannot see them), with every
// parameter filled.
func TestEveryHeadlineWords(t *testing.T) {
	wd := New(knowledge.English, knowledge.Default(), nil)
	fs := &findings.Findings{Servers: []result.ServerSummary{{Server: "10.0.0.1:4343", AcceptedVersions: []string{"TLS 1.2", "TLS 1.3"}}}}
	check := func(what, s string) {
		t.Helper()
		if s == "" || strings.ContainsAny(s, "{}[]") {
			t.Errorf("%s: %q", what, s)
		}
	}
	for _, v := range result.AllVerdicts {
		if !v.Failed() || v == result.VerdictNameResolutionFailed {
			continue
		}
		r := &result.Result{Summary: result.Summary{Flows: 2, Failed: 2, Servers: fs.Servers}}
		flow := func(id int, client string) result.Flow {
			return result.Flow{ID: id, Client: result.HostPort(client), Server: "10.0.0.1:4343", Verdict: v, Failed: true,
				OfferedVersions: []string{"TLS 1.0"}, Alerts: []result.Alert{{From: "server", Level: "fatal", Description: "handshake_failure"}},
				HTTP: &result.HTTP{Status: 404}}
		}
		r.Flows = result.FlowsOf([]result.Flow{flow(1, "10.0.0.5:50000"), flow(2, "10.0.0.6:50001")})
		got := findings.Of(r)
		if len(got.Groups) != 1 {
			t.Fatalf("%s: %d groups", v, len(got.Groups))
		}
		got.Servers = fs.Servers
		check(string(v), wd.Msg(wd.Headline(got.Groups[0], got)))
	}
	for _, outcome := range []string{"nxdomain", "servfail", "refused", "rcode-5", "no-answer", "timeout", "unanswered-at-end", "resolved"} {
		n := &result.Name{Name: "apexone.example.com", Outcome: outcome, RCode: "NOTIMP", Answers: []result.IP{"10.0.0.99"},
			Askers: []result.IP{"10.0.0.5"}, AskerCount: 1}
		check(outcome, wd.Msg(wd.NameHeadline(n)))
	}
}
