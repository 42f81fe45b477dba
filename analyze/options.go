// Package analyze turns decoded packets into per-connection facts and verdicts. It tracks every
// TCP connection on the analysed ports (state, history and counters as Zeek's connection analyzer
// keeps them), reassembles the first bytes of each direction, hands them to the tls package, and
// at the end diagnoses each flow, using what the whole capture showed about each server.
package analyze

import (
	"net/netip"

	"slices"
	"time"

	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// Options says which connections to analyse and how much to keep.
type Options struct {
	// Ports are the server ports to analyse. Empty: every TCP connection.
	Ports []uint16
	// Hosts are the server addresses to analyse. Empty: every address.
	Hosts []netip.Addr
	// TLSPorts are server ports where TLS is expected even when no TLS is seen on them, so that
	// plain text sent there is reported as not-tls. Ports where TLS is seen count too.
	// Nil means DefaultTLSPorts.
	TLSPorts []uint16
	// MaxFlows is how many flows the result lists one by one (0: DefaultMaxFlows). Flows past it
	// are still analysed and counted in the summary.
	MaxFlows int
	// MaxActiveFlows bounds the connections tracked at once (0: DefaultMaxActiveFlows). Past it
	// the least recently active are finished early.
	MaxActiveFlows int
	// MaxAgentKeys bounds the fleet view (0: DefaultMaxAgentKeys): the distinct (agent, server,
	// offered versions, fingerprint, outcome) combinations it keeps, about 200 bytes each. Flows
	// past it still get their verdicts and counts; the fleet view says how many it left out.
	MaxAgentKeys int
	// StreamLimit is how many bytes of each direction are reassembled and parsed (0:
	// DefaultStreamLimit).
	StreamLimit int
	// IdleTimeout finishes a connection that has been silent this long in capture time (0:
	// DefaultIdleTimeout). Closed connections are finished sooner.
	IdleTimeout time.Duration
	// ClosedLinger is how long a closed or reset connection is kept for late packets before it is
	// finished (0: DefaultClosedLinger, 5 s as Zeek's tcp_close_delay; after half a second the
	// connection is kept as a small tomb, see track/tomb.go).
	ClosedLinger time.Duration
	// OnFlow, when set, is called with each flow as it finishes (closed, idle, or at Finish), with
	// its verdict as far as the packets so far tell: Finish may still revise it with what later
	// flows show about the server. For live capture.
	OnFlow func(result.Flow)
	// Progress, when set, is kept up to date with the packets read and connections seen while
	// a capture file is analysed (File, Reader), for a progress display.
	Progress *Progress
	// Profile words titles and next steps and brings defaults: its Ports when Ports is empty,
	// its TLSPorts on top of TLSPorts, its CheckURL for plain HTTP. Nil means the generic one.
	Profile *knowledge.Profile
	// AgentPorts are the agents' listener ports: a connection to one is the server notifying
	// an agent (the server is then the client). They are analysed and expect TLS, but for a
	// plain HTTP request the listener answered in HTTP (a notification over HTTP, which works).
	AgentPorts []uint16
	// ServerNames are DNS names of the servers, as the clients are configured with them: their
	// lookups are reported (result.Names) even when nothing in the capture ties them to a server.
	ServerNames []string
	// Reopen opens the capture again from its start, for Reader to read a file that holds two
	// capture points a second time with its links told apart; nil when it cannot be read again
	// (standard input). File sets it.
	Reopen func() (*pcapfile.Reader, error)

	// recordChunk and spillAfter size the store's chunks and what it keeps in memory (store);
	// 0: the defaults. Tests set them to make the store spill small captures.
	recordChunk, spillAfter int
}

// Defaults for Options.
const (
	DefaultMaxFlows       = 100000
	DefaultMaxActiveFlows = 262144
	DefaultStreamLimit    = 64 << 10
	DefaultMaxAgentKeys   = 200000
	DefaultIdleTimeout    = 5 * time.Minute
	DefaultClosedLinger   = 5 * time.Second
)

// DefaultTLSPorts are ports where TLS is expected: Apex One / OfficeScan's 4343 and the usual
// TLS service ports.
var DefaultTLSPorts = []uint16{443, 465, 636, 853, 989, 990, 992, 993, 994, 995, 4343, 5061, 8443}

func (o Options) withDefaults() Options {
	if o.MaxFlows <= 0 {
		o.MaxFlows = DefaultMaxFlows
	}
	if o.MaxActiveFlows <= 0 {
		o.MaxActiveFlows = DefaultMaxActiveFlows
	}
	if o.MaxAgentKeys <= 0 {
		o.MaxAgentKeys = DefaultMaxAgentKeys
	}
	if o.StreamLimit <= 0 {
		o.StreamLimit = DefaultStreamLimit
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.ClosedLinger <= 0 {
		o.ClosedLinger = DefaultClosedLinger
	}
	if o.TLSPorts == nil {
		o.TLSPorts = DefaultTLSPorts
	}
	o.withProfile()
	return o
}

// withProfile applies the profile's defaults and the agent ports.
func (o *Options) withProfile() {
	if o.Profile == nil {
		o.Profile = knowledge.Default()
	}
	if len(o.Ports) == 0 && len(o.Profile.Ports) > 0 {
		o.Ports = append([]uint16{}, o.Profile.Ports...)
	}
	if len(o.Ports) > 0 {
		for _, p := range o.AgentPorts {
			if !slices.Contains(o.Ports, p) {
				o.Ports = append(o.Ports, p)
			}
		}
	}
	o.TLSPorts = append(append(append([]uint16{}, o.TLSPorts...), o.Profile.TLSPorts...), o.AgentPorts...)
}
