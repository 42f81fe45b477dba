package main

import (
	"slices"
	"testing"
)

// TestAgentListenerHTTPError: on an agents' listener port (--agent-port), the agent's plain-HTTP
// answer to the server's notification is ok only with a status below 400. http-check-status.pcap
// holds four requests to 10.48.1.2:8080 answered 200 (frame 8), 403 (frame 24), 500 (frame 38) and
// 404 (frame 50): read as notifications to an agent, the last three did not work.
func TestAgentListenerHTTPError(t *testing.T) {
	toRoot(t)
	doc := analyzeJSON(t, []string{"analyze", "testdata/captures/http-check-status.pcap", "--agent-port", "8080"})
	var verdicts []string
	for _, f := range doc.Flows {
		verdicts = append(verdicts, f.Verdict)
	}
	if want := []string{"ok", "http-error", "http-error", "http-error"}; !slices.Equal(verdicts, want) {
		t.Fatalf("verdicts %v; want %v", verdicts, want)
	}
	wantReason := `plain HTTP on the agent's listener port: the agent answered the server's GET /officescan/hotfix_pccnt/Common/OfcNTCer.dat ` +
		`with "HTTP/1.0 403 Forbidden": the notification did not work (the listener refused or failed the request; a listener that ` +
		`expects TLS answers plain HTTP so too)`
	wantStep := `The agent's listener 10.48.1.2:8080 answered the plain-HTTP notification from 10.48.1.3 with "HTTP/1.0 403 Forbidden": ` +
		`check on the agent 10.48.1.2 that its listener service runs and accepts the server's requests, whether it expects HTTPS ` +
		`rather than HTTP on port 8080, and its log at 05:39:05 UTC.`
	if f := doc.Flows[1]; f.Reason != wantReason || !slices.Equal(f.NextSteps, []string{wantStep}) {
		t.Errorf("flow #2 reason %q\nnext steps %q\nwant %q\n%q", f.Reason, f.NextSteps, wantReason, wantStep)
	}
	if len(doc.Findings.Groups) != 3 || doc.Findings.Groups[0].Headline != "1 management server (10.48.1.3) gets HTTP 403 from agent 10.48.1.2:8080 for its notification" {
		t.Errorf("groups %+v", doc.Findings.Groups)
	}
}
