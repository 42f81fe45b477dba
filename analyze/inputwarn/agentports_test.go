package inputwarn

import (
	"testing"

	"github.com/connscope/connscope/knowledge"
)

// TestAgentPortOverlap: an agents' listener port that is also one of the profile's server ports
// is warned of, with the first such port; other agent ports are not.
func TestAgentPortOverlap(t *testing.T) {
	en := knowledge.CatalogOf(knowledge.English)
	cases := []struct {
		agent, server []uint16
		want          string
	}{
		{[]uint16{21112}, []uint16{4343, 8080}, ""},
		{nil, []uint16{4343, 8080}, ""},
		{[]uint16{21112, 8080, 4343}, []uint16{4343, 8080}, "port 8080 is given as the agents' listener port (--agent-port) and is also a " +
			"server port of the profile apexone: every connection to it is read as the server notifying an agent (the connecting " +
			"hosts named management servers, the listener the agent); if agents connect to their server on this port, leave out " +
			"--agent-port 8080"},
	}
	for _, tc := range cases {
		w, ok := AgentPortOverlap(tc.agent, tc.server, "apexone")
		got := ""
		if ok {
			got = en.Render(w.Message)
			if w.Code != "agent-port-is-server-port" {
				t.Errorf("code %q", w.Code)
			}
		}
		if got != tc.want {
			t.Errorf("agent ports %v, server ports %v: %q; want %q", tc.agent, tc.server, got, tc.want)
		}
	}
}
