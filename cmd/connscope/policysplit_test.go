package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPolicySplitCountsEveryOffer: a server's policy line that says it chose a version in some of
// the handshakes that offered it counts every handshake that offered it, including those the
// server answered with a higher version, and names those apart.
//
// stacks-tls10-13.pcap and many-agents.pcap, read as one rotated set (x.pcap, x.pcap1), both hold
// connections to 10.33.1.2:4343. TLS 1.1 was offered by 7 handshakes: chosen in 1 (stacks flow #3,
// TLS 1.0-1.1), passed over for TLS 1.0 in 1 (stacks flow #1) and answered with TLS 1.2 in the 5
// legacy ClientHellos (TLS 1.0-1.2) of many-agents. The line said "1 of the 2", counting only the
// chosen and passed-over ones. TLS 1.2 was offered by 10: chosen in 8, TLS 1.3 in 1 (stacks flow
// #2), TLS 1.0 in 1; the line said "8 of the 9".
func TestPolicySplitCountsEveryOffer(t *testing.T) {
	toRoot(t)
	dir := t.TempDir()
	for name, src := range map[string]string{"x.pcap": "stacks-tls10-13.pcap", "x.pcap1": "many-agents.pcap"} {
		b, err := os.ReadFile(filepath.Join("testdata/captures", src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, out, stderr := runCLI("analyze", filepath.Join(dir, "x.pcap"), filepath.Join(dir, "x.pcap1"))
	var policy string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "10.33.1.2:4343 accepted ") {
			policy = l
		}
	}
	for _, want := range []string{
		"chose TLS 1.1 in 1 of the 7 handshakes that offered it, a higher version (TLS 1.2) in 5 and TLS 1.0 in the other one; ",
		"chose TLS 1.2 in 8 of the 10 handshakes that offered it, a higher version (TLS 1.3) in 1 and TLS 1.0 in the other one, ",
		"chose TLS 1.3 in 1 of the 4 handshakes that offered it and TLS 1.2 in the others; ",
	} {
		if !strings.Contains(policy, want) {
			t.Errorf("policy line %q\nlacks %q (stderr %q)", policy, want, stderr)
		}
	}
	_, out, _ = runCLI("analyze", filepath.Join(dir, "x.pcap"), filepath.Join(dir, "x.pcap1"), "--lang", "ja")
	if want := "TLS 1.1 を提示したハンドシェイク 7 件のうち 1 件で TLS 1.1、5 件でより新しい TLS 1.2、残り 1 件で TLS 1.0 を選択"; !strings.Contains(out, want) {
		t.Errorf("ja report lacks %q:\n%s", want, out)
	}
}
