package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reportLines is the lines of a table report that start with one of prefixes.
func reportLines(out string, prefixes ...string) []string {
	var got []string
	for line := range strings.Lines(out) {
		for _, p := range prefixes {
			if strings.HasPrefix(line, p) {
				got = append(got, strings.TrimSuffix(line, "\n"))
				break
			}
		}
	}
	return got
}

// TestEditedCaptures: a damaged or relabelled copy of the real tls12-ok.pcap
// (testdata/make-edited-captures.sh; the one cut inside its file header made here) is worded whole in each language — what is wrong, where,
// and what the report covers, in the catalog's words, with no English in the Japanese — and every
// frame a relabelled file holds is named under the reason it was skipped for.
func TestEditedCaptures(t *testing.T) {
	toRoot(t)
	const dir = "testdata/captures/edited/"
	// the file header cut after 10 bytes: made here, as a file no analysis can open would fail
	// the tests that read every capture under testdata/captures
	b, err := os.ReadFile("testdata/captures/tls12-ok.pcap")
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "tls12-ok-cut-header.pcap")
	if err := os.WriteFile(cut, b[:10], 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		file   string
		en, ja []string // the warnings (or, for a file that cannot be read, the error)
	}{
		{"tls12-ok-cut.pcap", []string{
			`WARNING: capture "` + dir + `tls12-ok-cut.pcap" is truncated at byte 754: the last packet record is incomplete (analysed everything before it); this report covers frames 1-7, up to 2026-11-29 03:12:37.961 UTC; whatever the file held after that is lost (truncated-file)`,
		}, []string{
			`警告: キャプチャ "` + dir + `tls12-ok-cut.pcap" はバイト 754 で途切れています。最後のパケットレコードが不完全です（それより前はすべて解析しました）。このレポートが対象とするのはフレーム 1-7（2026-11-29 03:12:37.961 UTC まで）です。ファイルのそれ以降の内容は失われています（truncated-file）`,
		}},
		{"tls12-ok-cut-frame1.pcap", []string{
			`WARNING: capture "` + dir + `tls12-ok-cut-frame1.pcap" is truncated at byte 82: the last packet record is incomplete (analysed everything before it); this report covers frame 1, up to 2026-11-29 03:12:37.961 UTC; whatever the file held after that is lost (truncated-file)`,
		}, []string{
			`警告: キャプチャ "` + dir + `tls12-ok-cut-frame1.pcap" はバイト 82 で途切れています。最後のパケットレコードが不完全です（それより前はすべて解析しました）。このレポートが対象とするのはフレーム 1（2026-11-29 03:12:37.961 UTC まで）です。ファイルのそれ以降の内容は失われています（truncated-file）`,
		}},
		{"tls12-ok-cut-header.pcap", []string{
			`connscope: error: capture "` + cut + `" is truncated at byte 0: the file header is incomplete (10 of 24 bytes): the file was cut while being written or copied`,
		}, []string{
			`connscope: エラー: キャプチャ "` + cut + `" はバイト 0 で途切れています。ファイルヘッダーが不完全です（24 バイト中 10 バイト）。書き込みかコピーの途中で切れたファイルです`,
		}},
		{"tls12-ok-cut.pcap.gz", []string{
			`WARNING: capture "` + dir + `tls12-ok-cut.pcap.gz" is truncated at byte 754: the gzip stream ends early (analysed everything before it); this report covers frames 1-7, up to 2026-11-29 03:12:37.961 UTC; whatever the file held after that is lost (truncated-file)`,
		}, []string{
			`警告: キャプチャ "` + dir + `tls12-ok-cut.pcap.gz" はバイト 754 で途切れています。gzip ストリームが途中で終わっています（それより前はすべて解析しました）。このレポートが対象とするのはフレーム 1-7（2026-11-29 03:12:37.961 UTC まで）です。ファイルのそれ以降の内容は失われています（truncated-file）`,
		}},
		{"tls12-ok-bad-block.pcapng", []string{
			`WARNING: capture "` + dir + `tls12-ok-bad-block.pcapng" is corrupt at byte 984: block length 4294967295 is impossible; this report covers frames 1-7, up to 2026-11-29 03:12:37.961 UTC; whatever the file held after that is lost (corrupt-file)`,
		}, []string{
			`警告: キャプチャ "` + dir + `tls12-ok-bad-block.pcapng" はバイト 984 で壊れています。ブロック長 4294967295 はありえない値です。このレポートが対象とするのはフレーム 1-7（2026-11-29 03:12:37.961 UTC まで）です。ファイルのそれ以降の内容は失われています（corrupt-file）`,
		}},
		// The first four bytes of each Ethernet header read as a loopback family: the broadcast
		// ff:ff:ff:ff of frame 1, the unicast 02:77:00:01 of the other 18.
		{"tls12-ok-null.pcapng", []string{
			"WARNING: 1 frame could not be decoded, as its loopback header names address family 4294967295, not IP, and was skipped (frame 1) (undecodable-frames, frame 1)",
			"WARNING: 18 frames could not be decoded, as their loopback header names address family 16807682, not IP, and were skipped (frames 2, 3, 4, 5, 6, ...) (undecodable-frames, frame 2)",
		}, []string{
			"警告: ループバックヘッダーのアドレスファミリーが IP ではなく 4294967295 であるため、1 個のフレームをデコードできず、読み飛ばしました（フレーム 1）（undecodable-frames、フレーム 1）",
			"警告: ループバックヘッダーのアドレスファミリーが IP ではなく 16807682 であるため、18 個のフレームをデコードできず、読み飛ばしました（フレーム 2、3、4、5、6…）（undecodable-frames、フレーム 2）",
		}},
		// Read as Linux cooked headers, every frame's packet type is 0x0277 or 0xffff (a MAC
		// address's first bytes): the ARP frames 1 and 2 as much as the TCP ones.
		{"tls12-ok-sll.pcapng", []string{
			"WARNING: 19 frames could not be decoded, as their Linux cooked header (link type 113) holds a packet type, an address length or reserved bytes that no such header has (likely frames of another link type than the file says), and were skipped (frames 1, 2, 3, 4, 5, ...) (undecodable-frames, frame 1)",
		}, []string{
			"警告: Linux cooked ヘッダー（リンク種別 113）のパケットタイプ、アドレス長または予約バイトが、このヘッダーにはありえない値であるため（ファイルが示すリンク種別とは別の種類のフレームと思われます）、19 個のフレームをデコードできず、読み飛ばしました（フレーム 1、2、3、4、5…）（undecodable-frames、フレーム 1）",
		}},
		// SLL2: the first two bytes after the protocol (a MAC address's) are reserved, zero in
		// every real header.
		{"tls12-ok-sll2.pcapng", []string{
			"WARNING: 19 frames could not be decoded, as their Linux cooked header (link type 276) holds a packet type, an address length or reserved bytes that no such header has (likely frames of another link type than the file says), and were skipped (frames 1, 2, 3, 4, 5, ...) (undecodable-frames, frame 1)",
		}, []string{
			"警告: Linux cooked ヘッダー（リンク種別 276）のパケットタイプ、アドレス長または予約バイトが、このヘッダーにはありえない値であるため（ファイルが示すリンク種別とは別の種類のフレームと思われます）、19 個のフレームをデコードできず、読み飛ばしました（フレーム 1、2、3、4、5…）（undecodable-frames、フレーム 1）",
		}},
	}
	for _, tc := range cases {
		for _, lang := range []struct {
			name string
			want []string
		}{{"en", tc.en}, {"ja", tc.ja}} {
			t.Run(tc.file+"/"+lang.name, func(t *testing.T) {
				path := dir + tc.file
				if tc.file == filepath.Base(cut) {
					path = cut
				}
				_, out, stderr := runCLI("analyze", "--lang", lang.name, path)
				got := append(reportLines(out, "WARNING: ", "警告: "), reportLines(stderr, "connscope: ")...)
				if strings.Join(got, "\n") != strings.Join(lang.want, "\n") {
					t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(lang.want, "\n"))
				}
			})
		}
	}
}

// TestLinksOfNoIP: a mergecap of an agent-side and a server-side capture, whose server side also
// holds 29 ARP broadcasts of the router (02:92:00:02:00:fe), is read as its two points — its two
// interfaces (mergecap -I none), or its two Ethernet links (one interface): the broadcasts count
// with the router's link and found no capture point of their own, and the warning counts the
// points the report lists.
func TestLinksOfNoIP(t *testing.T) {
	toRoot(t)
	warning := map[string]string{
		"en": "WARNING: the capture holds the same packets twice, seen at two points of their path (34 SYNs or data segments came again with another TTL or the same IP ID, the first in frame 2): it was read as the 2 interfaces or links it holds (pcapng interfaces, MAC addresses), each a vantage of its own, and each connection's copies related (two-points-split, frame 2)",
		"ja": "警告: このキャプチャは同じパケットを二度、経路上の二地点で見たものとして含みます（フレーム 2 以降、SYN またはデータセグメント 34 個が別の TTL か同じ IP ID で再び現れます）。含まれる 2 個のインターフェイスまたはリンク（pcapng のインターフェイス、MAC アドレス）をそれぞれ別の観測点として読み直し、各接続の二つのコピーを対応づけました（two-points-split、フレーム 2）",
	}
	for _, tc := range []struct {
		file, lang, points string
	}{
		{"scans-merged-ifaces.pcapng", "en", "captured at: interface 0 (102 frames); interface 1 (92 frames)"},
		{"scans-merged-ifaces.pcapng", "ja", "キャプチャ地点: インターフェイス 0（102 フレーム）、インターフェイス 1（92 フレーム）"},
		{"scans-merged.pcapng", "en", "captured at: link 1 (102 frames); link 2 (92 frames)"},
		{"scans-merged.pcapng", "ja", "キャプチャ地点: リンク 1（102 フレーム）、リンク 2（92 フレーム）"},
	} {
		_, out, _ := runCLI("analyze", "--lang", tc.lang, "testdata/captures/twopoint/"+tc.file)
		w := warning[tc.lang]
		if got := reportLines(out, "警告: このキャプチャは同じパケットを二度", "WARNING: the capture holds"); len(got) != 1 || got[0] != w {
			t.Errorf("%s %s: warning\n%q\nwant\n%q", tc.file, tc.lang, got, w)
		}
		head, _, _ := strings.Cut(tc.points, ":")
		if got := reportLines(out, head+":"); len(got) != 1 || got[0] != tc.points {
			t.Errorf("%s %s: points\n%q\nwant\n%q", tc.file, tc.lang, got, tc.points)
		}
	}
}
