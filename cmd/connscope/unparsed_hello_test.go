package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/connscope/connscope/internal/pcapedit"
)

// TestUnparsableClientHello: tls12-ok.pcap (a real OpenSSL handshake) with its ClientHello's
// cipher_suites length one byte longer than the list (pcapedit.BreakClientHello): the message
// comes whole but does not parse. The evidence cites it as such, worded from its code
// (hello-error.malformed) in each language; the server's ServerHello still tells the outcome,
// and the fleet view says the agent shows no ClientHello that could be read (it did send one).
func TestUnparsableClientHello(t *testing.T) {
	toRoot(t)
	b, err := os.ReadFile("testdata/captures/tls12-ok.pcap")
	if err != nil {
		t.Fatal(err)
	}
	frame, err := pcapedit.BreakClientHello(b)
	if err != nil || frame != 6 {
		t.Fatalf("the ClientHello broken in frame %d (%v), want 6", frame, err)
	}
	path := filepath.Join(t.TempDir(), "unparsable-hello.pcap")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ lang, verdict, hello, agent string }{
		{"en", "#1 ok 10.77.1.1:58450 -> 10.77.1.2:4343",
			"    frame 6  03:12:37.961925  ClientHello that could not be parsed: malformed client_hello",
			"  1 agent shows no ClientHello that could be read and succeeds (1 flow, 0 failed): 10.77.1.1"},
		{"ja", "#1 ok 10.77.1.1:58450 -> 10.77.1.2:4343",
			"    フレーム 6  03:12:37.961925  解析できない ClientHello: client_hello の形式が不正です",
			"  読み取れる ClientHello のないエージェント 1 台は成功しています（フロー 1 件、失敗 0 件）: 10.77.1.1"},
	} {
		code, out, stderr := runCLI("analyze", path, "-v", "--lang", tc.lang)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.lang, code, stderr)
		}
		lines := strings.Split(out, "\n")
		for _, want := range []string{tc.verdict, tc.hello, tc.agent} {
			if !slices.Contains(lines, want) {
				t.Errorf("%s: no line\n%s\nin:\n%s", tc.lang, want, out)
			}
		}
	}
}
