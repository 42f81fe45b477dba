package netpath

import (
	"github.com/connscope/connscope/diagnose/param"
	"github.com/connscope/connscope/facts"
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
func kindOf(ic facts.ICMP) icmpKind {
	if ic.V6 {
		switch ic.Type {
		case 1:
			switch ic.Code {
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
	switch ic.Type {
	case 3:
		switch ic.Code {
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

// icmpTypeName names an ICMP error's type and code as the RFCs do ("communication
// administratively prohibited"); "" for one it does not know.
func icmpTypeName(ic facts.ICMP) string {
	if ic.V6 {
		switch {
		case ic.Type == 1:
			return map[uint8]string{0: "no route to destination", 1: "communication administratively prohibited", 2: "beyond scope of source address",
				3: "address unreachable", 4: "port unreachable", 5: "source address failed ingress/egress policy", 6: "reject route to destination"}[ic.Code]
		case ic.Type == 2:
			return "packet too big"
		case ic.Type == 3:
			return "time exceeded"
		}
		return ""
	}
	switch ic.Type {
	case 3:
		return map[uint8]string{0: "net unreachable", 1: "host unreachable", 2: "protocol unreachable", 3: "port unreachable",
			4: "fragmentation needed", 5: "source route failed", 6: "destination network unknown", 7: "destination host unknown",
			9: "network administratively prohibited", 10: "host administratively prohibited", 11: "network unreachable for TOS",
			12: "host unreachable for TOS", 13: "communication administratively prohibited", 14: "host precedence violation",
			15: "precedence cutoff in effect"}[ic.Code]
	case 11:
		return "time exceeded"
	}
	return ""
}

// ICMPName names an ICMP error without its type and code: "ICMP communication administratively
// prohibited", "ICMPv6 packet too big", "ICMP type 3 code 8".
func ICMPName(ic facts.ICMP) string {
	proto := "ICMP"
	if ic.V6 {
		proto = "ICMPv6"
	}
	if n := icmpTypeName(ic); n != "" {
		return proto + " " + n
	}
	return proto + " type " + param.Itoa(int(ic.Type)) + " code " + param.Itoa(int(ic.Code))
}

// icmpName names an ICMP error for people: "ICMP communication administratively prohibited
// (type 3 code 13)" (icmp.named; Japanese "（タイプ 3 コード 13）"). The names are the RFCs' (like alert
// names, they stay in English).
func icmpName(name string, ic facts.ICMP) result.Arg {
	if icmpTypeName(ic) == "" {
		return result.Text(name, ICMPName(ic))
	}
	return result.Sub(name, result.Msg("icmp.named", result.Text("name", ICMPName(ic)), result.Int("type", int(ic.Type)),
		result.Int("code", int(ic.Code))))
}

// icmpSender says who sent an ICMP error: the server host, the client host, or a router (with
// its distance from the capture point).
func (j *judge) icmpSender(name string, ic facts.ICMP) result.Arg {
	switch ic.Router {
	case j.c.Server.Addr():
		return result.Sub(name, result.Msg("icmp.from-server-host", param.Addr("host", ic.Router)))
	case j.c.Client.Addr():
		return result.Sub(name, result.Msg("icmp.from-client-host", param.Addr("host", ic.Router)))
	}
	ttl := result.Msg("word.ttl")
	if ic.V6 {
		ttl = result.Msg("word.hop-limit")
	}
	return result.Sub(name, result.Msg("icmp.from-router", param.Addr("router", ic.Router), result.Sub("ttl_word", ttl),
		result.Int("ttl", int(ic.TTL)), HopText("hops", Hops(ic.TTL))))
}

// classifyICMP: the client's SYNs got no SYN-ACK and at least one ICMP error quotes them.
func (j *judge) classifyICMP() {
	c := j.c
	ic := c.ICMP()[0]
	j.synEvidence()
	for _, e := range c.ICMP() {
		quoted := facts.Server
		if e.FromClient {
			quoted = facts.Client
		}
		j.evidence(e.Ref, "ev.icmp", icmpName("icmp", e), j.icmpSender("from", e), param.Side("side", quoted), mtuNote(e))
	}
	answered := result.Msg("icmp.syn-answered")
	if n := c.ICMPCount(); c.SYNCount > 1 && n < int(c.SYNCount) {
		// Fewer errors than SYNs: some SYNs got no answer (the SYNs are alike, so which cannot
		// be told; how many can).
		answered = result.Msg("icmp.some-syns-answered", result.Int("answered", n), result.Int("n", c.SYNCount),
			param.Texts("intervals", j.synSchedule().intervalTexts()))
	} else if c.SYNCount > 1 {
		answered = result.Msg("icmp.syns-answered", result.Int("n", c.SYNCount), param.Texts("intervals", j.synSchedule().intervalTexts()))
	}
	args := []result.Arg{result.Sub("answered", answered), icmpName("icmp", ic), j.icmpSender("from", ic)}
	switch kindOf(ic) {
	case icmpFirewall:
		if ic.Router == c.Server.Addr() {
			note := result.Message{}
			if !ic.V6 && ic.Code == 3 || ic.V6 && ic.Code == 4 {
				note = result.Msg("icmp.port-unreachable-note")
			}
			j.verdict(result.VerdictFirewallReject, "reason.icmp-server-firewall", append(args, result.Int("port", int(c.Server.Port())), result.Sub("note", note))...)
			return
		}
		j.verdict(result.VerdictFirewallReject, "reason.icmp-firewall", append(args, param.Endpoint("server", c.Server))...)
	case icmpUnreachable:
		server := param.Addr("server", c.Server.Addr())
		why := result.Msg("icmp.cannot-deliver", server)
		switch {
		case !ic.V6 && ic.Type == 3 && (ic.Code == 0 || ic.Code == 6 || ic.Code == 11), ic.V6 && ic.Type == 1 && ic.Code == 0:
			why = result.Msg("icmp.no-route", server)
		case !ic.V6 && ic.Type == 3 && (ic.Code == 1 || ic.Code == 7 || ic.Code == 12), ic.V6 && ic.Type == 1 && ic.Code == 3:
			why = result.Msg("icmp.host-down", server)
		case ic.Type == 11 || ic.V6 && ic.Type == 3:
			why = result.Msg("icmp.ttl-expired")
		}
		j.verdict(result.VerdictUnreachable, "reason.icmp-unreachable", append(args, result.Sub("why", why))...)
	case icmpFragNeeded:
		j.verdict(result.VerdictPathMTU, "reason.icmp-path-mtu", append(args, result.Int("mtu", int(ic.MTU)))...)
	default:
		j.verdict(result.VerdictUnreachable, "reason.icmp-other", args...)
	}
}

func mtuNote(ic facts.ICMP) result.Arg {
	if kindOf(ic) == icmpFragNeeded {
		return result.Sub("mtu", result.Msg("icmp.mtu-note", result.Int("mtu", int(ic.MTU))))
	}
	return result.Sub("mtu", result.Message{})
}
