package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/connscope/connscope/internal/pcapedit"
)

// TestUnparsableClientHello: tls12-ok.pcap (a real OpenSSL handshake) with one field of its
// ClientHello (frame 6; tshark: an empty session id, 56 bytes of cipher_suites from offset 41 of
// the 183-byte message, extensions 0x000b (4 bytes), 0x000a (12: a 10-byte list), 0x0023, ...
// from offset 101) broken as a
// client with a bug would send it: the message comes whole but does not parse. The evidence
// cites it as such with the field where it stopped, worded from its codes (hello-error.*) in
// each language; the server's ServerHello still tells the outcome, and the fleet view says the
// agent shows no ClientHello that could be read (it did send one).
func TestUnparsableClientHello(t *testing.T) {
	toRoot(t)
	for _, tc := range []struct {
		name     string
		edit     func(msg []byte)
		en, ja   string // the evidence line of frame 6, after the frame's time
		enAgent  string
		jaAgent  string
		wantFail bool
	}{
		{"odd cipher_suites length (pcapedit.BreakClientHello)", nil,
			"ClientHello that could not be parsed: the cipher_suites length (57) at offset 39 is odd: its entries are 2 bytes each",
			"解析できない ClientHello: オフセット 39 の cipher_suites の長さ（57）が奇数です。各エントリーは 2 バイトです", "", "", false},
		{"cipher_suites length past the end", func(msg []byte) { binary.BigEndian.PutUint16(msg[39:], 600) },
			"ClientHello that could not be parsed: the cipher_suites length (600) at offset 39 runs past the end of the client_hello: 142 bytes remain",
			"解析できない ClientHello: オフセット 39 の cipher_suites の長さ（600）が client_hello の末尾を越えています。残りは 142 バイトです", "", "", false},
		{"duplicate extension", func(msg []byte) { binary.BigEndian.PutUint16(msg[extensionAt(t, msg, 0x0023):], 0x000a) },
			"ClientHello that could not be parsed: the extension 0x000a (supported_groups) at offset 125 appears a second time in the client_hello",
			"解析できない ClientHello: オフセット 125 の拡張 0x000a（supported_groups）が client_hello の中で 2 回目に現れています", "", "", false},
		{"supported_groups list past the extension", func(msg []byte) { msg[extensionAt(t, msg, 0x000a)+5]++ },
			"ClientHello that could not be parsed: in the extension 0x000a (supported_groups), the length at offset 113 says 11 bytes, but only 10 remain in the extension",
			"解析できない ClientHello: 拡張 0x000a（supported_groups）の中で、オフセット 113 の長さは 11 バイトを示していますが、拡張の残りは 10 バイトしかありません", "", "", false},
	} {
		b, err := os.ReadFile("testdata/captures/tls12-ok.pcap")
		if err != nil {
			t.Fatal(err)
		}
		var frame int
		if tc.edit == nil {
			frame, err = pcapedit.BreakClientHello(b)
		} else {
			frame, err = pcapedit.EditHello(b, 1, tc.edit)
		}
		if err != nil || frame != 6 {
			t.Fatalf("%s: the ClientHello edited in frame %d (%v), want 6", tc.name, frame, err)
		}
		path := filepath.Join(t.TempDir(), "unparsable-hello.pcap")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, l := range []struct{ lang, verdict, hello, agent string }{
			{"en", "#1 ok 10.77.1.1:58450 -> 10.77.1.2:4343", "    frame 6  03:12:37.961925  " + tc.en,
				"  1 agent shows no ClientHello that could be read and succeeds (1 flow, 0 failed): 10.77.1.1"},
			{"ja", "#1 ok 10.77.1.1:58450 -> 10.77.1.2:4343", "    フレーム 6  03:12:37.961925  " + tc.ja,
				"  読み取れる ClientHello のないエージェント 1 台は成功しています（フロー 1 件、失敗 0 件）: 10.77.1.1"},
		} {
			code, out, stderr := runCLI("analyze", path, "-v", "--lang", l.lang)
			if code != 0 {
				t.Fatalf("%s, %s: exit %d: %s", tc.name, l.lang, code, stderr)
			}
			lines := strings.Split(out, "\n")
			for _, want := range []string{l.verdict, l.hello, l.agent} {
				if !slices.Contains(lines, want) {
					t.Errorf("%s, %s: no line\n%s\nin:\n%s", tc.name, l.lang, want, out)
				}
			}
		}
	}
}

// TestUnparsableServerHello: tls12-ok.pcap with its ServerHello (frame 8; tshark: an empty
// session id, extensions 0xff01, 0x000b, 0x0023, 0x0017 from offset 44) sent with
// extended_master_secret (offset 61) renumbered as a second session_ticket. The evidence names
// the field where the parse stopped, beside the version field; the client read the ServerHello
// and went on, so only this analysis could not read it (incomplete, not a protocol error).
func TestUnparsableServerHello(t *testing.T) {
	toRoot(t)
	b, err := os.ReadFile("testdata/captures/tls12-ok.pcap")
	if err != nil {
		t.Fatal(err)
	}
	frame, err := pcapedit.EditHello(b, 2, func(msg []byte) { binary.BigEndian.PutUint16(msg[61:], 0x0023) })
	if err != nil || frame != 8 {
		t.Fatalf("the ServerHello edited in frame %d (%v), want 8", frame, err)
	}
	path := filepath.Join(t.TempDir(), "unparsable-server-hello.pcap")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct{ lang, verdict, hello string }{
		{"en", "#1 incomplete 10.77.1.1:58450 -> 10.77.1.2:4343",
			"ServerHello that does not parse, version field TLS 1.2: the extension 0x0023 (session_ticket) at offset 61 appears a second time in the server_hello"},
		{"ja", "#1 incomplete 10.77.1.1:58450 -> 10.77.1.2:4343",
			"解析できない ServerHello（バージョンフィールド TLS 1.2）: オフセット 61 の拡張 0x0023（session_ticket）が server_hello の中で 2 回目に現れています"},
	} {
		code, out, stderr := runCLI("analyze", path, "-v", "--lang", l.lang)
		if code != 0 && code != 1 {
			t.Fatalf("%s: exit %d: %s", l.lang, code, stderr)
		}
		lines := strings.Split(out, "\n")
		if !slices.Contains(lines, l.verdict) || !slices.ContainsFunc(lines, func(s string) bool { return strings.HasSuffix(s, "  "+l.hello) }) {
			t.Errorf("%s: no lines\n%s\n...  %s\nin:\n%s", l.lang, l.verdict, l.hello, out)
		}
	}
}

// extensionAt is the offset of extension typ in a ClientHello message (header included).
func extensionAt(t *testing.T, msg []byte, typ uint16) int {
	t.Helper()
	at := 4 + 2 + 32
	at += 1 + int(msg[at])                                                              // session id
	at += 2 + int(binary.BigEndian.Uint16(msg[at:]))                                    // cipher suites
	at += 1 + int(msg[at])                                                              // compression methods
	for at += 2; at+4 <= len(msg); at += 4 + int(binary.BigEndian.Uint16(msg[at+2:])) { // extensions
		if binary.BigEndian.Uint16(msg[at:]) == typ {
			return at
		}
	}
	t.Fatalf("no extension 0x%04x", typ)
	return 0
}
