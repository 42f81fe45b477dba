// Package unmatched counts the TCP packets a tracker skips, outside the analysed ports and
// hosts, so that a report whose filter matched nothing can say what the capture does hold.
package unmatched

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/connscope/connscope/capture"
)

// Counter counts the TCP packets the tracker skips because they are outside the analysed ports
// and hosts, so that a report whose filter matched nothing can say what the capture does hold.
// Its cost per skipped packet is one or two array increments; only SYNs and SYN-ACKs (one or a
// few per connection) touch the bounded maps of hosts and probing sources.
type Counter struct {
	packets int // TCP packets skipped
	syns    int // of those, SYNs without ACK (connection attempts)
	// perPort counts, by server port, the skipped SYNs (index 0) and packets (index 1). The server
	// port of a SYN is its destination, of a SYN-ACK its source, of any other packet the lower of
	// the two (servers listen on low ports, clients send from ephemeral ones). Made on the first
	// skipped packet.
	perPort *[65536][2]uint32
	// hosts counts SYNs by server address (the SYN's destination), for at most maxUnmatchedHosts
	// addresses; past that, new addresses are not counted.
	hosts map[netip.Addr]uint32
	// probes counts, per source of skipped SYNs, the distinct ports of each host it probed, so
	// that a port scan is seen whole when the analysis is narrowed (probes.go).
	probes probes
	// sweeps counts, per source of skipped SYNs and port, the hosts it reached, so that a sweep
	// of one port across hosts is seen whole when the analysis is narrowed (sweeps.go).
	sweeps sweeps
}

// maxUnmatchedHosts bounds the server addresses counted outside the filter.
const maxUnmatchedHosts = 4096

// Skip counts a TCP packet outside the analysed ports and hosts.
func (u *Counter) Skip(p *capture.Packet) {
	if u.perPort == nil {
		u.perPort = new([65536][2]uint32)
	}
	t := &p.TCP
	u.packets++
	syn, ack := t.Flags&capture.FlagSYN != 0, t.Flags&capture.FlagACK != 0
	switch {
	case syn && !ack:
		u.syns++
		u.perPort[t.DstPort][0]++
		u.perPort[t.DstPort][1]++
		u.host(p.DstIP)
		u.probes.syn(p)
		u.sweeps.syn(p)
	case syn:
		u.perPort[t.SrcPort][1]++
		u.probes.synAck(p)
		u.sweeps.answer(p, true)
	default:
		u.perPort[min(t.SrcPort, t.DstPort)][1]++
		switch {
		case t.Flags&capture.FlagRST != 0:
			u.sweeps.answer(p, false)
		case t.PayloadLen > 0:
			u.sweeps.data(p)
		}
	}
}

// ICMPError counts an ICMP error that quotes a TCP packet outside the analysed ports and hosts
// (one whose connection tracking skipped): it answered an attempt of a sweep's.
func (u *Counter) ICMPError(p *capture.Packet) { u.sweeps.icmpError(p) }

func (u *Counter) host(a netip.Addr) {
	if u.hosts == nil {
		u.hosts = map[netip.Addr]uint32{}
	}
	if _, ok := u.hosts[a]; ok || len(u.hosts) < maxUnmatchedHosts {
		u.hosts[a]++
	}
}

// Summary is what a capture holds outside the analysed ports and hosts.
type Summary struct {
	Packets int // TCP packets outside the analysed ports and hosts
	SYNs    int // of those, SYNs without ACK
	// Ports are the busiest server ports among them: most SYNs first, then most packets.
	Ports []PortCount
	// Hosts are the server addresses that got the most SYNs.
	Hosts []HostCount
}

// PortCount is the SYNs and packets seen for one server port.
type PortCount struct {
	Port          uint16
	SYNs, Packets int
}

// HostCount is the SYNs seen for one server address.
type HostCount struct {
	Addr netip.Addr
	SYNs int
}

// Top returns what the capture held outside the analysed ports and hosts so far: the counts,
// and the top n ports and hosts.
func (u *Counter) Top(n int) Summary {
	out := Summary{Packets: u.packets, SYNs: u.syns}
	if u.perPort != nil {
		for port, c := range u.perPort {
			if c[1] > 0 {
				out.Ports = append(out.Ports, PortCount{Port: uint16(port), SYNs: int(c[0]), Packets: int(c[1])})
			}
		}
	}
	slices.SortFunc(out.Ports, func(x, y PortCount) int {
		return cmp.Or(cmp.Compare(y.SYNs, x.SYNs), cmp.Compare(y.Packets, x.Packets), cmp.Compare(x.Port, y.Port))
	})
	for h, c := range u.hosts {
		out.Hosts = append(out.Hosts, HostCount{Addr: h, SYNs: int(c)})
	}
	slices.SortFunc(out.Hosts, func(x, y HostCount) int {
		return cmp.Or(cmp.Compare(y.SYNs, x.SYNs), x.Addr.Compare(y.Addr))
	})
	if len(out.Ports) > n {
		out.Ports = out.Ports[:n]
	}
	if len(out.Hosts) > n {
		out.Hosts = out.Hosts[:n]
	}
	return out
}
