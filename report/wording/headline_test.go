package wording

import (
	"testing"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/result"
)

// TestHeadlineCountsConnections: a headline that names the group's connections words one as one
// (review: path-injected-rst.pcap's one reset connection read "has connections to ... reset";
// narrowed-end.pcap's one SYN "to the SYNs: a firewall drops them"), and several as several,
// in English and in Japanese (which has no plural).
func TestHeadlineCountsConnections(t *testing.T) {
	cases := []struct {
		verdict result.Verdict
		clients []string
		en, ja  string
	}{
		{result.VerdictMiddleboxReset, []string{"10.0.0.5:50000"},
			"1 agent (10.0.0.5) has a connection to server 10.0.0.1:4343 reset by a device on the way, not by the peer",
			"エージェント 1 台（10.0.0.5）のサーバー 10.0.0.1:4343 への接続が、相手側ではなく途中の機器にリセットされています"},
		{result.VerdictMiddleboxReset, []string{"10.0.0.5:50000", "10.0.0.5:50001"},
			"1 agent (10.0.0.5) in 2 connections has connections to server 10.0.0.1:4343 reset by a device on the way, not by the peer",
			"エージェント 1 台（10.0.0.5、接続 2 件）のサーバー 10.0.0.1:4343 への接続が、相手側ではなく途中の機器にリセットされています"},
		{result.VerdictReset, []string{"10.0.0.5:50000"},
			"1 agent (10.0.0.5) has a connection to server 10.0.0.1:4343 reset after the TCP handshake",
			"エージェント 1 台（10.0.0.5）のサーバー 10.0.0.1:4343 への接続が TCP ハンドシェイクの後にリセットされています"},
		{result.VerdictSYNTimeout, []string{"10.0.0.5:50000"},
			"1 agent (10.0.0.5) gets no answer from server 10.0.0.1:4343 to the connection attempt: a firewall drops it, or the host is down",
			"エージェント 1 台（10.0.0.5）の SYN にサーバー 10.0.0.1:4343 が応答していません。ファイアウォールが破棄しているか、ホストが停止しています"},
		{result.VerdictSYNTimeout, []string{"10.0.0.5:50000", "10.0.0.6:50000"},
			"2 agents (10.0.0.5 and 10.0.0.6) get no answer from server 10.0.0.1:4343 to the connection attempts: a firewall drops them, or the host is down",
			"エージェント 2 台（10.0.0.5、10.0.0.6）の SYN にサーバー 10.0.0.1:4343 が応答していません。ファイアウォールが破棄しているか、ホストが停止しています"},
	}
	en, ja := New(knowledge.English, knowledge.Default(), nil), New(knowledge.Japanese, knowledge.Default(), nil)
	for _, tc := range cases {
		var flows []result.Flow
		for i, c := range tc.clients {
			flows = append(flows, result.Flow{ID: i + 1, Client: result.HostPort(c), Server: "10.0.0.1:4343", Verdict: tc.verdict, Failed: true})
		}
		r := &result.Result{Summary: result.Summary{Flows: len(flows), Failed: len(flows)}, Flows: result.FlowsOf(flows)}
		fs := findings.Of(r)
		if len(fs.Groups) != 1 {
			t.Fatalf("%s: %d groups", tc.verdict, len(fs.Groups))
		}
		if got := en.Msg(en.Headline(fs.Groups[0], fs)); got != tc.en {
			t.Errorf("%s, %d connections:\n%s\nwant\n%s", tc.verdict, len(flows), got, tc.en)
		}
		if got := ja.Msg(ja.Headline(fs.Groups[0], fs)); got != tc.ja {
			t.Errorf("%s, %d connections, ja:\n%s\nwant\n%s", tc.verdict, len(flows), got, tc.ja)
		}
	}
}
