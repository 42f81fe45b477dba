package analyze

import (
	"path/filepath"
	"testing"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// TestResetCountsBytesBeforeIt: a reset's reason counts the bytes each side had sent up to that
// reset, not those of the whole connection, and says what came after it apart. A forged reset the
// server never knew of (path-midstream-reset: frame 41; forged-rst-agent: frame 39) came after
// 357 bytes from the client and 34400 from the server (tshark: the sum of tcp.len before it); the
// server's 20757 (22205) bytes after it, among them its 2 (3) retransmissions, are counted apart,
// and the note on segments sent again goes with them. A reset that ends the connection
// (forged-rst-survived: the server's own, frame 37, after a forged one (frame 14) it survived) has nothing
// after it: its counts are the connection's.
func TestResetCountsBytesBeforeIt(t *testing.T) {
	const forged = "a device in the path forged a reset in the server's name after the TLS handshake (TLS 1.2), after 357 bytes from the client and 34400 from the server, "
	cases := []struct {
		file    string
		verdict result.Verdict
		en, ja  string
	}{
		{"path-midstream-reset.pcap", result.VerdictMiddleboxReset,
			forged + "and 20757 more from the server after it on the wire, counting 2 segments sent again (captured at the client): its TTL 64 (0 hops from the capture point) vs the server's 63 (1 hop) in frame 2; IP ID 0x0000 where the server's packets had reached 0x83bc; the server kept sending data after it (frame 73): it never reset the connection",
			"経路上の機器が、TLS ハンドシェイク（TLS 1.2）の完了後、クライアントから 357 バイト、サーバーから 34400 バイトが流れた時点で（リセット後にも再送された 2 個のセグメントを含めて、サーバーから 20757 バイトが流れています）サーバーになりすまして RST を送信しました（クライアント側でキャプチャ）。RST の TTL は 64（キャプチャ地点から 0 ホップ）、フレーム 2 のサーバー自身のパケットは 63（1 ホップ）、IP ID は 0x0000（サーバーのパケットは 0x83bc まで進んでいた）。サーバーはその後もデータを送信しており（フレーム 73）、自ら接続をリセットしてはいません"},
		{"twopoint/forged-rst-agent.pcap", result.VerdictMiddleboxReset,
			forged + "and 22205 more from the server after it on the wire, counting 3 segments sent again (captured at the client): its TTL 64 (0 hops from the capture point) vs the server's 63 (1 hop) in frame 2; IP ID 0x0000 where the server's packets had reached 0x30bb; the server kept sending data after it (frame 72): it never reset the connection",
			"経路上の機器が、TLS ハンドシェイク（TLS 1.2）の完了後、クライアントから 357 バイト、サーバーから 34400 バイトが流れた時点で（リセット後にも再送された 3 個のセグメントを含めて、サーバーから 22205 バイトが流れています）サーバーになりすまして RST を送信しました（クライアント側でキャプチャ）。RST の TTL は 64（キャプチャ地点から 0 ホップ）、フレーム 2 のサーバー自身のパケットは 63（1 ホップ）、IP ID は 0x0000（サーバーのパケットは 0x30bb まで進んでいた）。サーバーはその後もデータを送信しており（フレーム 72）、自ら接続をリセットしてはいません"},
		{"accuracy/forged-rst-survived.pcap", result.VerdictReset,
			"the server reset the connection after 70 bytes from the client and 120 from the server",
			"サーバーが、クライアントから 70 バイト、サーバーから 120 バイトが流れた時点で接続をリセットしました"},
	}
	ja := knowledge.CatalogOf(knowledge.Japanese)
	for _, tc := range cases {
		fl := flowOf(t, filepath.Join(ownCaptures, tc.file), 1)
		if fl.Verdict != tc.verdict || say(fl.Reason) != tc.en || ja.Render(fl.Reason) != tc.ja {
			t.Errorf("%s: %s\n%q\n%q\nwant %s\n%q\n%q", tc.file, fl.Verdict, say(fl.Reason), ja.Render(fl.Reason), tc.verdict, tc.en, tc.ja)
		}
	}
}
