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
	wantPolicy := "accepted TLS 1.2 (chosen in 8 completed handshakes); refused 4 ClientHellos offering at most TLS 1.0 (4 agents); never chose TLS 1.3, though 3 handshakes offered it (it chose TLS 1.2 instead): TLS 1.3 is most likely not enabled; TLS 1.1 not tested by any client"
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
	if strings.Join(codes, ",") != "fleet-truncated" || !strings.Contains(say(res.Warnings[0].Message), "left out 8 flows") {
		t.Errorf("warnings %+v, want one fleet-truncated that left out 8 flows (12 flows, 4 of them in the 3 kept combinations)", res.Warnings)
	}
}

// TestFleetFailuresAfterHandshake: connections that completed their TLS handshake and failed
// only later (a reset forged mid-stream or after an idle spell, a data blackhole, garbage
// after the handshake) count as completed handshakes in their server's policy, and their agent's
// fleet group says the failure came after the handshake instead of pairing it with the highest
// version offered, as if the version were the cause.
func TestFleetFailuresAfterHandshake(t *testing.T) {
	cases := []struct{ file, agent string }{
		{"path-midstream-reset.pcap", "10.66.1.1"},
		{"path-idle-reset.pcap", "10.66.1.1"},
		{"path-client-reset-forged-server.pcap", "10.66.1.1"},
		{"path-data-blackhole.pcap", "10.66.1.1"},
		{"accuracy/late-garbage.pcap", "10.91.1.1"},
		{"twopoint/forged-rst-agent.pcap", "10.92.1.1"},
		{"twopoint/forged-rst-server.pcap", "10.92.1.1"},
	}
	for _, tc := range cases {
		res, err := File(filepath.Join(ownCaptures, tc.file), manifestOptions)
		if err != nil {
			t.Fatal(err)
		}
		if res.Flows.Len() != 1 || !res.Flows.Slice()[0].Failed || res.Flows.Slice()[0].ChosenVersion == nil ||
			*res.Flows.Slice()[0].ChosenVersion != "TLS 1.2" {
			t.Fatalf("%s: want one failed flow with TLS 1.2 chosen: %d flows", tc.file, res.Flows.Len())
		}
		s := res.Summary
		if len(s.Servers) != 1 || len(s.Fleet) != 1 {
			t.Fatalf("%s: %d servers, %d fleet groups", tc.file, len(s.Servers), len(s.Fleet))
		}
		sv := s.Servers[0]
		if want := "accepted TLS 1.2 (chosen in 1 completed handshake); TLS 1.0, TLS 1.1 and TLS 1.3 not tested by any client"; say(sv.Policy) != want {
			t.Errorf("%s: policy %q, want %q", tc.file, say(sv.Policy), want)
		}
		if sv.OKHandshakes != 1 || len(sv.OKVersions) != 1 || sv.OKVersions[0] != (result.VersionCount{Version: "TLS 1.2", Count: 1}) {
			t.Errorf("%s: ok %d %+v, want 1 handshake of TLS 1.2", tc.file, sv.OKHandshakes, sv.OKVersions)
		}
		g := s.Fleet[0]
		want := "1 agent offers at most TLS 1.2 and completes the TLS handshake; the failure comes after it, not from the versions (1 flow, 1 failed): " + tc.agent
		if g.Outcome != "after-handshake" || say(g.Text) != want {
			t.Errorf("%s: fleet group %s %q, want after-handshake %q", tc.file, g.Outcome, say(g.Text), want)
		}
	}
}

// TestVersionMismatchServerOlder: in downgrade-refused.pcap the server answers a ClientHello
// offering TLS 1.2 and 1.3 (flow #1) with protocol_version and chooses TLS 1.1 for the same
// host's two other ClientHellos, which the client refuses. The server allows only versions older
// than any the client offers: flow #1's next step is on the server, not "enable TLS 1.2 on the
// client"; and no reason calls flow #2, the same client host, "other clients".
func TestVersionMismatchServerOlder(t *testing.T) {
	res, err := File(filepath.Join(ownCaptures, "accuracy/downgrade-refused.pcap"), manifestOptions)
	if err != nil {
		t.Fatal(err)
	}
	fs := res.Flows.Slice()
	if len(fs) != 3 {
		t.Fatalf("%d flows, want 3", len(fs))
	}
	f := &fs[0]
	if want := "the server sent protocol_version before any ServerHello: no TLS version in common (the client offers TLS 1.2, " +
		"TLS 1.3); in this capture this server chose TLS 1.1 in 2 handshakes, e.g. flow #2"; say(f.Reason) != want {
		t.Errorf("flow #1 reason\n %s\nwant\n %s", say(f.Reason), want)
	}
	wants := map[string]string{
		"generic": "10.91.2.2:4343 refused every version the client already offers (TLS 1.2, TLS 1.3): enable one of them (TLS 1.2 " +
			"or newer) on 10.91.2.2:4343; making the client accept an older version would weaken it and is a last resort.",
		"apexone": "The Apex One server 10.91.2.2:4343 refused every version the agent already offers (TLS 1.2, TLS 1.3): enable " +
			`TLS 1.2 or newer on the server's web server (IIS: HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS ` +
			`1.2\Server, Enabled=1, DisabledByDefault=0, then restart the server host; Apache: SSLProtocol); enabling an older ` +
			"version on the agent instead would weaken it.",
	}
	for profile, want := range wants {
		if got := advice(f, profile).NextSteps; len(got) != 1 || got[0] != want {
			t.Errorf("%s: flow #1 next steps\n %q\nwant\n %q", profile, got, want)
		}
	}
	for i := range fs[1:] {
		want := "the server chose TLS 1.1, below what the client accepts: the client offered up to TLS 1.2 and refused TLS 1.1 with " +
			"protocol_version (a downgrade it refuses); the two share no version the client allows; in this capture this server " +
			"chose TLS 1.1 in 2 handshakes, e.g. flow #2"
		if say(fs[i+1].Reason) != want {
			t.Errorf("flow #%d reason\n %s\nwant\n %s", i+2, say(fs[i+1].Reason), want)
		}
	}
}
