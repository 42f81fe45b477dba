package inputwarn

import (
	"net/netip"
	"slices"

	"github.com/connscope/connscope/result"
)

// MinFanIn is how many hosts connecting to the one listener of an agents' listener port show
// that the port is a server's that agents connect to: a management server notifies each agent on
// the agent's own listener, and one agent is notified by its server (or two, with a standby), not
// by three hosts or more.
const MinFanIn = 3

// AgentPorts returns the warnings about the agents' listener ports (--agent-port): the first
// that is also one of the profile's server ports (AgentPortOverlap), each that the packets
// show to be a server's port (AgentPortFanIn), and the pairs of hosts that serve each other on
// the profile's server ports (MutualRoles: an agents' listener port may be missing), given the
// summary's clients.
func AgentPorts(agentPorts, serverPorts []uint16, profile string, agents []result.AgentSummary) []result.Warning {
	var out []result.Warning
	if w, ok := AgentPortOverlap(agentPorts, serverPorts, profile); ok {
		out = append(out, w)
	}
	out = append(out, AgentPortFanIn(agentPorts, serverPorts, agents)...)
	return append(out, MutualRoles(agentPorts, serverPorts, agents)...)
}

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

// AgentPortFanIn warns, for each of agentPorts (but those of serverPorts, which AgentPortOverlap
// names) whose connections in the capture all went to one listener, when at least MinFanIn hosts
// connected to it: the shape of agents connecting to their server, not of a server notifying an
// agent. With several listeners on the port, or fewer hosts, the packets do not tell: no warning.
// agents are the summary's clients, with the servers each connected to.
func AgentPortFanIn(agentPorts, serverPorts []uint16, agents []result.AgentSummary) []result.Warning {
	var out []result.Warning
	for _, p := range agentPorts {
		if slices.Contains(serverPorts, p) {
			continue
		}
		var listener result.HostPort
		var hosts []result.Message
		several := false
		for _, a := range agents {
			for _, s := range a.Servers {
				ap, err := netip.ParseAddrPort(string(s))
				if err != nil || ap.Port() != p {
					continue
				}
				if listener != "" && s != listener {
					several = true
				}
				listener = s
				hosts = append(hosts, result.Msg("agent", result.From("agent", a.Agent)))
				break
			}
		}
		if several || len(hosts) < MinFanIn {
			continue
		}
		n := len(hosts)
		if n > result.MaxGroupAgents {
			hosts = append(hosts[:result.MaxGroupAgents], result.Msg("more"))
		}
		out = append(out, New("agent-port-fan-in", 0, 0, result.Int("port", int(p)), result.From("listener", listener),
			result.Int("n", n), result.List("hosts", hosts)))
	}
	return out
}
