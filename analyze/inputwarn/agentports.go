package inputwarn

import (
	"slices"

	"github.com/connscope/connscope/result"
)

// AgentPortOverlap warns, for the first of agentPorts (--agent-port) that is also one of the
// profile's server ports, that every connection to it is read as the server notifying an agent:
// agents that connect to their server on that port would be named management servers, and their
// server the agent.
func AgentPortOverlap(agentPorts, serverPorts []uint16, profile string) (result.Warning, bool) {
	for _, p := range agentPorts {
		if slices.Contains(serverPorts, p) {
			return New("agent-port-is-server-port", 0, 0, result.Int("port", int(p)), result.Text("profile", profile)), true
		}
	}
	return result.Warning{}, false
}
