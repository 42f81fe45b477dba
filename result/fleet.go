package result

// AgentSummary is what one agent (a client address) did across the capture.
type AgentSummary struct {
	Agent  IP  `json:"agent"` // the client's IP address
	Flows  int `json:"flows"`
	Failed int `json:"failed"`
	// OfferedVersions is every version its ClientHellos offered, lowest first; HighestVersion the
	// highest of them ("" when no ClientHello was seen).
	OfferedVersions []string       `json:"offered_versions"`
	HighestVersion  string         `json:"highest_version"`
	ChosenVersions  []string       `json:"chosen_versions"` // versions servers chose for it, lowest first
	Verdicts        []VerdictCount `json:"verdicts"`
	JA3             []string       `json:"ja3"` // its distinct JA3 fingerprints, sorted
	JA4             []string       `json:"ja4"` // its distinct JA4 fingerprints, sorted
	Servers         []HostPort     `json:"servers"`
	// Role is RoleAgentListener when every connection of this client was to an agents' listener
	// port: it is a management server notifying agents, no agent. Else "".
	Role string `json:"role,omitempty"`
}

// FingerprintGroup is the clients that sent ClientHellos with one JA4 (and JA3) fingerprint.
type FingerprintGroup struct {
	JA4            string `json:"ja4"`
	JA3            string `json:"ja3"`
	AgentCount     int    `json:"agent_count"`
	Agents         []IP   `json:"agents"` // the first MaxGroupAgents, sorted
	Flows          int    `json:"flows"`
	Failed         int    `json:"failed"`
	HighestVersion string `json:"highest_version"` // the highest version these ClientHellos offer
	// Role is RoleAgentListener for the ClientHellos to an agents' listener port (the servers
	// notifying agents sent them; counted apart from the agents' own), else "".
	Role string `json:"role,omitempty"`
}

// FleetGroup is the agents of one server that offer the same highest version and fared the
// same: "4 agents offer at most TLS 1.0 and all fail".
type FleetGroup struct {
	Server         HostPort `json:"server"`
	HighestVersion string   `json:"highest_version"` // "" for agents that sent no ClientHello
	// Outcome is "all-ok", "all-failed", "mixed" (some flows ok, some failed), "after-handshake"
	// (every failed flow failed after its TLS handshake had completed), "failed-not-version"
	// (no failed flow is one the versions may explain: no version mismatch, no ClientHello
	// refused before a ServerHello; one group per server whatever versions its agents offer,
	// HighestVersion the highest of them, Text names their verdicts), "split-by-version" (each
	// agent sends two kinds of ClientHello, by the highest version offered: every flow of the
	// lower kind failed in a way the versions may explain, every flow of HighestVersion's
	// succeeded; Text names both), "incomplete" (no flow was either ok or failed) or
	// "heartbleed-probe" (the hosts whose connections to the server have the verdict
	// heartbleed-probe: AgentCount and Agents count and list those hosts, which are no agents
	// and count in no other group, agent or fingerprint group; Failed is 0).
	Outcome    string  `json:"outcome"`
	AgentCount int     `json:"agent_count"`
	Agents     []IP    `json:"agents"` // the first MaxGroupAgents, sorted
	Flows      int     `json:"flows"`
	Failed     int     `json:"failed"`
	Text       Message `json:"text"` // the group in one sentence
	// Role is RoleAgentListener when Server is an agents' listener port: its clients, which
	// AgentCount and Agents count, are then the servers notifying the agent. Else "".
	Role string `json:"role,omitempty"`
}

// VersionCount is how many handshakes or ClientHellos had one version.
type VersionCount struct {
	Version string `json:"version"`
	Count   int    `json:"count"`
}

// MaxGroupAgents is the most agent addresses a FingerprintGroup or FleetGroup lists.
const MaxGroupAgents = 20

// RoleAgentListener is the role (Flow.Role, Advice.Role, FleetGroup.Role, FingerprintGroup.Role)
// of a connection to an agents' listener port: the server notifies the agent, so the client is
// the server and the server the agent.
const RoleAgentListener = "agent-listener"
