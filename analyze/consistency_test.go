package analyze

import (
	"strconv"
	"strings"
	"testing"

	"github.com/connscope/connscope/result"
)

// handshakeVerdicts are the verdicts that say a TLS handshake did not complete: none may be
// given to a flow whose handshake did.
var handshakeVerdicts = map[result.Verdict]bool{
	result.VerdictTLSVersionMismatch: true, result.VerdictTLSHandshakeFailure: true, result.VerdictTLSCertificateRejected: true,
	result.VerdictTLSAlert: true, result.VerdictServerResetAfterClientHello: true, result.VerdictServerClosedAfterClientHello: true,
	result.VerdictNoServerHello: true, result.VerdictClientCertificateRequired: true, result.VerdictClientCertificateRejected: true,
	result.VerdictClientHelloIncomplete: true, result.VerdictClosedDuringHandshake: true,
}

// contradictions lists what in a flow's verdict its own facts contradict: a server that "never
// answered" though it sent packets, not-tls for a client that sent a ClientHello (unless the
// server answered it, or greeted before it, in plain text), a failed
// handshake that completed with no fatal alert, no cipher in common after a ServerHello chose one,
// a reset without a RST, a close during the handshake with a RST or without a FIN.
func contradictions(fl *result.Flow) []string {
	var out []string
	add := func(s string) { out = append(out, s) }
	tcp := &fl.TCP
	var hello, serverHello, established bool
	if t := fl.TLS; t != nil {
		hello, serverHello, established = t.ClientHello != nil, t.ServerHello != nil, t.Established
	}
	fatal := false
	for _, a := range fl.Alerts {
		fatal = fatal || a.Level == "fatal"
	}
	switch fl.Verdict {
	case result.VerdictSYNTimeout:
		if tcp.ServerPackets > 0 || tcp.SYNACK != nil {
			add("syn-timeout, but the server sent packets")
		}
	case result.VerdictRefused:
		if tcp.SYNACK != nil || tcp.ServerBytes > 0 {
			add("refused, but the server sent a SYN-ACK or data")
		}
	case result.VerdictNoServerHello, result.VerdictServerResetAfterClientHello, result.VerdictServerClosedAfterClientHello:
		if tcp.ServerBytes > 0 && !fatal {
			add(string(fl.Verdict) + ", but the server sent data and no alert")
		}
	case result.VerdictNotTLS:
		if hello && fl.Advice.Variant != "server-plain" && fl.Advice.Variant != "server-first" && fl.Advice.Variant != "server-starttls" {
			add("not-tls, but this flow's client sent a ClientHello")
		}
		if !hello && !tlsExpected(fl) {
			add("not-tls on a port where nothing in this flow expected TLS (by association)")
		}
	case result.VerdictReset:
		if len(tcp.RSTs) == 0 {
			add("reset, but no RST")
		}
	case result.VerdictClosedDuringHandshake:
		if len(tcp.FINs) == 0 || len(tcp.RSTs) > 0 && tcp.RSTs[0].Frame < tcp.FINs[0].Frame {
			add("closed-during-handshake, but no FIN before the first RST")
		}
	case result.VerdictClientAborted, result.VerdictPortScan:
		if tcp.ClientBytes > 0 {
			add(string(fl.Verdict) + ", but the client sent data")
		}
	}
	if handshakeVerdicts[fl.Verdict] && established && !fatal {
		add(string(fl.Verdict) + " on a handshake that completed, with no fatal alert")
	}
	if fl.Verdict == result.VerdictSYNTimeout || fl.Verdict == result.VerdictNoServerHello {
		if serverHello {
			add(string(fl.Verdict) + ", but a ServerHello came")
		}
	}
	if serverHello && strings.Contains(say(fl.Reason), "most likely no cipher suite in common") {
		add("no cipher suite in common, but the ServerHello chose one")
	}
	return out
}

// tlsExpected reports whether the flow itself shows that TLS was expected: its server port is one
// of the default TLS ports (the captures are analysed with the defaults), or the server answered
// with a TLS alert.
func tlsExpected(fl *result.Flow) bool {
	for _, a := range fl.Alerts {
		if a.From == "server" {
			return true
		}
	}
	server := string(fl.Server)
	_, port, _ := strings.Cut(server[strings.LastIndex(server, "]")+1:], ":")
	for _, p := range DefaultTLSPorts {
		if port == strconv.Itoa(int(p)) {
			return true
		}
	}
	return false
}

// TestContradictions checks the checker: each kind of contradiction is caught in a flow made to
// hold it, and a consistent flow passes.
func TestContradictions(t *testing.T) {
	synack := &result.PacketRef{From: "server", Frame: 2}
	cases := []struct {
		name string
		fl   result.Flow
		want int
	}{
		{"syn-timeout with a SYN-ACK", result.Flow{Verdict: result.VerdictSYNTimeout, TCP: result.TCP{SYNACK: synack, ServerPackets: 3}}, 1},
		{"syn-timeout, server silent", result.Flow{Verdict: result.VerdictSYNTimeout}, 0},
		{"not-tls with a ClientHello", result.Flow{Verdict: result.VerdictNotTLS, TLS: &result.TLS{ClientHello: &result.ClientHello{}}}, 1},
		{"not-tls, server plain", result.Flow{Verdict: result.VerdictNotTLS, Advice: result.Advice{Variant: "server-plain"},
			TLS: &result.TLS{ClientHello: &result.ClientHello{}}}, 0},
		{"tls-alert on a completed handshake, warning only", result.Flow{Verdict: result.VerdictTLSAlert,
			TLS:    &result.TLS{ClientHello: &result.ClientHello{}, ServerHello: &result.ServerHello{}, Established: true},
			Alerts: []result.Alert{{From: "server", Level: "warning", Description: "unrecognized_name"}}}, 1},
		{"not-tls, server plain until STARTTLS", result.Flow{Verdict: result.VerdictNotTLS, Advice: result.Advice{Variant: "server-starttls"},
			TLS: &result.TLS{ClientHello: &result.ClientHello{}}}, 0},
		{"not-tls by association", result.Flow{Verdict: result.VerdictNotTLS, Server: "10.0.0.2:25"}, 1},
		{"not-tls on a TLS port", result.Flow{Verdict: result.VerdictNotTLS, Server: "[fd00::2]:4343"}, 0},
		{"reset without a RST", result.Flow{Verdict: result.VerdictReset, TCP: result.TCP{FINs: []result.PacketRef{{From: "client", Frame: 21}}}}, 1},
		{"reset with a RST", result.Flow{Verdict: result.VerdictReset, TCP: result.TCP{RSTs: []result.PacketRef{{From: "client", Frame: 21}}}}, 0},
		{"closed-during-handshake with a RST first", result.Flow{Verdict: result.VerdictClosedDuringHandshake, TCP: result.TCP{
			FINs: []result.PacketRef{{From: "client", Frame: 22}}, RSTs: []result.PacketRef{{From: "server", Frame: 21}}}}, 1},
		{"closed-during-handshake, a RST answering the FIN", result.Flow{Verdict: result.VerdictClosedDuringHandshake, TCP: result.TCP{
			FINs: []result.PacketRef{{From: "client", Frame: 21}}, RSTs: []result.PacketRef{{From: "server", Frame: 22}}}}, 0},
		{"refused with server data", result.Flow{Verdict: result.VerdictRefused, TCP: result.TCP{ServerBytes: 10}}, 1},
		{"no cipher after a ServerHello", result.Flow{Verdict: result.VerdictTLSHandshakeFailure,
			Reason: result.Msg("reason.side-act", result.Sub("side", result.Msg("word.server")), result.Sub("act", result.Msg("act.alert-handshake-failure",
				result.Text("alert", "handshake_failure"), result.Sub("when", result.Msg("phrase.after-server-hello")), result.Text("suites", "3 suites")))),
			TLS: &result.TLS{ServerHello: &result.ServerHello{}}}, 1},
	}
	for _, tc := range cases {
		if got := contradictions(&tc.fl); len(got) != tc.want {
			t.Errorf("%s: %v, want %d contradiction(s)", tc.name, got, tc.want)
		}
	}
}

// TestNoVerdictContradictsItsEvidence runs every capture of testdata and of ../shared/captures
// and fails on any flow whose verdict its own facts contradict (contradictions).
func TestNoVerdictContradictsItsEvidence(t *testing.T) {
	flows := 0
	paths := everyCapture(t)
	for _, path := range paths {
		res, err := File(path, Options{})
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		for _, fl := range res.Flows.All() {
			flows++
			for _, c := range contradictions(fl) {
				t.Errorf("%s flow #%d %s -> %s: %s (%s)", path, fl.ID, fl.Client, fl.Server, c, say(fl.Reason))
			}
		}
	}
	t.Logf("%d flows of %d captures checked", flows, len(paths))
}
