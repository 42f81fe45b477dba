package analyze

import (
	"path/filepath"
	"testing"

	"github.com/connscope/connscope/knowledge"
)

// TestServerSpokeFirst: a server whose plain-text greeting came before the client's ClientHello
// spoke first (a service that greets its clients); one whose plain text came after it answered
// the ClientHello. markers-banner.pcap's flow #2 has the SMTP greeting in frame 16, before the
// ClientHello in frame 18, and read "the server answered the ClientHello with an SMTP or FTP
// greeting"; flow #1's SSH banner (frame 8) came after the ClientHello (frame 6).
func TestServerSpokeFirst(t *testing.T) {
	path := filepath.Join(ownCaptures, "markers", "markers-banner.pcap")
	ja := knowledge.CatalogOf(knowledge.Japanese)
	cases := []struct {
		id               int
		reason, reasonJA string
		variant          string // the knowledge entry's variant: the next step
		evidence         []string
	}{
		{id: 1,
			reason: `the server answered the ClientHello with an SSH banner "SSH-2.0-mkrbanner_9.9 mkrcomment", not TLS: ` +
				`10.93.1.2:4343 serves plain text`,
			reasonJA: `サーバーは ClientHello に TLS ではなく SSH のバナー "SSH-2.0-mkrbanner_9.9 mkrcomment" で応答しました。` +
				`10.93.1.2:4343 は平文で通信しています`,
			variant: "server-plain",
			evidence: []string{
				`frame 6 01:41:29.401567 ClientHello offering TLS 1.0, TLS 1.1, TLS 1.2 (legacy_version TLS 1.2, no ` +
					`supported_versions extension), SNI "mkrsni-ssh.markers.test"`,
				`frame 8 01:41:29.401882 the server answered with an SSH banner "SSH-2.0-mkrbanner_9.9 mkrcomment"`,
			}},
		{id: 2,
			reason: `the server spoke first: before the client's ClientHello it sent an SMTP or FTP greeting ` +
				`"220 mkrsmtp.markers.test ESMTP mkrsoft", not TLS: 10.93.1.2:4343 runs a service that greets its clients ` +
				`(SMTP, FTP, SSH and the like)`,
			reasonJA: `サーバーが先に送信しました。クライアントの ClientHello より前に TLS ではなく SMTP または FTP のグリーティング ` +
				`"220 mkrsmtp.markers.test ESMTP mkrsoft" を送っています。10.93.1.2:4343 では接続したクライアントに先に挨拶する` +
				`サービス（SMTP、FTP、SSH など）が動いています`,
			variant: "server-first",
			evidence: []string{
				`frame 16 01:41:32.812535 the server spoke first, before the ClientHello: an SMTP or FTP greeting ` +
					`"220 mkrsmtp.markers.test ESMTP mkrsoft"`,
				`frame 18 01:41:32.812818 ClientHello offering TLS 1.2, TLS 1.3, SNI "mkrsni-smtp.markers.test"`,
			}},
	}
	for _, tc := range cases {
		fl := flowOf(t, path, tc.id)
		if got := say(fl.Reason); got != tc.reason {
			t.Errorf("flow #%d reason:\n got %s\nwant %s", tc.id, got, tc.reason)
		}
		if got := ja.Render(fl.Reason); got != tc.reasonJA {
			t.Errorf("flow #%d reason (ja):\n got %s\nwant %s", tc.id, got, tc.reasonJA)
		}
		if fl.Advice.Variant != tc.variant {
			t.Errorf("flow #%d variant %q, want %q", tc.id, fl.Advice.Variant, tc.variant)
		}
		if len(fl.Evidence) != len(tc.evidence) {
			t.Fatalf("flow #%d: %d evidence lines, want %d", tc.id, len(fl.Evidence), len(tc.evidence))
		}
		for i, e := range fl.Evidence {
			if got := evidenceLine(e); got != tc.evidence[i] {
				t.Errorf("flow #%d evidence %d:\n got %s\nwant %s", tc.id, i, got, tc.evidence[i])
			}
		}
	}
}
