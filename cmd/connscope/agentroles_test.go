package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// answerOf is the table format's answer paragraph (its first lines, up to the blank line) as one
// line: the table wraps it at spaces.
func answerOf(table string) string {
	for strings.HasPrefix(table, "WARNING: ") { // the warnings come first, a paragraph each
		_, table, _ = strings.Cut(table, "\n\n")
	}
	para, _, _ := strings.Cut(table, "\n\n")
	return strings.ReplaceAll(para, "\n", " ")
}

// linesWith returns the lines of out that start with prefix (leading spaces ignored).
func linesWith(out, prefix string) []string {
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if t := strings.TrimLeft(l, " "); strings.HasPrefix(t, prefix) {
			got = append(got, t)
		}
	}
	return got
}

// findingsDoc is what TestAgentListenerRoles reads of the JSON report.
type findingsDoc struct {
	Flows []struct {
		Verdict   string   `json:"verdict"`
		Reason    string   `json:"reason"`
		Title     string   `json:"title"`
		NextSteps []string `json:"next_steps"`
		Role      string   `json:"role"`
	} `json:"flows"`
	Summary struct {
		Servers []struct {
			Server string `json:"server"`
			Policy string `json:"policy"`
		} `json:"servers"`
		Fleet []struct {
			Text string `json:"text"`
			Role string `json:"role"`
		} `json:"fleet"`
		Fingerprints []struct {
			JA4  string `json:"ja4"`
			Role string `json:"role"`
		} `json:"fingerprints"`
	} `json:"summary"`
	Findings struct {
		Answer string `json:"answer"`
		Groups []struct {
			Verdict   string   `json:"verdict"`
			Agents    []string `json:"agents"`
			Role      string   `json:"role"`
			Headline  string   `json:"headline"`
			Title     string   `json:"title"`
			NextSteps []string `json:"next_steps"`
		} `json:"groups"`
	} `json:"findings"`
}

// TestAgentListenerRoles: on the agents' listener port (--agent-port) the connecting hosts are
// the management servers and the listener the agent, and every part of the report names them so:
// the headline, the next steps, the fleet lines, the tables' columns and the JSON findings.
//
// seed-reset-fleet.pcap read with --agent-port 4343: 10.77.1.2:4343 chose TLS 1.2 (frames 8, 25,
// 45) and reset 10.77.1.5 and 10.77.1.6, which offer only TLS 1.0 (frames 62, 70; resets 64,
// 72): the connecting servers are to enable TLS 1.2 on their client side, or the agent's listener
// to allow TLS 1.0 (with the cipher caveat: they offer only CBC suites).
//
// server-notifies-agent.pcap read with --profile apexone --agent-port 8080: 10.33.1.1 is the
// agent (the TLS client of the management server 10.33.1.2:4343 in frames 6 and 8); the server's
// plain HTTP notification to the agent's listener 10.33.1.1:8080 was answered "HTTP/1.0 200 OK"
// (frame 25), which works; its next attempt was refused by the agent (frames 32, 33).
func TestAgentListenerRoles(t *testing.T) {
	toRoot(t)
	t.Run("seed-reset-fleet generic", func(t *testing.T) {
		args := []string{"analyze", "testdata/captures/seed-reset-fleet.pcap", "--agent-port", "4343"}
		headline := "2 management servers (10.77.1.5 and 10.77.1.6) offer at most TLS 1.0; agent 10.77.1.2:4343 chose TLS 1.2 in this " +
			"capture, never with a cipher suite they offer: no version in common or no cipher suite in common, which the packets do not tell apart"
		step := "Enable TLS 1.2 for the client side of the connecting servers 10.77.1.5 and 10.77.1.6, the TLS clients here (on older " +
			"Windows: the SCHANNEL TLS 1.2 Client registry keys): it settles both candidates, as they then offer the suites the agent's " +
			"listener 10.77.1.2:4343 was seen choosing. Allowing TLS 1.0 on 10.77.1.2:4343 may not be enough: it fixes the version only, " +
			"unless 10.77.1.2:4343 also allows a cipher suite they offer."
		answer := "2 of 5 connections failed. " + upperFirst(headline) + " — tls-version-mismatch. Next step: " + step
		fleet := []string{
			"2 management servers offer at most TLS 1.0 and all fail (2 flows, 2 failed): 10.77.1.5, 10.77.1.6",
			"2 management servers offer at most TLS 1.2 and all succeed (2 flows, 0 failed): 10.77.1.1, 10.77.1.3",
			"1 management server offers at most TLS 1.3 and succeeds (1 flow, 0 failed): 10.77.1.4",
		}
		policy := "accepted TLS 1.2 (chosen in 3 completed handshakes); refused 2 ClientHellos offering at most TLS 1.0 (2 management " +
			"servers); never chose TLS 1.3, though 1 handshake offered it (it chose TLS 1.2 instead): TLS 1.3 is most likely not enabled; " +
			"TLS 1.1 not tested by any client"

		code, table, _ := runCLI(args...)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		if got := answerOf(table); got != answer {
			t.Errorf("answer\n%s\nwant\n%s", got, answer)
		}
		for _, l := range append(fleet, "agent 10.77.1.2:4343: "+policy) {
			if !strings.Contains(table, "\n"+l+"\n") && !strings.Contains(table, "\n  "+l+"\n") {
				t.Errorf("table lacks the line %q", l)
			}
		}
		if !strings.Contains(table, "| JA4                                  | JA3                              | MANAGEMENT SERVERS | CONNECTIONS |") {
			t.Errorf("the JA4 table's clients are not headed MANAGEMENT SERVERS:\n%s", table)
		}

		_, verbose, _ := runCLI(append(args, "-v")...)
		wantNext := []string{
			"next: Enable TLS 1.2 for the client side of the connecting server 10.77.1.5, the TLS client here (on older Windows: the " +
				"SCHANNEL TLS 1.2 Client registry keys): it settles both candidates, as it then offers the suites the agent's listener " +
				"10.77.1.2:4343 was seen choosing. Allowing TLS 1.0 on 10.77.1.2:4343 may not be enough: it fixes the version only, " +
				"unless 10.77.1.2:4343 also allows a cipher suite it offers.",
			"next: Enable TLS 1.2 for the client side of the connecting server 10.77.1.6, the TLS client here (on older Windows: the " +
				"SCHANNEL TLS 1.2 Client registry keys): it settles both candidates, as it then offers the suites the agent's listener " +
				"10.77.1.2:4343 was seen choosing. Allowing TLS 1.0 on 10.77.1.2:4343 may not be enough: it fixes the version only, " +
				"unless 10.77.1.2:4343 also allows a cipher suite it offers.",
		}
		if got := linesWith(verbose, "next: "); !slices.Equal(got, wantNext) {
			t.Errorf("-v next steps\n%q\nwant\n%q", got, wantNext)
		}
		if got := answerOf(verbose); got != answer {
			t.Errorf("-v answer\n%s\nwant\n%s", got, answer)
		}

		doc := analyzeJSON(t, args)
		if len(doc.Findings.Groups) != 1 {
			t.Fatalf("groups %+v", doc.Findings.Groups)
		}
		g := doc.Findings.Groups[0]
		if g.Headline != upperFirst(headline) || g.Role != "agent-listener" || !slices.Equal(g.Agents, []string{"10.77.1.5", "10.77.1.6"}) ||
			g.Title != "TLS version mismatch on the agent's listener most likely (no common cipher suite fits as well)" ||
			!slices.Equal(g.NextSteps, []string{step}) {
			t.Errorf("group %+v", g)
		}
		if doc.Findings.Answer != answer {
			t.Errorf("JSON answer\n%s\nwant\n%s", doc.Findings.Answer, answer)
		}
		var texts []string
		for _, f := range doc.Summary.Fleet {
			texts = append(texts, f.Text)
			if f.Role != "agent-listener" {
				t.Errorf("fleet group %q: role %q", f.Text, f.Role)
			}
		}
		if !slices.Equal(texts, fleet) || doc.Summary.Servers[0].Policy != policy {
			t.Errorf("fleet %q, policy %q", texts, doc.Summary.Servers[0].Policy)
		}
		for _, fp := range doc.Summary.Fingerprints {
			if fp.Role != "agent-listener" {
				t.Errorf("fingerprint %s: role %q", fp.JA4, fp.Role)
			}
		}

		_, md, _ := runCLI(append(args, "-f", "markdown")...)
		for _, s := range []string{"| Group | Management servers | Agent | Offered |", "| JA4 | JA3 | Management servers | Connections |",
			"| 1 | 10.77.1.5 and 10.77.1.6 | 10.77.1.2:4343 |", headline} {
			if !strings.Contains(md, s) {
				t.Errorf("Markdown lacks %q", s)
			}
		}
		_, nd, _ := runCLI(append(args, "-f", "ndjson")...)
		if !strings.Contains(nd, `"agents":["10.77.1.5","10.77.1.6"],"flow_ids":[4,5],"role":"agent-listener"`) ||
			!strings.Contains(nd, `"headline":"`+upperFirst(headline)+`"`) {
			t.Errorf("NDJSON groups lack the role and headline:\n%s", nd[strings.LastIndex(nd, "\n{"):])
		}
	})

	t.Run("seed-reset-fleet apexone ja", func(t *testing.T) {
		args := []string{"analyze", "testdata/captures/seed-reset-fleet.pcap", "--agent-port", "4343", "--profile", "apexone", "--lang", "ja"}
		doc := analyzeJSON(t, args)
		g := doc.Findings.Groups[0]
		wantHead := "管理サーバー 2 台（10.77.1.5、10.77.1.6）は TLS 1.0 までしか提示せず、エージェント 10.77.1.2:4343 はこのキャプチャで TLS 1.2 を" +
			"選択していますが、提示された暗号スイートを選択した接続は見られません。共通のバージョンがないのか、共通の暗号スイートがないのか、パケットからは区別できません"
		wantSteps := []string{
			`エージェント 10.77.1.2 のポート 4343 への通知では、Apex One サーバー 10.77.1.5、10.77.1.6 が TLS クライアントです。サーバーのクライアント側の TLS 1.2 を` +
				`有効にし（HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client に Enabled=1、DisabledByDefault=0）、サーバーを` +
				`再起動してください。サーバーがエージェントの待ち受けポートの選択する暗号スイートを提示するようになるので、どちらの原因でも解決します。`,
			"エージェントの待ち受けポート 10.77.1.2:4343 で TLS 1.0 を許可するだけでは、一時的な回避策としても足りないことがあります。解決するのはバージョンだけで、" +
				"エージェントの端末 10.77.1.2 がサーバーの提示する暗号スイート（「SSL 暗号スイートの順位」）も許可していなければ失敗は続きます。",
		}
		if g.Headline != wantHead || !slices.Equal(g.NextSteps, wantSteps) {
			t.Errorf("headline %q\nnext steps %q", g.Headline, g.NextSteps)
		}
		if got := doc.Summary.Fleet[0].Text; got != "TLS 1.0 までを提示する管理サーバー 2 台はすべて失敗しています（フロー 2 件、失敗 2 件）: 10.77.1.5、10.77.1.6" {
			t.Errorf("fleet %q", got)
		}
	})

	t.Run("server-notifies-agent apexone", func(t *testing.T) {
		args := []string{"analyze", "testdata/captures/server-notifies-agent.pcap", "--profile", "apexone", "--agent-port", "8080"}
		headline := "1 management server (10.33.1.2) is refused by agent 10.33.1.1:8080: nothing listens on the port, or a firewall rejects " +
			"the connection"
		step := "Nothing listens on the agent's listener port 10.33.1.1:8080, or a host firewall on the agent rejects it with a reset: check " +
			"that the agent's listener service (OfficeScan NT Listener, TmListen) runs on 10.33.1.1 and that port 8080 is the listener " +
			"port the server has for this agent; if it is, look for a firewall or security software on 10.33.1.1 that resets connections " +
			"to port 8080."
		answer := "1 of 3 connections failed. " + upperFirst(headline) + " — refused. Next step: " + step
		notified := `plain HTTP on the agent's listener port: GET /officescan/hotfix_pccnt/Common/OfcNTCer.dat answered "HTTP/1.0 200 OK" ` +
			"(161 bytes from the server, 241 from the agent): the server notifies this agent over HTTP, not TLS, and the exchange worked"
		refused := "the agent answered the server's SYN with a reset: nothing listens on the agent's listener port 10.33.1.1:8080, or a " +
			"host firewall on the agent rejects the port with a reset (iptables REJECT --reject-with tcp-reset gives the same packet) " +
			"(the reset's TTL 64 is the agent host's own, as in flow #2)"

		code, table, _ := runCLI(args...)
		if code != 1 || answerOf(table) != answer {
			t.Errorf("exit %d, answer\n%s\nwant\n%s", code, answerOf(table), answer)
		}
		if !strings.Contains(table, "| 2 | 2026-11-29 05:58:02.856 | 10.33.1.2:50976 | 10.33.1.1:8080 | -   | SF  | -            | -       | ok (HTTP 200) |") {
			t.Errorf("flow #2 is not ok (HTTP 200):\n%s", table)
		}
		_, verbose, _ := runCLI(append(args, "-v")...)
		if got, want := linesWith(verbose, "why: "), []string{"why: TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "why: " + notified,
			"why: " + refused}; !slices.Equal(got, want) {
			t.Errorf("-v reasons\n%q\nwant\n%q", got, want)
		}
		if got := linesWith(verbose, "next: "); !slices.Equal(got, []string{"next: " + step}) {
			t.Errorf("-v next steps %q", got)
		}

		doc := analyzeJSON(t, args)
		var verdicts, roles []string
		for _, f := range doc.Flows {
			verdicts, roles = append(verdicts, f.Verdict), append(roles, f.Role)
		}
		if !slices.Equal(verdicts, []string{"ok", "ok", "refused"}) || !slices.Equal(roles, []string{"", "agent-listener", "agent-listener"}) ||
			doc.Flows[1].Reason != notified || doc.Flows[2].Reason != refused {
			t.Errorf("verdicts %q, roles %q, reasons %q", verdicts, roles, []string{doc.Flows[1].Reason, doc.Flows[2].Reason})
		}
		if len(doc.Findings.Groups) != 1 {
			t.Fatalf("groups %+v", doc.Findings.Groups)
		}
		g := doc.Findings.Groups[0]
		if g.Verdict != "refused" || g.Headline != upperFirst(headline) || g.Role != "agent-listener" ||
			g.Title != "The agent's listener port refuses connections" || !slices.Equal(g.NextSteps, []string{step}) {
			t.Errorf("group %+v", g)
		}
		if doc.Findings.Answer != answer {
			t.Errorf("JSON answer\n%s\nwant\n%s", doc.Findings.Answer, answer)
		}
	})

	// A plain HTTP request the listener did not answer in HTTP (plain-http-to-tls.pcap: a TLS
	// server on 4343) stays not-tls on the listener port, with the listener's next step.
	t.Run("plain-http-to-tls apexone", func(t *testing.T) {
		args := []string{"analyze", "testdata/captures/plain-http-to-tls.pcap", "--profile", "apexone", "--agent-port", "4343"}
		doc := analyzeJSON(t, args)
		want := "The Apex One server 10.77.1.1 and the agent's listener 10.77.1.2:4343 do not speak the same protocol for notifications: " +
			"one side used plain text (HTTP), the other expects TLS (the reason says which). Check that the agent 10.77.1.2 runs the " +
			"version the server expects (whether notifications use HTTP or HTTPS depends on the product's version and settings) and " +
			"that port 4343 is the listener port the server has for this agent."
		if len(doc.Flows) != 1 || doc.Flows[0].Verdict != "not-tls" || doc.Flows[0].Role != "agent-listener" ||
			doc.Flows[0].Title != "Server and agent disagree on HTTP or HTTPS for notifications" || !slices.Equal(doc.Flows[0].NextSteps, []string{want}) {
			t.Errorf("flows %+v", doc.Flows)
		}
		if g := doc.Findings.Groups; len(g) != 1 || g[0].Headline != "1 management server (10.77.1.1) does not speak TLS to agent 10.77.1.2:4343" {
			t.Errorf("groups %+v", g)
		}
	})
}

// analyzeJSON runs the command line with -f json and decodes what TestAgentListenerRoles reads.
func analyzeJSON(t *testing.T, args []string) findingsDoc {
	t.Helper()
	_, js, stderr := runCLI(append(args, "-f", "json")...)
	var doc findingsDoc
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("%v (stderr %q)", err, stderr)
	}
	return doc
}

// upperFirst is s with its first letter in capitals, as the reports begin a headline.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
