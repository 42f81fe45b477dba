package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/connscope/connscope/result"
)

// tcpOutcome is how one TCP connect went.
type tcpOutcome struct {
	verdict string // result.Verdict* words: ok, refused, syn-timeout, unreachable, firewall-reject; "error" otherwise
	elapsed time.Duration
	icmp    *icmpError // the ICMP error that ended the connect, where the system shows it
	err     error
}

// icmpError is an ICMP (ICMPv6) error that answered a connect.
type icmpError struct {
	v6        bool
	typ, code uint8
	from      netip.Addr // the router or host that sent it
}

// firewall reports whether the error is one firewalls send to reject: port unreachable (TCP
// stacks answer a closed port with a RST, iptables REJECT with this), or administratively
// prohibited (ICMP 3/9, 3/10, 3/13; ICMPv6 1/1, 1/5, 1/6) — as analyze's firewall-reject.
func (e *icmpError) firewall() bool {
	if e.v6 {
		return e.typ == 1 && (e.code == 1 || e.code == 4 || e.code == 5 || e.code == 6)
	}
	return e.typ == 3 && (e.code == 3 || e.code == 9 || e.code == 10 || e.code == 13)
}

// String names the error as analyze does: "ICMP 3/3 port unreachable".
func (e *icmpError) String() string {
	proto, name := "ICMP", ""
	if e.v6 {
		proto = "ICMPv6"
		switch {
		case e.typ == 1 && e.code == 0:
			name = "no route"
		case e.typ == 1 && e.code == 1:
			name = "administratively prohibited"
		case e.typ == 1 && e.code == 3:
			name = "address unreachable"
		case e.typ == 1 && e.code == 4:
			name = "port unreachable"
		case e.typ == 1 && (e.code == 5 || e.code == 6):
			name = "rejected by policy"
		}
	} else if e.typ == 3 {
		name = map[uint8]string{0: "network unreachable", 1: "host unreachable", 3: "port unreachable", 9: "network administratively prohibited",
			10: "host administratively prohibited", 13: "communication administratively prohibited"}[e.code]
	} else if e.typ == 11 {
		name = "time exceeded"
	}
	s := proto + " " + strconv.Itoa(int(e.typ)) + "/" + strconv.Itoa(int(e.code))
	if name != "" {
		s += " " + name
	}
	return s
}

// dial opens a TCP connection to addr within the timeout and names the outcome as analyze
// names it: refused (a RST), firewall-reject (an ICMP port unreachable or administratively
// prohibited), syn-timeout (no answer), unreachable (an ICMP host or network unreachable, or
// no route). Where the system does not show ICMP errors (icmpErrorsVisible false), a port
// unreachable is reported as refused, as the system reports it.
func (p *prober) dial(ctx context.Context, addr string) (net.Conn, tcpOutcome) {
	p.connections++
	start := time.Now()
	conn, icmp, err := connectTCP(ctx, addr, p.opts.Timeout)
	out := tcpOutcome{elapsed: time.Since(start), err: err, icmp: icmp}
	switch {
	case err == nil:
		out.verdict = string(result.VerdictOK)
	case icmp != nil && icmp.firewall():
		out.verdict = string(result.VerdictFirewallReject)
	case icmp != nil, isUnreachable(err):
		out.verdict = string(result.VerdictUnreachable)
	case isRefused(err):
		out.verdict = string(result.VerdictRefused)
	case isTimeout(err):
		out.verdict = string(result.VerdictSYNTimeout)
	default:
		out.verdict = "error"
	}
	return conn, out
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() || isErrnoTimeout(err)
}
