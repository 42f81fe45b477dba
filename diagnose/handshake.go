package diagnose

import (
	"github.com/connscope/connscope/diagnose/param"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// What the plaintext messages of a handshake (TLS 1.2 and before) show past the ServerHello: a
// client certificate the server asked for and did not get, or rejected; a version the server
// chose below the client's minimum; a ServerHello or records that do not parse. A cipher suite
// was chosen once a ServerHello came, so a cipher mismatch is never the cause after it.

// Variants of the verdicts these rules give (knowledge/data/*/profiles).
const (
	variantDowngrade        = "downgrade-refused"
	variantAfterServerHello = "after-server-hello"
	variantServerHello      = "server-hello"
	variantVersionFirst     = "version-first"
	variantServerOlder      = "server-older"
	variantClientTLS12      = "client-tls12"
	// variantOrCipher: a version mismatch inferred from what the server chose in other
	// connections, to a client that offers none of the cipher suites the server was seen
	// choosing: no cipher suite in common fits as well.
	variantOrCipher = "or-cipher"
	// variantServerStartTLS: the server answered a ClientHello in plain text on a port where
	// another connection shows it beginning TLS after a plain-text exchange (STARTTLS).
	variantServerStartTLS = "server-starttls"
	// variantAfterClientFlight: a TLS 1.3 server refused the client's encrypted second flight.
	variantAfterClientFlight = "after-client-flight"
	// variantAfterClientFlightLate: a TLS 1.3 server answered the client's flight, which held a
	// certificate, with an alert-sized record later than a refusal comes, and the client sent
	// nothing back: a slow refusal of the certificate or an idle close.
	variantAfterClientFlightLate = "after-client-flight-late"
	// variantEncryptedAlert: a TLS 1.3 client answered the server's flight with an alert-sized
	// encrypted record and ended the connection (most likely rejecting the server's certificate).
	variantEncryptedAlert = "encrypted-alert"
)

// modernSuites are TLS 1.2 cipher suites every current server accepts (ECDHE with AES-GCM or
// ChaCha20-Poly1305): a client that offers one of them is unlikely to share no suite with a server.
var modernSuites = map[tls.CipherSuite]bool{0xc02b: true, 0xc02c: true, 0xc02f: true, 0xc030: true, 0xcca8: true, 0xcca9: true}

// certRequested reports whether the server asked for a client certificate in plain text.
func certRequested(x *facts.TLS) bool {
	for _, m := range x.ServerMessages {
		if m == tls.HandshakeCertificateRequest {
			return true
		}
	}
	return false
}

// clientCertMissing reports whether the server asked for a client certificate and the client
// gave none: no Certificate message, or an empty one.
func clientCertMissing(x *facts.TLS) bool {
	return certRequested(x) && (!x.R().ClientCert.Seen() || x.R().ClientCerts == 0)
}

// clientCertEvidence cites what the client answered to the CertificateRequest, as evidence.
func (j *judge) clientCertEvidence(x *facts.TLS) {
	switch r := x.R(); {
	case r.ClientCert.Seen() && r.ClientCerts >= 0:
		j.evidence(r.ClientCert, "ev.client-certificate", result.Int("n", int(r.ClientCerts)))
	case r.ClientCert.Seen():
		j.evidence(r.ClientCert, "ev.client-certificate-unparsed")
	}
}

// classifyServerAlertClientCert gives the verdict of a fatal alert from the server after the
// ServerHello that concerns the client's certificate: none given where one was asked for
// (handshake_failure is what OpenSSL sends then), or one rejected. It reports whether it did.
func (j *judge) classifyServerAlertClientCert(a facts.Alert) bool {
	x := j.tlsOf()
	d := a.Description
	rejection := tls.Alert{Level: a.Level, Description: d}.IsCertificateRejection()
	if a.From != facts.Server || a.BeforeServerHello || !(rejection || d == tls.AlertHandshakeFailure || d == tls.AlertAccessDenied) {
		return false
	}
	alert := result.Text("alert", d.String())
	switch {
	case d == tls.AlertCertificateRequired || clientCertMissing(x) && (rejection || d == tls.AlertHandshakeFailure):
		j.clientCertEvidence(x)
		what := result.Msg("phrase.client-cert-none")
		if x.R().ClientCert.Seen() {
			what = result.Msg("phrase.client-cert-empty")
		}
		j.verdict(result.VerdictClientCertificateRequired, "reason.client-certificate-required", alert, result.Sub("what", what))
	case rejection && x.R().ClientCerts > 0:
		j.clientCertEvidence(x)
		j.verdict(result.VerdictClientCertificateRejected, "reason.client-certificate-rejected", alert, result.Int("n", int(x.R().ClientCerts)))
	case rejection:
		// No client Certificate in plain text to tie it to, but the server judges no other.
		j.verdict(result.VerdictClientCertificateRejected, "reason.server-rejected-certificate", alert)
	default:
		return false
	}
	return true
}

// classifyHandshakeFailure: a handshake_failure or insufficient_security alert that is not about
// a client certificate. After a ServerHello a cipher suite was chosen: the failure came later
// (key exchange, signature, a policy). Before it, a version the server does not accept and no
// cipher suite in common both explain it: the client's offer says which to name first.
func (j *judge) classifyHandshakeFailure(a facts.Alert, who int, when result.Message) {
	x := j.tlsOf()
	alert := result.Text("alert", a.Description.String())
	if !a.BeforeServerHello && x.ServerHello != nil {
		j.d.Variant = variantAfterServerHello
		j.verdict(result.VerdictTLSHandshakeFailure, "reason.handshake-failure-after-server-hello", side("side", who), alert,
			chosenCipher("cipher", x.ServerHello.SH))
		return
	}
	j.d.VersionSuspect = a.BeforeServerHello
	h := x.Hello
	if h == nil || h.Highest.Rank() >= tls.VersionTLS13.Rank() {
		// Every version is on offer: the suites (or key-exchange groups) are the only candidates.
		j.act0(result.VerdictTLSHandshakeFailure, who, result.Msg("act.alert-handshake-failure", alert, result.Sub("when", when), j.suitesOffered("suites")))
		return
	}
	j.d.VersionOrCipher = a.BeforeServerHello
	highest := result.Text("highest", h.Highest.String())
	if versionFirst(h) {
		j.d.Variant = variantVersionFirst
		key := "reason.handshake-failure-version-first"
		if h.Highest.Rank() < tls.VersionTLS12.Rank() {
			// Its suites are those of TLS 1.1 or older (CBC, RC4, 3DES): not suites every current
			// server accepts, so the reason claims only that the version is an old one.
			key = "reason.handshake-failure-version-first-old"
		}
		j.verdict(result.VerdictTLSVersionMismatch, key, side("side", who), alert, result.Sub("when", when),
			highest, j.suitesOffered("suites"))
		// What the side did, without the candidates: the Context words them anew when other
		// connections show which versions and suites the server chose.
		j.d.act, j.d.actSide = result.Msg("act.sent-alert", alert, result.Sub("when", when)), who
		return
	}
	j.act0(result.VerdictTLSHandshakeFailure, who, result.Msg("act.alert-handshake-failure-or-version", alert, result.Sub("when", when),
		j.suitesOffered("suites"), highest))
}

// versionFirst reports whether a handshake_failure before the ServerHello is more likely a
// version the server does not accept than no cipher suite in common: the client offers at most
// TLS 1.1 (whose suites every server that still allows 1.1 has), or at most TLS 1.2 with a suite
// every current server accepts. (A TLS 1.3-only GnuTLS server answers a TLS 1.2 ClientHello with
// handshake_failure: ../shared/FIELD-NOTES.md.)
func versionFirst(h *facts.Hello) bool {
	if h.Highest.Rank() < tls.VersionTLS12.Rank() {
		return true
	}
	for _, s := range h.CH.CipherSuites {
		if modernSuites[s] {
			return true
		}
	}
	return false
}

// classifyDowngradeAlert: the client refused the version the ServerHello chose with
// protocol_version: the server chose a version below the client's minimum.
func (j *judge) classifyDowngradeAlert(a facts.Alert) bool {
	x := j.tlsOf()
	if a.From != facts.Client || a.BeforeServerHello || x.ServerHello == nil || x.Hello == nil {
		return false
	}
	chosen := x.ServerHello.SH.ChosenVersion()
	if chosen.Rank() == 0 || chosen.Rank() >= x.Hello.Highest.Rank() {
		return false
	}
	j.d.Variant = variantDowngrade
	j.verdict(result.VerdictTLSVersionMismatch, "reason.downgrade-refused", result.Text("chosen", chosen.String()),
		result.Text("highest", x.Hello.Highest.String()), result.Text("alert", a.Description.String()))
	return true
}

// downgradeSuspect reports whether the client ended the handshake right after a ServerHello that
// chose TLS 1.1 or below, under the highest version it offered, without answering it: most
// likely a version below its minimum (current clients refuse TLS 1.0 and 1.1).
func (j *judge) downgradeSuspect(ended facts.Ref) bool {
	x := j.tlsOf()
	if x.ServerHello == nil || x.Hello == nil || x.CCS[facts.Client].Seen() || x.R().ClientCert.Seen() {
		return false
	}
	chosen := x.ServerHello.SH.ChosenVersion()
	if chosen.Rank() == 0 || chosen.Rank() > tls.VersionTLS11.Rank() || chosen.Rank() >= x.Hello.Highest.Rank() {
		return false
	}
	// The client sent nothing after the server's flight but the end (an alert, a FIN, a RST).
	cs := &j.c.Side[facts.Client]
	return !(cs.LastPayload.Frame > x.SHRef.Frame && cs.LastPayload.Frame < ended.Frame)
}

// downgradeLikely sets the verdict of a client that ended the handshake right after a ServerHello
// choosing a version under its highest (downgradeSuspect): how names the client's act, other the
// other candidate.
func (j *judge) downgradeLikely(how, other result.Message) {
	x := j.tlsOf()
	j.d.Variant = variantDowngrade
	j.verdict(result.VerdictTLSVersionMismatch, "reason.downgrade-likely", result.Text("chosen", x.ServerHello.SH.ChosenVersion().String()),
		result.Text("highest", x.Hello.Highest.String()), result.Sub("how", how), result.Sub("other", other))
}

// classifyBadServerHello: the server answered with a ServerHello that does not parse (a TLS 1.3
// draft's layout, or one no version defines). Never "no answer": the server answered. It
// reports whether it set the verdict.
func (j *judge) classifyBadServerHello() bool {
	c, x := j.c, j.tlsOf()
	r := x.R()
	if x.ServerHello != nil || !r.BadServerHello.Seen() {
		return false
	}
	v := result.Text("version", r.BadSHVersion.String())
	j.evidence(r.BadServerHello, "ev.server-hello-unparsed", v, helloError("error", tls.HandshakeServerHello, r.BadSHErr))
	if x.CCS[facts.Client].Seen() || x.FirstEncrypted[facts.Client].Seen() {
		// The client read it and went on: only this analysis could not.
		j.verdict(result.VerdictIncomplete, "reason.server-hello-unread", v)
		return true
	}
	then := result.Message{}
	if a, ok := x.FatalAlert(); ok && a.From == facts.Client && a.Frame > r.BadServerHello.Frame {
		j.evidence(a.Ref, "ev.alert", alertArgs(a, side("side", facts.Client))...)
		then = result.Msg("phrase.client-alert-then", result.Text("alert", a.Description.String()))
	} else if end, how, ok := j.clientEnd(r.BadServerHello); ok {
		j.evidence(end, how)
		then = result.Msg("phrase.client-closed-then")
	}
	j.d.Variant = variantServerHello
	j.verdict(result.VerdictTLSProtocolError, "reason.server-hello-unparsed", v, result.Sub("then", then), endpoint("server", c.Server))
	return true
}

// clientEnd returns the client's FIN or reset after frame after, and the evidence key for it.
func (j *judge) clientEnd(after facts.Ref) (facts.Ref, string, bool) {
	c := j.c
	if fin := c.Side[facts.Client].FIN; fin.Seen() && fin.Frame > after.Frame {
		return fin, "ev.client-fin", true
	}
	for _, r := range c.RSTs {
		if r.From == facts.Client && r.Frame > after.Frame {
			return r.Ref, "ev.client-rst", true
		}
	}
	return facts.Ref{}, "", false
}

// classifyRecordError: after the ServerHello, one side sent bytes that are not TLS records, and
// the other then ended the connection: a protocol error, whatever the handshake had reached. A
// record error the other side lived with (the connection went on) only gets a flag: the bytes
// may be what this analysis could not follow. It reports whether it set the verdict.
func (j *judge) classifyRecordError() bool {
	c, x := j.c, j.tlsOf()
	r := x.R()
	for d := range 2 {
		at := r.ErrRefs[d]
		if r.Errs[d].Kind == facts.RecordErrNone || !at.Seen() || !x.SHRef.Seen() || at.Frame < x.SHRef.Frame {
			continue
		}
		other := 1 - d
		end, ok := j.endAfter(other, at)
		if !ok {
			j.d.Flags = append(j.d.Flags, "tls-record-error:"+facts.SideName[d]+":frame-"+itoa(at.Num()))
			continue
		}
		stage := result.Msg("phrase.during-handshake")
		if tlsEstablished(c) {
			stage = result.Msg("phrase.after-handshake", result.Int("client_records", x.AppData[facts.Client]),
				result.Int("server_records", x.AppData[facts.Server]))
		}
		j.evidence(at, "ev.record-error", side("side", d), recordError("error", r.Errs[d]))
		j.evidence(end.ref, end.key, side("side", other))
		j.verdict(result.VerdictTLSProtocolError, "reason.record-error", side("side", d), recordError("error", r.Errs[d]),
			result.Sub("stage", stage), side("other", other), result.Sub("how", result.Msg(end.how)),
			j.span("after", at, end.ref))
		return true
	}
	return false
}

// ending is how a side ended a connection: the packet, its evidence key and a phrase for it.
type ending struct {
	ref      facts.Ref
	key, how string
}

// endAfter returns how side d ended the connection after packet at: an alert-sized encrypted
// record, a plaintext alert, a FIN or a reset, whichever came first.
func (j *judge) endAfter(d int, at facts.Ref) (ending, bool) {
	c, x := j.c, j.tlsOf()
	var best ending
	take := func(r facts.Ref, key, how string) {
		if r.Seen() && r.Frame > at.Frame && (!best.ref.Seen() || r.Frame < best.ref.Frame) {
			best = ending{r, key, how}
		}
	}
	for _, a := range x.Alerts {
		if int(a.From) == d {
			take(a.Ref, "ev.side-alert-end", "phrase.end-alert")
		}
	}
	take(c.Side[d].FIN, "ev.side-fin-end", "phrase.end-fin")
	for _, r := range c.RSTs {
		if int(r.From) == d {
			take(r.Ref, "ev.side-rst-end", "phrase.end-rst")
		}
	}
	return best, best.ref.Seen()
}

// helloError words why the hello msg (a ClientHello or ServerHello) did not parse: longer than
// the parser takes, or malformed, with the field where it stopped when that is known (what
// Wireshark's "Malformed Packet" names).
func helloError(name string, msg tls.HandshakeType, e facts.HelloErr) result.Arg {
	message := result.Text("message", msg.String())
	if e.Kind == facts.HelloErrTooLarge {
		return result.Sub(name, result.Msg("hello-error.too-large", message, result.Int("length", int(e.Length)),
			result.Int("max", tls.MaxHandshakeMessage)))
	}
	key := "hello-error."
	switch e.Problem {
	case tls.ProblemType:
		key += "type"
	case tls.ProblemShort, tls.ProblemOverrun, tls.ProblemOddLength, tls.ProblemEmpty, tls.ProblemTrailing, tls.ProblemDuplicate:
		if e.Field == tls.FieldExtensionData {
			key += "ext-" // within an extension: the field is the extension
		}
		key += e.Problem.String()
	default:
		return result.Sub(name, result.Msg("hello-error.malformed", message))
	}
	field := result.Msg("hello-field.named", result.Text("name", e.Field.String()))
	if e.Field == tls.FieldExtension || e.Field == tls.FieldExtensionData {
		field = result.Msg("hello-field.extension", result.Text("type", param.Hex4(uint16(e.Extension))),
			result.Text("name", e.Extension.String()))
	}
	return result.Sub(name, result.Msg(key, message, result.Sub("field", field), result.Int("offset", int(e.Offset)),
		result.Int("declared", int(e.Declared)), result.Int("available", int(e.Available))))
}

// recordError words a record header no TLS record has: its kind, the field that is wrong and
// where in the stream.
func recordError(name string, e facts.RecordErr) result.Arg {
	off := result.Int64("offset", e.Offset)
	switch e.Kind {
	case facts.RecordErrContentType:
		return result.Sub(name, result.Msg("record-error.content-type", result.Int("type", int(e.Value)), off))
	case facts.RecordErrVersion:
		return result.Sub(name, result.Msg("record-error.version", result.Text("version", param.Hex4(uint16(e.Value))), off))
	case facts.RecordErrLength:
		return result.Sub(name, result.Msg("record-error.length", result.Int("length", int(e.Value)),
			result.Int("max", tls.MaxRecordPayload)))
	}
	return result.Sub(name, result.Msg("record-error.other", off))
}
