package diagnose

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/connscope/connscope/diagnose/scan"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// Context is what the whole capture showed that one connection's diagnosis may need: what each
// server accepted in other connections, the TTL each server host's own packets arrive with, and
// each client's attempts to each server that got no answer. Package fleet fills it from every
// record; the diagnosis only reads it.
type Context struct {
	// Servers is what each server:port was seen to accept.
	Servers map[netip.AddrPort]*ServerSeen
	// ServerTTL is the TTL of each server host's own packets (not resets), as the lowest-numbered
	// connection that shows one has it.
	ServerTTL map[netip.Addr]TTLSeen
	// Attempts counts, per client address and server, the connections whose SYNs got no
	// SYN-ACK, and lists the lowest IDs of them.
	Attempts map[Attempt]Attempts
	// Scans is what each address's probes (connections without data) of each host showed: a
	// port scan past scan.Threshold ports.
	Scans scan.Table
	// Sweeps is what each address's attempts on each port showed across hosts: a sweep (a
	// horizontal scan) past scan.SweepThreshold hosts that failed.
	Sweeps scan.Sweeps
}

// MaxAttempts bounds the IDs Context.Attempts keeps per client and server.
const MaxAttempts = 16

// Attempts is one client's connections to one server whose SYNs got no SYN-ACK: how many, and
// the IDs of the first MaxAttempts of them (the lowest), in ID order.
type Attempts struct {
	IDs []int32
	N   int
}

// Add counts the connection id among the attempts, keeping its ID if it is among the lowest
// MaxAttempts.
func (a *Attempts) Add(id int32) {
	a.N++
	i, found := slices.BinarySearch(a.IDs, id)
	if found || i >= MaxAttempts {
		return
	}
	if len(a.IDs) == MaxAttempts {
		a.IDs = a.IDs[:MaxAttempts-1]
	}
	a.IDs = slices.Insert(a.IDs, i, id)
}

// MaxServerHosts bounds the client addresses ServerSeen.Hosts counts per server, so that the
// context stays small however many agents a long capture holds; the handshakes of further
// hosts count in ServerSeen.HostsUncounted.
const MaxServerHosts = 1024

// ServerSeen is what one server:port did across the capture.
type ServerSeen struct {
	Accepted map[tls.Version]int        // handshakes per version chosen in a ServerHello
	Example  map[tls.Version]Acceptance // the lowest-numbered connection that shows each
	TLSSeen  bool                       // some connection spoke TLS with it
	// Hosts counts the handshakes with a ServerHello per client address (whatever the version):
	// whether the connections that show what the server accepts come from a connection's own
	// client host or from other hosts. At most MaxServerHosts addresses (CountHost adds them).
	Hosts map[netip.Addr]int
	// HostsUncounted counts the handshakes with a ServerHello from addresses past MaxServerHosts.
	HostsUncounted int
	// Suites counts the handshakes per cipher suite chosen in a ServerHello (SSLv2 ones choose
	// none): whether a failing client offers any suite the server was seen to accept.
	Suites map[tls.CipherSuite]int
	// StartTLS is the lowest-numbered connection whose TLS began after a plain-text exchange
	// (STARTTLS or the like) and got a ServerHello: the port speaks TLS once a client asks for
	// it. StartTLSSeen says whether there is one (SeeStartTLS files them).
	StartTLS     Acceptance
	StartTLSSeen bool
}

// SeeStartTLS files a connection whose TLS began after a plain-text exchange and got a
// ServerHello: a, unless a lower-numbered one was filed.
func (s *ServerSeen) SeeStartTLS(a Acceptance) {
	if !s.StartTLSSeen || a.ConnID < s.StartTLS.ConnID {
		s.StartTLS, s.StartTLSSeen = a, true
	}
}

// CountHost counts a handshake with a ServerHello from client: in Hosts while it holds fewer
// than MaxServerHosts addresses or already holds client, in HostsUncounted past that.
func (s *ServerSeen) CountHost(client netip.Addr) {
	if _, ok := s.Hosts[client]; ok || len(s.Hosts) < MaxServerHosts {
		s.Hosts[client]++
		return
	}
	s.HostsUncounted++
}

// Acceptance is one ServerHello that shows a server accepting a version: evidence for other
// connections.
type Acceptance struct {
	ConnID int32
	Client netip.AddrPort
	Hello  facts.Ref
}

// TTLSeen is a server's TTL as one connection showed it, in a packet that is not a reset.
type TTLSeen struct {
	TTL    uint8
	ConnID int32
	At     facts.Ref
}

// Attempt keys the attempts of one client address to one server.
type Attempt struct {
	Client netip.Addr
	Server netip.AddrPort
}

// AcceptedList returns the versions the server chose, lowest first.
func (s *ServerSeen) AcceptedList() []tls.Version {
	vs := make([]tls.Version, 0, len(s.Accepted))
	for v := range s.Accepted {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b tls.Version) int {
		if a.Rank() != b.Rank() {
			return a.Rank() - b.Rank()
		}
		return int(a) - int(b)
	})
	return vs
}

// lowestAccepted returns the lowest version the server chose for any client, by rank.
func (s *ServerSeen) lowestAccepted() (tls.Version, bool) {
	var low tls.Version
	found := false
	for v := range s.Accepted {
		if v.Rank() == 0 {
			continue
		}
		if !found || v.Rank() < low.Rank() {
			low, found = v, true
		}
	}
	return low, found
}

// Mismatch reports whether a client whose highest version is highest cannot meet this server:
// the server chose only versions above it in other connections.
func (s *ServerSeen) Mismatch(highest tls.Version) bool {
	low, ok := s.lowestAccepted()
	return ok && highest.Rank() > 0 && highest.Rank() < low.Rank()
}

// accepted words what the server chose: "TLS 1.2 in 3 handshake(s), e.g. flow #1; ...".
func (s *ServerSeen) accepted(name string) result.Arg {
	var parts []result.Message
	for _, v := range s.AcceptedList() {
		parts = append(parts, result.Msg("infer.accepted-version", result.Text("version", v.String()),
			result.Int("n", s.Accepted[v]), result.Int("flow", s.Example[v].ConnID)))
	}
	return result.Sub(name, result.Msg("infer.accepted-list", result.List("versions", parts)))
}

// origin words where the handshakes that show what the server accepts come from, as seen from
// a connection of client: all from its host, none from it, or some of them.
func (s *ServerSeen) origin(name string, client netip.Addr) result.Arg {
	total := 0
	for _, n := range s.Accepted {
		total += n
	}
	same, counted := s.Hosts[client]
	host := addr("client", client)
	switch {
	case !counted && s.HostsUncounted > 0:
		// client may be among the hosts past the bound: how many are its own is not known.
		return result.Sub(name, result.Msg("infer.origin.uncounted", result.Int("n", total), result.Int("other", total-s.HostsUncounted),
			result.Int("uncounted", s.HostsUncounted), result.Int("max", MaxServerHosts), host))
	case same >= total:
		return result.Sub(name, result.Msg("infer.origin.same-host", host))
	case same == 0:
		return result.Sub(name, result.Msg("infer.origin.other-hosts", host))
	}
	return result.Sub(name, result.Msg("infer.origin.both", result.Int("same", same), result.Int("n", total), host))
}

// otherClient words the client of another connection: from client's own host or from another host.
func otherClient(name string, other netip.AddrPort, client netip.Addr) result.Arg {
	if other.Addr() == client {
		return result.Sub(name, result.Msg("infer.from.same-host", endpoint("client", other)))
	}
	return result.Sub(name, result.Msg("infer.from.other-host", endpoint("client", other)))
}

// Revise is the verdict of a connection that is counted but not listed, after the cross-
// connection inference: its first verdict (with the facts that may revise it), client address
// and server are all the inference needs.
func Revise(ctx *Context, client netip.Addr, server netip.AddrPort, f First) result.Verdict {
	if _, scan := ctx.Scan(client, server.Addr()); scan && f.Probe {
		return result.VerdictPortScan
	}
	if _, sweep := ctx.Sweep(client, server.Port()); sweep && f.Probe {
		return result.VerdictPortScan
	}
	s := ctx.Servers[server]
	switch {
	case f.VersionSuspect && s != nil && s.Mismatch(f.Highest):
		return result.VerdictTLSVersionMismatch
	case f.VersionOrCipher && s != nil && s.acceptsUpTo(f.Highest):
		return result.VerdictTLSHandshakeFailure
	}
	return f.Verdict
}

// acceptsUpTo reports whether the server chose, in some connection, a version no higher than
// highest: a client offering up to highest shares a version with it.
func (s *ServerSeen) acceptsUpTo(highest tls.Version) bool {
	low, ok := s.lowestAccepted()
	return ok && highest.Rank() > 0 && low.Rank() <= highest.Rank()
}

// infer revisits the connection's own verdict with what the whole capture showed about its
// server.
func (j *judge) infer(ctx *Context) {
	c := j.c
	if j.inferScan(ctx) { // scan.go
		return
	}
	s := ctx.Servers[c.Server]
	d := &j.d
	switch {
	case d.VersionOrCipher && s != nil && s.acceptsUpTo(d.Highest):
		// The server chose a version this client offers in other connections: the version is
		// ruled out.
		a, _ := j.tlsOf().FatalAlert()
		d.Verdict, d.Variant, d.VersionSuspect = result.VerdictTLSHandshakeFailure, "", false
		d.Reason = result.Msg("reason.handshake-failure-not-version", side("side", int(a.From)), result.Text("alert", a.Description.String()),
			result.Text("highest", d.Highest.String()), s.accepted("accepted"), s.origin("origin", c.Client.Addr()), j.suitesOffered("suites"))
	case d.VersionSuspect && s != nil && s.Mismatch(d.Highest):
		prev := d.Verdict
		what := d.Reason
		if d.act.Key != "" && d.Reason.Key == "reason.side-act" {
			if a, _ := d.Reason.Arg("side"); a.Msg != nil && a.Msg.Key == "word.server" {
				what = result.Msg("infer.it-act", result.Sub("act", d.act))
			}
		}
		if low, _ := s.lowestAccepted(); d.Variant == variantVersionFirst && low.Rank() < tls.VersionTLS13.Rank() {
			// The connection's own reason weighed the candidates without the server's other
			// connections; these show it choosing a version below TLS 1.3, which rules out the
			// TLS 1.3-only server its own next step supposes: the act alone is kept and the
			// candidates are worded anew.
			what = result.Msg("reason.side-act", side("side", d.actSide), result.Sub("act", d.act))
			if d.actSide == facts.Server {
				what = result.Msg("infer.it-act", result.Sub("act", d.act))
			}
			d.Variant = ""
		}
		d.Verdict = result.VerdictTLSVersionMismatch
		d.Reason = result.Msg("reason.version-mismatch-inferred", result.Text("highest", d.Highest.String()), s.accepted("accepted"),
			s.origin("origin", c.Client.Addr()), result.Sub("what", what))
		evKey := "ev.accepted-for-another"
		if chosen, ok := j.cipherCandidate(s); ok {
			// The server may allow this client's version but none of its suites: the failure
			// looks the same, so the version is only the most likely cause.
			d.Variant = variantOrCipher
			d.Reason = result.Msg("reason.version-mismatch-inferred-or-cipher", result.Text("highest", d.Highest.String()),
				s.accepted("accepted"), s.origin("origin", c.Client.Addr()), result.Sub("what", what), j.offerOfSuites("offer"),
				result.Text("chosen", chosen))
			// Nor does another connection's ServerHello show more than the reason says: the
			// server chose that version with a suite this client does not offer.
			evKey = "ev.accepted-for-another-or-cipher"
		}
		for _, v := range s.AcceptedList() {
			ex := s.Example[v]
			d.Evidence = append(d.Evidence, result.Evidence{Frame: ex.Hello.Num(), Time: ex.Hello.Time(), Flow: int(ex.ConnID),
				Text: result.Msg(evKey, result.Text("version", v.String()), otherClient("from", ex.Client, c.Client.Addr()),
					result.Int("flow", ex.ConnID), result.Text("highest", d.Highest.String()), result.Text("verdict", string(prev)))})
		}
	case d.Verdict == result.VerdictNotTLS && s != nil && s.StartTLSSeen && s.StartTLS.ConnID != c.ID &&
		(d.Reason.Key == "reason.server-not-tls" || d.Reason.Key == "reason.server-spoke-first"):
		// The server answered in plain text, but another connection shows it beginning TLS on
		// this port after a plain-text exchange: it speaks TLS, once asked (STARTTLS).
		what, _ := d.Reason.Arg("what")
		key := "reason.server-not-tls-starttls"
		if d.Reason.Key == "reason.server-spoke-first" {
			key = "reason.server-spoke-first-starttls"
		}
		ex := s.StartTLS
		d.Variant = variantServerStartTLS
		d.Reason = result.Msg(key, what, endpoint("server", c.Server), result.Int("flow", ex.ConnID))
		d.Evidence = append(d.Evidence, result.Evidence{Frame: ex.Hello.Num(), Time: ex.Hello.Time(), Flow: int(ex.ConnID),
			Text: result.Msg("ev.starttls-in-flow", result.Int("flow", ex.ConnID), otherClient("from", ex.Client, c.Client.Addr()))})
	case d.Verdict == result.VerdictTLSVersionMismatch && s != nil && len(s.Accepted) > 0:
		j.more(result.Msg("infer.server-chose", s.accepted("accepted")))
	case d.Verdict == result.VerdictTLSVersionMismatch:
		j.more(result.Msg("infer.no-other-flow"))
	}
}

// cipherCandidate reports whether no cipher suite in common explains a failure that the inference
// puts down to the version: the server refused the ClientHello without naming the cause (no
// protocol_version alert: VersionSuspect), the client offers none of the suites the server was
// seen choosing, so no other connection shows the server accepting one of its suites. chosen
// names the suites the server chose, most chosen first.
func (j *judge) cipherCandidate(s *ServerSeen) (chosen string, ok bool) {
	x := j.tlsOf()
	if x == nil || x.Hello == nil || len(s.Suites) == 0 || j.d.Variant != "" {
		// A variant of the connection's own (a handshake_failure judged version-first, to a
		// server seen choosing only TLS 1.3) already words both candidates.
		return "", false
	}
	for _, cs := range x.Hello.CH.CipherSuites {
		if s.Suites[cs] > 0 {
			return "", false
		}
	}
	suites := make([]tls.CipherSuite, 0, len(s.Suites))
	for cs := range s.Suites {
		suites = append(suites, cs)
	}
	slices.SortFunc(suites, func(a, b tls.CipherSuite) int {
		if s.Suites[a] != s.Suites[b] {
			return s.Suites[b] - s.Suites[a]
		}
		return int(a) - int(b)
	})
	names := make([]string, len(suites))
	for i, cs := range suites {
		names[i] = cs.String()
	}
	return joinComma(names), true
}

// offerOfSuites words the suites the client offers for the cipher candidate: "only CBC suites
// (9 suites)" when every suite it offers (signalling ones aside) is a CBC one, as every suite
// of a client offering at most TLS 1.1 is apart from RC4 (GCM and ChaCha20 need TLS 1.2).
func (j *judge) offerOfSuites(name string) result.Arg {
	suites := j.suitesOffered("suites")
	cbc := false
	for _, cs := range j.tlsOf().Hello.CH.CipherSuites {
		if cs.IsSignalling() || cs.IsGREASE() {
			continue
		}
		if !strings.Contains(cs.String(), "_CBC_") {
			return result.Sub(name, result.Msg("infer.offer", suites))
		}
		cbc = true
	}
	if !cbc {
		return result.Sub(name, result.Msg("infer.offer", suites))
	}
	return result.Sub(name, result.Msg("infer.offer-cbc", suites))
}

// more appends a clause to the reason.
func (j *judge) more(m result.Message) {
	j.d.Reason = result.Msg("concat", result.Sub("a", j.d.Reason), result.Sub("b", m))
}

// inferPath revisits the verdict with the path facts of the whole capture: a RST answering the
// SYN whose TTL is not the server's (as other connections show it) was forged on the way; and an
// unanswered attempt is numbered among the client's attempts to the same server.
func (j *judge) inferPath(ctx *Context) {
	c := j.c
	d := &j.d
	if d.Verdict == result.VerdictRefused && len(c.RSTs) > 0 && !c.Path.Side[facts.Server].TTLSet {
		r := c.RSTs[0]
		if seen, ok := ctx.ServerTTL[c.Server.Addr()]; ok && r.From == facts.Server && seen.ConnID != c.ID {
			if r.TTL != seen.TTL {
				d.Verdict = result.VerdictMiddleboxReset
				d.Reason = result.Msg("reason.forged-refusal", result.Int("ttl", int(r.TTL)), hopText("hops", hops(r.TTL)),
					addr("server", c.Server.Addr()), result.Int("server_ttl", int(seen.TTL)), hopText("server_hops", hops(seen.TTL)),
					result.Int("flow", seen.ConnID))
				d.Evidence = append(d.Evidence, result.Evidence{Frame: seen.At.Num(), Time: seen.At.Time(),
					Text: result.Msg("ev.server-sent-in-flow", result.Int("flow", seen.ConnID), result.Int("ttl", int(seen.TTL)))})
				j.sortEvidence()
			} else {
				key := "infer.rst-ttl-own"
				if d.Role == roleAgentListener {
					key = "infer.rst-ttl-own-agent-listener"
				}
				j.more(result.Msg(key, result.Int("ttl", int(r.TTL)), result.Int("flow", seen.ConnID)))
			}
		}
	}
	if at := ctx.Attempts[Attempt{c.Client.Addr(), c.Server}]; at.N > 1 && c.SYNCount > 0 && !c.SYNAck.Seen() {
		flows := make([]result.Message, len(at.IDs))
		for i, id := range at.IDs {
			flows[i] = result.Msg("flow-ref", result.Int("id", id))
		}
		more := at.N - len(at.IDs)
		n, found := slices.BinarySearch(at.IDs, c.ID)
		switch {
		case found && more == 0:
			j.more(result.Msg("infer.attempt", result.Int("n", n+1), result.Int("of", at.N), addr("client", c.Client.Addr()),
				endpoint("server", c.Server), result.List("flows", flows)))
		case found:
			j.more(result.Msg("infer.attempt-more", result.Int("n", n+1), result.Int("of", at.N), addr("client", c.Client.Addr()),
				endpoint("server", c.Server), result.List("flows", flows), result.Int("more", more)))
		default: // past the IDs kept: its number among them is not known
			j.more(result.Msg("infer.attempt-past", result.Int("of", at.N), addr("client", c.Client.Addr()),
				endpoint("server", c.Server), result.List("flows", flows), result.Int("more", more)))
		}
	}
}

// ownTTLReset reports whether the reset that ended c carries the IP TTL of its sender's own
// packets (the first one's): the sender itself most likely sent it. A reset with another TTL
// is a middlebox's (middlebox-reset) once the path's judgement sees it.
func ownTTLReset(c *facts.Conn) bool {
	rst, ok := c.FirstRST()
	return ok && rst.TTL != 0 && rst.TTL == c.Side[rst.From].TTL
}

// variant names what narrows the verdict's knowledge entry for this connection (see
// knowledge/data).
func (j *judge) variant() string {
	c := j.c
	switch j.d.Verdict {
	case result.VerdictFirewallReject:
		if len(c.ICMP()) > 0 && c.ICMP()[0].Router == c.Server.Addr() {
			return "server-host"
		}
	case result.VerdictMiddleboxReset:
		if i, ok := injectedRST(c); ok && c.RSTs[i].Idle >= idleResetMin {
			return "idle"
		}
	case result.VerdictNotTLS:
		switch j.d.Reason.Key {
		case "reason.server-not-tls":
			return "server-plain"
		case "reason.server-spoke-first":
			return "server-first"
		}
	case result.VerdictReset:
		if ownTTLReset(c) {
			return "own-ttl"
		}
	case result.VerdictClosedDuringHandshake:
		if d, _, ok := firstFIN(c); ok {
			return sideVariant[d]
		}
	case result.VerdictIncomplete:
		if missingDirection(c) >= 0 {
			return "one-direction"
		}
		if c.HelloCut {
			return "client-hello-cut"
		}
		if k := j.d.Reason.Key; k == "reason.start-cut" || k == "reason.start-cut-tls" {
			return "start-cut"
		}
		if j.d.Reason.Key == "reason.server-reply-missed" {
			return "reply-missed"
		}
	}
	return ""
}
