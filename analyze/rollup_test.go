package analyze

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/report/wording"
	"github.com/connscope/connscope/result"
)

// TestRollupCountsFinalVerdict: in path-injected-rst.pcap, flow 2's reset answering the SYN was
// forged in the server's name (TTL 64, the server's own packets 63), so the flow is
// middlebox-reset, not refused: the agents' roll-up, the fleet line and the fingerprints count
// the verdict the flow lists.
func TestRollupCountsFinalVerdict(t *testing.T) {
	res, err := File(filepath.Join(ownCaptures, "path-injected-rst.pcap"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var flows []string
	for _, fl := range res.Flows.All() {
		flows = append(flows, string(fl.Verdict))
	}
	if got := strings.Join(flows, ","); got != "ok,middlebox-reset" {
		t.Fatalf("flow verdicts %s, want ok,middlebox-reset", got)
	}
	if got := fmt.Sprint(res.Summary.Agents); !strings.Contains(got, "[{ok 1} {middlebox-reset 1}]") || len(res.Summary.Agents) != 1 {
		t.Errorf("agents %s: want 10.66.1.1 with ok 1, middlebox-reset 1", got)
	}
	if len(res.Summary.Fleet) != 1 {
		t.Fatalf("fleet groups %d, want 1", len(res.Summary.Fleet))
	}
	want := "middlebox-reset (2 flows, 1 failed): 10.66.1.1"
	if got := say(res.Summary.Fleet[0].Text); !strings.HasSuffix(got, want) {
		t.Errorf("fleet line %q, want it to end %q", got, want)
	}
}

// TestForgedRefusalUnlisted: flow 2 of path-injected-rst.pcap (a RST with TTL 64 answering the
// SYN, the server's own packets TTL 63) counts as middlebox-reset whether it is listed or, past
// --max-flows 1, only counted: the summary's verdicts, the server's and the agent's, and the
// fleet line are the same either way.
func TestForgedRefusalUnlisted(t *testing.T) {
	for _, max := range []int{0, 1} {
		res, err := File(filepath.Join(ownCaptures, "path-injected-rst.pcap"), Options{MaxFlows: max})
		if err != nil {
			t.Fatal(err)
		}
		wantListed, wantNot := 2, 0
		if max == 1 {
			wantListed, wantNot = 1, 1
		}
		if res.Flows.Len() != wantListed || res.FlowsNotListed != wantNot {
			t.Errorf("--max-flows %d: %d flows listed, %d not: want %d, %d", max, res.Flows.Len(), res.FlowsNotListed, wantListed, wantNot)
		}
		sum := res.Summary
		if got := verdictString(sum.Verdicts); got != "middlebox-reset:1,ok:1" || sum.Flows != 2 || sum.Failed != 1 {
			t.Errorf("--max-flows %d: summary %d flows, %d failed, verdicts %s: want 2, 1, middlebox-reset:1,ok:1", max, sum.Flows, sum.Failed, got)
		}
		if len(sum.Servers) != 1 || verdictString(sum.Servers[0].Verdicts) != "middlebox-reset:1,ok:1" {
			t.Errorf("--max-flows %d: servers %v: want 10.66.2.2:4343 with middlebox-reset:1,ok:1", max, sum.Servers)
		}
		if len(sum.Agents) != 1 || sum.Agents[0].Agent != "10.66.1.1" || sum.Agents[0].Flows != 2 || sum.Agents[0].Failed != 1 ||
			verdictString(sum.Agents[0].Verdicts) != "middlebox-reset:1,ok:1" {
			t.Errorf("--max-flows %d: agents %v: want 10.66.1.1, 2 flows, 1 failed, middlebox-reset:1,ok:1", max, sum.Agents)
		}
		want := "1 agent sometimes succeeds, sometimes fails; the failure comes from a reason other than the TLS versions: middlebox-reset (2 flows, 1 failed): 10.66.1.1"
		if len(sum.Fleet) != 1 || say(sum.Fleet[0].Text) != want {
			t.Errorf("--max-flows %d: fleet %v, want one line %q", max, sum.Fleet, want)
		}
	}
}

// TestRollupsMatchFlows runs every capture of testdata and ../shared/captures and checks that
// each roll-up counts the verdicts the flows list: per agent (summary.agents), per server
// (summary.servers), per fingerprint group and per fleet group, the flows and the failed ones.
// Port scans are left out of the agents (a scanner is no agent); captures with unlisted flows
// are skipped (their flows are not there to compare).
func TestRollupsMatchFlows(t *testing.T) {
	checked := 0
	for _, path := range everyCapture(t) {
		res, err := File(path, Options{})
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if res.FlowsNotListed > 0 {
			continue
		}
		checked++
		name, _ := filepath.Rel(filepath.Dir(filepath.Dir(path)), path)
		agents := map[result.IP]map[result.Verdict]int{}
		servers := map[result.HostPort]map[result.Verdict]int{}
		fps := map[[2]string][2]int{}
		type sk struct {
			server result.HostPort
			agent  result.IP
		}
		perServerAgent := map[sk][2]int{}
		for _, fl := range res.Flows.All() {
			if fl.Verdict != result.VerdictPortScan {
				ip := result.IP(hostOf(string(fl.Client)))
				if agents[ip] == nil {
					agents[ip] = map[result.Verdict]int{}
				}
				agents[ip][fl.Verdict]++
				k := sk{fl.Server, ip}
				c := perServerAgent[k]
				c[0]++
				if fl.Verdict.Failed() {
					c[1]++
				}
				perServerAgent[k] = c
				if fl.TLS != nil && fl.TLS.ClientHello != nil && (fl.TLS.ClientHello.JA4 != "" || fl.TLS.ClientHello.JA3 != "") {
					fk := [2]string{fl.TLS.ClientHello.JA4, fl.TLS.ClientHello.JA3}
					c := fps[fk]
					c[0]++
					if fl.Verdict.Failed() {
						c[1]++
					}
					fps[fk] = c
				}
				if servers[fl.Server] == nil {
					servers[fl.Server] = map[result.Verdict]int{}
				}
				servers[fl.Server][fl.Verdict]++
			}
		}
		if len(res.Summary.Agents) < result.MaxAgents {
			for _, a := range res.Summary.Agents {
				if got, want := verdictString(a.Verdicts), verdictMapString(agents[a.Agent]); got != want {
					t.Errorf("%s: agent %s verdicts %s, flows %s", name, a.Agent, got, want)
				}
			}
		}
		for _, s := range res.Summary.Servers {
			if got, want := verdictString(s.Verdicts), verdictMapString(servers[s.Server]); got != want {
				t.Errorf("%s: server %s verdicts %s, flows %s", name, s.Server, got, want)
			}
		}
		for _, g := range res.Summary.Fingerprints {
			if got, want := [2]int{g.Flows, g.Failed}, fps[[2]string{g.JA4, g.JA3}]; got != want {
				t.Errorf("%s: fingerprint %s flows/failed %v, flows %v", name, g.JA4, got, want)
			}
		}
		for _, g := range res.Summary.Fleet {
			if g.AgentCount != len(g.Agents) {
				continue
			}
			var want [2]int
			for _, a := range g.Agents {
				c := perServerAgent[sk{g.Server, a}]
				want[0] += c[0]
				want[1] += c[1]
			}
			if got := [2]int{g.Flows, g.Failed}; got != want {
				t.Errorf("%s: fleet group %s %s flows/failed %v, flows %v", name, g.Server, g.Outcome, got, want)
			}
		}
	}
	t.Logf("%d captures checked", checked)
}

func hostOf(hp string) string {
	if i := strings.LastIndexByte(hp, ':'); i >= 0 {
		return strings.Trim(hp[:i], "[]")
	}
	return hp
}

func verdictString(vs []result.VerdictCount) string {
	var out []string
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%s:%d", v.Verdict, v.Count))
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

func verdictMapString(m map[result.Verdict]int) string {
	var out []string
	for v, n := range m {
		out = append(out, fmt.Sprintf("%s:%d", v, n))
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// TestHeadlinesDiffer runs every capture of testdata and ../shared/captures and checks that no
// two failing groups of one result have the same headline: groups are parted by what tells them
// apart (verdict, server, versions offered, variant), and their headlines say it.
func TestHeadlinesDiffer(t *testing.T) {
	wd := wording.New(knowledge.English, knowledge.Default(), nil)
	for _, path := range everyCapture(t) {
		res, err := File(path, Options{})
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		fs := findings.Of(res)
		seen := map[string]bool{}
		for _, g := range fs.Groups {
			h := wd.Msg(wd.Headline(g, fs))
			if seen[h] {
				t.Errorf("%s: two groups headed %q", path, h)
			}
			seen[h] = true
		}
	}
}
