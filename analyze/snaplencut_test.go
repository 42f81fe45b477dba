package analyze

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// evidenceOf is a flow's evidence in English, one "frame N: text" per packet.
func evidenceOf(fl *result.Flow) []string {
	out := make([]string, len(fl.Evidence))
	for i, e := range fl.Evidence {
		out[i] = fmt.Sprintf("frame %d: %s", e.Frame, say(e.Text))
	}
	return out
}

// warningTexts is a result's warnings in English, "code: message".
func warningTexts(res *result.Result) []string {
	out := make([]string, len(res.Warnings))
	for i, w := range res.Warnings {
		out[i] = w.Code + ": " + say(w.Message)
	}
	return out
}

// TestSnaplenCutFirstData: real captures cut by a small snaplen (testdata/make-snaplen-captures.sh;
// tshark shows every one's frame 6 as the client's first data, 104 or 188 bytes on the wire).
// seed-close-lone (a TLS 1.0 ClientHello, the server's FIN in frame 8, the client's alert 15 03 in
// frame 9, the server's RST in frame 10: RSTR) was judged "plain TCP: 111 bytes from the client,
// 0 from the server, closed normally", ok, whenever the snaplen left fewer than 6 bytes of the
// ClientHello (tcpdump -s 68, its old default, leaves 2). Bytes that start a TLS handshake record
// (16 03) make it a cut ClientHello; fewer than 2 bytes cannot tell TLS from another protocol: the
// connection cannot be judged, whatever TCP did. Never ok, never "closed normally" with a reset.
func TestSnaplenCutFirstData(t *testing.T) {
	const helloCut = "the capture's snaplen cut the ClientHello, so the TLS versions and the outcome of the handshake cannot be read (111 bytes from the client, 0 from the server; the server reset the connection): capture again with tcpdump -s 0"
	const rst = "frame 10: RST from the server"
	cases := []struct {
		file     string
		reason   string
		evidence []string
		variant  string
		warnings []string
	}{
		{"seed-close-lone-s68.pcap", helloCut, []string{
			"frame 6: the client's first data, 2 of its 104 bytes captured (16 03, the start of a TLS handshake record): the capture's snaplen cut the rest", rst},
			"client-hello-cut", []string{
				"snaplen-cut: 4 packets were cut by the capture's snaplen (68 bytes): payload beyond it is missing; capture with the full snaplen (tcpdump -s 0)",
				"client-hello-cut: the capture's snaplen cut the ClientHello of 1 flow (in frame 6), so the TLS versions it offers cannot be read: capture again with the full snaplen (tcpdump -s 0)"}},
		{"seed-close-lone-s67.pcap",
			"the capture's snaplen cut the client's first data: 1 of its 104 bytes was captured, too few to tell what it sent (a TLS ClientHello, or another protocol's first bytes), so whether the connection worked cannot be told (111 bytes from the client, 0 from the server; the server reset the connection): capture again with tcpdump -s 0",
			[]string{"frame 6: the client's first data, 1 of its 104 bytes captured (16: too few bytes to tell TLS from another protocol): the capture's snaplen cut the rest", rst},
			"start-cut", []string{
				"snaplen-cut: 4 packets were cut by the capture's snaplen (67 bytes): payload beyond it is missing; capture with the full snaplen (tcpdump -s 0)"}},
		{"seed-close-lone-s66.pcap",
			"the capture's snaplen cut the client's first data: 0 of its 104 bytes were captured, too few to tell what it sent (a TLS ClientHello, or another protocol's first bytes), so whether the connection worked cannot be told (111 bytes from the client, 0 from the server; the server reset the connection): capture again with tcpdump -s 0",
			[]string{"frame 6: the client's first data, 0 of its 104 bytes captured (not one byte: too few to tell TLS from another protocol): the capture's snaplen cut the rest", rst},
			"start-cut", []string{
				"snaplen-cut: 4 packets were cut by the capture's snaplen (66 bytes): payload beyond it is missing; capture with the full snaplen (tcpdump -s 0)"}},
		// -s 54 cuts the TCP header's options too (unknown_ca from the client, FIN both ways: SF).
		{"untrusted-cert-s54.pcap",
			"the capture's snaplen cut the client's first data: 0 of its 188 bytes were captured, too few to tell what it sent (a TLS ClientHello, or another protocol's first bytes), so whether the connection worked cannot be told (195 bytes from the client, 1337 from the server; the connection was closed normally): capture again with tcpdump -s 0",
			[]string{"frame 6: the client's first data, 0 of its 188 bytes captured (not one byte: too few to tell TLS from another protocol): the capture's snaplen cut the rest"},
			"start-cut", []string{
				"snaplen-cut: 11 packets were cut by the capture's snaplen (54 bytes): payload beyond it is missing; capture with the full snaplen (tcpdump -s 0)"}},
	}
	for _, tc := range cases {
		res, err := File(filepath.Join(ownCaptures, "snaplen", tc.file), Options{})
		if err != nil {
			t.Fatal(err)
		}
		f0 := res.Flows.At(0)
		fl := &f0
		if fl.Verdict != result.VerdictIncomplete || say(fl.Reason) != tc.reason || fl.Advice.Variant != tc.variant {
			t.Errorf("%s: %s (%s): %q\nwant incomplete (%s): %q", tc.file, fl.Verdict, fl.Advice.Variant, say(fl.Reason), tc.variant, tc.reason)
		}
		if got := evidenceOf(fl); strings.Join(got, "\n") != strings.Join(tc.evidence, "\n") {
			t.Errorf("%s: evidence\n%s\nwant\n%s", tc.file, strings.Join(got, "\n"), strings.Join(tc.evidence, "\n"))
		}
		if got := warningTexts(res); strings.Join(got, "\n") != strings.Join(tc.warnings, "\n") {
			t.Errorf("%s: warnings\n%s\nwant\n%s", tc.file, strings.Join(got, "\n"), strings.Join(tc.warnings, "\n"))
		}
	}
	fl := flowOf(t, filepath.Join(ownCaptures, "snaplen", "seed-close-lone-s66.pcap"), 1)
	const ja = "キャプチャの snaplen でクライアントの最初のデータが切れており（104 バイト中 0 バイトのみキャプチャ）、送られた内容（TLS の ClientHello、または別のプロトコルの最初のバイト）を判別できないため、接続が成功したかどうか判断できません（クライアントから 111 バイト、サーバーから 0 バイト、サーバーが接続をリセット）。tcpdump -s 0 でキャプチャし直してください"
	if got := knowledge.CatalogOf(knowledge.Japanese).Render(fl.Reason); got != ja {
		t.Errorf("seed-close-lone-s66.pcap in Japanese:\n%s\nwant\n%s", got, ja)
	}
}

// TestSnaplenCutTo: editcap -F pcapng -s 60 keeps the interface's snaplen of 262144 in the pcapng
// header but cuts every frame to 60 bytes (tshark: frame.cap_len 60 on the 17 frames longer than
// that). The warning says what the packets were cut to, not a snaplen that cannot have cut them.
func TestSnaplenCutTo(t *testing.T) {
	res, err := File(filepath.Join(ownCaptures, "snaplen", "tls12-ok-s60.pcapng"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"snaplen-cut: 17 packets were cut to 60 bytes, though the capture's snaplen is 262144 bytes (they were cut later, for instance by editcap -s): payload beyond it is missing; capture with the full snaplen and keep the packets whole (tcpdump -s 0)"}
	if got := warningTexts(res); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPlainResetAfterFIN: plain TCP whose server closed (FIN, frame 6) and then reset the client's
// next data (RST, frame 8; testdata/captures/scripted/plain-server-fin-rst.script) is ok, but was
// "closed normally", which a connection that ended with a reset was not.
func TestPlainResetAfterFIN(t *testing.T) {
	fl, _ := scriptedFlow(t, "plain-server-fin-rst.pcap", 9000)
	const en = "plain TCP: 107 bytes from the client, 0 from the server; the connection ended with a FIN from the server, then a reset from the server"
	const ja = "平文の TCP: クライアントから 107 バイト、サーバーから 0 バイト、サーバーからの FIN の後、サーバーからのリセットで接続が終了"
	if fl.Verdict != result.VerdictOK || say(fl.Reason) != en || knowledge.CatalogOf(knowledge.Japanese).Render(fl.Reason) != ja {
		t.Errorf("%s: %q\n%q\nwant ok: %q\n%q", fl.Verdict, say(fl.Reason), knowledge.CatalogOf(knowledge.Japanese).Render(fl.Reason), en, ja)
	}
}

// TestTimeJumpDuration: seed-close-lone with the server's FIN (frame 8) stamped 400 days late
// (testdata/make-snaplen-captures.sh). The time-jump warning names frame 8; the reason and the
// evidence do not quote a duration that ends at it (it was "34560000.0 s after the ClientHello",
// against a headline of "right after the ClientHello").
func TestTimeJumpDuration(t *testing.T) {
	res, err := File(filepath.Join(ownCaptures, "snaplen", "seed-close-lone-jump.pcap"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f0 := res.Flows.At(0)
	fl := &f0
	const reason = "the server closed the connection an unknown time (the timestamp of frame 8 is likely damaged) after the ClientHello, without a ServerHello or an alert"
	if fl.Verdict != result.VerdictServerClosedAfterClientHello || say(fl.Reason) != reason {
		t.Errorf("%s: %q\nwant server-closed-after-client-hello: %q", fl.Verdict, say(fl.Reason), reason)
	}
	want := []string{
		"frame 6: ClientHello offering TLS 1.0 (legacy_version TLS 1.0, no supported_versions extension)",
		"frame 8: FIN from the server an unknown time (the timestamp of frame 8 is likely damaged) after the ClientHello, with no ServerHello or alert before it",
		"frame 9: fatal alert decode_error (50) from the client, its answer to the server's close",
	}
	if got := evidenceOf(fl); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("evidence\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	warnings := []string{"time-jump: 1 frame carries a time far from the frames around them, which are close in time (frame 8): its timestamp is likely damaged, and durations that involve it are meaningless"}
	if got := warningTexts(res); strings.Join(got, "\n") != strings.Join(warnings, "\n") {
		t.Errorf("warnings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(warnings, "\n"))
	}
}
