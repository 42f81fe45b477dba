package analyze

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/connscope/connscope/knowledge"
)

// TestServerPolicySentence checks what a server's policy sentence claims, on real captures: a
// passive capture sees only what the server chose from what clients offered, so the sentence
// says what was accepted, refused or passed over when offered, and names the versions no client
// tested, never "only" or "none below" a version nobody offered.
func TestServerPolicySentence(t *testing.T) {
	cases := []struct{ file, server, en, ja string }{
		{filepath.Join(ownCaptures, "accuracy/downgrade-refused.pcap"), "10.91.2.2:4343",
			// The server (limited to TLS 1.0/1.1) chose TLS 1.1 for clients offering up to TLS 1.2,
			// which refused it: no completed handshake, and no client offered at most TLS 1.0.
			"no completed TLS handshake seen, though its 2 ServerHellos chose TLS 1.1; refused 1 ClientHello offering at most TLS 1.3 (1 agent); never chose TLS 1.2, " +
				"though 2 handshakes offered it (it chose TLS 1.1 instead): TLS 1.2 is most likely not enabled; TLS 1.0 not tested by any client",
			"完了した TLS ハンドシェイクなし（ServerHello 2 件では TLS 1.1 を選択）。TLS 1.3 までしか提示しない ClientHello 1 件を拒否（エージェント 1 台）。TLS 1.2 を提示したハンドシェイク 2 件でも " +
				"TLS 1.2 は選択せず TLS 1.1 を選択しており、TLS 1.2 はおそらく有効になっていません。TLS 1.0 はどのクライアントも試していません"},
		{filepath.Join(sharedCaptures, "zeek/hrr.pcap"), "64.233.185.139:443", // the client offered TLS 1.3 only
			"accepted TLS 1.3 (chosen in 1 completed handshake); TLS 1.0, TLS 1.1 and TLS 1.2 not tested by any client", ""},
		{filepath.Join(sharedCaptures, "zeek/tls-conn-with-extensions.pcap"), "74.125.224.79:443", // legacy_version 0x0301
			"accepted TLS 1.0 (chosen in 1 completed handshake); TLS 1.1, TLS 1.2 and TLS 1.3 not tested by any client", ""},
		{filepath.Join(sharedCaptures, "zeek/tls1_1.pcap"), "216.58.192.14:443",
			"accepted TLS 1.1 (chosen in 1 completed handshake); TLS 1.0, TLS 1.2 and TLS 1.3 not tested by any client", ""},
		{filepath.Join(sharedCaptures, "zeek/ssl-v2.pcap"), "91.227.4.92:443",
			"accepted SSL 2.0 (chosen in 1 completed handshake); TLS 1.0, TLS 1.1, TLS 1.2 and TLS 1.3 not tested by any client", ""},
		{filepath.Join(ownCaptures, "tls12-ok.pcap"), "10.77.1.2:4343",
			"accepted TLS 1.2 (chosen in 1 completed handshake); TLS 1.0, TLS 1.1 and TLS 1.3 not tested by any client",
			"TLS 1.2 を受け入れ（完了したハンドシェイク 1 件で選択）。TLS 1.0、TLS 1.1、TLS 1.3 はどのクライアントも試していません"},
		{filepath.Join(ownCaptures, "seed-reset-fleet.pcap"), "10.77.1.2:4343",
			"accepted TLS 1.2 (chosen in 3 completed handshakes); refused 2 ClientHellos offering at most TLS 1.0 (2 agents); never chose TLS 1.3, " +
				"though 1 handshake offered it (it chose TLS 1.2 instead): TLS 1.3 is most likely not enabled; TLS 1.1 not tested by any client", ""},
		// A draft of TLS 1.3 counts as TLS 1.3 offered and chosen: nothing "below TLS 1.3".
		{filepath.Join(sharedCaptures, "zeek/tls13draft16-ff52.a01.pcap"), "138.68.41.77:443",
			"accepted TLS 1.3 draft 16 (chosen in 1 completed handshake); TLS 1.0, TLS 1.1 and TLS 1.2 not tested by any client", ""},
		// The server was set up anew between connections: it chose TLS 1.0 for a client offering
		// up to TLS 1.2 and TLS 1.3 for another, so TLS 1.2 passed over is said, not concluded on;
		// the count is of the handshakes that got TLS 1.0 instead, not of all that offered TLS 1.2
		// (review: "though 1 handshake offered it" where frames 6 and 22 both offer it).
		{filepath.Join(ownCaptures, "stacks-tls10-13.pcap"), "10.33.1.2:4343",
			"accepted TLS 1.0, TLS 1.1 and TLS 1.3 (chosen in 3 completed handshakes: TLS 1.0 in 1, TLS 1.1 in 1, TLS 1.3 in 1); " +
				"chose TLS 1.1 in 1 of the 2 handshakes that offered it and TLS 1.0 in the other one; the ClientHellos of the two sets have " +
				"different fingerprints (JA4): compare their cipher suites and groups; never chose TLS 1.2: it chose TLS 1.0 instead in 1 handshake that offered it",
			"TLS 1.0、TLS 1.1、TLS 1.3 を受け入れ（完了したハンドシェイク 3 件で選択: TLS 1.0 が 1 件、TLS 1.1 が 1 件、TLS 1.3 が 1 件）。" +
				"TLS 1.1 を提示したハンドシェイク 2 件のうち 1 件で TLS 1.1、残り 1 件で TLS 1.0 を選択。両者の ClientHello はフィンガープリント（JA4）が" +
				"異なります。暗号スイートとグループを比べてください。TLS 1.2 は一度も選択せず、TLS 1.2 を提示したハンドシェイクのうち 1 件では TLS 1.0 を選択"},
	}
	ja := knowledge.CatalogOf(knowledge.Japanese)
	for _, tc := range cases {
		opts := manifestOptions
		if strings.HasPrefix(tc.file, sharedCaptures) {
			opts = Options{} // third-party captures: every port
		}
		res, err := File(tc.file, opts)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, sv := range res.Summary.Servers {
			if string(sv.Server) != tc.server {
				continue
			}
			found = true
			if got := say(sv.Policy); got != tc.en {
				t.Errorf("%s: policy\n %s\nwant\n %s", tc.file, got, tc.en)
			}
			if got := ja.Render(sv.Policy); tc.ja != "" && got != tc.ja {
				t.Errorf("%s: ja policy\n %s\nwant\n %s", tc.file, got, tc.ja)
			}
		}
		if !found {
			t.Errorf("%s: no server %s", tc.file, tc.server)
		}
	}
}

// TestServerPolicyMerged: many-agents.pcap and stacks-tls10-13.pcap, merged by time, hold two
// servers at one address; the policy says for which handshakes it chose TLS 1.3 and for which
// it did not, never both "accepted TLS 1.3" and "TLS 1.3 not enabled"; and it counts every
// handshake that offered a version (TLS 1.1: 7, of which 5 got TLS 1.2 from the many-agents
// server; it said "1 of the 2" when it counted only those chosen or passed over).
func TestServerPolicyMerged(t *testing.T) {
	merged := filepath.Join(t.TempDir(), "merged-33.pcap")
	mergePcaps(t, merged, filepath.Join(ownCaptures, "many-agents.pcap"), filepath.Join(ownCaptures, "stacks-tls10-13.pcap"))
	res, err := File(merged, manifestOptions)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Summary.Servers) != 1 {
		t.Fatalf("%d servers", len(res.Summary.Servers))
	}
	want := "accepted TLS 1.0, TLS 1.1, TLS 1.2 and TLS 1.3 (chosen in 11 completed handshakes: TLS 1.0 in 1, TLS 1.1 in 1, TLS 1.2 in 8, TLS 1.3 in 1); " +
		"refused 4 ClientHellos offering at most TLS 1.0 (4 agents); " +
		"chose TLS 1.1 in 1 of the 7 handshakes that offered it, a higher version (TLS 1.2) in 5 and TLS 1.0 in the other one; the ClientHellos of the two sets have different " +
		"fingerprints (JA4): compare their cipher suites and groups; " +
		"chose TLS 1.2 in 8 of the 10 handshakes that offered it, a higher version (TLS 1.3) in 1 and TLS 1.0 in the other one, for ClientHellos with the same fingerprint (JA4): " +
		"two servers may share this address, or its settings changed during the capture; " +
		"chose TLS 1.3 in 1 of the 4 handshakes that offered it and TLS 1.2 in the others; the ClientHellos of the two sets have different " +
		"fingerprints (JA4): compare their cipher suites and groups"
	if got := say(res.Summary.Servers[0].Policy); got != want {
		t.Errorf("policy\n %s\nwant\n %s", got, want)
	}
}

// mergePcaps writes the packets of the pcap files ins, all of one link type, to out in time order.
func mergePcaps(t *testing.T, out string, ins ...string) {
	t.Helper()
	type pkt struct {
		ci   gopacket.CaptureInfo
		data []byte
	}
	var pkts []pkt
	var link layers.LinkType
	for i, in := range ins {
		f, err := os.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		r, err := pcapgo.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			link = r.LinkType()
		} else if r.LinkType() != link {
			t.Fatalf("%s: link type %v, want %v", in, r.LinkType(), link)
		}
		for {
			data, ci, err := r.ReadPacketData()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			pkts = append(pkts, pkt{ci, data})
		}
		f.Close()
	}
	sort.SliceStable(pkts, func(i, j int) bool { return pkts[i].ci.Timestamp.Before(pkts[j].ci.Timestamp) })
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(262144, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range pkts {
		if err := w.WritePacket(p.ci, p.data); err != nil {
			t.Fatal(err)
		}
	}
}
