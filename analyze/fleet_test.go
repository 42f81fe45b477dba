package analyze

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/connscope/connscope/result"
)

// TestCertificateFindings checks what the server certificates of the real captures show: the
// finding codes, and that a client's rejection names them in its reason.
func TestCertificateFindings(t *testing.T) {
	cases := []struct {
		file     string
		findings string // codes, comma-separated
		reason   string // in the reason of the (only) flow
		keyBits  int
		sigAlg   string
	}{
		{"expired-cert.pcap", "expired", "server certificate CN=apexone.connscope.test expired 2021-01-01, 5 years before this capture", 2048, "SHA256-RSA"},
		{"untrusted-cert.pcap", "self-signed", "alert unknown_ca; server certificate CN=apexone.connscope.test is self-signed", 2048, "SHA256-RSA"},
		{"weak-cert.pcap", "name-mismatch,self-signed,weak-key,weak-signature", `is for legacy.connscope.test, not "apexone.connscope.test", the name the client asked for (SNI)`, 1024, "SHA1-RSA"},
		{"notyet-cert.pcap", "not-yet-valid", "is not valid until 2090-01-01", 2048, "SHA256-RSA"},
		{"tls12-ok.pcap", "", "", 2048, "SHA256-RSA"},
		{"tls13-ok.pcap", "", "", 0, ""}, // TLS 1.3: the certificate is encrypted
	}
	for _, tc := range cases {
		res, err := File(filepath.Join(ownCaptures, tc.file), manifestOptions)
		if err != nil || res.Flows.Len() != 1 || res.Flows.Slice()[0].TLS == nil {
			t.Fatalf("%s: %v, %d flows", tc.file, err, res.Flows.Len())
		}
		fl := res.Flows.Slice()[0]
		var codes []string
		for _, fd := range fl.TLS.CertificateFindings {
			codes = append(codes, fd.Code)
		}
		if got := strings.Join(codes, ","); got != tc.findings {
			t.Errorf("%s: findings %s, want %s: %+v", tc.file, got, tc.findings, fl.TLS.CertificateFindings)
		}
		if !strings.Contains(say(fl.Reason), tc.reason) {
			t.Errorf("%s: reason %q lacks %q", tc.file, say(fl.Reason), tc.reason)
		}
		if tc.keyBits == 0 {
			if len(fl.TLS.ServerCertificates) != 0 {
				t.Errorf("%s: %d certificates from an encrypted flight", tc.file, len(fl.TLS.ServerCertificates))
			}
			continue
		}
		if len(fl.TLS.ServerCertificates) != 1 || fl.TLS.CertificateFrame == 0 {
			t.Fatalf("%s: chain %+v, frame %d", tc.file, fl.TLS.ServerCertificates, fl.TLS.CertificateFrame)
		}
		c := fl.TLS.ServerCertificates[0]
		if c.KeyType != "RSA" || c.KeyBits != tc.keyBits || c.SignatureAlgorithm != tc.sigAlg || len(c.SHA256) != 64 {
			t.Errorf("%s: certificate %+v", tc.file, c)
		}
	}
}

// TestFleetManyAgents checks the fleet view of many-agents.pcap: the server's policy, the
// failing agents named in their group, and the clients grouped by fingerprint.
func TestFleetManyAgents(t *testing.T) {
	res, err := File(filepath.Join(ownCaptures, "many-agents.pcap"), manifestOptions)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	if len(s.Servers) != 1 {
		t.Fatalf("%d servers", len(s.Servers))
	}
	sv := s.Servers[0]
	wantPolicy := "accepts TLS 1.2 only (seen in 8 handshakes, 0 below TLS 1.2); refused 4 ClientHellos offering at most TLS 1.0 (4 agents); chose a version below TLS 1.3 for 3 clients that offered TLS 1.3, so TLS 1.3 is not enabled"
	if say(sv.Policy) != wantPolicy {
		t.Errorf("policy\n %s\nwant\n %s", say(sv.Policy), wantPolicy)
	}
	if sv.OKHandshakes != 8 || len(sv.RefusedHighestVersions) != 1 || sv.RefusedHighestVersions[0] != (result.VersionCount{Version: "TLS 1.0", Count: 4}) {
		t.Errorf("ok %d, refused %+v", sv.OKHandshakes, sv.RefusedHighestVersions)
	}
	want := []string{
		"4 agents offer at most TLS 1.0 and all fail (4 flows, 4 failed): 10.33.1.19, 10.33.1.20, 10.33.1.21, 10.33.1.22",
		"4 agents offer at most TLS 1.2 and all succeed (5 flows, 0 failed): 10.33.1.1, 10.33.1.11, 10.33.1.14, 10.33.1.17",
		"3 agents offer at most TLS 1.3 and all succeed (3 flows, 0 failed): 10.33.1.12, 10.33.1.15, 10.33.1.18",
	}
	if len(s.Fleet) != len(want) {
		t.Fatalf("%d fleet groups, want %d: %+v", len(s.Fleet), len(want), s.Fleet)
	}
	for i, g := range s.Fleet {
		if say(g.Text) != want[i] {
			t.Errorf("fleet group %d:\n %s\nwant\n %s", i, say(g.Text), want[i])
		}
	}
	if len(s.Agents) != 11 {
		t.Errorf("%d agents, want 11", len(s.Agents))
	}
	for _, ag := range s.Agents {
		failing := ag.Agent >= "10.33.1.19"
		if failing != (ag.Failed == 1 && ag.HighestVersion == "TLS 1.0") || len(ag.JA3) != 1 || len(ag.JA4) != 1 {
			t.Errorf("agent %+v", ag)
		}
	}
	// OpenSSL -tls1_2 (3 agents), Go default (3), Go TLS 1.0 (2), OpenSSL -tls1 (2), gnutls-cli (1 agent, 2 flows).
	var got []string
	for _, g := range s.Fingerprints {
		got = append(got, g.JA3[:8]+":"+strconv.Itoa(g.AgentCount)+"/"+strconv.Itoa(g.Flows)+"/"+strconv.Itoa(g.Failed))
	}
	if w := "fbe7e189:3/3/0 725543c7:3/3/0 af232ab0:2/2/2 53652b27:2/2/2 ad8d5073:1/2/0"; strings.Join(got, " ") != w {
		t.Errorf("fingerprint groups %s, want %s", strings.Join(got, " "), w)
	}
}

// TestFleetBounded: past MaxAgentKeys distinct combinations the fleet view stops growing, says so
// in a warning, and every flow still gets its verdict.
func TestFleetBounded(t *testing.T) {
	opts := manifestOptions
	opts.MaxAgentKeys = 3
	res, err := File(filepath.Join(ownCaptures, "many-agents.pcap"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Flows.Len() != 12 || res.Summary.Flows != 12 {
		t.Errorf("%d flows listed, %d counted; want 12", res.Flows.Len(), res.Summary.Flows)
	}
	agents := 0
	for _, g := range res.Summary.Fleet {
		agents += len(g.Agents)
	}
	if agents != 3 {
		t.Errorf("fleet view holds %d agents, want the bound 3: %+v", agents, res.Summary.Fleet)
	}
	var codes []string
	for _, w := range res.Warnings {
		codes = append(codes, w.Code)
	}
	if strings.Join(codes, ",") != "fleet-truncated" || !strings.Contains(say(res.Warnings[0].Message), "left out 8 flow(s)") {
		t.Errorf("warnings %+v, want one fleet-truncated that left out 8 flows (12 flows, 4 of them in the 3 kept combinations)", res.Warnings)
	}
}
