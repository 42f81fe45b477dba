package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/connscope/connscope/internal/pcapedit"
)

// TestAcceptedOrigin: the connections that show which versions a server accepts may come from
// the failing client's own host. seed-reset-fleet.pcap (three agents' TLS 1.2 handshakes, then
// two TLS 1.0 agents reset) with agents' addresses replaced (pcapedit.ReplaceIPv4): the reason
// says how many of those handshakes come from the failing client's host, and the cited flow
// whether it does.
func TestAcceptedOrigin(t *testing.T) {
	toRoot(t)
	host := func(last byte) [4]byte { return [4]byte{10, 77, 1, last} }
	for _, tc := range []struct {
		name    string
		replace map[byte]byte // last byte of 10.77.1.x -> the one put in its place
		lang    string
		want    []string
	}{
		{"one of three from the host", map[byte]byte{5: 1}, "en", []string{
			"#4 tls-version-mismatch 10.77.1.1:34685 -> 10.77.1.2:4343",
			"  why: the client offers at most TLS 1.0, and in other connections in this capture (1 of the 3 from this client's host, 10.77.1.1, the others from other client hosts) this server chose only higher versions (TLS 1.2 in 3 handshakes, e.g. flow #1); it reset the connection 0.1 ms after the ClientHello, without a ServerHello or an alert: no TLS version in common or no cipher suite in common, which the packets do not tell apart: the client offers only CBC suites (9 suites), none of which this server was seen choosing (it chose only TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), so a server that allows TLS 1.0 but none of these suites would fail it the same way",
			"    frame  8  03:14:03.296124  ServerHello choosing TLS 1.2 in flow #1, another connection from this client's host (10.77.1.1:58332): the server accepts TLS 1.2 (with a suite this client does not offer): it may refuse this client's TLS 1.0, or every suite the client offers: the packets do not tell which (server-reset-after-client-hello on its own)",
			"  why: the client offers at most TLS 1.0, and in other connections in this capture (all from other client hosts, none from 10.77.1.6) this server chose only higher versions (TLS 1.2 in 3 handshakes, e.g. flow #1); it reset the connection 0.1 ms after the ClientHello, without a ServerHello or an alert: no TLS version in common or no cipher suite in common, which the packets do not tell apart: the client offers only CBC suites (4 suites: TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA), none of which this server was seen choosing (it chose only TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), so a server that allows TLS 1.0 but none of these suites would fail it the same way",
		}},
		{"all from the host", map[byte]byte{1: 6, 3: 6, 4: 6, 5: 6}, "en", []string{
			"#4 tls-version-mismatch 10.77.1.6:34685 -> 10.77.1.2:4343",
			"  why: the client offers at most TLS 1.0, and in other connections in this capture (all from this client's host, 10.77.1.6) this server chose only higher versions (TLS 1.2 in 3 handshakes, e.g. flow #1); it reset the connection 0.1 ms after the ClientHello, without a ServerHello or an alert: no TLS version in common or no cipher suite in common, which the packets do not tell apart: the client offers only CBC suites (9 suites), none of which this server was seen choosing (it chose only TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), so a server that allows TLS 1.0 but none of these suites would fail it the same way",
			"    frame  8  03:14:03.296124  ServerHello choosing TLS 1.2 in flow #1, another connection from this client's host (10.77.1.6:58332): the server accepts TLS 1.2 (with a suite this client does not offer): it may refuse this client's TLS 1.0, or every suite the client offers: the packets do not tell which (server-reset-after-client-hello on its own)",
		}},
		{"one of three from the host, ja", map[byte]byte{5: 1}, "ja", []string{
			"  理由: クライアントが提示する最高バージョンは TLS 1.0 で、このサーバーはこのキャプチャの他の接続（3 件中 1 件がこのクライアントと同じホスト 10.77.1.1 から、残りは他のクライアントホストから）で、それより新しい TLS 1.2（ハンドシェイク 3 件、例: フロー #1）しか選択していません。サーバーは ClientHello の 0.1 ms 後に、ServerHello もアラートも返さずに接続をリセットしました。共通の TLS バージョンがないのか、共通の暗号スイートがないのかは、パケットからは判別できません。クライアントが提示するのは CBC の暗号スイートだけ（9 個）で、このサーバーがそのいずれかを選択した接続は見られません（選択したのは TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 だけです）。TLS 1.0 を許可していても、これらの暗号スイートを持たないサーバーは同じように失敗します",
		}},
	} {
		b, err := os.ReadFile("testdata/captures/seed-reset-fleet.pcap")
		if err != nil {
			t.Fatal(err)
		}
		for from, to := range tc.replace {
			if n, err := pcapedit.ReplaceIPv4(b, host(from), host(to)); err != nil || n == 0 {
				t.Fatalf("%s: 10.77.1.%d in %d frames (%v)", tc.name, from, n, err)
			}
		}
		path := filepath.Join(t.TempDir(), "fleet.pcap")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, out, stderr := runCLI("analyze", path, "-v", "--lang", tc.lang)
		lines := strings.Split(out, "\n")
		for _, w := range tc.want {
			if !slices.Contains(lines, w) {
				t.Errorf("%s: no line\n%s\nin:\n%s%s", tc.name, w, out, stderr)
			}
		}
	}
}
