package wording

import (
	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/result"
)

// ClientCols are the column heading keys of a table whose rows count the clients of servers: the
// clients' column and the servers' column. The clients of an agents' listener port are the
// management servers that notify the agent, its server the agent: listener says some row is of
// such a port, other that some row is not. report.col.agents and report.col.server when no row
// is; report.col.mgmt-servers and report.col.agent when every row is; report.col.clients and
// report.col.server-or-agent when both kinds are.
func ClientCols(listener, other bool) (clients, server string) {
	switch {
	case listener && other:
		return "report.col.clients", "report.col.server-or-agent"
	case listener:
		return "report.col.mgmt-servers", "report.col.agent"
	}
	return "report.col.agents", "report.col.server"
}

// GroupCols is ClientCols for the failing groups of fs.
func GroupCols(fs *findings.Findings) (clients, server string) {
	var listener, other bool
	for _, g := range fs.Groups {
		if g.AgentListener() {
			listener = true
		} else {
			other = true
		}
	}
	return ClientCols(listener, other)
}

// FingerprintCols is ClientCols for fingerprint groups (its server key unused: the table has no
// server column).
func FingerprintCols(fps []result.FingerprintGroup) (clients, server string) {
	var listener, other bool
	for i := range fps {
		if fps[i].Role == result.RoleAgentListener {
			listener = true
		} else {
			other = true
		}
	}
	return ClientCols(listener, other)
}

// AgentsHeads are the heading and column keys of the table of the summary's clients (one row
// each): report.h.agents and report.col.agent when no client is a management server notifying
// agents (result.AgentSummary.Role); report.h.mgmt-servers and report.col.mgmt-server when every
// client is; report.h.clients and report.col.client when both kinds are.
func AgentsHeads(agents []result.AgentSummary) (heading, col string) {
	var listener, other bool
	for i := range agents {
		if agents[i].Role == result.RoleAgentListener {
			listener = true
		} else {
			other = true
		}
	}
	switch {
	case listener && other:
		return "report.h.clients", "report.col.client"
	case listener:
		return "report.h.mgmt-servers", "report.col.mgmt-server"
	}
	return "report.h.agents", "report.col.agent"
}
