package diagnose

import (
	"time"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// promptEnd is how soon after the server's certificate a client that sent nothing more must end
// the connection for its end to read as a rejection of the certificate: a client that refuses a
// certificate ends the connection as soon as it has checked it. Later, an application that
// timed out or gave up fits the packets as well, and the hint says only what they show.
const promptEnd = time.Second

// refusalSlack is what refusalWindow allows beyond twice the server's turnaround of the
// ClientHello: the server's work on a client certificate (a chain to check, a signature to
// verify) and the network's jitter.
const refusalSlack = 10 * time.Millisecond

// refusalWindow is how soon after the client's second flight (TLS 1.3) the server's one short
// record must come to read as the server refusing that flight: twice turnaround, the time the
// server took to answer the ClientHello as seen at the capture point, plus refusalSlack, and
// never more than promptEnd (promptEnd alone when the turnaround is not known). A server refuses
// a flight as soon as it has read it: the record comes back over the same path as its ServerHello
// did, after work of the same kind, so wherever the capture was made its delay is about the
// turnaround's (in the real-stack captures, 0.2 to 0.9 times it). A server that closes an idle
// session waits for its idle time first (5 to 900 times the turnaround in the captures: 100 ms,
// 600 ms, 2 s of idle time).
func refusalWindow(turnaround time.Duration, known bool) time.Duration {
	if !known {
		return promptEnd
	}
	return min(2*max(turnaround, 0)+refusalSlack, promptEnd)
}

// helloTurnaround is the time between the end of the client's ClientHello and the server's
// ServerHello at the capture point: the round trip from there to the server and back plus the
// server's own work. known is false when either is missing.
func helloTurnaround(x *facts.TLS) (turnaround time.Duration, known bool) {
	if !x.HelloLast.Seen() || !x.SHRef.Seen() {
		return 0, false
	}
	return x.SHRef.Time().Sub(x.HelloLast.Time()), true
}

// flightAnswer is how the server's one short record after the client's second flight (TLS 1.3),
// then its end of the connection, reads (serverAnswerToFlight).
type flightAnswer uint8

const (
	// answerNone: the packets show no such answer.
	answerNone flightAnswer = iota
	// answerRefusal: it came at once (within refusalWindow): the server refused the flight.
	answerRefusal
	// answerIdleClose: it came later, and the client's flight was a bare Finished: the server
	// closed an idle session.
	answerIdleClose
	// answerUndecided: it came later, after a flight with a client certificate: a slow refusal of
	// the certificate and an idle close fit alike.
	answerUndecided
)

// lateAnswer reads the server's short record that came after refusalWindow. A server refuses a
// flight as soon as it has checked it, but checking a client certificate can take long (its
// revocation looked up over the network): timing alone does not tell that refusal from an idle
// close. The client's flight does when it was a bare Finished (bareFinished): the server had asked
// for no certificate, and refusing a Finished (a failed check of it) takes no time, so the record
// is an idle close. After a flight with a certificate the packets cannot decide.
//
// The client's own alert-sized record after the server's (TLSRare.ClientReply) does not decide
// either: OpenSSL's s_client answers a close_notify with its own and a fatal alert with nothing
// (tls13-client-cert-idle-close, tls13-client-cert-slow-refusal), but a Go crypto/tls client,
// whose handshake is complete once it sent its Finished, sends its close_notify on Close after a
// fatal alert too (tls13-client-cert-slow-refusal-go). The reason reports it.
func lateAnswer(x *facts.TLS) flightAnswer {
	if bareFinished(x) {
		return answerIdleClose
	}
	return answerUndecided
}

// bareFinished reports whether the client's first encrypted record after the ServerHello (TLS
// 1.3) has exactly the size of a Finished alone under the chosen cipher suite: its 4-byte header
// and verify_data of the hash's length, the inner content type byte and the AEAD tag (69 bytes
// with TLS_AES_256_GCM_SHA384, 53 with TLS_AES_128_GCM_SHA256). A client asked for a certificate
// sends its Certificate first (an empty one: 25 bytes as a record of its own; with the Finished in
// the same record, 8 more than a bare Finished), so its first record never has that size. False
// when the suite is not a TLS 1.3 one or a stack pads its records.
func bareFinished(x *facts.TLS) bool {
	if x.ServerHello == nil || !x.FirstEncrypted[facts.Client].Seen() {
		return false
	}
	hashLen, tagLen, ok := x.ServerHello.SH.CipherSuite.TLS13Sizes()
	return ok && x.FirstEncryptedLen[facts.Client] == int32(4+hashLen+1+tagLen)
}

// sideVariant is the knowledge variant that names the side that ended the connection.
var sideVariant = [2]string{facts.Client: "client", facts.Server: "server"}

// firstFIN returns the side whose FIN came first, and that FIN.
func firstFIN(c *facts.Conn) (d int, fin facts.Ref, ok bool) {
	for s := range c.Side {
		if f := c.Side[s].FIN; f.Seen() && (!ok || f.Frame < fin.Frame) {
			d, fin, ok = s, f, true
		}
	}
	return d, fin, ok
}

// earlyHeartbeat returns the heartbeat record side d sent in plain text, before the handshake
// completed, when d is the client and it came no later than end, the packet with which the
// client ended the connection: a record no client sends while its handshake is under way, but
// the probe of a Heartbleed (CVE-2014-0160) scanner or exploit does.
func earlyHeartbeat(c *facts.Conn, d int, end facts.Ref) (hb facts.Ref, length int32, ok bool) {
	x := c.TLS
	if d != facts.Client || x == nil {
		return facts.Ref{}, 0, false
	}
	hb = x.R().Heartbeat[facts.Client]
	if !hb.Seen() || hb.Frame > end.Frame {
		return facts.Ref{}, 0, false
	}
	return hb, x.R().HeartbeatLen[facts.Client], true
}

// afterFlightHint says what the client did between the server's plaintext certificate and end,
// the packet with which side d ended the handshake; empty unless d is the client, the
// certificate came before end and the client sent no ChangeCipherSpec. Only a client that sent
// nothing after the certificate and ended the connection within promptEnd is said to have
// given up right after it; otherwise the hint gives what it sent and when it ended. A client's
// heartbeat record before the handshake completed is named first: what the client sent.
func afterFlightHint(c *facts.Conn, d int, end facts.Ref) result.Arg {
	x := c.TLS
	if hb, n, ok := earlyHeartbeat(c, d, end); ok {
		return result.Sub("hint", result.Msg("phrase.heartbeat-in-handshake", result.Int("frame", hb.Num()), result.Int("len", int(n)),
			dur("after", end.Time().Sub(hb.Time()))))
	}
	if d != facts.Client || x == nil || !x.CertRef.Seen() || x.CertRef.Frame >= end.Frame || x.CCS[facts.Client].Seen() {
		return result.Sub("hint", result.Message{})
	}
	after := end.Time().Sub(x.CertRef.Time())
	// Data on the end itself (a FIN with data) was sent after the certificate too.
	if last := c.Side[facts.Client].LastPayload; last.Frame > x.CertRef.Frame && last.Frame <= end.Frame {
		return result.Sub("hint", result.Msg("phrase.sent-after-certificate", result.Int("frame", last.Num()), dur("after", after)))
	}
	if after <= promptEnd {
		return result.Sub("hint", result.Msg("phrase.gave-up-after-certificate"))
	}
	return result.Sub("hint", result.Msg("phrase.silent-after-certificate", dur("after", after)))
}
