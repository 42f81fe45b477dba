package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connscope/connscope/internal/pcapedit"
)

// heartbleedCapture is a client that, after the server's TLS 1.2 flight (frame 7), sends a
// 16,368-byte Heartbeat request (frames 11-19, content type 24, before its ChangeCipherSpec), no
// alert, and closes with a FIN 7.5 s later (frame 21); no RST at all (Zeek: SF).
const heartbleedCapture = "../shared/captures/zeek/heartbleed.pcap"

// Words of heartbleed.pcap's report that several tests check.
const (
	hbWarningEN = "173.203.79.216 sent 162.219.2.166:443 a Heartbleed probe (frame 19): a heartbeat record (content type 24, " +
		"16368 bytes) in the middle of the TLS handshake, then a FIN; a Heartbleed (CVE-2014-0160) scanner or exploit, not an " +
		"agent failing: its connection has the verdict heartbleed-probe and counts in no server's failures"
	hbWarningJA = "173.203.79.216 が 162.219.2.166:443 に Heartbleed のプローブを送信しました（フレーム 19）: TLS ハンドシェイクの途中の" +
		"ハートビートレコード（コンテンツタイプ 24、16368 バイト）とその後の FIN です。エージェントの障害ではなく、Heartbleed（CVE-2014-0160）の" +
		"スキャナーまたは攻撃ツールです。この接続の判定は heartbleed-probe で、どのサーバーの失敗にも数えていません"
	hbProbeEN = "1 host (173.203.79.216) sent server 162.219.2.166:443 a Heartbleed probe (a heartbeat record in the middle of the " +
		"TLS handshake, then a FIN): not an agent failing, see the warning."
	hbProbeJA = "ホスト 1 台（173.203.79.216）がサーバー 162.219.2.166:443 に Heartbleed のプローブ（TLS ハンドシェイクの途中の" +
		"ハートビートレコードとその後の FIN）を 1 件送信しました。エージェントの障害ではありません（警告を参照）。"
	hbAnswerEN = "No connection failed: 1 connection was analysed. " + hbProbeEN + " Server 162.219.2.166:443 chose TLS 1.2."
	hbAnswerJA = "失敗した接続はありません。分析した接続は 1 件です。" + hbProbeJA + "サーバー 162.219.2.166:443 は TLS 1.2 を選択しました。"
	hbFleetEN  = "1 host sent a Heartbleed probe (a heartbeat record in the middle of the TLS handshake), not counted among the " +
		"agents (1 flow): 173.203.79.216"
	hbFleetJA = "ホスト 1 台が Heartbleed のプローブ（TLS ハンドシェイクの途中のハートビートレコード）を送信しました。エージェントには数えていません" +
		"（フロー 1 件）: 173.203.79.216"
)

// TestHeartbleedProbe checks the report of a Heartbleed probe: a client that sent a heartbeat
// record in the middle of the TLS handshake and closed with a FIN. Its verdict is
// heartbleed-probe, no failure (it was closed-during-handshake, "1 of 1 connection failed", the
// server's row FAILED 1, exit 1): the answer says no connection failed and names the probing
// host, a warning names it with the heartbeat record's frame, the server's row counts the
// connection and no failure (its ServerHello still counts in the accepted versions), and
// connscope exits 0. The whole table report is golden (heartbleed-probe.txt, ja/heartbleed-probe.txt),
// and the same words are checked in JSON, Markdown, HTML and NDJSON, en and ja.
func TestHeartbleedProbe(t *testing.T) {
	toRoot(t)
	for _, tc := range []struct{ lang, golden, warning, answer, fleet, summary string }{
		{"en", "heartbleed-probe.txt", "WARNING: " + hbWarningEN + " (heartbleed-probe, frame 19)\n", hbAnswerEN, hbFleetEN,
			"\n1 connection, 0 failed: 1 heartbleed-probe.\n"},
		{"ja", "ja/heartbleed-probe.txt", "警告: " + hbWarningJA + "（heartbleed-probe、フレーム 19）\n", hbAnswerJA, hbFleetJA,
			"\n接続 1 件、失敗 0 件: heartbleed-probe 1 件。\n"},
	} {
		code, out, errs := runCLI("analyze", heartbleedCapture, "--lang", tc.lang)
		if code != 0 {
			t.Errorf("%s: exit %d, want 0 (a Heartbleed probe is no failure): %s", tc.lang, code, errs)
		}
		checkGolden(t, tc.golden, out)
		for _, w := range []string{tc.warning, "| 1 | 2014-04-08 16:11:26.684 | 173.203.79.216:46592 | 162.219.2.166:443 | -   | SF  | TLS 1.0–1.2* | TLS 1.2 | heartbleed-probe |\n",
			"| 162.219.2.166:443 |",
			"  " + tc.fleet + "\n", tc.summary} {
			if !strings.Contains(out, w) {
				t.Errorf("%s: the table lacks %q:\n%s", tc.lang, w, out)
			}
		}
		if row := "| 162.219.2.166:443 |           1 |      0 | TLS 1.2           |\n"; tc.lang == "en" && !strings.Contains(out, row) {
			t.Errorf("en: the server's row is not %q:\n%s", row, out)
		}
		if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, strings.Join(strings.Fields(tc.answer), " ")) &&
			!strings.Contains(strings.ReplaceAll(out, "\n", ""), tc.answer) {
			t.Errorf("%s: the answer is not %q:\n%s", tc.lang, tc.answer, out)
		}
		for _, never := range []string{"1 of 1", "closed-during-handshake", "1 件中 1 件", "Next step", "次の対処"} {
			if strings.Contains(out, never) {
				t.Errorf("%s: the report says %q, but the probe is no failure:\n%s", tc.lang, never, out)
			}
		}

		// Markdown: the answer in bold, the warning, the server's row and the verdicts.
		code, md, _ := runCLI("analyze", heartbleedCapture, "-q", "--lang", tc.lang, "-f", "markdown")
		if code != 0 {
			t.Errorf("%s/markdown: exit %d, want 0", tc.lang, code)
		}
		label := map[string]string{"en": "> **Warning:** ", "ja": "> **警告:** "}[tc.lang]
		for _, w := range []string{"**" + tc.answer + "**\n", label + tc.warning[strings.Index(tc.warning, " ")+1:],
			"| 162.219.2.166:443 | 1 | 0 | TLS 1.2 |\n", "`heartbleed-probe`", "  - " + tc.fleet + "\n"} {
			if !strings.Contains(md, w) {
				t.Errorf("%s/markdown: lacks %q:\n%s", tc.lang, w, md)
			}
		}
		// HTML: the answer and the warning, escaped as the page escapes text.
		_, page, _ := runCLI("analyze", heartbleedCapture, "-q", "--lang", tc.lang, "-f", "html")
		for _, w := range []string{"No connection failed", "Heartbleed probe (frame 19)"} {
			if tc.lang == "ja" {
				w = map[string]string{"No connection failed": "失敗した接続はありません", "Heartbleed probe (frame 19)": "Heartbleed のプローブを送信しました（フレーム 19）"}[w]
			}
			if !strings.Contains(page, w) || strings.Contains(page, "closed-during-handshake") {
				t.Errorf("%s/html: lacks %q, or names closed-during-handshake", tc.lang, w)
			}
		}

		// JSON: the flow's verdict (no failure), the summary, the server's row, the warning,
		// the answer and no failing group.
		code, js, _ := runCLI("analyze", heartbleedCapture, "-q", "--lang", tc.lang, "-f", "json")
		if code != 0 {
			t.Errorf("%s/json: exit %d, want 0", tc.lang, code)
		}
		var r struct {
			Warnings []struct {
				Code    string `json:"code"`
				Message string `json:"message"`
				Frame   int    `json:"frame"`
			} `json:"warnings"`
			Flows []struct {
				Verdict   string   `json:"verdict"`
				Failed    bool     `json:"failed"`
				Title     string   `json:"title"`
				NextSteps []string `json:"next_steps"`
				Evidence  []struct {
					Frame int    `json:"frame"`
					Text  string `json:"text"`
				} `json:"evidence"`
			} `json:"flows"`
			Summary struct {
				Flows    int `json:"flows"`
				Failed   int `json:"failed"`
				Verdicts []struct {
					Verdict string `json:"verdict"`
					Count   int    `json:"count"`
				} `json:"verdicts"`
				Servers []struct {
					Server   string   `json:"server"`
					Flows    int      `json:"flows"`
					Failed   int      `json:"failed"`
					Accepted []string `json:"accepted_versions"`
				} `json:"servers"`
				Fleet []struct {
					Outcome string `json:"outcome"`
					Flows   int    `json:"flows"`
					Failed  int    `json:"failed"`
					Text    string `json:"text"`
				} `json:"fleet"`
			} `json:"summary"`
			Findings struct {
				Answer string            `json:"answer"`
				Groups []json.RawMessage `json:"groups"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(js), &r); err != nil || len(r.Flows) != 1 {
			t.Fatalf("%s/json: %v, %d flows", tc.lang, err, len(r.Flows))
		}
		f, s := r.Flows[0], r.Summary
		title := map[string]string{"en": "Heartbleed probe", "ja": "Heartbleed のプローブ"}[tc.lang]
		if f.Verdict != "heartbleed-probe" || f.Failed || f.Title != title || len(f.NextSteps) != 2 {
			t.Errorf("%s/json: flow verdict %q failed %v title %q, %d next steps; want heartbleed-probe, false, %q, 2", tc.lang, f.Verdict, f.Failed, f.Title, len(f.NextSteps), title)
		}
		if n := len(f.Evidence); n < 2 || f.Evidence[n-2].Frame != 19 || f.Evidence[n-1].Frame != 21 {
			t.Errorf("%s/json: evidence %+v, want the heartbeat record (frame 19), then the client's FIN (frame 21) last", tc.lang, f.Evidence)
		}
		if s.Flows != 1 || s.Failed != 0 || len(s.Verdicts) != 1 || s.Verdicts[0].Verdict != "heartbleed-probe" || s.Verdicts[0].Count != 1 {
			t.Errorf("%s/json: summary flows %d failed %d verdicts %+v; want 1, 0, 1 heartbleed-probe", tc.lang, s.Flows, s.Failed, s.Verdicts)
		}
		if len(s.Servers) != 1 || s.Servers[0].Server != "162.219.2.166:443" || s.Servers[0].Flows != 1 || s.Servers[0].Failed != 0 ||
			strings.Join(s.Servers[0].Accepted, ",") != "TLS 1.2" {
			t.Errorf("%s/json: summary.servers %+v; want 162.219.2.166:443, 1 flow, 0 failed, accepted TLS 1.2", tc.lang, s.Servers)
		}
		if len(s.Fleet) != 1 || s.Fleet[0].Outcome != "heartbleed-probe" || s.Fleet[0].Flows != 1 || s.Fleet[0].Failed != 0 || s.Fleet[0].Text != tc.fleet {
			t.Errorf("%s/json: summary.fleet %+v; want the heartbleed-probe group, 1 flow, 0 failed", tc.lang, s.Fleet)
		}
		want := map[string]string{"en": hbWarningEN, "ja": hbWarningJA}[tc.lang]
		if len(r.Warnings) != 1 || r.Warnings[0].Code != "heartbleed-probe" || r.Warnings[0].Frame != 19 || r.Warnings[0].Message != want {
			t.Errorf("%s/json: warnings %+v; want the heartbleed-probe warning at frame 19:\n %s", tc.lang, r.Warnings, want)
		}
		if r.Findings.Answer != tc.answer || len(r.Findings.Groups) != 0 {
			t.Errorf("%s/json: findings answer\n %s\nwant\n %s\n(%d groups, want none: nothing failed)", tc.lang, r.Findings.Answer, tc.answer, len(r.Findings.Groups))
		}

		// NDJSON: the connection's outcome is no failure; the summary line's reason is the answer.
		_, nd, _ := runCLI("analyze", heartbleedCapture, "-q", "--lang", tc.lang, "-f", "ndjson")
		lines := strings.Split(strings.TrimSpace(nd), "\n")
		var conn, sum struct {
			Event struct {
				Outcome string `json:"outcome"`
				Reason  string `json:"reason"`
			} `json:"event"`
			Connscope struct {
				Verdict string            `json:"verdict"`
				Groups  []json.RawMessage `json:"groups"`
			} `json:"connscope"`
		}
		if err := json.Unmarshal([]byte(lines[0]), &conn); err != nil || conn.Connscope.Verdict != "heartbleed-probe" || conn.Event.Outcome != "unknown" {
			t.Errorf("%s/ndjson: connection line %+v (%v); want verdict heartbleed-probe, outcome unknown", tc.lang, conn, err)
		}
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil || sum.Event.Outcome != "success" || sum.Event.Reason != tc.answer ||
			len(sum.Connscope.Groups) != 0 {
			t.Errorf("%s/ndjson: summary line %+v (%v); want outcome success, the answer, no group", tc.lang, sum, err)
		}
	}
}

// TestHeartbleedProbeDetail checks the -v detail of the probe in every profile and language: the
// reason names the heartbeat record, the next steps are the heartbleed-probe entry's (the
// generic one's, or the Apex One one's, which names Schannel and what may end TLS in front of
// the server), the evidence ends with the heartbeat record and the client's FIN.
func TestHeartbleedProbeDetail(t *testing.T) {
	toRoot(t)
	const (
		whyEN = "  why: the client closed the connection during the TLS handshake, after the ServerHello (TLS 1.2): the client sent a " +
			"heartbeat record (content type 24, 16368 bytes) in frame 19, before the handshake completed, and ended the connection " +
			"7.5 s after it: the pattern of a Heartbleed (CVE-2014-0160) probe or scanner, not of a client that wants a session\n"
		nextEN = "  next: 1. This is not an agent failing to connect: 173.203.79.216 sent a heartbeat record in the middle of the " +
			"handshake, the pattern of a Heartbleed scanner or exploit attempt. Find out what runs on 173.203.79.216 (a vulnerability " +
			"scanner the security team runs, or an attacker).\n" +
			"        2. Check that the TLS library behind 162.219.2.166:443 is not vulnerable to Heartbleed (OpenSSL 1.0.1 before " +
			"1.0.1g answers such a request with its memory), or that heartbeat support is off; look at what the server answered in " +
			"the capture (tls.record.content_type == 24).\n"
		nextApexEN = "  next: 1. This is not an Apex One agent failing to connect: 173.203.79.216 sent a heartbeat record in the middle " +
			"of the handshake, the pattern of a Heartbleed scanner or exploit attempt. Find out what runs on 173.203.79.216 (a " +
			"vulnerability scanner the security team runs, or an attacker).\n" +
			"        2. Check that what ends TLS for 162.219.2.166:443 is not vulnerable to Heartbleed: IIS uses Windows Schannel, " +
			"which Heartbleed does not affect, but a load balancer or reverse proxy in front of the server may use OpenSSL (1.0.1 " +
			"before 1.0.1g answers such a request with its memory) or have heartbeat support on; look at what the server answered " +
			"in the capture (tls.record.content_type == 24).\n"
		evidenceEN = "    frame 19  16:11:26.753913  heartbeat record (content type 24, 16368 bytes) from the client, before the handshake completed\n" +
			"    frame 21  16:11:34.221780  FIN from the client during the handshake\n"
		whyJA = "  理由: クライアントが TLS ハンドシェイクの途中、ServerHello（TLS 1.2）の後に接続を閉じました。クライアントはハンドシェイクの完了前に" +
			"フレーム 19 でハートビートレコード（コンテンツタイプ 24、16368 バイト）を送信し、その 7.5 s 後に接続を終了しました。セッションを求める" +
			"クライアントではなく、Heartbleed（CVE-2014-0160）のプローブやスキャナーのパターンです\n"
		nextJA = "  対処: 1. これはエージェントの接続失敗ではありません。173.203.79.216 はハンドシェイクの途中でハートビートレコードを送信しており、" +
			"Heartbleed のスキャナーまたは攻撃の試みのパターンです。173.203.79.216 で何が動いているか（セキュリティチームが運用する脆弱性スキャナーか、" +
			"攻撃者か）を確認してください。\n"
		nextApexJA = "  対処: 1. これは Apex One エージェントの接続失敗ではありません。173.203.79.216 はハンドシェイクの途中でハートビートレコードを送信しており、" +
			"Heartbleed のスキャナーまたは攻撃の試みのパターンです。173.203.79.216 で何が動いているか（セキュリティチームが運用する脆弱性スキャナーか、" +
			"攻撃者か）を確認してください。\n" +
			"        2. 162.219.2.166:443 の TLS を終端しているものが Heartbleed の脆弱性を持たないことを確認してください。IIS が使う Windows の Schannel は" +
			" Heartbleed の影響を受けませんが、サーバーの前段のロードバランサーやリバースプロキシは OpenSSL（1.0.1 から 1.0.1f はこの要求にメモリの内容で" +
			"応答します）を使っていたり、ハートビートが有効になっていたりする場合があります。キャプチャ内のサーバーの応答（tls.record.content_type == 24）も" +
			"確認してください。\n"
	)
	cases := []struct {
		lang, profile string
		want          []string // whole lines of the -v table
		never         []string
	}{
		{"en", "generic", []string{"#1 heartbleed-probe 173.203.79.216:46592 -> 162.219.2.166:443\n", whyEN, nextEN, evidenceEN},
			[]string{"reset", "Reset", "gave up right after", "trust store", "Schannel"}},
		{"en", "apexone", []string{whyEN, nextApexEN, evidenceEN}, []string{"reset", "Reset", "gave up right after"}},
		{"ja", "generic", []string{"#1 heartbleed-probe 173.203.79.216:46592 -> 162.219.2.166:443\n", whyJA, nextJA}, []string{"リセット", "reset", "直後に中断"}},
		{"ja", "apexone", []string{whyJA, nextApexJA}, []string{"リセット", "reset", "直後に中断"}},
	}
	for _, tc := range cases {
		code, out, errs := runCLI("analyze", heartbleedCapture, "--port", "443", "-v", "-q", "--lang", tc.lang, "--profile", tc.profile)
		if code != 0 {
			t.Fatalf("%s/%s: exit %d, want 0 (a Heartbleed probe is no failure): %s", tc.lang, tc.profile, code, errs)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s/%s: the report lacks %q:\n%s", tc.lang, tc.profile, w, out)
			}
		}
		for _, n := range tc.never {
			if strings.Contains(out, n) {
				t.Errorf("%s/%s: the report says %q, but the connection has no RST and the client sent a heartbeat probe:\n%s", tc.lang, tc.profile, n, out)
			}
		}
	}
}

// heartbleedBesideAgent writes, in a temporary folder, heartbleed.pcap with the frames of
// untrusted-cert.pcap after its own (both little-endian classic pcap of Ethernet frames; the
// agent's come 12 years later, in time order): a Heartbleed prober and a real agent (OpenSSL
// s_client rejecting a self-signed certificate with unknown_ca) failing in one capture.
func heartbleedBesideAgent(t *testing.T) string {
	t.Helper()
	hb, err := os.ReadFile(heartbleedCapture)
	if err != nil {
		t.Fatal(err)
	}
	agent, err := os.ReadFile("testdata/captures/untrusted-cert.pcap")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pcapedit.Records(hb); err != nil {
		t.Fatal(err)
	}
	recs, err := pcapedit.Records(agent)
	if err != nil || len(recs) != 13 {
		t.Fatalf("untrusted-cert.pcap: %d records, %v", len(recs), err)
	}
	path := filepath.Join(t.TempDir(), "heartbleed-beside-agent.pcap")
	if err := os.WriteFile(path, append(append([]byte{}, hb...), agent[recs[0]:]...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHeartbleedProbeIsNoAgent checks that a Heartbleed prober is named a host that sent a
// Heartbleed probe in the fleet view, in every format and language, and counts in no agent, no
// fingerprint and no agents' fleet group, nor as a failure, while a real agent failing in the
// same capture still counts as an agent and as a failure: "1 of 2 connections failed", the
// agent's server's row FAILED 1, the prober's 0, exit 1, one failing group (the agent's), and
// the answer names the probe after it.
func TestHeartbleedProbeIsNoAgent(t *testing.T) {
	toRoot(t)
	merged := heartbleedBesideAgent(t)
	const (
		agentEN  = "  1 agent fails for a reason other than the TLS versions: tls-certificate-rejected (1 flow, 1 failed): 10.77.1.1\n"
		agentJA  = "  エージェント 1 台は TLS バージョン以外の理由で失敗しています: tls-certificate-rejected（フロー 1 件、失敗 1 件）: 10.77.1.1\n"
		agentJA4 = "| t12i280600_d943125447b4_e7e480e5a997 | fbe7e189e37a07ee33706f86bc746344 |"
		probeJA4 = "t12i640400_2797659a203c_354ff7b397c3"
		groupEN  = "1 agent (10.77.1.1) rejects the certificate of server 10.77.1.2:4343 (alert unknown_ca from the client) — tls-certificate-rejected."
	)
	for _, tc := range []struct {
		lang, agent, probe, policy, lead, answer, rows, summary string
	}{
		{"en", agentEN, hbFleetEN, "%s no completed TLS handshake seen, though its 1 ServerHello chose TLS 1.2; TLS 1.0, TLS 1.1 and TLS 1.3 not tested by any client\n",
			"1 of 2 connections failed.", "1 of 2 connections failed. " + groupEN + " " + hbProbeEN + " Next step: ",
			"| 10.77.1.2:4343    |           1 |      1 | TLS 1.2           |\n| 162.219.2.166:443 |           1 |      0 | TLS 1.2           |\n",
			"\n2 connections, 1 failed: 1 tls-certificate-rejected, 1 heartbleed-probe.\n"},
		{"ja", agentJA, hbFleetJA, "サーバー %s: 完了した TLS ハンドシェイクなし（ServerHello 1 件では TLS 1.2 を選択）。TLS 1.0、TLS 1.1、TLS 1.3 はどのクライアントも試していません\n",
			"2 件中 1 件の接続が失敗しました。", "2 件中 1 件の接続が失敗しました。", "", "\n接続 2 件、失敗 1 件: tls-certificate-rejected 1 件、heartbleed-probe 1 件。\n"},
	} {
		code, out, errs := runCLI("analyze", merged, "-q", "--lang", tc.lang)
		if code != 1 {
			t.Fatalf("%s: exit %d, want 1 (the agent failed): %s", tc.lang, code, errs)
		}
		fleet := fmt.Sprintf(tc.policy, "10.77.1.2:4343") + tc.agent + fmt.Sprintf(tc.policy, "162.219.2.166:443") + "  " + tc.probe + "\n\n"
		for _, w := range []string{fleet, "WARNING: " + hbWarningEN, tc.rows, tc.summary} {
			if tc.lang == "ja" && strings.HasPrefix(w, "WARNING") {
				w = "警告: " + hbWarningJA
			}
			if !strings.Contains(out, w) {
				t.Errorf("%s: the table lacks\n%s\n%s", tc.lang, w, out)
			}
		}
		if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, strings.Join(strings.Fields(tc.answer), " ")) {
			t.Errorf("%s: the answer does not begin %q:\n%s", tc.lang, tc.answer, out)
		}
		if !strings.Contains(out, agentJA4) || strings.Contains(out, probeJA4) {
			t.Errorf("%s: the JA4 table should hold the agent's fingerprint alone, not the prober's:\n%s", tc.lang, out)
		}
		for _, f := range []string{"markdown", "html"} {
			_, out, _ := runCLI("analyze", merged, "-q", "--lang", tc.lang, "-f", f)
			if !strings.Contains(out, tc.probe) || !strings.Contains(out, strings.TrimSpace(tc.agent)) || strings.Contains(out, probeJA4) ||
				!strings.Contains(out, tc.lead) {
				t.Errorf("%s/%s: want %q, the fleet lines %q and %q and no fingerprint of the prober:\n%s", tc.lang, f, tc.lead, tc.probe, tc.agent, out)
			}
		}
	}

	type group struct {
		Verdict    string   `json:"verdict"`
		AgentCount int      `json:"agent_count"`
		Agents     []string `json:"agents"`
	}
	var r struct {
		Summary struct {
			Flows   int `json:"flows"`
			Failed  int `json:"failed"`
			Servers []struct {
				Server string `json:"server"`
				Flows  int    `json:"flows"`
				Failed int    `json:"failed"`
			} `json:"servers"`
			Agents []struct {
				Agent string `json:"agent"`
			} `json:"agents"`
			Fingerprints []struct {
				JA4    string   `json:"ja4"`
				Agents []string `json:"agents"`
			} `json:"fingerprints"`
			Fleet []struct {
				Server  string   `json:"server"`
				Outcome string   `json:"outcome"`
				Count   int      `json:"agent_count"`
				Agents  []string `json:"agents"`
				Failed  int      `json:"failed"`
				Text    string   `json:"text"`
			} `json:"fleet"`
		} `json:"summary"`
		Findings struct {
			Groups []group `json:"groups"`
		} `json:"findings"`
	}
	_, out, _ := runCLI("analyze", merged, "-q", "-f", "json")
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	s := r.Summary
	if s.Flows != 2 || s.Failed != 1 || len(s.Servers) != 2 || s.Servers[0].Server != "10.77.1.2:4343" || s.Servers[0].Failed != 1 ||
		s.Servers[1].Server != "162.219.2.166:443" || s.Servers[1].Flows != 1 || s.Servers[1].Failed != 0 {
		t.Errorf("JSON: summary flows %d failed %d servers %+v; want 2, 1, the agent's server failed 1, the probed server 1 flow 0 failed", s.Flows, s.Failed, s.Servers)
	}
	if len(s.Agents) != 1 || s.Agents[0].Agent != "10.77.1.1" {
		t.Errorf("JSON: summary.agents %+v, want 10.77.1.1 alone", s.Agents)
	}
	if len(s.Fingerprints) != 1 || s.Fingerprints[0].JA4 != "t12i280600_d943125447b4_e7e480e5a997" || len(s.Fingerprints[0].Agents) != 1 ||
		s.Fingerprints[0].Agents[0] != "10.77.1.1" {
		t.Errorf("JSON: summary.fingerprints %+v, want the agent's alone", s.Fingerprints)
	}
	if len(s.Fleet) != 2 || s.Fleet[0].Server != "10.77.1.2:4343" || s.Fleet[0].Outcome != "failed-not-version" ||
		s.Fleet[0].Text != strings.TrimSpace(agentEN) || s.Fleet[1].Server != "162.219.2.166:443" || s.Fleet[1].Outcome != "heartbleed-probe" ||
		s.Fleet[1].Count != 1 || len(s.Fleet[1].Agents) != 1 || s.Fleet[1].Agents[0] != "173.203.79.216" || s.Fleet[1].Failed != 0 || s.Fleet[1].Text != hbFleetEN {
		t.Errorf("JSON: summary.fleet %+v, want the agent's failed-not-version group, then the prober's heartbleed-probe group", s.Fleet)
	}
	agentGroup := func(where string, gs []group) {
		if len(gs) != 1 || gs[0].Verdict != "tls-certificate-rejected" || gs[0].AgentCount != 1 || len(gs[0].Agents) != 1 || gs[0].Agents[0] != "10.77.1.1" {
			t.Errorf("%s: groups %+v, want the agent's tls-certificate-rejected group alone (the probe is no failure)", where, gs)
		}
	}
	agentGroup("JSON findings", r.Findings.Groups)
	_, out, _ = runCLI("analyze", merged, "-q", "-f", "ndjson")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var sum struct {
		Connscope struct {
			Groups []group `json:"groups"`
		} `json:"connscope"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
		t.Fatal(err)
	}
	agentGroup("NDJSON summary", sum.Connscope.Groups)
}

// heartbleedThrice writes, in a temporary folder, heartbleed.pcap followed by two copies of its
// frames: the same host probing again from source port 46593 a minute later, and another host
// (173.203.79.217) two minutes later, with the checksums recomputed.
func heartbleedThrice(t *testing.T) string {
	t.Helper()
	hb, err := os.ReadFile(heartbleedCapture)
	if err != nil {
		t.Fatal(err)
	}
	again, other := append([]byte{}, hb...), append([]byte{}, hb...)
	if n, err := pcapedit.ReplaceTCPPort(again, 46592, 46593); err != nil || n != 23 {
		t.Fatalf("port: %d frames, %v", n, err)
	}
	if n, err := pcapedit.ReplaceIPv4(other, [4]byte{173, 203, 79, 216}, [4]byte{173, 203, 79, 217}); err != nil || n != 23 {
		t.Fatalf("address: %d frames, %v", n, err)
	}
	if pcapedit.ShiftSeconds(again, 60) != nil || pcapedit.ShiftSeconds(other, 120) != nil {
		t.Fatal("shift")
	}
	path := filepath.Join(t.TempDir(), "heartbleed-thrice.pcap")
	if err := os.WriteFile(path, append(append(append([]byte{}, hb...), again[24:]...), other[24:]...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHeartbleedProbesCounted checks the words of several probes: one warning per host and
// server (a host's second probe counted in its warning, the first one's frame named), one fleet
// group of both hosts, the answer's sentence of both hosts in 3 connections; nothing failed and
// connscope exits 0. With two capture points, the warning names the capture of its frame.
func TestHeartbleedProbesCounted(t *testing.T) {
	toRoot(t)
	three := heartbleedThrice(t)
	for _, tc := range []struct{ lang, first, second, answer, fleet, summary string }{
		{"en",
			"WARNING: 173.203.79.216 sent 162.219.2.166:443 2 Heartbleed probes (the first in frame 19): heartbeat records (content type 24) " +
				"in the middle of the TLS handshake, each followed by a FIN; a Heartbleed (CVE-2014-0160) scanner or exploit, not an agent " +
				"failing: its connections have the verdict heartbleed-probe and count in no server's failures (heartbleed-probe, frame 19)\n",
			"WARNING: 173.203.79.217 sent 162.219.2.166:443 a Heartbleed probe (frame 65): a heartbeat record (content type 24, 16368 bytes) " +
				"in the middle of the TLS handshake, then a FIN; a Heartbleed (CVE-2014-0160) scanner or exploit, not an agent failing: its " +
				"connection has the verdict heartbleed-probe and counts in no server's failures (heartbleed-probe, frame 65)\n",
			"No connection failed: 3 connections were analysed. 2 hosts (173.203.79.216 and 173.203.79.217) in 3 connections sent server " +
				"162.219.2.166:443 Heartbleed probes (a heartbeat record in the middle of the TLS handshake, then a FIN): not an agent failing, " +
				"see the warning. Server 162.219.2.166:443 chose TLS 1.2.",
			"  2 hosts sent Heartbleed probes (a heartbeat record in the middle of the TLS handshake), not counted among the agents " +
				"(3 flows): 173.203.79.216, 173.203.79.217\n",
			"\n3 connections, 0 failed: 3 heartbleed-probe.\n"},
		{"ja",
			"警告: 173.203.79.216 が 162.219.2.166:443 に Heartbleed のプローブを 2 件送信しました（最初はフレーム 19）: TLS ハンドシェイクの途中の" +
				"ハートビートレコード（コンテンツタイプ 24）とその後の FIN です。エージェントの障害ではなく、Heartbleed（CVE-2014-0160）のスキャナーまたは" +
				"攻撃ツールです。これらの接続の判定は heartbleed-probe で、どのサーバーの失敗にも数えていません（heartbleed-probe、フレーム 19）\n",
			"警告: 173.203.79.217 が 162.219.2.166:443 に Heartbleed のプローブを送信しました（フレーム 65）",
			"ホスト 2 台（173.203.79.216、173.203.79.217、接続 3 件）がサーバー 162.219.2.166:443 に Heartbleed のプローブ（TLS ハンドシェイクの途中の" +
				"ハートビートレコードとその後の FIN）を 3 件送信しました。",
			"  ホスト 2 台が Heartbleed のプローブ（TLS ハンドシェイクの途中のハートビートレコード）を送信しました。エージェントには数えていません" +
				"（フロー 3 件）: 173.203.79.216、173.203.79.217\n",
			"\n接続 3 件、失敗 0 件: heartbleed-probe 3 件。\n"},
	} {
		code, out, errs := runCLI("analyze", three, "-q", "--lang", tc.lang)
		if code != 0 {
			t.Errorf("%s: exit %d, want 0: %s", tc.lang, code, errs)
		}
		for _, w := range []string{tc.first, tc.second, tc.fleet, tc.summary} {
			if !strings.Contains(out, w) {
				t.Errorf("%s: the table lacks\n%s\n%s", tc.lang, w, out)
			}
		}
		_, js, _ := runCLI("analyze", three, "-q", "--lang", tc.lang, "-f", "json")
		var r struct {
			Findings struct {
				Answer string `json:"answer"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(js), &r); err != nil || !strings.Contains(r.Findings.Answer, tc.answer) {
			t.Errorf("%s: the answer\n %s\nlacks\n %s (%v)", tc.lang, r.Findings.Answer, tc.answer, err)
		}
	}

	// Two capture points: the warning names the capture its frame is in.
	code, out, errs := runCLI("analyze", heartbleedCapture, "testdata/captures/untrusted-cert.pcap", "-q")
	if code != 1 {
		t.Errorf("vantages: exit %d, want 1 (the agent failed): %s", code, errs)
	}
	if w := "WARNING: 173.203.79.216 sent 162.219.2.166:443 a Heartbleed probe (frame 19 of heartbleed.pcap): a heartbeat record"; !strings.Contains(out, w) {
		t.Errorf("vantages: the table lacks %q:\n%s", w, out)
	}
	_, out, _ = runCLI("analyze", heartbleedCapture, "testdata/captures/untrusted-cert.pcap", "-q", "--lang", "ja")
	if w := "警告: 173.203.79.216 が 162.219.2.166:443 に Heartbleed のプローブを送信しました（heartbleed.pcap のフレーム 19）"; !strings.Contains(out, w) {
		t.Errorf("vantages/ja: the table lacks %q:\n%s", w, out)
	}
}
