package main

import (
	"strings"
	"testing"
)

// TestLegacyFootnote: the footnote on offers without supported_versions fits the rows it marks.
// zeek/ssl-v2.pcap's SSLv2 hello offers SSL 2.0 alone ("SSL 2.0*"), which the footnote said
// had "the range below it starts at TLS 1.0", above SSL 2.0; markers-banner.pcap's flow #1
// offers TLS 1.0–1.2 from legacy_version TLS 1.2.
func TestLegacyFootnote(t *testing.T) {
	toRoot(t)
	const (
		sslV2  = "../shared/captures/zeek/ssl-v2.pcap"
		banner = "testdata/captures/markers/markers-banner.pcap"
	)
	cases := []struct {
		args []string
		want string // the footnote line
	}{
		{[]string{sslV2}, "* no supported_versions extension: only the highest version is on the wire; an offer that tops out at SSL 2.0 " +
			"or SSL 3.0 (below TLS 1.0) lists only the versions its ClientHello shows, no range below them\n"},
		{[]string{banner}, "* no supported_versions extension: only the highest version is on the wire; the range below it starts at " +
			"TLS 1.0, as that ClientHello allows\n"},
		{[]string{sslV2, banner}, "* no supported_versions extension: only the highest version is on the wire; a range that tops out at a " +
			"TLS version starts at TLS 1.0, as that ClientHello allows; an offer that tops out at SSL 2.0 or SSL 3.0 (below TLS 1.0) " +
			"lists only the versions its ClientHello shows\n"},
		{[]string{"--lang", "ja", sslV2}, "* supported_versions 拡張なし: パケット上にあるのは最高バージョンだけです。最高が SSL 2.0 または SSL 3.0" +
			"（TLS 1.0 より下）の提示については、その ClientHello に現れるバージョンだけを挙げ、それより下の範囲は仮定していません\n"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, out, errOut := runCLI(append([]string{"analyze"}, tc.args...)...)
			var notes []string
			for line := range strings.Lines(out) {
				if strings.HasPrefix(line, "* ") {
					notes = append(notes, line)
				}
			}
			if len(notes) != 1 || notes[0] != tc.want {
				t.Errorf("footnotes %q, want only %q (stderr %s)", notes, tc.want, errOut)
			}
		})
	}
}
