package main

import (
	"slices"
	"strings"
	"testing"
)

// TestContextWords checks words the cross-connection context gives, on shipped captures: an agent
// whose ClientHellos offering at most TLS 1.0 fail while those offering TLS 1.2 succeed is grouped
// so (version-or-cipher.pcap: 10.77.1.1 sends both kinds to both servers), not as "sometimes
// succeeds, sometimes fails" under the highest version it offers; and a ClientHello answered in
// plain text on a port where another connection shows the server beginning TLS after STARTTLS
// (mixed-port-protocols.pcap: flow #1 upgrades on port 25, flow #3 sends its ClientHello at
// once) says that the port speaks TLS after STARTTLS, not that it does not speak TLS.
func TestContextWords(t *testing.T) {
	toRoot(t)
	for _, tc := range []struct {
		name string
		args []string
		want []string // lines of the output, whole
	}{
		{"two kinds of ClientHello", []string{"testdata/captures/version-or-cipher.pcap"}, []string{
			"10.77.1.2:4343 accepted TLS 1.2 (chosen in 1 completed handshake); refused 1 ClientHello offering at most TLS 1.0 (1 agent); TLS 1.1 and TLS 1.3 not tested by any client",
			"  1 agent sends two kinds of ClientHello: those offering at most TLS 1.0 fail (1 of 1), those offering TLS 1.2 succeed (1 of 1): 10.77.1.1",
			"10.77.1.12:4343 accepted TLS 1.2 (chosen in 1 completed handshake); refused 1 ClientHello offering at most TLS 1.0 (1 agent); TLS 1.1 and TLS 1.3 not tested by any client",
		}},
		{"two kinds of ClientHello, ja", []string{"--lang", "ja", "testdata/captures/version-or-cipher.pcap"}, []string{
			"  エージェント 1 台は 2 種類の ClientHello を送信しており、TLS 1.0 までしか提示しないものは失敗（1 件中 1 件）、TLS 1.2 を提示するものは成功しています（1 件中 1 件）: 10.77.1.1",
		}},
		{"ClientHello before STARTTLS", []string{"-v", "testdata/captures/accuracy/mixed-port-protocols.pcap"}, []string{
			"1 of 5 connections failed. 1 agent (10.91.1.4) sends a ClientHello at once to server 10.91.2.2:25,",
			"#3 not-tls 10.91.1.4:35463 -> 10.91.2.2:25",
			"  why: the server answered the ClientHello with an SMTP or FTP greeting \"220 mail.connscope.test ESMTP connscope-test\", not TLS: 10.91.2.2:25 speaks plain text first and TLS only once the client asks for it in plain text (STARTTLS or the like), as flow #1 shows; this client sent its ClientHello without asking",
			"  next: 10.91.2.2:25 speaks TLS only after the client asks for it in plain text (STARTTLS or the like), as another connection in this capture shows: configure the client to send STARTTLS first (explicit TLS), or point it at the server's port that speaks TLS from the first byte (implicit TLS).",
			"    frame 12  23:53:06.352396  ServerHello in flow #1, another connection from another host (10.91.1.1:42883), after a plain-text exchange (STARTTLS or the like): this server speaks TLS on this port once asked",
		}},
		{"ClientHello before STARTTLS, ja", []string{"-v", "--lang", "ja", "testdata/captures/accuracy/mixed-port-protocols.pcap"}, []string{
			"  理由: サーバーは ClientHello に TLS ではなく SMTP または FTP のグリーティング \"220 mail.connscope.test ESMTP connscope-test\" で応答しました。10.91.2.2:25 はまず平文で通信し、クライアントが平文で TLS を要求した後（STARTTLS など）にだけ TLS を使います（フロー #1 のとおり）。このクライアントは要求せずに ClientHello を送っています",
			"  対処: このキャプチャの別の接続が示すとおり、10.91.2.2:25 はクライアントが平文で要求した後（STARTTLS など）にだけ TLS を使います。クライアントが先に STARTTLS を送るよう設定するか（明示的 TLS）、最初のバイトから TLS を使うサーバーのポートに向けてください（暗黙的 TLS）。",
			"    フレーム 12  23:53:06.352396  フロー #1（別の接続、別のホスト 10.91.1.1:42883 から）で、平文のやり取り（STARTTLS など）の後に送られた ServerHello。このサーバーはこのポートで、要求されれば TLS を使う",
		}},
	} {
		_, out, stderr := runCLI(append([]string{"analyze"}, tc.args...)...)
		lines := strings.Split(out, "\n")
		for _, w := range tc.want {
			if !slices.Contains(lines, w) {
				t.Errorf("%s: no line\n%s\nin:\n%s%s", tc.name, w, out, stderr)
			}
		}
		for _, l := range lines {
			if strings.Contains(l, "sometimes succeeds, sometimes fails") || strings.Contains(l, "does not speak TLS") {
				t.Errorf("%s: line %q", tc.name, l)
			}
		}
	}
}
