package analyze

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// diagnosis is a flow's verdict with its reason and evidence.
type diagnosis struct {
	verdict  result.Verdict
	reason   string
	evidence []result.Evidence
	flags    []string
	// versionSuspect: the server refused the ClientHello without naming the cause (reset, close,
	// silence, handshake_failure): the cross-flow pass may show it was the version.
	versionSuspect bool
	// plainText: the client sent something other than TLS on a port not known as a TLS port; the
	// cross-flow pass makes it not-tls if other flows show TLS on that server port.
	plainText bool
	// ClientHello's summary for inference.
	highest tls.Version
}

// encryptedAlertMaxLen: an encrypted alert record is 2 bytes of alert, 1 of content type and a
// 16-byte AEAD tag (some stacks pad it a little); a TLS 1.3 Finished is at least 32+4+1+16.
const encryptedAlertMaxLen = 24

func (f *flow) addEvidence(r ref, format string, args ...any) {
	if !r.seen() {
		return
	}
	if f.diag.evidence == nil {
		f.diag.evidence = make([]result.Evidence, 0, 4) // a failed flow's few packets of evidence
	}
	f.addEvidenceText(r, fmt.Sprintf(format, args...))
}

// addEvidenceText is addEvidence with the text already worded: the hot callers build it by
// concatenation, which costs one allocation where fmt costs one per argument and one for the text.
func (f *flow) addEvidenceText(r ref, text string) {
	if !r.seen() {
		return
	}
	if f.diag.evidence == nil {
		f.diag.evidence = make([]result.Evidence, 0, 4) // a failed flow's few packets of evidence
	}
	f.diag.evidence = append(f.diag.evidence, result.Evidence{Frame: r.num(), Time: r.time(), Text: text})
}

func (f *flow) verdict(v result.Verdict, format string, args ...any) {
	f.diag.verdict = v
	f.diag.reason = fmt.Sprintf(format, args...)
}

// verdictText is verdict with the reason already worded (see addEvidenceText).
func (f *flow) verdictText(v result.Verdict, reason string) {
	f.diag.verdict = v
	f.diag.reason = reason
}

// finalize computes the flow's Zeek state and its first-pass verdict. end is the capture time at
// which the flow is finished (the last packet's time, or the sweep's time).
func (f *flow) finalize(a *Analyzer) {
	end := a.now
	f.zeek.finish()
	c := &f.side[fromClient]
	if c.tls != nil {
		if typ, have, want, ok := c.tls.Partial(); ok && typ == tls.HandshakeClientHello && f.tls.ch == nil {
			if c.stream.gap {
				f.clientHelloCut = true
				f.diag.flags = append(f.diag.flags, "client-hello-cut")
			}
			f.diag.flags = append(f.diag.flags, fmt.Sprintf("client-hello-partial:%d/%d", have, want))
		}
	}
	if f.snaplenCut > 0 {
		f.diag.flags = append(f.diag.flags, "snaplen-cut")
	}
	if f.tls.ch != nil {
		f.diag.highest = f.tls.fp.highest
	}
	f.classify(end)
	f.classifyHTTP(a.opts.Profile.CheckURL)
	// Evidence reads in capture order.
	slices.SortStableFunc(f.diag.evidence, func(x, y result.Evidence) int { return cmp.Compare(x.Frame, y.Frame) })
}

func (f *flow) classify(end time.Time) {
	if f.classifyPath(end) { // pathverdict.go: blackholes, forged resets, lost SYN-ACKs
		return
	}
	x := &f.tls
	switch {
	case f.synCount > 0 && !f.synAck.seen():
		f.classifyNoSYNACK(end)
	case f.synCount == 0 && !f.synAck.seen() && x.ch == nil:
		f.addEvidenceText(mkRef(f.firstFrame, f.first), "first packet of the connection: no SYN or SYN-ACK was captured")
		f.verdictText(result.VerdictIncomplete, "the capture started after this connection was set up (no SYN seen), so how it began cannot be told")
		f.addRSTEvidence()
	case x.ch != nil || x.chErr != "":
		f.classifyTLS(end)
	case f.clientHelloCut:
		f.classifyCutClientHello()
	default:
		f.classifyPlain(end)
	}
}

// classifyCutClientHello: the capture's snaplen cut the ClientHello, so what TLS did is unknown;
// the TCP outcome is reported, but the verdict cannot be more than incomplete.
func (f *flow) classifyCutClientHello() {
	c, s := &f.side[fromClient], &f.side[fromServer]
	f.addEvidenceText(c.firstPayload, "the client's first data, cut by the capture's snaplen: the ClientHello cannot be read")
	tcp := "the connection was still open when the capture ended"
	switch rst, hasRST := f.firstRST(); {
	case hasRST:
		f.addEvidence(rst.ref, "RST from the %s", sideName[rst.from])
		tcp = fmt.Sprintf("the %s reset the connection", sideName[rst.from])
	case c.fin.seen() && s.fin.seen():
		tcp = "the connection was closed normally"
	}
	f.verdict(result.VerdictIncomplete, "the capture's snaplen cut the ClientHello, so the TLS versions and the outcome of the handshake cannot be read (%d bytes from the client, %d from the server; %s): capture again with tcpdump -s 0",
		c.bytes, s.bytes, tcp)
}

// classifyNoSYNACK: the client's SYNs got no SYN-ACK.
func (f *flow) classifyNoSYNACK(end time.Time) {
	first := f.syns[0]
	for _, r := range f.rsts {
		if r.from == fromServer {
			f.addEvidenceText(first, "SYN from the client")
			f.addEvidence(r.ref, "RST from the server %s after the SYN (TTL %d)", since(first.time(), r.time()), r.ttl)
			f.verdictText(result.VerdictRefused, "the server answered the SYN with a reset: nothing listens on "+f.shared.serverText(f.server))
			return
		}
	}
	if len(f.icmp) > 0 {
		f.classifyICMP() // icmpverdict.go
		return
	}
	last := f.syns[len(f.syns)-1]
	waited := end.Sub(last.time())
	if f.synCount == 1 && waited < time.Second && f.side[fromClient].packets == 1 {
		f.addEvidenceText(first, "SYN from the client")
		f.verdict(result.VerdictIncomplete, "the capture ended %s after the SYN, before an answer could be expected", fmtDur(waited))
		return
	}
	f.classifySYNTimeout(end) // synschedule.go
}

// classifyTLS: the client sent a ClientHello.
func (f *flow) classifyTLS(end time.Time) {
	x := &f.tls
	chRef := mkRef(x.chFrame, x.chLast.time())
	if x.ch != nil {
		if chRef.seen() {
			f.addEvidenceText(chRef, "ClientHello offering "+x.fp.offeredText+legacyNote(x.ch)+sniNote(x.ch))
		}
	} else {
		f.addEvidence(chRef, "ClientHello that could not be parsed: %s", x.chErr)
	}
	if x.hrr != nil {
		f.addEvidence(x.hrrRef, "HelloRetryRequest: the server asks for a %s key share", x.hrr.KeyShareGroup)
	}
	if x.sh != nil {
		if x.shRef.seen() {
			f.addEvidenceText(x.shRef, "ServerHello choosing "+x.sh.ChosenVersion().String()+", "+chosenCipher(x.sh))
		}
	}
	if a, ok := x.fatalAlert(); ok {
		if !f.alertAnswersServerClose(a) {
			f.classifyAlert(a)
			return
		}
		// The client's alert only reports the server's close (OpenSSL sends decode_error on
		// EOF in the handshake): the close is the cause; the alert is kept as evidence.
		f.addEvidence(a.ref, "%s alert %s (%d) from the client, its answer to the server's close", a.alert.Level, a.alert.Description, a.alert.Description)
	}
	if x.sh != nil {
		f.classifyAfterServerHello(end)
		return
	}
	if nt := x.notTLS[fromServer]; nt.seen() && !x.starttls {
		f.addEvidence(nt.ref, "the server answered with %s", describePrefix(nt.prefix))
		f.verdict(result.VerdictNotTLS, "the server answered the ClientHello with %s, not TLS: %s serves plain text", describePrefix(nt.prefix), f.shared.serverText(f.server))
		return
	}
	f.diag.versionSuspect = true
	if a, ok := x.earlyCloseNotify(); ok && a.from == fromServer {
		f.addEvidenceText(a.ref, "close_notify from the server, no ServerHello")
		f.verdictText(result.VerdictServerClosedAfterClientHello, "the server closed the connection (close_notify) right after the ClientHello, without a ServerHello or an error alert")
		return
	}
	s := &f.side[fromServer]
	if r, ok := f.firstRST(); ok && r.from == fromServer && !s.firstPayload.seen() && !(s.fin.seen() && s.fin.frame < r.frame) {
		f.addEvidence(r.ref, "RST from the server %s after the ClientHello, with no ServerHello or alert before it", since(x.chLast.time(), r.time()))
		f.verdict(result.VerdictServerResetAfterClientHello, "the server reset the connection %s after the ClientHello, without a ServerHello or an alert", since(x.chLast.time(), r.time()))
		return
	}
	if s.fin.seen() && !s.firstPayload.seen() {
		f.addEvidence(s.fin, "FIN from the server %s after the ClientHello, with no ServerHello or alert before it", since(x.chLast.time(), s.fin.time()))
		f.verdict(result.VerdictServerClosedAfterClientHello, "the server closed the connection %s after the ClientHello, without a ServerHello or an alert", since(x.chLast.time(), s.fin.time()))
		return
	}
	c := &f.side[fromClient]
	if r, ok := f.firstRST(); ok && r.from == fromClient {
		f.addEvidence(r.ref, "RST from the client %s after the ClientHello: it gave up waiting", since(x.chLast.time(), r.time()))
		f.verdict(result.VerdictNoServerHello, "the server did not answer the ClientHello; the client reset the connection %s later", since(x.chLast.time(), r.time()))
		return
	}
	if c.fin.seen() {
		f.addEvidence(c.fin, "FIN from the client %s after the ClientHello: it gave up waiting", since(x.chLast.time(), c.fin.time()))
		f.verdict(result.VerdictNoServerHello, "the server did not answer the ClientHello; the client closed the connection %s later", since(x.chLast.time(), c.fin.time()))
		return
	}
	f.diag.versionSuspect = false
	if x.ch == nil {
		f.verdictText(result.VerdictIncomplete, "the ClientHello could not be read and the capture ends before the server answered")
		return
	}
	f.verdict(result.VerdictIncomplete, "the capture ended %s after the ClientHello, before the server answered", fmtDur(end.Sub(x.chLast.time())))
}

// alertAnswersServerClose reports whether a is a client alert sent, before any ServerHello, after
// the server had already closed or reset the connection without sending a byte: the alert then
// is the client's report of that close, not its cause.
func (f *flow) alertAnswersServerClose(a alertFact) bool {
	if a.from != fromClient || !a.beforeServerHello || f.side[fromServer].firstPayload.seen() {
		return false
	}
	if fin := f.side[fromServer].fin; fin.seen() && fin.frame < a.frame {
		return true
	}
	for _, r := range f.rsts {
		if r.from == fromServer && r.frame < a.frame {
			return true
		}
	}
	return false
}

// classifyAlert: a plaintext alert ended the handshake.
func (f *flow) classifyAlert(a alertFact) {
	who := sideName[a.from]
	if a.ref.seen() {
		f.addEvidenceText(a.ref, a.alert.Level.String()+" alert "+a.alert.Description.String()+" ("+strconv.Itoa(int(a.alert.Description))+") from the "+who)
	}
	when := "before any ServerHello"
	if !a.beforeServerHello {
		when = "after the ServerHello"
	}
	d := a.alert.Description
	switch {
	case d == tls.AlertProtocolVersion:
		f.verdictText(result.VerdictTLSVersionMismatch, "the "+who+" sent protocol_version "+when+": no TLS version in common (the client offers "+f.offered()+")")
	case d == tls.AlertHandshakeFailure || d == tls.AlertInsufficientSecurity:
		f.diag.versionSuspect = a.beforeServerHello
		f.verdict(result.VerdictTLSHandshakeFailure, "the %s sent %s %s: most likely no cipher suite in common (the client offers %s)", who, d, when, f.suitesOffered())
	case a.alert.IsCertificateRejection():
		if a.from == fromClient {
			f.verdict(result.VerdictTLSCertificateRejected, "the client rejected the server's certificate: alert %s%s", d, f.certReason())
		} else {
			f.verdict(result.VerdictTLSCertificateRejected, "the server rejected the client's certificate: alert %s", d)
		}
	default:
		f.verdict(result.VerdictTLSAlert, "the %s ended the handshake with alert %s %s", who, d, when)
	}
}

// classifyAfterServerHello: the server chose a version and no plaintext alert followed.
func (f *flow) classifyAfterServerHello(end time.Time) {
	x := &f.tls
	v := x.sh.ChosenVersion()
	est := f.tlsEstablished()
	rst, hasRST := f.firstRST()
	if est {
		if hasRST && !f.finBefore(rst.time()) {
			f.addEvidence(rst.ref, "RST from the %s after the handshake, before any FIN", sideName[rst.from])
			f.verdict(result.VerdictReset, "the %s reset the connection after the TLS handshake (%s), while exchanging data (%d records from the client, %d from the server)",
				sideName[rst.from], v, x.appData[fromClient], x.appData[fromServer])
			return
		}
		f.verdict(result.VerdictOK, "%s with %s", v, chosenCipher(x.sh))
		return
	}
	// The handshake did not finish.
	c := &f.side[fromClient]
	if v.Rank() >= tls.VersionTLS13.Rank() || isTLS13Draft(v) {
		if e := x.firstEncrypted[fromClient]; e.seen() && x.firstEncryptedLen[fromClient] <= encryptedAlertMaxLen && (c.fin.seen() || hasRST) {
			f.addEvidence(e, "a %d-byte encrypted record from the client (the size of an alert, not of a Finished), then the client closed", x.firstEncryptedLen[fromClient])
			f.verdict(result.VerdictTLSCertificateRejected, "the client sent an encrypted alert right after the server's %s flight and closed: most likely it rejected the server's certificate (TLS 1.3 hides the alert; inferred from its size)", v)
			return
		}
	}
	if hasRST {
		f.addEvidence(rst.ref, "RST from the %s during the handshake", sideName[rst.from])
		f.verdict(result.VerdictReset, "the %s reset the connection during the TLS handshake, after the ServerHello (%s)%s", sideName[rst.from], v, afterFlightHint(rst.from, x))
		return
	}
	for d := range f.side {
		if fin := f.side[d].fin; fin.seen() {
			f.addEvidence(fin, "FIN from the %s during the handshake", sideName[d])
			f.verdict(result.VerdictReset, "the %s closed the connection during the TLS handshake, after the ServerHello (%s)%s", sideName[d], v, afterFlightHint(d, x))
			return
		}
	}
	f.verdict(result.VerdictIncomplete, "the capture ended during the TLS handshake (%s chosen), %s after the ServerHello", v, fmtDur(end.Sub(x.shRef.time())))
}

// tlsEstablished reports whether both sides finished the handshake, as far as packets show.
func (f *flow) tlsEstablished() bool {
	x := &f.tls
	v := x.sh.ChosenVersion()
	if v == tls.VersionSSL20 {
		// SSL 2.0 has no ChangeCipherSpec: both sides going on to send data after the
		// ServerHello (client master key, then encrypted records) means it was established.
		c, s := &f.side[fromClient], &f.side[fromServer]
		return c.lastPayload.frame > x.shRef.frame && s.lastPayload.frame > x.shRef.frame
	}
	if v.Rank() >= tls.VersionTLS13.Rank() || isTLS13Draft(v) {
		// TLS 1.3: the client's Finished is an encrypted record larger than an alert; or the
		// client went on to send more records.
		return (x.firstEncrypted[fromClient].seen() && x.firstEncryptedLen[fromClient] > encryptedAlertMaxLen) ||
			x.appData[fromClient] >= 2
	}
	return x.ccs[fromClient].seen() && x.ccs[fromServer].seen()
}

// classifyPlain: no TLS from the client.
func (f *flow) classifyPlain(end time.Time) {
	x := &f.tls
	c, s := &f.side[fromClient], &f.side[fromServer]
	if nt := x.notTLS[fromClient]; nt.seen() {
		f.addEvidence(nt.ref, "the client sent %s", describePrefix(nt.prefix))
		if f.tlsPort {
			f.verdict(result.VerdictNotTLS, "the client sent %s to %s, a TLS port: it is not speaking TLS", describePrefix(nt.prefix), f.shared.serverText(f.server))
			for _, a := range x.alerts {
				if a.from == fromServer && !a.encrypted {
					f.addEvidence(a.ref, "%s alert %s (%d) from the server: it expected a TLS record", a.alert.Level, a.alert.Description, a.alert.Description)
				}
			}
			return
		}
		f.diag.plainText = true
	}
	rst, hasRST := f.firstRST()
	if hasRST && !f.finBefore(rst.time()) {
		f.addEvidence(rst.ref, "RST from the %s", sideName[rst.from])
		stage := "right after the TCP handshake, before any data"
		if c.bytes > 0 || s.bytes > 0 {
			stage = fmt.Sprintf("after %d bytes from the client and %d from the server", c.bytes, s.bytes)
		}
		f.verdict(result.VerdictReset, "the %s reset the connection %s", sideName[rst.from], stage)
		return
	}
	switch {
	case c.bytes == 0 && (c.fin.seen() && (s.fin.seen() || hasRST) || hasRST && rst.from == fromClient):
		end := c.fin
		if !end.seen() {
			end = rst.ref
		}
		f.addEvidenceText(end, "the client closed the connection without sending any data")
		for _, a := range x.alerts {
			if !a.encrypted {
				f.addEvidence(a.ref, "%s alert %s (%d) from the %s", a.alert.Level, a.alert.Description, a.alert.Description, sideName[a.from])
			}
		}
		f.verdictText(result.VerdictOK, "the client opened the TCP connection and closed it without sending any data (a port check, or a client that gave up before starting TLS)")
	case c.fin.seen() && s.fin.seen() || hasRST:
		if c.bytes == 0 && s.bytes == 0 {
			f.verdictText(result.VerdictOK, "TCP connection opened and closed without data (a port check?)")
		} else {
			f.verdict(result.VerdictOK, "plain TCP: %d bytes from the client, %d from the server, closed normally", c.bytes, s.bytes)
		}
	case c.fin.seen() || s.fin.seen():
		f.verdict(result.VerdictIncomplete, "only the %s closed the connection before the capture ended", map[bool]string{true: "client", false: "server"}[c.fin.seen()])
	default:
		f.verdict(result.VerdictIncomplete, "the connection was still open when the capture ended (%d bytes from the client, %d from the server)", c.bytes, s.bytes)
	}
}

func (f *flow) firstRST() (rstRef, bool) {
	if len(f.rsts) == 0 {
		return rstRef{}, false
	}
	return f.rsts[0], true
}

// finBefore reports whether either side sent a FIN before t.
func (f *flow) finBefore(t time.Time) bool {
	for d := range f.side {
		if fin := f.side[d].fin; fin.seen() && !fin.time().After(t) {
			return true
		}
	}
	return false
}

func (f *flow) addRSTEvidence() {
	for _, r := range f.rsts {
		f.addEvidence(r.ref, "RST from the %s", sideName[r.from])
	}
}

func (f *flow) offered() string {
	if f.tls.ch == nil {
		return "unknown versions"
	}
	return f.tls.fp.offeredText
}

// suitesOffered says how many cipher suites the client offers, and names them when they are few
// enough to read in one line.
func (f *flow) suitesOffered() string {
	if f.tls.ch == nil {
		return "an unknown set of suites"
	}
	cs := f.tls.ch.CipherSuites
	if len(cs) > 4 {
		return fmt.Sprintf("%d suites", len(cs))
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.String()
	}
	return fmt.Sprintf("%d suite(s): %s", len(cs), strings.Join(names, ", "))
}

func afterFlightHint(d int, x *tlsFacts) string {
	if d == fromClient && len(x.serverMsgs) > 0 && !x.ccs[fromClient].seen() {
		for _, m := range x.serverMsgs {
			if m == tls.HandshakeCertificate.String() {
				return ": the client gave up right after the server's certificate, most likely rejecting it"
			}
		}
	}
	return ""
}

// chosenCipher names the cipher a ServerHello chose. An SSLv2 SERVER-HELLO lists the cipher specs
// the server accepts (the client picks one in CLIENT-MASTER-KEY), so there is no single suite.
func chosenCipher(sh *tls.ServerHello) string {
	if sh.SSLv2 {
		return fmt.Sprintf("one of %d SSLv2 cipher specs", sh.SSLv2CipherSpecs)
	}
	return sh.CipherSuite.String()
}

func isTLS13Draft(v tls.Version) bool { return v>>8 == 0x7f }

func legacyNote(ch *tls.ClientHello) string {
	if ch.VersionsFromExtension() {
		return ""
	}
	return " (legacy_version " + ch.LegacyVersion.String() + ", no supported_versions extension)"
}

func sniNote(ch *tls.ClientHello) string {
	if ch.ServerName == "" {
		return ""
	}
	return ", SNI " + strconv.Quote(ch.ServerName) // as %q words it
}

// versionList names versions as a compact range ("TLS 1.0–1.2") when they are consecutive.
func versionList(vs []tls.Version) string {
	if len(vs) == 0 {
		return "no version"
	}
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = v.String()
	}
	return strings.Join(names, ", ")
}

// describePrefix says what the first bytes of a non-TLS stream look like.
func describePrefix(b []byte) string {
	line := b
	for i, c := range b {
		if c == '\r' || c == '\n' {
			line = b[:i]
			break
		}
	}
	printable := len(line) > 0
	for _, c := range line {
		if c < 0x20 || c > 0x7e {
			printable = false
			break
		}
	}
	if printable {
		if isHTTPRequest(line) {
			return fmt.Sprintf("a plain HTTP request %q", string(line))
		}
		if strings.HasPrefix(string(line), "HTTP/") {
			return fmt.Sprintf("a plain HTTP response %q", string(line))
		}
		if kind := bannerKind(string(line)); kind != "" {
			return fmt.Sprintf("%s %q", kind, string(line))
		}
		return fmt.Sprintf("plain text %q", string(line))
	}
	n := len(b)
	if n > 16 {
		n = 16
	}
	return fmt.Sprintf("non-TLS bytes % x", b[:n])
}

func isHTTPRequest(line []byte) bool {
	for _, m := range []string{"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "PATCH "} {
		if strings.HasPrefix(string(line), m) {
			return true
		}
	}
	return false
}

// since formats the time from a to b.
func since(a, b time.Time) string { return fmtDur(b.Sub(a)) }

// fmtDur formats a duration for people: "0.3 ms", "12 ms", "1.5 s".
func fmtDur(d time.Duration) string {
	switch {
	case d < 0:
		return "0 ms"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
}

func fmtSecs(d time.Duration) string { return fmt.Sprintf("%.1f", d.Seconds()) }
