package findings

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/connscope/connscope/result"
)

func TestVersionRange(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, "-"},
		{[]string{"TLS 1.2"}, "TLS 1.2"},
		{[]string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}, "TLS 1.0–1.2"},
		{[]string{"TLS 1.3", "TLS 1.2"}, "TLS 1.2–1.3"},
		{[]string{"SSL 3.0", "TLS 1.0"}, "SSL 3.0–TLS 1.0"},
		{[]string{"TLS 1.0", "TLS 1.2"}, "TLS 1.0, TLS 1.2"},
		{[]string{"TLS 1.2", "TLS 1.2"}, "TLS 1.2"},
		{[]string{"TLS 1.2", "0x7f1c"}, "TLS 1.2, 0x7f1c"},
	} {
		if got := VersionRange(tc.in); got != tc.want {
			t.Errorf("VersionRange(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func flow(id int, client, server string, v result.Verdict, offered ...string) result.Flow {
	f := result.Flow{ID: id, Client: result.HostPort(client), Server: result.HostPort(server), Verdict: v, Failed: v.Failed(), OfferedVersions: offered}
	f.Advice.Params = []result.Arg{result.Endpoint("client", client), result.Addr("client_ip", string(HostOf(result.HostPort(client)))), result.Endpoint("server", server)}
	return f
}

// TestFindings: failing connections group by verdict, server and versions, the biggest group
// first; a group counts its agents and keeps its first connections; the failures the summary
// counts past the listed ones make groups of their own, last; a group's advice names every
// agent; failing names are kept.
func TestFindings(t *testing.T) {
	const srv, other = "10.0.0.1:4343", "10.0.0.2:4343"
	mm := result.VerdictTLSVersionMismatch
	flows := []result.Flow{
		flow(1, "10.0.0.5:50000", srv, result.VerdictOK, "TLS 1.2"),
		flow(2, "10.0.0.9:50001", other, result.VerdictRefused),
		flow(3, "10.0.0.6:50002", srv, mm, "TLS 1.0"),
		flow(4, "10.0.0.7:50003", srv, mm, "TLS 1.0"),
		flow(5, "10.0.0.6:50004", srv, mm, "TLS 1.0"),
		flow(6, "10.0.0.8:50005", srv, mm, "TLS 1.0", "TLS 1.1"), // another offer: another group
	}
	r := &result.Result{Flows: result.FlowsOf(flows), FlowsNotListed: 3,
		Names: []result.Name{{Name: "ok.example"}, {Name: "bad.example", Failed: true}},
		Summary: result.Summary{Flows: 9, Failed: 8, Servers: []result.ServerSummary{
			{Server: srv, Verdicts: []result.VerdictCount{{Verdict: result.VerdictOK, Count: 1}, {Verdict: mm, Count: 6}}},
			{Server: other, Verdicts: []result.VerdictCount{{Verdict: result.VerdictRefused, Count: 1}}},
		}}}
	fs := Of(r)
	var got []string
	for _, g := range fs.Groups {
		got = append(got, fmt.Sprintf("%s %s %s %d/%d %v %v %v", g.Verdict, g.Server, VersionRange(g.Offered), g.Connections,
			g.AgentCount, g.Agents, g.FlowIDs, g.Unlisted))
	}
	want := []string{
		"tls-version-mismatch 10.0.0.1:4343 TLS 1.0 3/2 [10.0.0.6 10.0.0.7] [3 4 5] false",
		"refused 10.0.0.2:4343 - 1/1 [10.0.0.9] [2] false",
		"tls-version-mismatch 10.0.0.1:4343 TLS 1.0–1.1 1/1 [10.0.0.8] [6] false",
		"tls-version-mismatch 10.0.0.1:4343 - 2/0 [] [] true", // 6 counted, 4 listed
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if g := fs.Groups[0]; len(g.Examples) != 3 || g.Example != g.Examples[0] || g.Example.ID != 3 {
		t.Errorf("examples %d, first %+v", len(g.Examples), g.Example)
	}
	adv := fs.Groups[0].Advice()
	var ip result.Arg
	for _, p := range adv.Params {
		if p.Name == "client_ip" {
			ip = p
		}
	}
	if a := ip; a.Msg == nil || a.Msg.Key != "report.list-and" {
		t.Errorf("the group's client_ip is %+v, want the list of its agents", a)
	}
	if a := fs.Groups[1].Advice(); a.Params[1].Kind != result.KindAddr {
		t.Errorf("a group of one agent keeps its address: %+v", a.Params[1])
	}
	if fs.Flows != 9 || fs.Failed != 8 || fs.Listed != 6 || fs.ListedFailed != 5 || fs.NotListed != 3 || len(fs.Names) != 1 ||
		fs.Names[0].Name != "bad.example" || fs.NamesTotal != 2 {
		t.Errorf("counts %+v", fs)
	}
}

// TestUnlistedResetSide checks the side a middlebox-reset group past the listing limit names
// in its next step ({reset_in_name_of}), from the summary's counts of the sides its forged
// resets carried: the server's endpoint, their clients, both with their counts, or, when the
// counts do not add up to the group (a summary without them), a side the summary does not tell.
func TestUnlistedResetSide(t *testing.T) {
	const srv = "10.0.0.1:4343"
	mb := result.VerdictMiddleboxReset
	for _, tc := range []struct {
		sides *result.ResetSides
		want  result.Arg
	}{
		{&result.ResetSides{Server: 3}, result.From("reset_in_name_of", result.HostPort(srv))},
		{&result.ResetSides{Client: 3}, result.Sub("reset_in_name_of", result.Msg("report.reset-in-name-of-clients", result.Int("n", 3)))},
		{&result.ResetSides{Client: 1, Server: 2}, result.Sub("reset_in_name_of", result.Msg("report.reset-in-name-of-both",
			result.From("server", result.HostPort(srv)), result.Int("server_n", 2), result.Int("client_n", 1)))},
		{&result.ResetSides{Client: 1}, result.Sub("reset_in_name_of", result.Msg("report.reset-in-name-of-unknown"))},
		{nil, result.Sub("reset_in_name_of", result.Msg("report.reset-in-name-of-unknown"))},
	} {
		r := &result.Result{Flows: result.FlowsOf(nil), FlowsNotListed: 3,
			Summary: result.Summary{Flows: 3, Failed: 3, Servers: []result.ServerSummary{
				{Server: srv, Verdicts: []result.VerdictCount{{Verdict: mb, Count: 3}}, NotListedResets: tc.sides},
			}}}
		fs := Of(r)
		if len(fs.Groups) != 1 || !fs.Groups[0].Unlisted || fs.Groups[0].Connections != 3 {
			t.Fatalf("%+v: groups %+v, want one unlisted group of 3", tc.sides, fs.Groups)
		}
		var got *result.Arg
		for _, p := range fs.Groups[0].Advice().Params {
			if p.Name == "reset_in_name_of" {
				got = &p
			}
		}
		if got == nil || !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%+v: reset_in_name_of %+v, want %+v", tc.sides, got, tc.want)
		}
	}
}
