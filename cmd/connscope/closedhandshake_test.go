package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// heartbleedCapture is a client that, after the server's TLS 1.2 flight (frame 7), sends a
// 16,368-byte Heartbeat request (frames 11-19), no alert, and closes with a FIN 7.5 s later
// (frame 21); no RST at all (Zeek: SF).
const heartbleedCapture = "../shared/captures/zeek/heartbleed.pcap"

// TestClosedDuringHandshake checks the report of a connection that the client closed with a FIN
// during the TLS handshake: the verdict is closed-during-handshake, never reset (there is no
// RST), its title and next steps speak of a close, and the reason says what the client sent after
// the server's certificate instead of claiming that it gave up right after it.
func TestClosedDuringHandshake(t *testing.T) {
	toRoot(t)
	cases := []struct {
		lang, profile string
		want          []string // lines or parts of lines of the -v table
		never         []string
	}{
		{"en", "generic", []string{
			"| closed-during-handshake |",
			"  why: the client closed the connection during the TLS handshake, after the ServerHello (TLS 1.2): the client sent more data after the server's certificate (the last in frame 19), did not complete the handshake, and ended the connection 7.5 s after the certificate\n",
			"  next: 1. The client 173.203.79.216 ended the handshake without saying why. Candidates the packets allow: it did not accept the certificate of 162.219.2.166:443 or what the ServerHello chose, or its application timed out or gave up",
			"    frame 21  16:11:34.221780  FIN from the client during the handshake\n",
			"\n1 connection, 1 failed: 1 closed-during-handshake.\n",
		}, []string{"reset", "Reset", "gave up right after", "rejecting it"}},
		{"en", "apexone", []string{
			"  next: 1. The agent 173.203.79.216 ended the handshake without saying why.",
			"        2. On the agent host check the System event log (source Schannel) at 16:11:34 and the Trusted Root Certification Authorities store",
		}, []string{"reset", "Reset", "gave up right after"}},
		{"ja", "generic", []string{
			"  理由: クライアントが TLS ハンドシェイクの途中、ServerHello（TLS 1.2）の後に接続を閉じました。クライアントはサーバー証明書の後もデータを送信しました（最後はフレーム 19）が、ハンドシェイクを完了せず、証明書の 7.5 s 後に接続を終了しました\n",
			"接続 1 件、失敗 1 件: closed-during-handshake 1 件。",
		}, []string{"リセット", "reset", "直後に中断"}},
		{"ja", "apexone", []string{
			"  対処: 1. エージェント 173.203.79.216 は理由を示さずにハンドシェイクを終えています。",
		}, []string{"リセット", "reset", "直後に中断"}},
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
				t.Errorf("%s/%s: the report says %q, but the connection has no RST and the client sent data after the certificate:\n%s", tc.lang, tc.profile, n, out)
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
	if f.Verdict != "closed-during-handshake" || f.Title != "Client closed the handshake" {
		t.Errorf("JSON: verdict %q, title %q; want closed-during-handshake, \"Client closed the handshake\"", f.Verdict, f.Title)
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
