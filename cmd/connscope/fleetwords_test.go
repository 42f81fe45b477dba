package main

import (
	"strings"
	"testing"
)

// TestFleetWords checks, on shipped captures, the words of the answer and the fleet view: a
// headline as certain as the reasons it sums up (version-first: most likely), groups that would
// read alike say how they differ, mixed results read "sometimes succeeds, sometimes fails", a
// group's next step agrees with how many agents it names, and a forged reset names the side it
// was forged for.
func TestFleetWords(t *testing.T) {
	toRoot(t)
	cases := []struct {
		args []string
		want []string // lines of the output, whole
	}{
		{[]string{"testdata/captures/accuracy/tls13-only-gnutls.pcap"}, []string{
			"1 of 1 connection failed. 1 agent (10.91.1.1) offers at most TLS 1.2; server 10.91.2.2:4343 answers",
			"handshake_failure before any ServerHello: most likely it refuses those versions (no cipher suite in",
			"common fits as well) — tls-version-mismatch. Next step: The server refused a ClientHello that offers",
		}},
		{[]string{"testdata/captures/accuracy/tls12-only-vs-tls13-server.pcap"}, []string{
			"2 of 2 connections failed. 1 agent (10.91.1.1) offers at most TLS 1.2; server 10.91.2.2:4343 refuses",
			"those versions — tls-version-mismatch. 1 agent (10.91.1.1) offers at most TLS 1.2; server",
			"10.91.2.2:4343 answers handshake_failure before any ServerHello: most likely it refuses those",
			"versions (no cipher suite in common fits as well) — tls-version-mismatch. Next step: 10.91.2.2:4343",
		}},
		{[]string{"testdata/captures/markers/markers-banner.pcap"}, []string{
			"10.93.1.2:4343 — not-tls. 1 agent (10.93.1.1) gets plain text, not TLS, from server 10.93.1.2:4343 —",
			"not-tls. 1 agent (10.93.1.1) reaches a service at 10.93.1.2:4343 that speaks first, not TLS —",
		}},
		{[]string{"testdata/captures/path-injected-rst.pcap"}, []string{
			"the name of 10.66.2.2:4343: find the rule that does it (connection limits, byte or content rules,",
			"  1 agent sometimes succeeds, sometimes fails; the failure comes from a reason other than the TLS versions: middlebox-reset (2 flows, 1 failed): 10.66.1.1",
		}},
		{[]string{"../shared/captures/zeek/tls13draft16-ff52.a01.pcap"}, []string{
			"  1 agent sometimes succeeds, sometimes fails; the failure comes from a reason other than the TLS versions: tls-certificate-rejected (2 flows, 1 failed): 192.150.187.20",
		}},
		{[]string{"--profile", "apexone", "testdata/captures/seed-close-fleet.pcap"}, []string{
			"10.77.1.2:4343 chose TLS 1.2 in this capture, never with a cipher suite they offer: no version in",
			"Next step: Enable TLS 1.2 on the agents 10.77.1.5 and 10.77.1.6, which settles both candidates (the",
		}},
		{[]string{"--profile", "apexone", "testdata/captures/many-agents.pcap"}, []string{
			"tls-version-mismatch. Next step: Enable TLS 1.2 on the agents 10.33.1.19, 10.33.1.20, 10.33.1.21 and",
			"10.33.1.22, which settles both candidates (the agents then offer the suites the server was seen",
		}},
	}
	for _, tc := range cases {
		_, out, errs := runCLI(append([]string{"analyze"}, tc.args...)...)
		lines := strings.Split(out, "\n")
		for _, w := range tc.want {
			found := false
			for _, l := range lines {
				if l == w {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%v: no line %q in\n%s%s", tc.args, w, out, errs)
			}
		}
	}
}
