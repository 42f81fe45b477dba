package analyze

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// frameTimes reads a capture file and returns each frame's time, by its frame number in the file
// (as Wireshark numbers it).
func frameTimes(t *testing.T, path string) map[int]time.Time {
	t.Helper()
	r, err := pcapfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	times := map[int]time.Time{}
	var p capture.Packet
	for r.Next(&p) == nil {
		times[p.FileFrame] = p.Time
	}
	return times
}

// flowOf returns flow id of a capture, every port analysed.
func flowOf(t *testing.T, path string, id int) *result.Flow {
	t.Helper()
	res, err := File(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, fl := range res.Flows.All() {
		if fl.ID == id {
			return fl
		}
	}
	t.Fatalf("%s: no flow #%d", path, id)
	return nil
}

// evidenceLine is an evidence line as the table prints it: frame, time of day, text.
func evidenceLine(e result.Evidence) string {
	return fmt.Sprintf("frame %d %s %s", e.Frame, e.Time.UTC().Format("15:04:05.000000"), say(e.Text))
}

// TestEvidenceFrameTimes: every evidence line of every capture gives its frame's own time. A
// ClientHello split over TCP segments was cited by its first segment's frame with its last
// segment's time (split-client-hello-mss #1: "frame 6 03:13:29.704167", the time of frame 8).
func TestEvidenceFrameTimes(t *testing.T) {
	lines := 0
	for _, path := range everyCapture(t) {
		if strings.Contains(path, string(filepath.Separator)+"rotated"+string(filepath.Separator)) {
			continue // a part of a rotated set: its frames are numbered on from the parts before it
		}
		res, err := File(path, Options{})
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		times := frameTimes(t, path)
		for _, fl := range res.Flows.All() {
			for _, e := range fl.Evidence {
				at, ok := times[e.Frame]
				if e.Frame == 0 || !ok {
					continue
				}
				lines++
				if !at.Equal(e.Time) {
					t.Errorf("%s flow #%d: %q: frame %d is at %s", path, fl.ID, evidenceLine(e), e.Frame, at.UTC().Format("15:04:05.000000000"))
				}
			}
		}
	}
	if lines < 500 {
		t.Errorf("only %d evidence lines checked", lines)
	}
}

// TestSplitClientHelloEvidence: a ClientHello over 3 segments (frames 6, 7, 8) is cited by its
// first segment, at that segment's time; the JSON's frame and last_frame name the first and the
// last.
func TestSplitClientHelloEvidence(t *testing.T) {
	fl := flowOf(t, filepath.Join(ownCaptures, "split-client-hello-mss.pcap"), 1)
	if len(fl.Evidence) == 0 {
		t.Fatal("no evidence")
	}
	const want = "frame 6 03:13:29.704140 ClientHello offering TLS 1.2, TLS 1.3"
	if got := evidenceLine(fl.Evidence[0]); got != want {
		t.Errorf("evidence %q, want %q", got, want)
	}
	if ch := fl.TLS.ClientHello; ch.Frame != 6 || ch.LastFrame != 8 || ch.Segments != 3 {
		t.Errorf("client_hello frame %d last_frame %d segments %d, want 6, 8, 3", ch.Frame, ch.LastFrame, ch.Segments)
	}
}

// TestForgedRSTQuotesIPIDBefore: a forged reset's line compares its IP ID with the claimed
// side's last IP ID before it, not one of the packets that side sent after it (the lines quoted
// 0xa74b of frame 35, after the RST of frame 14). The ID quoted is checked against the capture
// too: the claimed side's last packet before the RST that is not a reset.
func TestForgedRSTQuotesIPIDBefore(t *testing.T) {
	cases := []struct {
		file    string
		rst     int
		verdict result.Verdict
		want    string
	}{
		{"accuracy/forged-rst-survived.pcap", 14, result.VerdictReset,
			"RST in the server's name: TTL 64 (0 hops from the capture point) vs the server's 63 (1 hop) in frame 2; IP ID 0x0000 where the server's packets had reached 0xa744; both sides went on sending data after it, so it ended nothing"},
		{"path-midstream-reset.pcap", 41, result.VerdictMiddleboxReset,
			"RST in the server's name: TTL 64 (0 hops from the capture point) vs the server's 63 (1 hop) in frame 2; IP ID 0x0000 where the server's packets had reached 0x83bc"},
		{"twopoint/forged-rst-agent.pcap", 39, result.VerdictMiddleboxReset,
			"RST in the server's name: TTL 64 (0 hops from the capture point) vs the server's 63 (1 hop) in frame 2; IP ID 0x0000 where the server's packets had reached 0x30bb"},
		{"path-client-reset-forged-server.pcap", 38, result.VerdictMiddleboxReset,
			"RST in the client's name: TTL 64 (0 hops from the capture point) vs the client's 63 (1 hop) in frame 1; IP ID 0x0000 where the client's packets had reached 0xef98"},
	}
	for _, tc := range cases {
		path := filepath.Join(ownCaptures, tc.file)
		fl := flowOf(t, path, 1)
		if fl.Verdict != tc.verdict {
			t.Errorf("%s: verdict %s, want %s", tc.file, fl.Verdict, tc.verdict)
		}
		var got []string
		for _, e := range fl.Evidence {
			if e.Frame == tc.rst {
				got = append(got, say(e.Text))
			}
		}
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s: frame %d's evidence %q, want %q", tc.file, tc.rst, got, tc.want)
		}
		// The claimed side's last IP ID before the RST, as the capture has it.
		claimed := fl.Server
		if strings.Contains(tc.want, "in the client's name") {
			claimed = fl.Client
		}
		r, err := pcapfile.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var p capture.Packet
		last, rstFrom := -1, ""
		for r.Next(&p) == nil && p.Index <= tc.rst {
			from := netip.AddrPortFrom(p.SrcIP, p.TCP.SrcPort).String()
			switch {
			case p.Kind != capture.KindTCP:
			case p.Index == tc.rst:
				rstFrom = from
			case from == string(claimed) && p.TCP.Flags&capture.FlagRST == 0:
				last = int(p.IPID)
			}
		}
		r.Close()
		if rstFrom != string(claimed) {
			t.Errorf("%s: frame %d is from %s, not %s", tc.file, tc.rst, rstFrom, claimed)
		}
		if quoted := fmt.Sprintf("reached 0x%04x;", last); !strings.Contains(tc.want+";", quoted) {
			t.Errorf("%s: the capture's last IP ID from %s before frame %d is %#04x", tc.file, claimed, tc.rst, last)
		}
	}
}

// TestICMPAnswersCounted: path-unreachable #2 sent 4 SYNs (frames 5-8) and got 3 ICMP host
// unreachable (frames 9-11): the reason counts what was answered (it said the 4 SYNs were
// answered). #1's 2 SYNs both got one, and keep their wording.
func TestICMPAnswersCounted(t *testing.T) {
	path := filepath.Join(ownCaptures, "path-unreachable.pcap")
	ja := knowledge.CatalogOf(knowledge.Japanese)
	cases := []struct {
		id     int
		en, ja string
	}{
		{1, "the client's 2 SYNs (intervals 1.0 s) were answered by ICMP net unreachable (type 3 code 0) from router 10.66.1.254 (TTL 64: 0 hops from the capture point): it has no route to 10.66.3.2",
			"クライアントの SYN 2 個（間隔 1.0 s）に対してルーター 10.66.1.254（TTL 64、キャプチャ地点から 0 ホップ）から ICMP net unreachable（タイプ 3 コード 0）が返されました。10.66.3.2 への経路がありません"},
		{2, "3 of the client's 4 SYNs (intervals 1.0, 1.0, 1.0 s) were answered by ICMP host unreachable (type 3 code 1) from router 10.66.1.254 (TTL 64: 0 hops from the capture point): 10.66.2.9 does not answer on its last hop (no ARP/neighbour reply: the host is down or the address is wrong)",
			"クライアントの SYN 4 個（間隔 1.0、1.0、1.0 s）のうち 3 個に対してルーター 10.66.1.254（TTL 64、キャプチャ地点から 0 ホップ）から ICMP host unreachable（タイプ 3 コード 1）が返されました。10.66.2.9 が最終ホップで応答していません（ARP／近隣探索の応答がなく、ホストが停止しているかアドレスが誤っています）"},
	}
	for _, tc := range cases {
		fl := flowOf(t, path, tc.id)
		if fl.Verdict != result.VerdictUnreachable {
			t.Errorf("#%d: verdict %s", tc.id, fl.Verdict)
		}
		if got := say(fl.Reason); got != tc.en {
			t.Errorf("#%d: reason\n%s\nwant\n%s", tc.id, got, tc.en)
		}
		if got := ja.Render(fl.Reason); got != tc.ja {
			t.Errorf("#%d: ja reason\n%s\nwant\n%s", tc.id, got, tc.ja)
		}
	}
	// The evidence lists what the reason counts: 4 SYNs and 3 ICMP errors.
	var frames []int
	for _, e := range flowOf(t, path, 2).Evidence {
		frames = append(frames, e.Frame)
	}
	if fmt.Sprint(frames) != "[5 6 7 8 9 10 11]" {
		t.Errorf("#2 evidence frames %v, want [5 6 7 8 9 10 11]", frames)
	}
}

// TestICMPAnswersCountedPastKept: the ICMP errors are counted past the few a record keeps
// (facts.MaxICMP, 4): 6 SYNs each answered are "the client's 6 SYNs", 6 SYNs of which 5 were
// answered "5 of the client's 6 SYNs".
func TestICMPAnswersCountedPastKept(t *testing.T) {
	router := netip.MustParseAddr("10.0.9.254")
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		answered int
		want     string
	}{
		{6, "the client's 6 SYNs (intervals 1.0, 1.0, 1.0, 1.0, 1.0 s) were answered by ICMP host unreachable (type 3 code 1) from router 10.0.9.254"},
		{5, "5 of the client's 6 SYNs (intervals 1.0, 1.0, 1.0, 1.0, 1.0 s) were answered by ICMP host unreachable (type 3 code 1) from router 10.0.9.254"},
	} {
		a := New(Options{Ports: []uint16{8080}})
		n := 0
		for i := range 6 {
			n++
			p := capture.Packet{Index: n, Time: t0.Add(time.Duration(i) * time.Second), Kind: capture.KindTCP, TTL: 64,
				SrcIP: testClient, DstIP: testServer, CapLen: 54, WireLen: 54}
			p.TCP = capture.TCPHeader{SrcPort: 50000, DstPort: 8080, Seq: 1000, Flags: fS, Window: 64240}
			a.Packet(&p)
			if i < tc.answered {
				n++
				ic := capture.Packet{Index: n, Time: p.Time.Add(time.Millisecond), Kind: capture.KindICMPError, TTL: 63,
					SrcIP: router, DstIP: testClient}
				ic.ICMP = capture.ICMPError{Type: 3, Code: 1, QuotedSrc: testClient, QuotedDst: testServer,
					QuotedSrcPort: 50000, QuotedDstPort: 8080}
				a.Packet(&ic)
			}
		}
		fl := a.Finish(result.Input{}).Flows.Slice()[0]
		if got := say(fl.Reason); fl.Verdict != result.VerdictUnreachable || !strings.HasPrefix(got, tc.want) {
			t.Errorf("%d answered: %s: %s, want %s", tc.answered, fl.Verdict, got, tc.want)
		}
	}
}

// TestRetransmissionDiffersWords: accuracy/retransmission-differs.pcap #1's frame 5 evidence, in
// English and in Japanese, where the second sentence follows the first after 。, not an English
// colon (review).
func TestRetransmissionDiffersWords(t *testing.T) {
	const (
		en = "a retransmission of the client's first bytes (same sequence numbers) with other contents than the first transmission: " +
			"the two contradict each other (this analysis reads the first)"
		ja = "クライアントの最初のバイトの再送（同じシーケンス番号）ですが、内容が最初の送信と異なります。" +
			"2 つは互いに矛盾しています（この解析では最初の送信を読んでいます）"
	)
	jac := knowledge.CatalogOf(knowledge.Japanese)
	for _, e := range flowOf(t, filepath.Join(ownCaptures, "accuracy", "retransmission-differs.pcap"), 1).Evidence {
		if e.Frame != 5 {
			continue
		}
		if got := say(e.Text); got != en {
			t.Errorf("frame 5: %s\nwant %s", got, en)
		}
		if got := jac.Render(e.Text); got != ja {
			t.Errorf("frame 5 in Japanese: %s\nwant %s", got, ja)
		}
		return
	}
	t.Error("no evidence at frame 5")
}

// TestSuitesListJoined: seed-reset-fleet.pcap #5's reason lists the 4 cipher suites its
// ClientHello offers joined with ", " in English and 「、」 in Japanese (review: ", " in Japanese).
func TestSuitesListJoined(t *testing.T) {
	const (
		en = "(4 suites: TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, " +
			"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA)"
		ja = "（4 個、TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA、TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA、" +
			"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA、TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA）"
	)
	fl := flowOf(t, filepath.Join(ownCaptures, "seed-reset-fleet.pcap"), 5)
	if got := say(fl.Reason); !strings.Contains(got, en) {
		t.Errorf("reason %s\nwant it to hold %s", got, en)
	}
	if got := knowledge.CatalogOf(knowledge.Japanese).Render(fl.Reason); !strings.Contains(got, ja) {
		t.Errorf("ja reason %s\nwant it to hold %s", got, ja)
	}
}
