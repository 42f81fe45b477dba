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

// afterFlightHint says what the client did between the server's plaintext certificate and end,
// the packet with which side d ended the handshake; empty unless d is the client, the
// certificate came before end and the client sent no ChangeCipherSpec. Only a client that sent
// nothing after the certificate and ended the connection within promptEnd is said to have
// given up right after it; otherwise the hint gives what it sent and when it ended.
func afterFlightHint(c *facts.Conn, d int, end facts.Ref) result.Arg {
	x := c.TLS
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
