package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// flowBlock returns the lines of flow #n's detail in a verbose table report.
func flowBlock(t *testing.T, out string, n int) []string {
	t.Helper()
	head := "#" + itoa(n) + " "
	var block []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, head):
			in = true
		case in && (l == "" || strings.HasPrefix(l, "#")):
			return block
		}
		if in {
			block = append(block, l)
		}
	}
	if !in {
		t.Fatalf("no flow %s in the report:\n%s", head, out)
	}
	return block
}

// TestWordingClaimsOnlyWhatPacketsShow pins the texts that once claimed more than their packets
// prove: a data blackhole names the silent host that a crash would leave as silent; a SYN
// answered by a RST names a host firewall that rejects with a reset beside a closed port; an
// idle reset's timeout is an upper bound; the handshake_failure title hedges as its reason does;
// and a record error is worded in the report's language, not passed through in English.
func TestWordingClaimsOnlyWhatPacketsShow(t *testing.T) {
	toRoot(t)
	cases := []struct {
		capture string
		args    []string
		flow    int
		want    []string // whole lines of the flow's detail
	}{
		{"path-data-blackhole.pcap", nil, 1, []string{
			"  why: the connection was established, then the client's data (a segment of 82 bytes) was sent up to 6 times over 3.3 s and never acknowledged (captured at the client); no reset or ICMP error came back: the path drops this flow's packets (a stateful firewall that lost the session, asymmetric routing, an IPS), or the server is down (crashed, hung or unplugged: its silence gives the same packets); 188-byte segments from the client got through before",
			"  next: Packets stop getting through after the handshake, with no reset or ICMP error: when the reason names a host that may be down, check first that it is up and responsive (a crashed, hung or unplugged host gives the same packets). Otherwise something on the path silently drops them: check stateful firewalls and load balancers for lost sessions or asymmetric routing (the return path through a device that never saw the SYN), and capture on both sides at once to find where the packets stop.",
		}},
		{"path-data-blackhole.pcap", []string{"--lang", "ja"}, 1, []string{
			"  理由: 接続は確立されましたが、その後クライアントのデータ（82 バイトのセグメント）が 3.3 s の間に最大 6 回送信され、一度も確認応答されていません（クライアント側でキャプチャ）。RST も ICMP エラーも返っていません。経路がこのフローのパケットを破棄しています（セッションを失ったステートフルファイアウォール、非対称ルーティング、IPS など）。サーバーが停止している（クラッシュ、ハングアップ、ケーブルの抜けなど）場合も同じパケットになるため、サーバーの停止も考えられます。それ以前にはクライアントからの 188 バイトのセグメントが届いています",
		}},
		{"twopoint/forged-rst-server.pcap", nil, 1, []string{
			"  why: the connection was established, then the server's data (a segment of 1448 bytes) was sent up to 4 times over 1.3 s and never acknowledged (captured at the server); no reset or ICMP error came back: the path drops this flow's packets (a stateful firewall that lost the session, asymmetric routing, an IPS), or the client is down (crashed, hung or unplugged: its silence gives the same packets); 1448-byte segments from the server got through before",
		}},
		{"closed-port.pcap", nil, 2, []string{
			"  why: the server answered the SYN with a reset: nothing listens on 10.77.1.2:4343, or a host firewall on the server rejects the port with a reset (iptables REJECT --reject-with tcp-reset gives the same packet); attempt 2 of 2 from 10.77.1.1 to 10.77.1.2:4343 in this capture (flows #1, #2), each from a new source port",
			"  next: Nothing listens on 10.77.1.2:4343, or a host firewall there rejects the port with a reset: check that the service is running and listening on port 4343 (Windows: netstat -ano | findstr :4343 or Get-NetTCPConnection -LocalPort 4343 -State Listen; Linux: ss -ltnp), and the host firewall's rules for port 4343 (Linux: iptables -S or nft list ruleset, a REJECT with tcp-reset; Windows Firewall drops rather than resets, so look at other security software).",
		}},
		{"closed-port.pcap", []string{"--profile", "apexone"}, 1, []string{
			"  next: 1. Nothing listens on 10.77.1.2:4343, or a host firewall on the server rejects the port with a reset: on the Apex One server check that the master service (Apex One Master Service / OfficeScan Master Service) and the web server (IIS, World Wide Web Publishing Service; or Apache on Apache-based installs) are running.",
			"        2. Check that the web server is bound to port 4343: netstat -ano | findstr :4343. If it is, look for a firewall or security software on the server that resets connections to port 4343 (Windows Firewall itself drops rather than resets).",
		}},
		{"closed-port.pcap", []string{"--lang", "ja"}, 1, []string{
			"  理由: サーバーが SYN に RST で応答しました。10.77.1.2:4343 で待ち受けているサービスがないか、サーバーのホストファイアウォールが RST でポートを拒否しています（iptables の REJECT --reject-with tcp-reset でも同じパケットになります）。このキャプチャでの 10.77.1.1 から 10.77.1.2:4343 への 2 回の試行のうち 1 回目です（フロー #1、#2、毎回新しい送信元ポート）",
		}},
		{"path-idle-reset.pcap", nil, 1, []string{
			"  next: A firewall or NAT between the two dropped this session after at most 8.0 s of silence (its idle timeout is 8.0 s or less: the packets show only when the next packet found the session gone) and then reset it: find the timeout in the device's configuration and raise it, or have the client send TCP keepalives at a shorter interval than that timeout.",
		}},
		{"path-idle-reset.pcap", []string{"--lang", "ja"}, 1, []string{
			"  対処: 両者の間のファイアウォールまたは NAT が、最大 8.0 s の無通信でこのセッションを破棄し、その後リセットしています（アイドルタイムアウトは 8.0 s 以下です。パケットからわかるのは、次のパケットが来た時点でセッションが消えていたことだけです）。その機器の設定でタイムアウトの値を確認して延ばすか、そのタイムアウトより短い間隔の TCP キープアライブをクライアントで使ってください。",
		}},
		{"accuracy/late-garbage.pcap", nil, 1, []string{
			"  why: the server sent bytes that are not TLS records after the handshake had completed and 1 application data record from the client and 1 from the server had passed: invalid record content type 0 at stream offset 1628; the client ended the connection 0.1 ms later with an alert: a protocol error in the session, not a certificate or cipher problem",
			"    frame 13  23:55:10.399498  bytes from the server that are not a TLS record: invalid record content type 0 at stream offset 1628",
		}},
		{"accuracy/late-garbage.pcap", []string{"--lang", "ja"}, 1, []string{
			"  理由: サーバーは、ハンドシェイクが完了し、クライアントから 1 個、サーバーから 1 個のアプリケーションデータレコードが流れた後に TLS レコードではないバイトを送信しました。不正なレコードのコンテンツタイプ 0（ストリームのオフセット 1628）。クライアントはその 0.1 ms 後にアラートで接続を終了しました。セッション中のプロトコルエラーであり、証明書や暗号スイートの問題ではありません",
			"    フレーム 13  23:55:10.399498  サーバーからの、TLS レコードではないバイト: 不正なレコードのコンテンツタイプ 0（ストリームのオフセット 1628）",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.capture+strings.Join(tc.args, ""), func(t *testing.T) {
			args := append([]string{"analyze", "testdata/captures/" + tc.capture, "-v"}, tc.args...)
			code, out, stderr := runCLI(args...)
			if code != 1 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			block := flowBlock(t, out, tc.flow)
			for _, w := range tc.want {
				if !slices.Contains(block, w) {
					t.Errorf("flow #%d lacks the line\n%s\nits detail:\n%s", tc.flow, w, strings.Join(block, "\n"))
				}
			}
		})
	}
}

// TestHandshakeFailureTitleHedges: the reason of a handshake_failure before any ServerHello
// says "most likely no cipher suite in common"; the verdict's title says no more than that.
func TestHandshakeFailureTitleHedges(t *testing.T) {
	toRoot(t)
	for _, tc := range []struct{ lang, want string }{
		{"en", "TLS handshake failure (likely no shared cipher suite)"},
		{"ja", "TLS ハンドシェイクの失敗（共通の暗号スイートがない可能性が高い）"},
	} {
		_, out, stderr := runCLI("analyze", "testdata/captures/no-shared-cipher.pcap", "-f", "json", "--lang", tc.lang)
		if stderr != "" {
			t.Fatalf("stderr %q", stderr)
		}
		var doc struct {
			Flows []struct {
				Verdict, Title, Reason string
			}
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Flows) != 1 {
			t.Fatalf("JSON: %v, %d flows", err, len(doc.Flows))
		}
		f := doc.Flows[0]
		if f.Verdict != "tls-handshake-failure" || f.Title != tc.want {
			t.Errorf("%s: verdict %q, title %q; want tls-handshake-failure, %q", tc.lang, f.Verdict, f.Title, tc.want)
		}
		if hedge := map[string]string{"en": "most likely no cipher suite in common", "ja": "可能性"}[tc.lang]; !strings.Contains(f.Reason, hedge) {
			t.Errorf("%s: the reason %q no longer hedges (%q): the title should follow it", tc.lang, f.Reason, hedge)
		}
	}
}
