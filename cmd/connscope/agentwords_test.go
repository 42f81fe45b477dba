package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// flowWordsDoc is what the agent-listener word tests read of the JSON report.
type flowWordsDoc struct {
	Flows []struct {
		Verdict  string `json:"verdict"`
		Reason   string `json:"reason"`
		Title    string `json:"title"`
		Evidence []struct {
			Frame int    `json:"frame"`
			Text  string `json:"text"`
		} `json:"evidence"`
		NextSteps []string `json:"next_steps"`
	} `json:"flows"`
	Warnings []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"warnings"`
	Findings struct {
		Groups []struct {
			Headline string `json:"headline"`
		} `json:"groups"`
	} `json:"findings"`
}

func flowWords(t *testing.T, args ...string) flowWordsDoc {
	t.Helper()
	_, js, stderr := runCLI(append(append([]string{"analyze"}, args...), "-f", "json")...)
	var doc flowWordsDoc
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("%v (stderr %q)", err, stderr)
	}
	return doc
}

// TestAgentListenerFlowWords: with --agent-port, a connection's own texts (reason, evidence,
// next step) name the sides by their roles, the connecting host the management server and the
// listener the agent, in every format and in Japanese; without it they say client and server.
//
// seed-reset-fleet.pcap, flow #4: 10.77.1.5 offers only TLS 1.0 to 10.77.1.2:4343, which resets
// it 0.1 ms after the ClientHello (frames 62, 64) and chose TLS 1.2 for 10.77.1.1 (frame 8).
// seed-reset-lone.pcap: the same reset (frames 6, 8), with no other flow; with --profile apexone
// its next step was apexone's agent-to-server words ("enable TLS 1.2 on the agent").
func TestAgentListenerFlowWords(t *testing.T) {
	toRoot(t)
	doc := flowWords(t, "testdata/captures/seed-reset-fleet.pcap", "--agent-port", "4343")
	f := doc.Flows[3]
	wantReason := "the management server offers at most TLS 1.0, and in other connections in this capture (all from other " +
		"management server hosts, none from 10.77.1.5) this agent chose only higher versions (TLS 1.2 in 3 handshakes, e.g. " +
		"flow #1); it reset the connection 0.1 ms after the ClientHello, without a ServerHello or an alert: no TLS version in " +
		"common or no cipher suite in common, which the packets do not tell apart: the management server offers only CBC suites (9 suites), " +
		"none of which this agent was seen choosing (it chose only TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), so an agent that " +
		"allows TLS 1.0 but none of these suites would fail it the same way"
	if f.Reason != wantReason {
		t.Errorf("flow #4 reason\n%q\nwant\n%q", f.Reason, wantReason)
	}
	var ev []string
	for _, e := range f.Evidence {
		ev = append(ev, e.Text)
	}
	wantEv := []string{
		"ClientHello offering TLS 1.0 (legacy_version TLS 1.0, no supported_versions extension)",
		"RST from the agent 0.1 ms after the ClientHello, with no ServerHello or alert before it",
		"ServerHello choosing TLS 1.2 in flow #1, another connection from another host (10.77.1.1:58332): the agent accepts " +
			"TLS 1.2 (with a suite this management server does not offer): it may refuse this management server's TLS 1.0, " +
			"or every suite it offers: the packets do not tell which (server-reset-after-client-hello on its own)",
	}
	if !slices.Equal(ev, wantEv) {
		t.Errorf("flow #4 evidence\n%q\nwant\n%q", ev, wantEv)
	}
	for _, format := range []string{"table", "markdown", "html", "ndjson"} {
		_, out, _ := runCLI("analyze", "testdata/captures/seed-reset-fleet.pcap", "--agent-port", "4343", "-v", "-f", format)
		if !strings.Contains(out, "RST from the agent 0.1 ms after the ClientHello") || strings.Contains(out, "RST from the server") {
			t.Errorf("%s: the reset is not named the agent's", format)
		}
	}
	_, out, _ := runCLI("analyze", "testdata/captures/seed-reset-fleet.pcap", "--agent-port", "4343", "-v", "--lang", "ja")
	if want := "ClientHello の 0.1 ms 後のエージェントからの RST（それまでに ServerHello もアラートもなし）"; !strings.Contains(out, want) {
		t.Errorf("ja: lacks %q", want)
	}
	// Without --agent-port the same flow says client and server.
	doc = flowWords(t, "testdata/captures/seed-reset-fleet.pcap")
	if got := doc.Flows[3].Evidence[1].Text; got != "RST from the server 0.1 ms after the ClientHello, with no ServerHello or alert before it" {
		t.Errorf("without --agent-port: %q", got)
	}

	wantStep := "The agent took the connection but refused the ClientHello without saying why: compare the versions and " +
		"cipher suites this management server offers (TLS 1.0) with those enabled on 10.77.1.2:4343 (Windows: Schannel " +
		"events 36874/36888 in the System log)."
	for _, profile := range []string{"generic", "apexone"} {
		doc = flowWords(t, "testdata/captures/seed-reset-lone.pcap", "--agent-port", "4343", "--profile", profile)
		f := doc.Flows[0]
		if f.Verdict != "server-reset-after-client-hello" || f.Title != "Agent reset the handshake" ||
			f.Reason != "the agent reset the connection 0.1 ms after the ClientHello, without a ServerHello or an alert" ||
			!slices.Equal(f.NextSteps, []string{wantStep}) {
			t.Errorf("%s: seed-reset-lone %s, title %q, reason %q, steps %q", profile, f.Verdict, f.Title, f.Reason, f.NextSteps)
		}
	}
}

// TestAgentPortFanInWarning: --agent-port naming a port where every connection goes to one
// listener that 3 hosts or more connect to is warned of, naming the listener and the hosts (the
// shape of agents connecting to their server); a listener one host notifies is not.
//
// seed-reset-fleet.pcap: 10.77.1.1, .3, .4, .5 and .6 connect to 10.77.1.2:4343.
// server-notifies-agent.pcap: only 10.33.1.2 connects to 10.33.1.1:8080 (the server notifying its
// agent), and 10.33.1.1 to 10.33.1.2:4343.
func TestAgentPortFanInWarning(t *testing.T) {
	toRoot(t)
	doc := flowWords(t, "testdata/captures/seed-reset-fleet.pcap", "--agent-port", "4343")
	want := "5 hosts (10.77.1.1, 10.77.1.3, 10.77.1.4, 10.77.1.5, 10.77.1.6) connect to 10.77.1.2:4343, the one listener " +
		"on the agents' listener port 4343 (--agent-port) in this capture: a management server notifies each agent on the " +
		"agent's own listener, while many hosts connecting to one listener is what agents connecting to their server look " +
		"like. They are named management servers here and 10.77.1.2:4343 the agent; if 10.77.1.2:4343 is their server, " +
		"leave out --agent-port 4343"
	onlyWarning(t, doc, "agent-port-fan-in", want)
	noWarning(t, flowWords(t, "testdata/captures/server-notifies-agent.pcap", "--agent-port", "8080"), "agent-port-fan-in")
}

// onlyWarning fails t unless doc's one warning is code, worded want.
func onlyWarning(t *testing.T, doc flowWordsDoc, code, want string) {
	t.Helper()
	if len(doc.Warnings) != 1 || doc.Warnings[0].Code != code || doc.Warnings[0].Message != want {
		t.Errorf("warnings %+v\nwant only %s: %q", doc.Warnings, code, want)
	}
}

// noWarning fails t when doc has a warning of code.
func noWarning(t *testing.T, doc flowWordsDoc, code string) {
	t.Helper()
	for _, w := range doc.Warnings {
		if w.Code == code {
			t.Errorf("unexpected warning %+v", w)
		}
	}
}

// TestRolesMutualWarning: two hosts that connect to each other on the profile's server ports
// each serve the other, and the packets do not show which is the agent: the warning names both
// readings and the --agent-port of each; with --agent-port naming one of the ports, no warning.
//
// server-notifies-agent.pcap: 10.33.1.1 connects to 10.33.1.2:4343 (frames 3-8, a TLS 1.2
// handshake), 10.33.1.2 to 10.33.1.1:8080 (frames 20-31, HTTP 200; frames 32-33, refused).
func TestRolesMutualWarning(t *testing.T) {
	toRoot(t)
	doc := flowWords(t, "testdata/captures/server-notifies-agent.pcap", "--profile", "apexone")
	want := "10.33.1.1 connects to 10.33.1.2:4343 and 10.33.1.2 connects to 10.33.1.1:8080 in this capture: each host is " +
		"the server of the other's connections, so which one is the management server and which the agent is not on the " +
		"wire (a management server notifies an agent on the agent's own listener). Each connection's listener is named " +
		"the server here; if 10.33.1.2 is an agent notified on its listener 10.33.1.2:4343, give --agent-port 4343; if " +
		"10.33.1.1 is, give --agent-port 8080"
	onlyWarning(t, doc, "roles-mutual", want)
	for _, port := range []string{"4343", "8080"} {
		noWarning(t, flowWords(t, "testdata/captures/server-notifies-agent.pcap", "--profile", "apexone", "--agent-port", port), "roles-mutual")
	}
}

// TestVersionOrCipherHeadline: where the packets cannot rank the two candidates (the server was
// seen choosing only suites the client does not offer, and refused it without naming the cause),
// the headline names both; where the server named the version (protocol_version), it does not.
//
// version-or-cipher.pcap: 10.77.1.2:4343 chose TLS 1.2 with a GCM suite (frame 8) and answered a
// TLS 1.0 ClientHello with only CBC suites with handshake_failure (frame 25); 10.77.1.12:4343
// answered the same ClientHello with protocol_version (frame 55).
func TestVersionOrCipherHeadline(t *testing.T) {
	toRoot(t)
	doc := flowWords(t, "testdata/captures/version-or-cipher.pcap")
	var got []string
	for _, g := range doc.Findings.Groups {
		got = append(got, g.Headline)
	}
	want := []string{
		"1 agent (10.77.1.1) offers at most TLS 1.0; server 10.77.1.2:4343 chose TLS 1.2 in this capture, never with a " +
			"cipher suite it offers: no version in common or no cipher suite in common, which the packets do not tell apart",
		"1 agent (10.77.1.1) offers at most TLS 1.0; server 10.77.1.12:4343 chose TLS 1.2 in this capture",
	}
	if !slices.Equal(got, want) {
		t.Errorf("headlines\n%q\nwant\n%q", got, want)
	}
}
