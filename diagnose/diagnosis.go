// Package diagnose judges a connection from its record of facts: a pure function of the facts
// (package facts) and of what the whole capture showed about the servers and paths (Context),
// with no packets in sight. It says what happened as a verdict code, a reason and evidence lines
// made of messages (result.Message: template keys and parameters that a report words in the
// reader's language), the flags, and the values a knowledge profile's next steps need.
//
// Run it once per connection with a nil Context while tracking (for live lines and to decide
// what to keep), and again at the end with the capture's Context: the same facts give the same
// verdict, the Context only adds what other connections showed.
package diagnose

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/connscope/connscope/diagnose/param"
	"github.com/connscope/connscope/diagnose/prefix"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// Config is what the diagnosis needs of the analysis settings.
type Config struct {
	// TLSPort reports whether TLS is expected on a server port (plain text there is not-tls).
	TLSPort func(port uint16) bool
	// CheckURL is the path clients fetch to check the server (an error status for it is
	// http-error); "" for none.
	CheckURL string
	// AgentPorts are the agents' listener ports: a connection to one is the server notifying an
	// agent (role agent-listener).
	AgentPorts []uint16

	memos memos // what the analysis works out once for many connections (memo.go)
}

// Diagnosis is a connection's verdict with its reason, evidence and flags.
type Diagnosis struct {
	Verdict  result.Verdict
	Reason   result.Message
	Evidence []result.Evidence
	Flags    []string
	// Variant narrows the verdict's knowledge entry (e.g. "server-host" for a firewall on the
	// server itself); "" for the verdict alone.
	Variant string
	// Role is knowledge.RoleAgentListener for a connection to an agents' listener port, else "".
	Role string

	// VersionSuspect: the server refused the ClientHello without naming the cause (reset, close,
	// silence, handshake_failure): what the server accepts in other connections may show it was
	// the version.
	VersionSuspect bool
	// VersionOrCipher: a handshake_failure before the ServerHello to a client that offers at
	// most TLS 1.2, which a version or a cipher mismatch explains: a server seen to choose a
	// version the client offers in other connections rules the version out.
	VersionOrCipher bool
	// Probe: the client began with a SYN and sent no data (what a port scan's attempts are).
	Probe bool
	// Highest is the highest version the client offered (0 without a ClientHello).
	Highest tls.Version

	// act is what the server did, worded without its subject, for a VersionSuspect reason that the
	// Context may reword ("reset the connection 0.1 ms after the ClientHello ...").
	act result.Message
	// actSide is the side whose act is act where the reason is not "reason.side-act" (a
	// handshake_failure judged version-first).
	actSide int
	// inNameOf is the side (+1; 0: none) in whose name the views at several capture points show
	// resets forged (Views): the next step names it.
	inNameOf int8
}

// encryptedAlertMaxLen: an encrypted alert record is 2 bytes of alert, 1 of content type and a
// 16-byte AEAD tag (some stacks pad it a little); a TLS 1.3 Finished is at least 32+4+1+16.
const encryptedAlertMaxLen = facts.EncryptedAlertMaxLen

// Conn diagnoses one connection. ctx is what the whole capture showed (nil while the capture is
// still being read: the verdict is then the connection's own).
func Conn(c *facts.Conn, cfg *Config, ctx *Context) Diagnosis {
	j := judge{c: c, cfg: cfg}
	j.first()
	// The connection's own evidence reads in capture order; what other connections show follows.
	j.sortEvidence()
	if ctx != nil {
		j.infer(ctx)
		j.inferPath(ctx)
	}
	j.damage()
	if j.d.Variant == "" {
		j.d.Variant = j.variant()
	}
	return j.d
}

// judge diagnoses one connection.
type judge struct {
	c   *facts.Conn
	cfg *Config
	d   Diagnosis
	vp  vantage // where the capture was taken, as this connection's packets tell
}

// first is the connection's own verdict, from its facts alone.
func (j *judge) first() {
	c := j.c
	if c.HelloCut {
		j.d.Flags = append(j.d.Flags, "client-hello-cut")
	}
	if p := c.HelloPartial(); p != nil {
		j.d.Flags = append(j.d.Flags, "client-hello-partial:"+itoa(p.Have)+"/"+itoa(p.Want))
	}
	if c.SnaplenCut > 0 {
		j.d.Flags = append(j.d.Flags, "snaplen-cut")
	}
	if x := c.X; x != nil && x.HelloConflict.Seen() {
		// The stream keeps what was sent first; the report says the two differ.
		j.d.Flags = append(j.d.Flags, "retransmission-differs:frame-"+itoa(x.HelloConflict.Num()))
		j.evidence(x.HelloConflict, "ev.retransmission-differs")
	}
	if x := c.X; x != nil && x.Overruns > 0 {
		// The captured bytes were taken, not what the broken IP header claims.
		j.d.Flags = append(j.d.Flags, "ip-length-overrun:"+itoa(int(x.Overruns))+":frame-"+itoa(x.OverrunRef.Num()))
	}
	if x := c.TLS; x != nil && x.Hello != nil {
		j.d.Highest = x.Hello.Highest
	}
	if slices.Contains(j.cfg.AgentPorts, c.Server.Port()) {
		j.d.Role = roleAgentListener
	}
	// A connection to the agents' listener port is the management server notifying an agent, never
	// a scan's probe: a firewall that drops most of those looks like a sweep from the server, and
	// those failures are what the report is for.
	j.d.Probe = isProbe(c) && j.d.Role != roleAgentListener
	j.classify()
	j.classifyHTTP()
}

// sortEvidence puts the evidence in capture order.
func (j *judge) sortEvidence() {
	slices.SortStableFunc(j.d.Evidence, func(x, y result.Evidence) int { return cmp.Compare(x.Frame, y.Frame) })
}

// roleAgentListener is knowledge.RoleAgentListener (diagnose does not word anything, so it does
// not import knowledge).
const roleAgentListener = "agent-listener"

// evidence adds a packet to the evidence, unless the ref is unset.
func (j *judge) evidence(r facts.Ref, key string, args ...result.Arg) {
	if !r.Seen() {
		return
	}
	if j.d.Evidence == nil {
		j.d.Evidence = make([]result.Evidence, 0, 4) // a failed connection's few packets of evidence
	}
	j.d.Evidence = append(j.d.Evidence, result.Evidence{Frame: r.Num(), Time: r.Time(), Text: result.Msg(key, args...)})
}

// verdict sets the verdict and its reason.
func (j *judge) verdict(v result.Verdict, key string, args ...result.Arg) {
	j.d.Verdict = v
	j.d.Reason = result.Msg(key, args...)
}

// tlsOf returns the connection's TLS facts, empty when it has none.
func (j *judge) tlsOf() *facts.TLS {
	if j.c.TLS != nil {
		return j.c.TLS
	}
	return &noTLS
}

var noTLS facts.TLS

func (j *judge) classify() {
	c := j.c
	end := c.End.Time()
	if j.classifyPath(end) { // pathverdict.go: blackholes, forged resets, lost SYN-ACKs
		return
	}
	x := j.tlsOf()
	if c.SYNCount > 0 && !c.SYNAck.Seen() && serverAnswered(c) {
		// The SYN-ACK is missing from the capture, but the server's other packets show that it
		// answered: what they show decides.
		j.evidence(c.Path.Side[facts.Server].TTLRef, "ev.synack-not-captured")
		j.d.Flags = append(j.d.Flags, "synack-not-captured")
	}
	switch {
	case c.SYNCount > 0 && !c.SYNAck.Seen() && !serverAnswered(c):
		j.classifyNoSYNACK(end)
	case clientAborted(c):
		j.classifyClientAborted()
	case c.SYNCount == 0 && !c.SYNAck.Seen() && x.Hello == nil:
		j.evidence(c.First, "ev.first-no-syn")
		j.verdict(result.VerdictIncomplete, "reason.mid-connection")
		j.addRSTEvidence()
	case x.Hello != nil || x.R().HelloErr.Kind != facts.HelloErrNone:
		j.classifyTLS(end)
	case c.HelloCut:
		j.classifyCutClientHello()
	case x.R().Cut[facts.Client].Seen():
		j.classifyStartCut(facts.Client)
	case c.HelloPartial() != nil && x.ServerHello == nil:
		j.classifyHelloIncomplete(end)
	default:
		j.classifyPlain(end)
	}
}

// serverAnswered reports whether the server sent anything but resets: a SYN-ACK, or (when the
// capture lacks it) an ACK, data or a FIN, which it sends only on a connection it accepted.
func serverAnswered(c *facts.Conn) bool {
	return c.SYNAck.Seen() || c.Path.Side[facts.Server].TTLSet
}

// clientAborted reports whether the client reset the server's SYN-ACK instead of completing the
// TCP handshake, with no data: it had abandoned its own attempt.
func clientAborted(c *facts.Conn) bool {
	r, ok := c.FirstRST()
	return ok && r.From == facts.Client && len(c.SYNs) > 0 && c.SYNAck.Seen() && r.Frame > c.SYNAck.Frame &&
		!c.Path.HandshakeAck.Seen() && c.Side[facts.Client].Bytes == 0 && c.Side[facts.Server].Bytes == 0
}

// classifyClientAborted: the client's reset answered the server's SYN-ACK (clientAborted).
func (j *judge) classifyClientAborted() {
	c := j.c
	r, _ := c.FirstRST()
	first := c.SYNs[0]
	j.evidence(first, "ev.syn")
	j.evidence(c.SYNAck, "ev.syn-ack-after", j.span("after", first, c.SYNAck))
	j.evidence(r.Ref, "ev.client-rst-synack", result.Int("ttl", int(r.TTL)))
	j.verdict(result.VerdictClientAborted, "reason.client-aborted", j.span("synack_after", first, c.SYNAck),
		j.span("after", c.SYNAck, r.Ref), endpoint("server", c.Server))
}

// classifyHelloIncomplete: the client began a ClientHello and never completed it (no snaplen cut:
// the bytes its length fields announce never came). A server waits for the rest: its silence,
// or its close, is the likely consequence, not a refusal.
func (j *judge) classifyHelloIncomplete(end time.Time) {
	c := j.c
	p := c.HelloPartial()
	cs, ss := &c.Side[facts.Client], &c.Side[facts.Server]
	j.evidence(cs.FirstPayload, "ev.hello-begun", result.Int("have", p.Have), result.Int("want", p.Want))
	var server result.Message
	rst, hasRST := c.FirstRST()
	a, alert := j.tlsOf().FatalAlert()
	switch {
	case alert && a.From == facts.Server:
		j.evidence(a.Ref, "ev.alert", alertArgs(a, side("side", facts.Server))...)
		server = result.Msg("phrase.server-alert-at-end", result.Text("alert", a.Description.String()))
	case ss.FirstPayload.Seen():
		server = result.Msg("phrase.server-sent-bytes", result.Int64("bytes", ss.Bytes))
	case hasRST && rst.From == facts.Server:
		server = result.Msg("phrase.server-reset")
	case ss.FIN.Seen() && (!cs.FIN.Seen() || ss.FIN.Frame < cs.FIN.Frame):
		server = result.Msg("phrase.server-closed-first")
	case c.Path.Side[facts.Server].AckSet:
		// Packets, but no data: the server acknowledged (an ACK other than its SYN-ACK).
		server = result.Msg("phrase.server-acks-only")
	default:
		server = result.Msg("phrase.server-silent")
	}
	fin := int64(0)
	if cs.FIN.Seen() {
		fin = 1 // the FIN takes a sequence number the server acknowledges
	}
	if ps := &c.Path.Side[facts.Server]; cs.SYNSeen && ps.AckSet && int64(int32(ps.AckMax-cs.SYNSeq-1)) > cs.Bytes+fin {
		// The server acknowledged client bytes the capture does not hold: the capture missed
		// them, the client did not fail to send them.
		j.verdict(result.VerdictIncomplete, "reason.hello-capture-gap", result.Int("have", p.Have), result.Int("want", p.Want))
		return
	}
	if !cs.FIN.Seen() && !hasRST {
		j.verdict(result.VerdictIncomplete, "reason.hello-incomplete-at-end", result.Int("have", p.Have), result.Int("want", p.Want),
			result.Sub("server", server))
		return
	}
	if cs.FIN.Seen() {
		j.evidence(cs.FIN, "ev.client-fin")
	}
	if hasRST {
		j.evidence(rst.Ref, "ev.rst", side("side", int(rst.From)))
	}
	j.verdict(result.VerdictClientHelloIncomplete, "reason.client-hello-incomplete", result.Int("have", p.Have), result.Int("want", p.Want),
		result.Sub("server", server))
}

// classifyNoSYNACK: the client's SYNs got no SYN-ACK.
func (j *judge) classifyNoSYNACK(end time.Time) {
	c := j.c
	first := c.SYNs[0]
	for _, r := range c.RSTs {
		if r.From == facts.Server {
			j.evidence(first, "ev.syn")
			j.evidence(r.Ref, "ev.rst-after-syn", j.span("after", first, r.Ref), result.Int("ttl", int(r.TTL)))
			key := "reason.refused"
			if j.d.Role == roleAgentListener {
				key = "reason.refused-agent-listener" // the server notifying an agent: the agent refused
			}
			j.verdict(result.VerdictRefused, key, endpoint("server", c.Server))
			return
		}
	}
	if len(c.ICMP()) > 0 {
		j.classifyICMP() // icmp.go
		return
	}
	last := c.SYNs[len(c.SYNs)-1]
	waited := end.Sub(last.Time())
	if c.SYNCount == 1 && waited < time.Second && c.Side[facts.Client].Packets == 1 {
		j.evidence(first, "ev.syn")
		j.verdict(result.VerdictIncomplete, "reason.syn-at-end", dur("after", waited))
		return
	}
	j.classifySYNTimeout(end) // synschedule.go
}

// classifyTLS: the client sent a ClientHello.
func (j *judge) classifyTLS(end time.Time) {
	c, x := j.c, j.tlsOf()
	chRef := x.HelloFirst // the frame with the hello's first byte, at its own time
	if x.Hello != nil {
		j.evidence(chRef, "ev.client-hello", helloArgs(j.cfg, x.Hello, x.SNI)...)
	} else {
		j.evidence(chRef, "ev.client-hello-unparsed", helloError("error", tls.HandshakeClientHello, x.R().HelloErr))
	}
	if x.R().HRR != nil {
		j.evidence(x.R().HRRRef, "ev.hello-retry-request", result.Text("group", x.R().HRR.SH.KeyShareGroup.String()))
	}
	if x.ServerHello != nil {
		j.evidence(x.SHRef, "ev.server-hello", serverHelloArgs(j.cfg, x.ServerHello)...)
	}
	if j.classifyBadServerHello() { // handshake.go
		return
	}
	if a, ok := x.FatalAlert(); ok {
		switch {
		case a.Level == tls.AlertLevelWarning:
			// A warning (unrecognized_name before the ServerHello, say) ends nothing: the
			// handshake goes on, and what follows decides.
			j.evidence(a.Ref, "ev.alert-warning", alertArgs(a, side("side", int(a.From)))...)
		case !j.alertAnswersServerClose(a):
			j.classifyAlert(a)
			return
		default:
			// The client's alert only reports the server's close (OpenSSL sends decode_error on
			// EOF in the handshake): the close is the cause; the alert is kept as evidence.
			j.evidence(a.Ref, "ev.alert-answers-close", alertArgs(a)...)
		}
	}
	if x.ServerHello != nil {
		j.classifyAfterServerHello(end)
		return
	}
	if nt := x.R().NotTLS[facts.Server]; nt.Seen() && !x.STARTTLS {
		what := prefix.Describe(nt.Prefix)
		if chRef.Seen() && nt.Ref.Frame < chRef.Frame {
			// The server spoke first (a banner, an SMTP or FTP greeting): the port runs a
			// service that greets its clients, and the client sent its ClientHello after it.
			j.evidence(nt.Ref, "ev.server-spoke-first", result.Sub("what", what))
			j.verdict(result.VerdictNotTLS, "reason.server-spoke-first", result.Sub("what", what), endpoint("server", c.Server))
			return
		}
		j.evidence(nt.Ref, "ev.server-answered", result.Sub("what", what))
		j.verdict(result.VerdictNotTLS, "reason.server-not-tls", result.Sub("what", what), endpoint("server", c.Server))
		return
	}
	if strings.ContainsRune(c.History, 'g') {
		// The client acknowledged server data the capture does not hold: the answer to the
		// ClientHello (a ServerHello, an alert, anything) may be among it.
		j.verdict(result.VerdictIncomplete, "reason.server-reply-missed")
		return
	}
	j.d.VersionSuspect = true
	if a, ok := x.EarlyCloseNotify(); ok && a.From == facts.Server {
		j.evidence(a.Ref, "ev.close-notify-no-server-hello")
		j.act(result.VerdictServerClosedAfterClientHello, facts.Server, result.Msg("act.close-notify-after-hello"))
		return
	}
	ss := &c.Side[facts.Server]
	if r, ok := c.FirstRST(); ok && r.From == facts.Server && !ss.FirstPayload.Seen() && !(ss.FIN.Seen() && ss.FIN.Frame < r.Frame) {
		after := j.span("after", x.HelloLast, r.Ref)
		j.evidence(r.Ref, "ev.rst-after-hello", after)
		j.act(result.VerdictServerResetAfterClientHello, facts.Server, result.Msg("act.reset-after-hello", after))
		return
	}
	if ss.FIN.Seen() && !ss.FirstPayload.Seen() {
		after := j.span("after", x.HelloLast, ss.FIN)
		j.evidence(ss.FIN, "ev.fin-after-hello", after)
		j.act(result.VerdictServerClosedAfterClientHello, facts.Server, result.Msg("act.closed-after-hello", after))
		return
	}
	cs := &c.Side[facts.Client]
	if r, ok := c.FirstRST(); ok && r.From == facts.Client {
		after := j.span("after", x.HelloLast, r.Ref)
		j.evidence(r.Ref, "ev.client-rst-gave-up", after)
		j.act(result.VerdictNoServerHello, facts.Server, result.Msg("act.no-answer-client-reset", after))
		return
	}
	if cs.FIN.Seen() {
		after := j.span("after", x.HelloLast, cs.FIN)
		j.evidence(cs.FIN, "ev.client-fin-gave-up", after)
		j.act(result.VerdictNoServerHello, facts.Server, result.Msg("act.no-answer-client-fin", after))
		return
	}
	j.d.VersionSuspect = false
	if x.Hello == nil {
		j.verdict(result.VerdictIncomplete, "reason.hello-unread-at-end")
		return
	}
	j.verdict(result.VerdictIncomplete, "reason.hello-at-end", j.span("after", x.HelloLast, c.End))
}

// act sets a verdict whose reason is "the SIDE ACT", keeping ACT for a reworded reason.
func (j *judge) act(v result.Verdict, who int, act result.Message) {
	j.act0(v, who, act)
}

func (j *judge) act0(v result.Verdict, who int, act result.Message) {
	j.d.act = act
	j.verdict(v, "reason.side-act", side("side", who), result.Sub("act", act))
}

// alertAnswersServerClose reports whether a is a client alert sent, before any ServerHello, after
// the server had already closed or reset the connection without sending a byte: the alert then
// is the client's report of that close, not its cause.
func (j *judge) alertAnswersServerClose(a facts.Alert) bool {
	c := j.c
	return a.From == facts.Client && a.BeforeServerHello && !c.Side[facts.Server].FirstPayload.Seen() && j.serverEndedBefore(a.Ref)
}

// classifyAlert: a plaintext alert ended the handshake.
func (j *judge) classifyAlert(a facts.Alert) {
	who := int(a.From)
	j.evidence(a.Ref, "ev.alert", alertArgs(a, side("side", who))...)
	when := result.Msg("phrase.before-server-hello")
	if !a.BeforeServerHello {
		when = result.Msg("phrase.after-server-hello")
	}
	d := a.Description
	switch {
	case d == tls.AlertProtocolVersion && j.classifyDowngradeAlert(a): // handshake.go
	case d == tls.AlertProtocolVersion:
		switch h := j.tlsOf().Hello; {
		case a.From != facts.Server || !a.BeforeServerHello || h == nil:
		case h.Highest.Rank() >= tls.VersionTLS13.Rank():
			// The client offers up to TLS 1.3, so the server allows no newer version: it allows
			// only versions below every one the client offers, and the fix is on the server.
			j.d.Variant = variantServerOlder
		case h.Highest == tls.VersionTLS12:
			// The client already has TLS 1.2: "enable TLS 1.2 on the client" does not apply;
			// the server allows only TLS 1.3 (or, for a client that lists its versions, only
			// versions below 1.2).
			j.d.Variant = variantClientTLS12
		}
		j.verdict(result.VerdictTLSVersionMismatch, "reason.alert-protocol-version", side("side", who), result.Sub("when", when), j.offered("offered"))
	case j.classifyServerAlertClientCert(a):
	case a.From == facts.Client && (d == tls.AlertInternalError || d == tls.AlertInsufficientSecurity || d == tls.AlertHandshakeFailure) &&
		j.downgradeSuspect(a.Ref):
		j.downgradeLikely(result.Msg("phrase.end-alert-named", result.Text("alert", d.String())), result.Msg("phrase.other-signature"))
	case d == tls.AlertHandshakeFailure || d == tls.AlertInsufficientSecurity:
		j.classifyHandshakeFailure(a, who, when)
	case tls.Alert{Level: a.Level, Description: d}.IsCertificateRejection() && a.From == facts.Client:
		j.verdict(result.VerdictTLSCertificateRejected, "reason.client-rejected-certificate", result.Text("alert", d.String()), j.certReason("certificate"))
	default:
		j.verdict(result.VerdictTLSAlert, "reason.alert-other", side("side", who), result.Text("alert", d.String()), result.Sub("when", when))
	}
}

// classifyAfterServerHello: the server chose a version and no plaintext alert followed.
func (j *judge) classifyAfterServerHello(end time.Time) {
	c, x := j.c, j.tlsOf()
	if j.classifyRecordError() { // handshake.go
		return
	}
	sh := x.ServerHello.SH
	v := result.Text("version", sh.ChosenVersion().String())
	est := tlsEstablished(c)
	rst, hasRST := c.FirstRST()
	if est {
		if hasRST && !c.FINBefore(rst.Time()) {
			j.evidence(rst.Ref, "ev.rst-after-handshake", side("side", int(rst.From)))
			j.verdict(result.VerdictReset, "reason.reset-after-handshake", side("side", int(rst.From)), v,
				result.Int("client_records", x.AppData[facts.Client]), result.Int("server_records", x.AppData[facts.Server]))
			return
		}
		j.verdict(result.VerdictOK, "reason.tls-ok", serverHelloArgs(j.cfg, x.ServerHello)...)
		return
	}
	// The handshake did not finish.
	cs := &c.Side[facts.Client]
	if cv := sh.ChosenVersion(); cv.Rank() >= tls.VersionTLS13.Rank() || isTLS13Draft(cv) {
		if e := x.FirstEncrypted[facts.Client]; e.Seen() && x.FirstEncryptedLen[facts.Client] <= encryptedAlertMaxLen && (cs.FIN.Seen() || hasRST) {
			j.classifyClientEncryptedAlert(e, v)
			return
		}
		switch short, end, how, answer := serverAnswerToFlight(c); answer {
		case answerRefusal:
			j.classifyRefusedFlight(short, end, how, v)
			return
		case answerUndecided:
			j.classifyLateAnswer(short, end, how, v)
			return
		}
	}
	if end, key, ok := j.clientEnd(x.SHRef); ok && j.downgradeSuspect(end) && !j.serverEndedBefore(end) {
		j.evidence(end, key)
		how := result.Msg("phrase.end-fin")
		if key == "ev.client-rst" {
			how = result.Msg("phrase.end-rst")
		}
		j.downgradeLikely(how, result.Msg("phrase.other-certificate"))
		return
	}
	// The first end decides: a reset, or the first FIN (a reset after a FIN answers a close).
	d, fin, finSeen := firstFIN(c)
	if hasRST && !(finSeen && fin.Frame < rst.Frame) {
		j.evidence(rst.Ref, "ev.rst-during-handshake", side("side", int(rst.From)))
		j.verdict(result.VerdictReset, "reason.reset-during-handshake", side("side", int(rst.From)), v, afterFlightHint(c, int(rst.From), rst.Ref))
		return
	}
	// The side whose FIN came first ended the handshake, without an alert.
	if finSeen {
		verdict := result.VerdictClosedDuringHandshake
		if hb, n, ok := earlyHeartbeat(c, d, fin); ok {
			// A heartbeat record in the middle of the handshake, then the client's FIN: a
			// Heartbleed probe, not a client failing to connect.
			verdict = result.VerdictHeartbleedProbe
			j.evidence(hb, "ev.heartbeat-in-handshake", side("side", d), result.Int("len", int(n)))
		}
		j.evidence(fin, "ev.fin-during-handshake", side("side", d))
		if hasRST {
			j.evidence(rst.Ref, "ev.rst-during-handshake", side("side", int(rst.From)))
		}
		j.verdict(verdict, "reason.closed-during-handshake", side("side", d), v, afterFlightHint(c, d, fin))
		return
	}
	j.verdict(result.VerdictIncomplete, "reason.handshake-at-end", v, j.span("after", x.SHRef, j.c.End))
}

// serverEndedBefore reports whether the server closed or reset the connection before packet r.
func (j *judge) serverEndedBefore(r facts.Ref) bool {
	c := j.c
	if fin := c.Side[facts.Server].FIN; fin.Seen() && fin.Frame < r.Frame {
		return true
	}
	for _, x := range c.RSTs {
		if x.From == facts.Server && x.Frame < r.Frame {
			return true
		}
	}
	return false
}

// tlsEstablished reports whether both sides finished the handshake, as far as packets show.
func tlsEstablished(c *facts.Conn) bool {
	x := c.TLS
	if x == nil || x.ServerHello == nil {
		return false
	}
	v := x.ServerHello.SH.ChosenVersion()
	if v == tls.VersionSSL20 {
		// SSL 2.0 has no ChangeCipherSpec: both sides going on to send data after the
		// ServerHello (client master key, then encrypted records) means it was established.
		return c.Side[facts.Client].LastPayload.Frame > x.SHRef.Frame && c.Side[facts.Server].LastPayload.Frame > x.SHRef.Frame
	}
	if v.Rank() >= tls.VersionTLS13.Rank() || isTLS13Draft(v) {
		// TLS 1.3: the client's Finished is an encrypted record larger than an alert; or the
		// client went on to send more records. Unless the server refused that flight: then
		// the packets do not show the handshake complete, whatever the client sent; nor when
		// they cannot tell a slow refusal of it from an idle close.
		if _, _, _, answer := serverAnswerToFlight(c); answer == answerRefusal || answer == answerUndecided {
			return false
		}
		return (x.FirstEncrypted[facts.Client].Seen() && x.FirstEncryptedLen[facts.Client] > encryptedAlertMaxLen) ||
			x.AppData[facts.Client] >= 2
	}
	return x.CCS[facts.Client].Seen() && x.CCS[facts.Server].Seen()
}

// serverAnswerToFlight reads the server's answer to the client's first encrypted record after the
// ServerHello (in TLS 1.3 the client's second flight: its Certificate if asked for one,
// CertificateVerify, Finished) when that answer was one record of the size of an encrypted alert
// and nothing else, and the server then ended the connection, before the client ended it. At
// once (within refusalWindow of the flight) it is a refusal of the flight. Later, a server that
// closes an idle session with a close_notify sends the same packets, and lateAnswer decides. It
// returns answerNone when the packets show no such answer, else the record, the server's end (FIN
// or RST) and the phrase for it.
func serverAnswerToFlight(c *facts.Conn) (short, end facts.Ref, how string, answer flightAnswer) {
	x := c.TLS
	if x == nil || x.ServerAfterFlight != 1 || !x.R().ShortAnswer.Seen() {
		return short, end, "", answerNone
	}
	short = x.R().ShortAnswer
	if fin := c.Side[facts.Client].FIN; fin.Seen() && fin.Frame < short.Frame {
		return short, end, "", answerNone // the record answers the client's close (its close_notify)
	}
	for _, r := range c.RSTs {
		switch {
		case r.From == facts.Client && r.Frame < short.Frame:
			return short, end, "", answerNone
		case r.From == facts.Server && r.Frame > short.Frame && (!end.Seen() || r.Frame < end.Frame):
			end, how = r.Ref, "phrase.end-rst"
		}
	}
	if fin := c.Side[facts.Server].FIN; fin.Seen() && fin.Frame > short.Frame && (!end.Seen() || fin.Frame < end.Frame) {
		end, how = fin, "phrase.end-fin"
	}
	if !end.Seen() {
		// Without the server's end, it kept the connection open: the record may be anything.
		return short, end, "", answerNone
	}
	turnaround, known := helloTurnaround(x)
	if short.Time().Sub(x.FirstEncrypted[facts.Client].Time()) <= refusalWindow(turnaround, known) {
		return short, end, how, answerRefusal
	}
	return short, end, how, lateAnswer(x)
}

// classifyRefusedFlight: the server refused the client's encrypted second flight (TLS 1.3) with
// an alert-sized encrypted record and ended the connection (serverAnswerToFlight). The packets
// cannot show which alert, nor whether the server had asked for a client certificate: the reason
// names what they show and the candidates.
func (j *judge) classifyRefusedFlight(short, end facts.Ref, how string, version result.Arg) {
	x := j.tlsOf()
	j.evidence(x.FirstEncrypted[facts.Client], "ev.client-second-flight", result.Int("len", x.FirstEncryptedLen[facts.Client]))
	j.evidence(short, "ev.server-short-record", result.Int("len", int(x.R().ShortAnswerLen)))
	key := "ev.side-fin-end"
	if how == "phrase.end-rst" {
		key = "ev.side-rst-end"
	}
	j.evidence(end, key, side("side", facts.Server))
	j.d.Variant = variantAfterClientFlight
	j.verdict(result.VerdictTLSHandshakeFailure, "reason.server-refused-client-flight", version,
		result.Int("len", int(x.R().ShortAnswerLen)), result.Sub("how", result.Msg(how)))
}

// classifyLateAnswer: the server answered the client's encrypted second flight (TLS 1.3), which
// held a certificate, with one alert-sized encrypted record and ended the connection, later than
// a refusal comes (serverAnswerToFlight, answerUndecided). A server that refused the client's certificate after a slow check sends these
// packets, and so does one that accepted it and closed the idle session: the verdict stays
// tls-handshake-failure, variant after-client-flight-late, and the reason names both, with the
// timing.
func (j *judge) classifyLateAnswer(short, end facts.Ref, how string, version result.Arg) {
	x := j.tlsOf()
	flight := x.FirstEncrypted[facts.Client]
	j.evidence(flight, "ev.client-second-flight-cert", result.Int("len", x.FirstEncryptedLen[facts.Client]))
	j.evidence(short, "ev.server-short-record-late", result.Int("len", int(x.R().ShortAnswerLen)), j.span("after", flight, short))
	reply := result.Msg("phrase.client-sent-nothing-back")
	if r := x.R(); r.ClientReply.Seen() && r.ClientReplyLen <= encryptedAlertMaxLen {
		j.evidence(r.ClientReply, "ev.client-short-reply", result.Int("len", int(r.ClientReplyLen)))
		reply = result.Msg("phrase.client-replied-short", result.Int("len", int(r.ClientReplyLen)))
	}
	key := "ev.side-fin-end"
	if how == "phrase.end-rst" {
		key = "ev.side-rst-end"
	}
	j.evidence(end, key, side("side", facts.Server))
	turnaround, known := helloTurnaround(x)
	window := result.Msg("phrase.refusal-window-unknown", dur("window", refusalWindow(turnaround, known)))
	if known {
		window = result.Msg("phrase.refusal-window", dur("window", refusalWindow(turnaround, known)), dur("turnaround", turnaround))
	}
	j.d.Variant = variantAfterClientFlightLate
	j.verdict(result.VerdictTLSHandshakeFailure, "reason.server-late-record-after-client-flight", version,
		result.Int("flight_len", x.FirstEncryptedLen[facts.Client]), result.Int("len", int(x.R().ShortAnswerLen)),
		result.Sub("how", result.Msg(how)), j.span("after", flight, short), result.Sub("window", window), result.Sub("reply", reply))
}

// classifyClientEncryptedAlert: in TLS 1.3 the client answered the server's flight with one
// encrypted record of the size of an alert (record e) and ended the connection, or it was reset.
// The alert is encrypted: the packets show its size and place, not which alert it is. A client
// that rejects the server's certificate sends these packets, and is the most likely; any other
// fatal alert from the client at that point (a failed CertificateVerify or Finished check, a
// parameter it does not support) sends the same. The reason names what the packets show and
// the candidates; the verdict stays tls-certificate-rejected, variant encrypted-alert.
func (j *judge) classifyClientEncryptedAlert(e facts.Ref, version result.Arg) {
	c, x := j.c, j.tlsOf()
	n := result.Int("len", x.FirstEncryptedLen[facts.Client])
	j.evidence(e, "ev.encrypted-alert-size", n)
	// The connection's first end after the record: the client's FIN, or a reset from either side.
	end, from, key, how := c.Side[facts.Client].FIN, int(facts.Client), "ev.side-fin-end", "phrase.end-by-fin"
	for _, r := range c.RSTs {
		if !end.Seen() || r.Frame < end.Frame {
			end, from, key, how = r.Ref, int(r.From), "ev.side-rst-end", "phrase.end-by-rst"
		}
	}
	j.evidence(end, key, side("side", from))
	j.d.Variant = variantEncryptedAlert
	j.verdict(result.VerdictTLSCertificateRejected, "reason.tls13-certificate-rejected", version, n,
		result.Sub("end", result.Msg(how, side("side", from))))
}

// Established reports whether the connection's TLS handshake completed, as far as packets show.
func Established(c *facts.Conn) bool { return tlsEstablished(c) }

// classifyPlain: no TLS from the client.
func (j *judge) classifyPlain(end time.Time) {
	c, x := j.c, j.tlsOf()
	cs, ss := &c.Side[facts.Client], &c.Side[facts.Server]
	if nt := x.R().NotTLS[facts.Client]; nt.Seen() {
		what := prefix.Describe(nt.Prefix)
		j.evidence(nt.Ref, "ev.client-sent", result.Sub("what", what))
		tlsPort := j.cfg.TLSPort != nil && j.cfg.TLSPort(c.Server.Port())
		if tlsPort && j.d.Role == roleAgentListener && httpAnswered(c) {
			// The agent's listener answered the server's plain HTTP request in HTTP: the server
			// notifies this agent over HTTP (as Apex One does, by version and settings, on the
			// listener port it gives the agent), and the exchange worked. No failure: the
			// connection is judged as plain HTTP (classifyHTTP says so in its reason).
			tlsPort = false
		}
		if tlsPort || serverSpokeTLS(x) {
			if tlsPort {
				j.verdict(result.VerdictNotTLS, "reason.client-not-tls", result.Sub("what", what), endpoint("server", c.Server))
			} else {
				j.verdict(result.VerdictNotTLS, "reason.client-not-tls-server-expected", result.Sub("what", what), endpoint("server", c.Server))
			}
			for _, a := range x.Alerts {
				if a.From == facts.Server && !a.Encrypted {
					j.evidence(a.Ref, "ev.alert-expected-tls", alertArgs(a)...)
				}
			}
			return
		}
	}
	if x.R().Cut[facts.Server].Seen() {
		j.classifyStartCut(facts.Server) // what the server sent could have been TLS
		return
	}
	rst, hasRST := c.FirstRST()
	if hasRST && !c.FINBefore(rst.Time()) {
		j.evidence(rst.Ref, "ev.rst", side("side", int(rst.From)))
		stage := result.Msg("phrase.before-data")
		if cs.Bytes > 0 || ss.Bytes > 0 { // before the reset, or after it
			stage = param.AfterBytes(c, rst)
		}
		j.verdict(result.VerdictReset, "reason.reset", side("side", int(rst.From)), result.Sub("stage", stage))
		return
	}
	switch {
	case cs.Bytes == 0 && (cs.FIN.Seen() && (ss.FIN.Seen() || hasRST) || hasRST && rst.From == facts.Client):
		end := cs.FIN
		if !end.Seen() {
			end = rst.Ref
		}
		j.evidence(end, "ev.client-closed-no-data")
		for _, a := range x.Alerts {
			if !a.Encrypted {
				j.evidence(a.Ref, "ev.alert", alertArgs(a, side("side", int(a.From)))...)
			}
		}
		j.verdict(result.VerdictOK, "reason.port-check-client")
	case cs.FIN.Seen() && ss.FIN.Seen() || hasRST:
		switch fin, _, finSeen := firstFIN(c); {
		case cs.Bytes == 0 && ss.Bytes == 0:
			j.verdict(result.VerdictOK, "reason.port-check")
		case hasRST && finSeen: // a reset after a FIN: not closed normally
			j.evidence(rst.Ref, "ev.rst", side("side", int(rst.From)))
			j.verdict(result.VerdictOK, "reason.plain-ok-reset", result.Int64("client_bytes", cs.Bytes), result.Int64("server_bytes", ss.Bytes),
				param.MissedData(c), side("fin_side", fin), side("side", int(rst.From)))
		default:
			j.verdict(result.VerdictOK, "reason.plain-ok", result.Int64("client_bytes", cs.Bytes), result.Int64("server_bytes", ss.Bytes), param.MissedData(c))
		}
	case cs.FIN.Seen() || ss.FIN.Seen():
		who := facts.Server
		if cs.FIN.Seen() {
			who = facts.Client
		}
		j.verdict(result.VerdictIncomplete, "reason.half-closed-at-end", side("side", who))
	default:
		j.verdict(result.VerdictIncomplete, "reason.open-at-end", result.Int64("client_bytes", cs.Bytes), result.Int64("server_bytes", ss.Bytes), param.MissedData(c))
	}
}

// httpAnswered reports whether the connection carried a plain HTTP request and its response.
func httpAnswered(c *facts.Conn) bool {
	h := c.HTTP()
	return h != nil && h.Request.Seen() && h.Response.Seen()
}

// serverSpokeTLS reports whether the server answered in TLS records (an alert): it expected TLS
// on this connection, whatever its port.
func serverSpokeTLS(x *facts.TLS) bool {
	for _, a := range x.Alerts {
		if a.From == facts.Server && !a.Encrypted {
			return true
		}
	}
	return false
}

func (j *judge) addRSTEvidence() {
	for _, r := range j.c.RSTs {
		j.evidence(r.Ref, "ev.rst", side("side", int(r.From)))
	}
}

// offered is the versions the client offers, as a parameter.
func (j *judge) offered(name string) result.Arg {
	x := j.tlsOf()
	if x.Hello == nil {
		return result.Sub(name, result.Msg("phrase.unknown-versions"))
	}
	return offeredArg(name, x.Hello)
}

// suitesOffered says how many cipher suites the client offers, and names them when they are few
// enough to read in one line.
func (j *judge) suitesOffered(name string) result.Arg {
	x := j.tlsOf()
	if x.Hello == nil {
		return result.Sub(name, result.Msg("phrase.unknown-suites"))
	}
	cs := x.Hello.CH.CipherSuites
	if len(cs) > 4 {
		return result.Sub(name, result.Msg("phrase.n-suites", result.Int("n", len(cs))))
	}
	names := make([]string, len(cs))
	for i, s := range cs {
		names[i] = s.String()
	}
	return result.Sub(name, result.Msg("phrase.suites-list", result.Int("n", len(cs)), param.Texts("names", names)))
}

// chosenCipher names the cipher a ServerHello chose. An SSLv2 SERVER-HELLO lists the cipher specs
// the server accepts (the client picks one in CLIENT-MASTER-KEY), so there is no single suite.
func chosenCipher(name string, sh *tls.ServerHello) result.Arg {
	if sh.SSLv2 {
		return result.Sub(name, result.Msg("phrase.sslv2-cipher-specs", result.Int("n", sh.SSLv2CipherSpecs)))
	}
	return result.Text(name, sh.CipherSuite.String())
}

// helloArgs are the parameters of a ClientHello's evidence line: the versions it offers, the
// legacy version field when it offers from that, and the name it asks for (sni). They are made
// once per hello and name in an analysis (memo) and shared: read only.
func helloArgs(cfg *Config, h *facts.Hello, sni string) []result.Arg {
	type key struct {
		h   *facts.Hello
		sni string
	}
	return memo(cfg, key{h, sni}, func() []result.Arg { return []result.Arg{offeredArg("offered", h), legacyNote(h), sniNote(sni)} })
}

// serverHelloArgs are the version and cipher a ServerHello chose, as the parameters "version"
// and "cipher" of its evidence line and of an ok connection's reason. They are made once per
// ServerHello in an analysis (memo) and shared: read only.
func serverHelloArgs(cfg *Config, sh *facts.ServerHello) []result.Arg {
	return memo(cfg, sh, func() []result.Arg {
		return []result.Arg{result.Text("version", sh.SH.ChosenVersion().String()), chosenCipher("cipher", sh.SH)}
	})
}

// ChosenCipher names the cipher a ServerHello chose, as a message parameter.
func ChosenCipher(name string, sh *tls.ServerHello) result.Arg { return chosenCipher(name, sh) }

func isTLS13Draft(v tls.Version) bool { return v>>8 == 0x7f }

func legacyNote(h *facts.Hello) result.Arg {
	if h.CH.VersionsFromExtension() {
		return result.Sub("legacy", result.Message{})
	}
	return result.Sub("legacy", result.Msg("phrase.legacy-version", result.Text("version", h.CH.LegacyVersion.String())))
}

func sniNote(sni string) result.Arg {
	if sni == "" {
		return result.Sub("sni", result.Message{})
	}
	return result.Sub("sni", result.Msg("phrase.sni", result.Quoted(result.HostName("sni", sni))))
}

// offeredText names the versions a ClientHello offers: "TLS 1.0, TLS 1.1, TLS 1.2".
func offeredText(h *facts.Hello) string {
	if len(h.Offered) == 0 {
		return "no version"
	}
	names := make([]string, len(h.Offered))
	for i, v := range h.Offered {
		names[i] = v.String()
	}
	return joinComma(names)
}

// offeredArg names the versions a ClientHello offers, as a parameter: a message in the report's
// language when it offers none.
func offeredArg(name string, h *facts.Hello) result.Arg {
	if len(h.Offered) == 0 {
		return result.Sub(name, result.Msg("phrase.no-version"))
	}
	names := make([]string, len(h.Offered))
	for i, v := range h.Offered {
		names[i] = v.String()
	}
	return param.Texts(name, names)
}

// OfferedText names the versions a ClientHello offers: "TLS 1.0, TLS 1.1, TLS 1.2".
func OfferedText(h *facts.Hello) string { return offeredText(h) }

// alertArgs are the parameters of an alert's evidence line: level, description, code.
func alertArgs(a facts.Alert, more ...result.Arg) []result.Arg {
	return append([]result.Arg{result.Text("level", a.Level.String()), result.Text("alert", a.Description.String()),
		result.Int("code", int(a.Description))}, more...)
}

// side is a parameter naming a side: "client" or "server", in the report's language.
func side(name string, d int) result.Arg {
	return result.Sub(name, result.Msg("word."+facts.SideName[d]))
}

func endpoint(name string, ap netip.AddrPort) result.Arg { return result.Endpoint(name, ap.String()) }

func addr(name string, a netip.Addr) result.Arg { return result.Addr(name, a.String()) }

func dur(name string, d time.Duration) result.Arg { return param.Dur(name, d) }
