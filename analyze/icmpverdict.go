package analyze

import (
	"fmt"
	"strings"

	"github.com/connscope/connscope/result"
)

// icmpKind is what an ICMP error means for a connection.
type icmpKind int

const (
	icmpOther       icmpKind = iota
	icmpFirewall             // administratively prohibited, port/protocol unreachable, policy
	icmpUnreachable          // no route, host/address unreachable, time exceeded
	icmpFragNeeded           // fragmentation needed / packet too big, with the next-hop MTU
)

// kindOf maps an ICMP error's type and code to what it means here.
//
// ICMP (RFC 792, RFC 1812 section 5.2.7.1): type 3 destination unreachable, codes 0 net, 1 host,
// 2 protocol, 3 port, 4 fragmentation needed (RFC 1191: next-hop MTU), 5 source route failed,
// 6/7 destination net/host unknown, 9/10 net/host administratively prohibited, 11/12 for TOS,
// 13 communication administratively prohibited, 14 host precedence violation, 15 precedence
// cutoff; type 11 time exceeded. Port and protocol unreachable are firewall answers for TCP: a
// TCP stack answers a closed port with a RST, iptables REJECT answers with port unreachable.
//
// ICMPv6 (RFC 4443): type 1 destination unreachable, codes 0 no route, 1 administratively
// prohibited, 2 beyond scope of source, 3 address unreachable, 4 port unreachable, 5 source
// address failed ingress/egress policy, 6 reject route; type 2 packet too big; type 3 time exceeded.
func kindOf(ic icmpFact) icmpKind {
	if ic.v6 {
		switch ic.typ {
		case 1:
			switch ic.code {
			case 1, 4, 5, 6:
				return icmpFirewall
			case 0, 2, 3:
				return icmpUnreachable
			}
		case 2:
			return icmpFragNeeded
		case 3:
			return icmpUnreachable
		}
		return icmpOther
	}
	switch ic.typ {
	case 3:
		switch ic.code {
		case 2, 3, 9, 10, 13, 14, 15:
			return icmpFirewall
		case 4:
			return icmpFragNeeded
		case 0, 1, 5, 6, 7, 11, 12:
			return icmpUnreachable
		}
	case 11:
		return icmpUnreachable
	}
	return icmpOther
}

// icmpName names an ICMP error for people: "ICMP communication administratively prohibited
// (type 3 code 13)".
func icmpName(ic icmpFact) string {
	var n string
	if ic.v6 {
		switch {
		case ic.typ == 1:
			n = map[uint8]string{0: "no route to destination", 1: "communication administratively prohibited", 2: "beyond scope of source address",
				3: "address unreachable", 4: "port unreachable", 5: "source address failed ingress/egress policy", 6: "reject route to destination"}[ic.code]
		case ic.typ == 2:
			n = "packet too big"
		case ic.typ == 3:
			n = "time exceeded"
		}
		if n == "" {
			return fmt.Sprintf("ICMPv6 type %d code %d", ic.typ, ic.code)
		}
		return fmt.Sprintf("ICMPv6 %s (type %d code %d)", n, ic.typ, ic.code)
	}
	switch ic.typ {
	case 3:
		n = map[uint8]string{0: "net unreachable", 1: "host unreachable", 2: "protocol unreachable", 3: "port unreachable",
			4: "fragmentation needed", 5: "source route failed", 6: "destination network unknown", 7: "destination host unknown",
			9: "network administratively prohibited", 10: "host administratively prohibited", 11: "network unreachable for TOS",
			12: "host unreachable for TOS", 13: "communication administratively prohibited", 14: "host precedence violation",
			15: "precedence cutoff in effect"}[ic.code]
	case 11:
		n = "time exceeded"
	}
	if n == "" {
		return fmt.Sprintf("ICMP type %d code %d", ic.typ, ic.code)
	}
	return fmt.Sprintf("ICMP %s (type %d code %d)", n, ic.typ, ic.code)
}

// sender says who sent an ICMP error: the server host, the client host, or a router (with its
// distance from the capture point).
func (f *flow) icmpSender(ic icmpFact) string {
	switch ic.router {
	case f.server.Addr():
		return fmt.Sprintf("the server host %s itself", ic.router)
	case f.client.Addr():
		return fmt.Sprintf("the client host %s itself", ic.router)
	}
	ttl := "TTL"
	if ic.v6 {
		ttl = "hop limit"
	}
	return fmt.Sprintf("router %s (%s %d: %s from the capture point)", ic.router, ttl, ic.ttl, hopText(hops(ic.ttl)))
}

// classifyICMP: the client's SYNs got no SYN-ACK and at least one ICMP error quotes them.
func (f *flow) classifyICMP() {
	ic := f.icmp[0]
	first := f.syns[0]
	for _, r := range f.syns {
		f.addEvidence(r, "SYN from the client (%s after the first)", since(first.time(), r.time()))
	}
	for _, e := range f.icmp {
		f.addEvidence(e.ref, "%s from %s, quoting the %s's packet%s", icmpName(e), f.icmpSender(e), sideName[map[bool]int{true: fromClient, false: fromServer}[e.fromClient]], mtuNote(e))
	}
	answered := "the SYN was answered"
	if f.synCount > 1 {
		answered = fmt.Sprintf("the client's %d SYNs (intervals %s s) were answered", f.synCount, f.synSchedule().intervalsText())
	}
	from := f.icmpSender(ic)
	switch kindOf(ic) {
	case icmpFirewall:
		if ic.router == f.server.Addr() {
			note := ""
			if !ic.v6 && ic.code == 3 || ic.v6 && ic.code == 4 {
				note = " (a TCP stack answers a closed port with a RST, not ICMP; iptables REJECT sends port unreachable by default)"
			}
			f.verdict(result.VerdictFirewallReject, "%s by %s from %s: the server host's own firewall rejects port %d%s",
				answered, icmpName(ic), from, f.server.Port(), note)
			return
		}
		f.verdict(result.VerdictFirewallReject, "%s by %s from %s: a firewall there rejects connections to %s",
			answered, icmpName(ic), from, f.shared.serverText(f.server))
	case icmpUnreachable:
		why := "it cannot deliver to " + f.server.Addr().String()
		switch {
		case !ic.v6 && ic.typ == 3 && (ic.code == 0 || ic.code == 6 || ic.code == 11), ic.v6 && ic.typ == 1 && ic.code == 0:
			why = "it has no route to " + f.server.Addr().String()
		case !ic.v6 && ic.typ == 3 && (ic.code == 1 || ic.code == 7 || ic.code == 12), ic.v6 && ic.typ == 1 && ic.code == 3:
			why = fmt.Sprintf("%s does not answer on its last hop (no ARP/neighbour reply: the host is down or the address is wrong)", f.server.Addr())
		case ic.typ == 11 || ic.v6 && ic.typ == 3:
			why = "the packet's TTL ran out on the way (a routing loop)"
		}
		f.verdict(result.VerdictUnreachable, "%s by %s from %s: %s", answered, icmpName(ic), from, why)
	case icmpFragNeeded:
		f.verdict(result.VerdictPathMTU, "%s by %s from %s: the path MTU is %d bytes", answered, icmpName(ic), from, ic.mtu)
	default:
		f.verdict(result.VerdictUnreachable, "%s by %s from %s", answered, icmpName(ic), from)
	}
}

func mtuNote(ic icmpFact) string {
	if kindOf(ic) == icmpFragNeeded {
		return fmt.Sprintf(", next-hop MTU %d", ic.mtu)
	}
	return ""
}

// icmpResult lists a flow's ICMP errors for the result.
func (f *flow) icmpResult() []result.ICMPError {
	out := make([]result.ICMPError, 0, len(f.icmp))
	for _, ic := range f.icmp {
		q := "server"
		if ic.fromClient {
			q = "client"
		}
		out = append(out, result.ICMPError{Frame: ic.num(), Time: ic.time(), From: ic.router.String(), Type: int(ic.typ), Code: int(ic.code),
			Name: strings.SplitN(icmpName(ic), " (", 2)[0], MTU: int(ic.mtu), Quotes: q})
	}
	return out
}
