package analyze

import (
	"slices"
	"strings"
	"unsafe"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/certcheck"
	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/diagnose/netpath"
	"github.com/connscope/connscope/diagnose/prefix"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// advice selects the knowledge entry that words the connection's title and next steps (none for
// an ok connection), with the values of its placeholders: made only when the entry has some
// (knowledge.Profile.NeedsParams), which an ok connection's entry has not.
func (a *Analyzer) advice(c *facts.Conn, d *diagnose.Diagnosis) result.Advice {
	adv := result.Advice{Variant: d.Variant, Role: d.Role, NoSteps: d.Verdict == result.VerdictOK}
	if a.opts.Profile.NeedsParams(d.Verdict, d.Variant, d.Role, !adv.NoSteps) {
		adv.Params = diagnose.AdviceParams(c, d, a.cfg.CheckURL)
	}
	return adv
}

// flowMemory is what a flow's result points to, made in one allocation rather than one each:
// its path and TLS sections, its hellos, its packet references (when few), its chosen version
// and the text of its endpoints.
type flowMemory struct {
	path   result.Path
	tls    result.TLS
	hello  result.ClientHello
	server result.ServerHello
	refs   [6]result.PacketRef
	chosen string
	ends   [48]byte // the client's and the server's ip:port
}

// endpoints returns the text of c's client and server, written into m.ends (or, when longer,
// into memory of their own): strings that point into m, which is written again only once the
// caller let go of the flow (result.FlowList.FillOwn).
func (m *flowMemory) endpoints(c *facts.Conn) (client, server result.HostPort) {
	b := c.Client.AppendTo(m.ends[:0])
	n := len(b)
	b = c.Server.AppendTo(b)
	s := unsafe.String(unsafe.SliceData(b), len(b))
	return result.HostPort(s[:n]), result.HostPort(s[n:])
}

// build fills out with connection c's result, diagnosed as d.
func (a *Analyzer) build(c *facts.Conn, d *diagnose.Diagnosis, out *result.Flow) {
	a.buildInto(c, d, out, nil)
}

// buildInto is build making the result into the flowMemory *mem holds, when it holds one (the
// caller keeps nothing of the flow made there before: result.FlowList.FillOwn), and leaving the
// one it made into there; mem nil: into new memory.
func (a *Analyzer) buildInto(c *facts.Conn, d *diagnose.Diagnosis, out *result.Flow, mem *any) {
	var m *flowMemory
	if mem != nil {
		m, _ = (*mem).(*flowMemory)
	}
	if m == nil {
		m = new(flowMemory)
		if mem != nil {
			*mem = m
		}
	} else {
		*m = flowMemory{}
	}
	cs, ss := &c.Side[facts.Client], &c.Side[facts.Server]
	// The packet references (SYNs, up to two FINs, RSTs, the SYN-ACK) share one array; each
	// list is capped at its length, so an append elsewhere copies it.
	nSYN, nRST := len(c.SYNs), len(c.RSTs)
	pr := m.refs[:]
	if n := nSYN + 2 + nRST + 1; n > len(pr) {
		pr = make([]result.PacketRef, n)
	}
	syns, fins, rsts, synAck := pr[:0:nSYN], pr[nSYN:nSYN:nSYN+2], pr[nSYN+2:nSYN+2:nSYN+2+nRST], &pr[nSYN+2+nRST]
	for _, r := range c.SYNs {
		syns = append(syns, packetRef(r, facts.Client))
	}
	first, last := c.First.Time(), c.Last.Time()
	client, server := m.endpoints(c)
	*out = result.Flow{
		ID:              int(c.ID),
		Client:          client,
		Server:          server,
		RolesGuessed:    c.RolesGuessed,
		Start:           first,
		End:             last,
		Duration:        last.Sub(first).Seconds(),
		ConnState:       c.ConnState,
		History:         c.History,
		OfferedVersions: []string{},
		Alerts:          []result.Alert{},
		Verdict:         d.Verdict,
		Failed:          d.Verdict.Failed(),
		Reason:          knowledge.RoleScope(d.Role, d.Reason), // the sides named by their role (an agent's listener)
		Evidence:        knowledge.RoleScopeEvidence(d.Role, listOf(d.Evidence)),
		Flags:           listOf(d.Flags),
		Path:            pathResult(c, d, &m.path),
		Role:            d.Role,
		FirstFrame:      c.First.Num(),
		LastFrame:       c.Last.Num(),
		Advice:          a.advice(c, d),
		TCP: result.TCP{
			SYNs:          syns,
			FINs:          fins,
			RSTs:          rsts,
			ClientPackets: int(cs.Packets),
			ServerPackets: int(ss.Packets),
			ClientBytes:   cs.Bytes,
			ServerBytes:   ss.Bytes,
			ClientRetrans: int(cs.Retrans),
			ServerRetrans: int(ss.Retrans),
			SnaplenCut:    int(c.SnaplenCut),
			ClientTTL:     int(cs.TTL),
			ServerTTL:     int(ss.TTL),
		},
	}
	if c.SYNAck.Seen() {
		*synAck = packetRef(c.SYNAck, facts.Server)
		out.TCP.SYNACK = synAck
		var lastSYN facts.Ref
		for _, sy := range c.SYNs {
			if !sy.Time().After(c.SYNAck.Time()) {
				lastSYN = sy
			}
		}
		if lastSYN.Seen() {
			out.TCP.HandshakeRTT = c.SYNAck.Time().Sub(lastSYN.Time()).Seconds()
		}
	}
	for side := range c.Side {
		if fin := c.Side[side].FIN; fin.Seen() {
			out.TCP.FINs = append(out.TCP.FINs, packetRef(fin, side))
		}
	}
	if fins := out.TCP.FINs; len(fins) == 2 && fins[1].Frame < fins[0].Frame {
		fins[0], fins[1] = fins[1], fins[0]
	}
	for _, r := range c.RSTs {
		out.TCP.RSTs = append(out.TCP.RSTs, packetRef(r.Ref, int(r.From)))
	}
	out.Packets, out.PacketsOmitted = ladderResult(c)
	a.fillTLS(c, out, m)
	out.HTTP = httpResult(c, a.cfg.CheckURL)
}

// tlsShown reports whether the result gives connection c a TLS section (fillTLS).
func tlsShown(c *facts.Conn) bool {
	x := c.TLS
	return x != nil && (x.IsTLS() || len(x.Alerts) > 0)
}

// offeredLegacy is result.Flow.OfferedLegacy of c's result, told from the record: fillTLS gives
// a ClientHello its offer from the legacy version field when it has no supported_versions.
func offeredLegacy(c *facts.Conn) bool {
	if !tlsShown(c) {
		return false
	}
	h := c.TLS.Hello
	return h != nil && !h.CH.VersionsFromExtension() && len(h.Offered) > 0
}

func (a *Analyzer) fillTLS(c *facts.Conn, out *result.Flow, m *flowMemory) {
	x := c.TLS
	if x == nil {
		return
	}
	if !tlsShown(c) {
		if nt := x.R().NotTLS[facts.Client]; nt.Seen() {
			out.NotTLS = prefix.Describe(nt.Prefix)
		}
		return
	}
	t := &m.tls
	*t = result.TLS{ServerMessages: a.forms.ServerMessages(x.ServerMessages), Established: x.ServerHello != nil && diagnose.Established(c),
		ClientAppData: int(x.AppData[facts.Client]), ServerAppData: int(x.AppData[facts.Server])}
	if h := x.Hello; h != nil {
		rc := &m.hello
		*rc = *a.forms.Hello(h) // the names, shared with every flow that sent the same ClientHello
		rc.Frame, rc.LastFrame, rc.Segments = x.HelloFirst.Num(), x.HelloLast.Num(), int(x.HelloSegments)
		rc.RecordVersion, rc.SNI, rc.ALPN = x.HelloRecord.String(), result.Host(x.SNI), result.Typed[result.Raw](x.ALPN)
		t.ClientHello = rc
		out.OfferedVersions = rc.OfferedVersions
	}
	if sh := x.ServerHello; sh != nil {
		m.server = *a.forms.ServerHello(sh)
		m.server.Frame = x.SHRef.Num()
		t.ServerHello = &m.server
		m.chosen = sh.SH.ChosenVersion().String()
		out.ChosenVersion = &m.chosen
	} else if r := x.R(); r.BadServerHello.Seen() {
		m.chosen = r.BadSHVersion.String() // what the ServerHello's version field says, as tshark reads it
		out.ChosenVersion = &m.chosen
	}
	if x.R().HRR != nil {
		hrr := *a.forms.ServerHello(x.R().HRR)
		hrr.Frame = x.R().HRRRef.Num()
		t.HelloRetryRequest = &hrr
	}
	t.ServerCertificates, t.CertificateFindings = []result.Certificate{}, []result.CertificateFinding{}
	if ch := x.ServerCert; ch != nil && len(ch.DER) > 0 {
		t.ServerCertificates = describeChain(ch) // shared read-only
		t.CertificateFindings = listOf(diagnose.CertificateFindings(c, &a.cfg))
		t.CertificateFrame = x.CertRef.Num()
	}
	for _, al := range x.Alerts {
		if al.Encrypted {
			continue
		}
		out.Alerts = append(out.Alerts, result.Alert{From: facts.SideName[al.From], Level: al.Level.String(),
			Description: al.Description.String(), Code: int(al.Description), Frame: al.Num(), Time: al.Time(),
			BeforeServerHello: al.BeforeServerHello})
	}
	out.TLS = t
}

// describeChain returns the result form of every certificate of the chain, made once per chain.
func describeChain(chain *facts.Chain) []result.Certificate {
	type key struct{}
	if v, ok := chain.Memo.Load(key{}); ok {
		return v.([]result.Certificate)
	}
	certs, errs := chain.Parsed()
	desc := certcheck.Describe(chain.DER, certs, errs)
	chain.Memo.Store(key{}, desc)
	return desc
}

// pathResult is the connection's path section of the result.
func pathResult(c *facts.Conn, d *diagnose.Diagnosis, p *result.Path) *result.Path {
	ps := &c.Path
	where, why, ch, sh := netpath.Locate(c)
	*p = result.Path{Vantage: where, VantageReason: why, ClientHops: ch, ServerHops: sh,
		SYNIntervals: []float64{}, ICMP: icmpResult(c),
		DupACKs: int(max(ps.Side[0].DupMax, ps.Side[1].DupMax)), ZeroWindows: int(ps.Side[0].ZeroWin + ps.Side[1].ZeroWin)}
	if sch := netpath.SYNSchedule(c); sch.Name() != "" {
		p.SYNIntervals = sch.IntervalSeconds()
		p.SYNSchedule = sch.Name()
		if d.Verdict == result.VerdictSYNTimeout {
			p.SYNGiveUp = float64(sch.GiveUp().Milliseconds()) / 1000
		}
	}
	return p
}

// icmpResult lists a connection's ICMP errors for the result.
func icmpResult(c *facts.Conn) []result.ICMPError {
	out := make([]result.ICMPError, 0, len(c.ICMP()))
	for _, ic := range c.ICMP() {
		q := "server"
		if ic.FromClient {
			q = "client"
		}
		out = append(out, result.ICMPError{Frame: ic.Num(), Time: ic.Time(), From: result.IP(ic.Router.String()), Type: int(ic.Type), Code: int(ic.Code),
			Name: netpath.ICMPName(ic), MTU: int(ic.MTU), Quotes: q})
	}
	return out
}

// httpResult is the connection's HTTP facts in result form; nil when the client sent no request.
func httpResult(c *facts.Conn, checkURL string) *result.HTTP {
	h := c.HTTP()
	if h == nil || !h.Request.Seen() {
		return nil
	}
	out := &result.HTTP{Method: result.Raw(h.Method), Path: result.Target(h.Path), Host: result.Host(h.Host), RequestFrame: h.Request.Num(), RequestTime: h.Request.Time(),
		CheckURL: checkURL != "" && diagnose.RequestPath(h.Path) == checkURL}
	if h.Response.Seen() {
		out.Status, out.StatusLine, out.ResponseFrame, out.ResponseTime = h.Status, result.Raw(h.Line), h.Response.Num(), h.Response.Time()
	}
	return out
}

// ladderResult returns the connection's kept packets in result form, and how many were left out.
func ladderResult(c *facts.Conn) ([]result.Packet, int) {
	out := make([]result.Packet, len(c.Ladder))
	for i := range c.Ladder {
		p := &c.Ladder[i]
		msgs := make([]string, p.NMessages)
		for k, code := range p.Messages[:p.NMessages] {
			msgs[k] = code.Name()
		}
		out[i] = result.Packet{Frame: p.At.Num(), Time: p.At.Time(), From: facts.SideName[p.From],
			TCPFlags: flagNames(p.Flags), PayloadLen: int(p.PayloadLen), Retransmission: p.Retrans, Messages: msgs}
	}
	return out, int(c.LadderOmitted)
}

// flagOrder lists the TCP flags in the order Wireshark prints them: "[SYN, ACK]", "[FIN, PSH, ACK]",
// "[SYN, ECE, CWR]".
var flagOrder = []struct {
	bit  uint8
	name string
}{
	{capture.FlagFIN, "FIN"}, {capture.FlagSYN, "SYN"}, {capture.FlagRST, "RST"}, {capture.FlagPSH, "PSH"},
	{capture.FlagACK, "ACK"}, {capture.FlagURG, "URG"}, {capture.FlagECE, "ECE"}, {capture.FlagCWR, "CWR"},
}

// flagNamesOf holds flagNames of every flags byte, written once.
var flagNamesOf = func() (t [256]string) {
	for i := range t {
		var names []string
		for _, f := range flagOrder {
			if uint8(i)&f.bit != 0 {
				names = append(names, f.name)
			}
		}
		t[i] = strings.Join(names, ", ")
	}
	return t
}()

// flagNames writes the TCP flags as Wireshark does, e.g. "SYN, ACK"; "" for none.
func flagNames(flags uint8) string { return flagNamesOf[flags] }

// listOf returns s, which nobody changes, for a result: clipped so that an append copies it,
// and an empty list rather than nil.
func listOf[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return slices.Clip(s)
}

func packetRef(r facts.Ref, from int) result.PacketRef {
	return result.PacketRef{From: facts.SideName[from], Frame: r.Num(), Time: r.Time()}
}

func lower(s string) string { return strings.ToLower(s) }

func cut(s string, sep byte) (string, string, bool) {
	if i := strings.IndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

func joinComma(s []string) string { return strings.Join(s, ", ") }
