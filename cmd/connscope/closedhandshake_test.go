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

// TestClosedDuringHandshake checks the report of a connection that the client closed with a FIN
// during the TLS handshake: the verdict is closed-during-handshake, never reset (there is no
// RST), and the reason names the heartbeat record the client sent before the handshake completed
// (the pattern of a Heartbleed probe), with next steps about the probing host and the server's
// heartbeat support. It read "the client sent more data after the server's certificate (the last
// in frame 19)", with next steps about the client's trust store.
func TestClosedDuringHandshake(t *testing.T) {
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
		evidenceEN = "    frame 19  16:11:26.753913  heartbeat record (content type 24, 16368 bytes) from the client, before the handshake completed\n" +
			"    frame 21  16:11:34.221780  FIN from the client during the handshake\n"
		whyJA = "  理由: クライアントが TLS ハンドシェイクの途中、ServerHello（TLS 1.2）の後に接続を閉じました。クライアントはハンドシェイクの完了前に" +
			"フレーム 19 でハートビートレコード（コンテンツタイプ 24、16368 バイト）を送信し、その 7.5 s 後に接続を終了しました。セッションを求める" +
			"クライアントではなく、Heartbleed（CVE-2014-0160）のプローブやスキャナーのパターンです\n"
		nextJA = "  対処: 1. これはエージェントの接続失敗ではありません。173.203.79.216 はハンドシェイクの途中でハートビートレコードを送信しており、" +
			"Heartbleed のスキャナーまたは攻撃の試みのパターンです。173.203.79.216 で何が動いているか（セキュリティチームが運用する脆弱性スキャナーか、" +
			"攻撃者か）を確認してください。\n"
	)
	cases := []struct {
		lang, profile string
		want          []string // whole lines of the -v table
		never         []string
	}{
		{"en", "generic", []string{"| closed-during-handshake |", whyEN, nextEN, evidenceEN,
			"\n1 connection, 1 failed: 1 closed-during-handshake.\n",
		}, []string{"reset", "Reset", "gave up right after", "rejecting it", "trust store"}},
		// A heartbeat probe is no agent: the Apex One profile words it as the generic one does.
		{"en", "apexone", []string{whyEN, nextEN, evidenceEN}, []string{"reset", "Reset", "gave up right after", "Schannel"}},
		{"ja", "generic", []string{whyJA, nextJA,
			"接続 1 件、失敗 1 件: closed-during-handshake 1 件。",
		}, []string{"リセット", "reset", "直後に中断"}},
		{"ja", "apexone", []string{whyJA, nextJA}, []string{"リセット", "reset", "直後に中断"}},
	}
	for _, tc := range cases {
		code, out, errs := runCLI("analyze", heartbleedCapture, "--port", "443", "-v", "-q", "--lang", tc.lang, "--profile", tc.profile)
		if code != 1 {
			t.Fatalf("%s/%s: exit %d, want 1 (a failure found): %s", tc.lang, tc.profile, code, errs)
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

	_, out, _ := runCLI("analyze", heartbleedCapture, "--port", "443", "-q", "-f", "json")
	var r struct {
		Flows []struct {
			Verdict   string   `json:"verdict"`
			Title     string   `json:"title"`
			Reason    string   `json:"reason"`
			NextSteps []string `json:"next_steps"`
			Evidence  []struct {
				Frame int    `json:"frame"`
				Text  string `json:"text"`
			} `json:"evidence"`
		} `json:"flows"`
		Summary struct {
			Verdicts []struct {
				Verdict string `json:"verdict"`
				Count   int    `json:"count"`
			} `json:"verdicts"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Flows) != 1 {
		t.Fatalf("JSON: %v, %d flows", err, len(r.Flows))
	}
	f := r.Flows[0]
	if f.Verdict != "closed-during-handshake" || f.Title != "Heartbeat probe during the handshake" {
		t.Errorf("JSON: verdict %q, title %q; want closed-during-handshake, \"Heartbeat probe during the handshake\"", f.Verdict, f.Title)
	}
	if len(r.Summary.Verdicts) != 1 || r.Summary.Verdicts[0].Verdict != "closed-during-handshake" || r.Summary.Verdicts[0].Count != 1 {
		t.Errorf("JSON: summary verdicts %+v, want 1 closed-during-handshake", r.Summary.Verdicts)
	}
	all := f.Title + "\n" + f.Reason + "\n" + strings.Join(f.NextSteps, "\n")
	for _, e := range f.Evidence {
		all += "\n" + e.Text
	}
	if strings.Contains(strings.ToLower(all), "reset") || strings.Contains(all, "gave up right after") {
		t.Errorf("JSON: the flow's words speak of a reset or of giving up right after the certificate:\n%s", all)
	}
	if n := len(f.Evidence); n == 0 || f.Evidence[n-1].Frame != 21 || f.Evidence[n-1].Text != "FIN from the client during the handshake" {
		t.Errorf("JSON: evidence %+v, want the client's FIN in frame 21 last", f.Evidence)
	}
}

// TestHeartbeatProbeHeadline: the group of the heartbeat probe is headed by what the packets show,
// a host sending a heartbeat record in the middle of the handshake, never by an agent whose
// connections are closed. It read "1 agent (173.203.79.216) has connections to server
// 162.219.2.166:443 closed with a FIN during the TLS handshake".
func TestHeartbeatProbeHeadline(t *testing.T) {
	toRoot(t)
	for _, tc := range []struct{ lang, want string }{
		{"en", "1 host (173.203.79.216) sent server 162.219.2.166:443 a heartbeat record in the middle of the TLS handshake, " +
			"then closed with a FIN: the pattern of a Heartbleed probe"},
		{"ja", "ホスト 1 台（173.203.79.216）がサーバー 162.219.2.166:443 に TLS ハンドシェイクの途中でハートビートレコードを送信し、" +
			"FIN で接続を閉じています（Heartbleed のプローブのパターン）"},
	} {
		_, out, errs := runCLI("analyze", heartbleedCapture, "--port", "443", "-q", "-f", "json", "--lang", tc.lang)
		var r struct {
			Findings struct {
				Groups []struct {
					Headline string `json:"headline"`
				} `json:"groups"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Findings.Groups) != 1 {
			t.Fatalf("%s: JSON: %v, %d groups: %s", tc.lang, err, len(r.Findings.Groups), errs)
		}
		if got := r.Findings.Groups[0].Headline; got != tc.want {
			t.Errorf("%s: headline\n %s\nwant\n %s", tc.lang, got, tc.want)
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
// fingerprint and no agents' fleet group, while a real agent failing in the same capture still
// counts as an agent. The fleet read "1 agent fails for a reason other than the TLS versions:
// closed-during-handshake (1 flow, 1 failed): 173.203.79.216", and the JA4 table counted the
// prober's fingerprint as 1 agent.
func TestHeartbleedProbeIsNoAgent(t *testing.T) {
	toRoot(t)
	merged := heartbleedBesideAgent(t)
	const (
		agentEN = "  1 agent fails for a reason other than the TLS versions: tls-certificate-rejected (1 flow, 1 failed): 10.77.1.1\n"
		probeEN = "1 host sent a Heartbleed probe (a heartbeat record in the middle of the TLS handshake), not counted among the " +
			"agents (1 flow, 1 failed): 173.203.79.216"
		agentJA = "  エージェント 1 台は TLS バージョン以外の理由で失敗しています: tls-certificate-rejected（フロー 1 件、失敗 1 件）: 10.77.1.1\n"
		probeJA = "ホスト 1 台が Heartbleed のプローブ（TLS ハンドシェイクの途中のハートビートレコード）を送信しました。エージェントには数えていません" +
			"（フロー 1 件、失敗 1 件）: 173.203.79.216"
		agentJA4 = "| t12i280600_d943125447b4_e7e480e5a997 | fbe7e189e37a07ee33706f86bc746344 |"
		probeJA4 = "t12i640400_2797659a203c_354ff7b397c3"
	)
	for _, tc := range []struct {
		lang, agent, probe, policy string
	}{
		{"en", agentEN, probeEN, "%s no completed TLS handshake seen, though its 1 ServerHello chose TLS 1.2; TLS 1.0, TLS 1.1 and TLS 1.3 not tested by any client\n"},
		{"ja", agentJA, probeJA, "サーバー %s: 完了した TLS ハンドシェイクなし（ServerHello 1 件では TLS 1.2 を選択）。TLS 1.0、TLS 1.1、TLS 1.3 はどのクライアントも試していません\n"},
	} {
		code, out, errs := runCLI("analyze", merged, "-q", "--lang", tc.lang)
		if code != 1 {
			t.Fatalf("%s: exit %d, want 1: %s", tc.lang, code, errs)
		}
		fleet := fmt.Sprintf(tc.policy, "10.77.1.2:4343") + tc.agent + fmt.Sprintf(tc.policy, "162.219.2.166:443") + "  " + tc.probe + "\n\n"
		if !strings.Contains(out, fleet) {
			t.Errorf("%s: the table's fleet view is not\n%s\n%s", tc.lang, fleet, out)
		}
		if !strings.Contains(out, agentJA4) || strings.Contains(out, probeJA4) {
			t.Errorf("%s: the JA4 table should hold the agent's fingerprint alone, not the prober's:\n%s", tc.lang, out)
		}
		for _, f := range []string{"markdown", "html"} {
			_, out, _ := runCLI("analyze", merged, "-q", "--lang", tc.lang, "-f", f)
			if !strings.Contains(out, tc.probe) || !strings.Contains(out, strings.TrimSpace(tc.agent)) || strings.Contains(out, probeJA4) {
				t.Errorf("%s/%s: want the fleet lines %q and %q and no fingerprint of the prober:\n%s", tc.lang, f, tc.probe, tc.agent, out)
			}
		}
	}

	type group struct {
		Verdict    string   `json:"verdict"`
		AgentCount int      `json:"agent_count"`
		Agents     []string `json:"agents"`
		Heartbleed *bool    `json:"heartbleed_probe"`
	}
	var r struct {
		Summary struct {
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
	if len(s.Agents) != 1 || s.Agents[0].Agent != "10.77.1.1" {
		t.Errorf("JSON: summary.agents %+v, want 10.77.1.1 alone", s.Agents)
	}
	if len(s.Fingerprints) != 1 || s.Fingerprints[0].JA4 != "t12i280600_d943125447b4_e7e480e5a997" || len(s.Fingerprints[0].Agents) != 1 ||
		s.Fingerprints[0].Agents[0] != "10.77.1.1" {
		t.Errorf("JSON: summary.fingerprints %+v, want the agent's alone", s.Fingerprints)
	}
	if len(s.Fleet) != 2 || s.Fleet[0].Server != "10.77.1.2:4343" || s.Fleet[0].Outcome != "failed-not-version" ||
		s.Fleet[0].Text != strings.TrimSpace(agentEN) || s.Fleet[1].Server != "162.219.2.166:443" || s.Fleet[1].Outcome != "heartbleed-probe" ||
		s.Fleet[1].Count != 1 || len(s.Fleet[1].Agents) != 1 || s.Fleet[1].Agents[0] != "173.203.79.216" || s.Fleet[1].Text != probeEN {
		t.Errorf("JSON: summary.fleet %+v, want the agent's failed-not-version group, then the prober's heartbleed-probe group", s.Fleet)
	}
	probeGroup := func(where string, gs []group) {
		if len(gs) != 2 {
			t.Fatalf("%s: groups %+v, want 2", where, gs)
		}
		for _, g := range gs {
			probe := g.Verdict == "closed-during-handshake"
			if probe != (g.Heartbleed != nil && *g.Heartbleed) || g.AgentCount != 1 {
				t.Errorf("%s: group %+v: heartbleed_probe should be true for the closed-during-handshake group alone", where, g)
			}
		}
	}
	probeGroup("JSON findings", r.Findings.Groups)
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
	probeGroup("NDJSON summary", sum.Connscope.Groups)
}
