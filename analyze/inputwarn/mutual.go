package inputwarn

import (
	"net/netip"
	"slices"

	"github.com/connscope/connscope/result"
)

// MaxMutualRoles bounds the roles-mutual warnings of one capture: one per pair of hosts.
const MaxMutualRoles = 3

// MutualRoles warns, for each pair of hosts (up to MaxMutualRoles) that connect to each other on
// ports that are both server ports of the profile (serverPorts), and neither an agents' listener
// port given (agentPorts): each host is then the server of the other's connections, and the
// packets do not show which is the management server and which the agent (a management server
// notifies an agent on the agent's own listener, which may use such a port). The warning names
// both readings and the --agent-port that gives each. agents are the summary's clients, with the
// servers each connected to.
func MutualRoles(agentPorts, serverPorts []uint16, agents []result.AgentSummary) []result.Warning {
	serves := func(p uint16) bool { return slices.Contains(serverPorts, p) && !slices.Contains(agentPorts, p) }
	to := map[netip.Addr][]netip.AddrPort{} // each client's servers on such ports
	var clients []netip.Addr                // in the summary's order
	for _, a := range agents {
		c, err := netip.ParseAddr(string(a.Agent))
		if err != nil {
			continue
		}
		clients = append(clients, c)
		for _, s := range a.Servers {
			if ap, err := netip.ParseAddrPort(string(s)); err == nil && serves(ap.Port()) {
				to[c] = append(to[c], ap)
			}
		}
	}
	var out []result.Warning
	for _, c := range clients {
		for _, s := range to[c] {
			back := slices.IndexFunc(to[s.Addr()], func(b netip.AddrPort) bool { return b.Addr() == c })
			// Each pair once: from the host that comes first, as the summary lists them.
			if back < 0 || s.Addr() == c || s.Addr().Less(c) {
				continue
			}
			b := to[s.Addr()][back]
			out = append(out, New("roles-mutual", 0, 0, result.From("a", result.IP(c.String())),
				result.From("b", result.IP(s.Addr().String())), result.From("b_server", result.HostPort(s.String())),
				result.From("a_server", result.HostPort(b.String())), result.Int("b_port", int(s.Port())),
				result.Int("a_port", int(b.Port()))))
			if len(out) == MaxMutualRoles {
				return out
			}
			break
		}
	}
	return out
}
