package main

import (
	"slices"
	"strings"
	"testing"
)

// TestCipherCandidate: a version mismatch inferred from what the server chose in other connections
// names no cipher suite in common as the other candidate when the failing client offers none of
// the suites the server was seen choosing (a TLS 1.0 client's CBC suites, a server seen choosing
// only a GCM one), and stays certain when it offers one (seed-reset-fleet-cbc) or when an alert
// names the version (protocol_version in version-or-cipher). The evidence line citing the other
// connection's ServerHello is hedged as the reason is. A handshake_failure judged version-first on
// its own takes the same words once the server was seen choosing TLS 1.2 (which rules out the
// TLS 1.3-only server its own next step supposes). version-or-cipher.pcap: a server
// allowing TLS 1.0-1.2 with only a GCM suite (10.77.1.2, handshake_failure to the TLS 1.0
// client) next to one allowing only TLS 1.2 (10.77.1.12, protocol_version).
func TestCipherCandidate(t *testing.T) {
	toRoot(t)
	for _, tc := range []struct {
		name, capture, lang string
		want                []string
	}{
		{"reset, TLS 1.0 client with only CBC suites: cipher named", "seed-reset-fleet", "en", []string{
			"#4 tls-version-mismatch 10.77.1.5:34685 -> 10.77.1.2:4343",
			"  why: the client offers at most TLS 1.0, and in other connections in this capture (all from other client hosts, none from 10.77.1.5) this server chose only higher versions (TLS 1.2 in 3 handshakes, e.g. flow #1); it reset the connection 0.1 ms after the ClientHello, without a ServerHello or an alert: no TLS version in common or no cipher suite in common, which the packets do not tell apart: the client offers only CBC suites (9 suites), none of which this server was seen choosing (it chose only TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), so a server that allows TLS 1.0 but none of these suites would fail it the same way",
			"  next: Enable TLS 1.2 on the client (on older Windows: the SCHANNEL TLS 1.2 Client registry keys and WinHTTP DefaultSecureProtocols): it settles both candidates, as the client then offers the suites 10.77.1.2:4343 was seen choosing. Allowing TLS 1.0 on 10.77.1.2:4343 may not be enough: it fixes the version only, unless 10.77.1.2:4343 also allows a cipher suite the client offers.",
			"    frame  8  03:14:03.296124  ServerHello choosing TLS 1.2 in flow #1, another connection from another host (10.77.1.1:58332): the server accepts TLS 1.2 (with a suite this client does not offer): it may refuse this client's TLS 1.0, or every suite the client offers: the packets do not tell which (server-reset-after-client-hello on its own)",
			"#5 tls-version-mismatch 10.77.1.6:47245 -> 10.77.1.2:4343",
			"  why: the client offers at most TLS 1.0, and in other connections in this capture (all from other client hosts, none from 10.77.1.6) this server chose only higher versions (TLS 1.2 in 3 handshakes, e.g. flow #1); it reset the connection 0.1 ms after the ClientHello, without a ServerHello or an alert: no TLS version in common or no cipher suite in common, which the packets do not tell apart: the client offers only CBC suites (4 suites: TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA), none of which this server was seen choosing (it chose only TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), so a server that allows TLS 1.0 but none of these suites would fail it the same way",
			"  next: Enable TLS 1.2 on the client (on older Windows: the SCHANNEL TLS 1.2 Client registry keys and WinHTTP DefaultSecureProtocols): it settles both candidates, as the client then offers the suites 10.77.1.2:4343 was seen choosing. Allowing TLS 1.0 on 10.77.1.2:4343 may not be enough: it fixes the version only, unless 10.77.1.2:4343 also allows a cipher suite the client offers.",
		}},
		{"close, the same", "seed-close-fleet", "en", []string{
			"#4 tls-version-mismatch 10.77.1.5:44115 -> 10.77.1.2:4343",
			"  why: the client offers at most TLS 1.0, and in other connections in this capture (all from other client hosts, none from 10.77.1.5) this server chose only higher versions (TLS 1.2 in 3 handshakes, e.g. flow #1); it closed the connection 0.1 ms after the ClientHello, without a ServerHello or an alert: no TLS version in common or no cipher suite in common, which the packets do not tell apart: the client offers only CBC suites (9 suites), none of which this server was seen choosing (it chose only TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), so a server that allows TLS 1.0 but none of these suites would fail it the same way",
			"  next: Enable TLS 1.2 on the client (on older Windows: the SCHANNEL TLS 1.2 Client registry keys and WinHTTP DefaultSecureProtocols): it settles both candidates, as the client then offers the suites 10.77.1.2:4343 was seen choosing. Allowing TLS 1.0 on 10.77.1.2:4343 may not be enough: it fixes the version only, unless 10.77.1.2:4343 also allows a cipher suite the client offers.",
		}},
		{"reset, ja", "seed-reset-fleet", "ja", []string{
			"#4 tls-version-mismatch 10.77.1.5:34685 -> 10.77.1.2:4343",
			"  理由: クライアントが提示する最高バージョンは TLS 1.0 で、このサーバーはこのキャプチャの他の接続（すべて他のクライアントホストから、10.77.1.5 からは 0 件）で、それより新しい TLS 1.2（ハンドシェイク 3 件、例: フロー #1）しか選択していません。サーバーは ClientHello の 0.1 ms 後に、ServerHello もアラートも返さずに接続をリセットしました。共通の TLS バージョンがないのか、共通の暗号スイートがないのかは、パケットからは判別できません。クライアントが提示するのは CBC の暗号スイートだけ（9 個）で、このサーバーがそのいずれかを選択した接続は見られません（選択したのは TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 だけです）。TLS 1.0 を許可していても、これらの暗号スイートを持たないサーバーは同じように失敗します",
			"  対処: クライアントで TLS 1.2 を有効にしてください（古い Windows では SCHANNEL の TLS 1.2 Client レジストリキーと WinHTTP の DefaultSecureProtocols）。クライアントが 10.77.1.2:4343 の選択する暗号スイートを提示するようになるので、どちらの原因でも解決します。10.77.1.2:4343 で TLS 1.0 を許可するだけでは足りないことがあります。解決するのはバージョンだけで、10.77.1.2:4343 がクライアントの提示する暗号スイートも許可していなければ失敗は続きます。",
		}},
		{"handshake_failure from a GCM-only server seen choosing TLS 1.2: no TLS 1.3-only server, cipher the other candidate", "version-or-cipher", "en", []string{
			"#2 tls-version-mismatch 10.77.1.1:43276 -> 10.77.1.2:4343",
			"  why: the client offers at most TLS 1.0, and in other connections in this capture (all from this client's host, 10.77.1.1) this server chose only higher versions (TLS 1.2 in 1 handshake, e.g. flow #1); it sent handshake_failure before any ServerHello: no TLS version in common or no cipher suite in common, which the packets do not tell apart: the client offers only CBC suites (9 suites), none of which this server was seen choosing (it chose only TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), so a server that allows TLS 1.0 but none of these suites would fail it the same way",
			"  next: Enable TLS 1.2 on the client (on older Windows: the SCHANNEL TLS 1.2 Client registry keys and WinHTTP DefaultSecureProtocols): it settles both candidates, as the client then offers the suites 10.77.1.2:4343 was seen choosing. Allowing TLS 1.0 on 10.77.1.2:4343 may not be enough: it fixes the version only, unless 10.77.1.2:4343 also allows a cipher suite the client offers.",
			"    frame  8  22:31:43.958283  ServerHello choosing TLS 1.2 in flow #1, another connection from this client's host (10.77.1.1:43264): the server accepts TLS 1.2 (with a suite this client does not offer): it may refuse this client's TLS 1.0, or every suite the client offers: the packets do not tell which (tls-version-mismatch on its own)",
		}},
		{"the same, ja", "version-or-cipher", "ja", []string{
			"  理由: クライアントが提示する最高バージョンは TLS 1.0 で、このサーバーはこのキャプチャの他の接続（すべてこのクライアントと同じホスト 10.77.1.1 から）で、それより新しい TLS 1.2（ハンドシェイク 1 件、例: フロー #1）しか選択していません。サーバーは ServerHello の前に handshake_failure を送信しました。共通の TLS バージョンがないのか、共通の暗号スイートがないのかは、パケットからは判別できません。クライアントが提示するのは CBC の暗号スイートだけ（9 個）で、このサーバーがそのいずれかを選択した接続は見られません（選択したのは TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 だけです）。TLS 1.0 を許可していても、これらの暗号スイートを持たないサーバーは同じように失敗します",
			"    フレーム  8  22:31:43.958283  フロー #1（別の接続、このクライアントと同じホスト 10.77.1.1:43264 から）で TLS 1.2 を選択した ServerHello。サーバーは TLS 1.2 を（このクライアントが提示しない暗号スイートで）受け入れる。このクライアントの TLS 1.0 を受け入れないのか、このクライアントの暗号スイートを受け入れないのかは、パケットからは判別できない（このフロー単独での判定は tls-version-mismatch）",
		}},
		{"protocol_version: the version named, certain", "version-or-cipher", "en", []string{
			"#4 tls-version-mismatch 10.77.1.1:45512 -> 10.77.1.12:4343",
			"  why: the server sent protocol_version before any ServerHello: no TLS version in common (the client offers TLS 1.0); in this capture this server chose TLS 1.2 in 1 handshake, e.g. flow #3",
			"  next: Make the versions overlap: enable TLS 1.2 on the client (on older Windows: the SCHANNEL TLS 1.2 Client registry keys and WinHTTP DefaultSecureProtocols), or allow TLS 1.0 on 10.77.1.12:4343.",
		}},
		{"reset, the client offers the CBC suite the server chose: certain", "seed-reset-fleet-cbc", "en", []string{
			"#2 tls-version-mismatch 10.77.1.5:38447 -> 10.77.1.2:4343",
			"  why: the client offers at most TLS 1.0, but in other connections in this capture (all from other client hosts, none from 10.77.1.5) this server chose only higher versions (TLS 1.2 in 1 handshake, e.g. flow #1); it reset the connection 0.1 ms after the ClientHello, without a ServerHello or an alert",
			"  next: Make the versions overlap: enable TLS 1.2 on the client (on older Windows: the SCHANNEL TLS 1.2 Client registry keys and WinHTTP DefaultSecureProtocols), or allow TLS 1.0 on 10.77.1.2:4343.",
			"    frame  8  22:31:47.072210  ServerHello choosing TLS 1.2 in flow #1, another connection from another host (10.77.1.1:43278): the server accepts TLS 1.2, not this client's TLS 1.0 (server-reset-after-client-hello on its own)",
		}},
	} {
		_, out, stderr := runCLI("analyze", "testdata/captures/"+tc.capture+".pcap", "-v", "--lang", tc.lang)
		lines := strings.Split(out, "\n")
		for _, w := range tc.want {
			if !slices.Contains(lines, w) {
				t.Errorf("%s: no line\n%s\nin:\n%s%s", tc.name, w, out, stderr)
			}
		}
	}
}
