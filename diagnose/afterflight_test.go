package diagnose

import (
	"testing"
	"time"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/tls"
)

// TestServerRefusedFlightTiming: a TLS 1.3 server's one alert-sized record after the client's
// second flight, then its FIN, reads as a refusal of that flight only when it came at once:
// within twice the server's turnaround of the ClientHello at the capture point plus 10 ms, and
// never more than 1 s. The figures are those of the real-stack captures in
// testdata/captures/accuracy (turnaround: ClientHello to ServerHello; answer: the client's first
// encrypted record to the server's short record).
func TestServerRefusedFlightTiming(t *testing.T) {
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	cases := []struct {
		name               string
		turnaround, answer time.Duration
		noHello            bool // the ClientHello's end is not in the capture: turnaround unknown
		clientFINFirst     bool // the client's FIN came before the server's record
		noServerEnd        bool // the server neither closed nor reset the connection
		want               bool
	}{
		{name: "client-cert-required-tls13 (loopback, OpenSSL)", turnaround: ms(1.835), answer: ms(0.347), want: true},
		{name: "client-cert-rejected-tls13 (loopback, OpenSSL)", turnaround: ms(2.089), answer: ms(0.968), want: true},
		{name: "client-cert-gnutls-tls13 (loopback, GnuTLS)", turnaround: ms(1.461), answer: ms(0.740), want: true},
		{name: "client-cert-required-tls13-delay (20 ms round trip)", turnaround: ms(23.242), answer: ms(20.663), want: true},
		{name: "tls13-idle-close-100ms (20 ms round trip, at the agent)", turnaround: ms(22.309), answer: ms(120.961), want: false},
		{name: "tls13-idle-close-600ms (20 ms round trip, at the agent)", turnaround: ms(22.966), answer: ms(621.051), want: false},
		{name: "tls13-idle-close-server-side (at the server)", turnaround: ms(1.857), answer: ms(100.430), want: false},
		{name: "tls13-server-idle-close (loopback, 2 s idle)", turnaround: ms(2.161), answer: ms(2000.899), want: false},
		{name: "at the window's end", turnaround: ms(20), answer: ms(50), want: true},
		{name: "just past the window's end", turnaround: ms(20), answer: ms(50.001), want: false},
		{name: "within the slack of a tiny turnaround", turnaround: ms(0.1), answer: ms(10), want: true},
		{name: "a slow server's window stops at 1 s", turnaround: ms(800), answer: ms(1000.001), want: false},
		{name: "a slow server's window up to 1 s", turnaround: ms(800), answer: ms(999), want: true},
		{name: "turnaround unknown: within 1 s", noHello: true, answer: ms(900), want: true},
		{name: "turnaround unknown: after 1 s", noHello: true, answer: ms(1100), want: false},
		{name: "the record answers the client's close", turnaround: ms(2), answer: ms(0.5), clientFINFirst: true, want: false},
		{name: "the server kept the connection open", turnaround: ms(2), answer: ms(0.5), noServerEnd: true, want: false},
	}
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, tc := range cases {
		flight := t0.Add(tc.turnaround + 5*time.Millisecond)
		short := flight.Add(tc.answer)
		c := &facts.Conn{TLS: &facts.TLS{
			SHRef:             facts.MakeRef(6, t0.Add(tc.turnaround)),
			FirstEncrypted:    [2]facts.Ref{facts.Client: facts.MakeRef(10, flight)},
			FirstEncryptedLen: [2]int32{facts.Client: 69},
			ServerAfterFlight: 1,
			X:                 &facts.TLSRare{ShortAnswer: facts.MakeRef(12, short), ShortAnswerLen: 19},
		}}
		if !tc.noHello {
			c.TLS.HelloLast = facts.MakeRef(4, t0)
		}
		if tc.clientFINFirst {
			c.Side[facts.Client].FIN = facts.MakeRef(11, short.Add(-time.Microsecond))
		}
		if !tc.noServerEnd {
			c.Side[facts.Server].FIN = facts.MakeRef(13, short.Add(100*time.Microsecond))
		}
		_, end, how, answer := serverAnswerToFlight(c)
		if got := answer == answerRefusal; got != tc.want {
			t.Errorf("%s: refused %v, want %v", tc.name, got, tc.want)
			continue
		}
		if tc.want && (end.Num() != 13 || how != "phrase.end-fin") {
			t.Errorf("%s: end frame %d %q, want frame 13 phrase.end-fin", tc.name, end.Num(), how)
		}
	}
}

// TestLateAnswerToFlight: a TLS 1.3 server's one alert-sized record after the client's second
// flight that comes later than refusalWindow, then its FIN, reads as an idle close (ok) when the
// client's flight was a bare Finished (the server asked for no certificate); after a flight with a
// certificate the packets cannot decide (answerUndecided), whether or not the client answered
// with an alert-sized record of its own (s_client does after a close_notify only, Go's crypto/tls
// after a fatal alert too). Sizes and times are those of the real-stack
// captures in testdata/captures/accuracy (first client record: 968 bytes with selfsigned.pem, 69
// for a bare Finished with TLS_AES_256_GCM_SHA384; the server's record 321 ms after the flight on
// a 20 ms path).
func TestLateAnswerToFlight(t *testing.T) {
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	const (
		aes128 tls.CipherSuite = 0x1301
		aes256 tls.CipherSuite = 0x1302
		chacha tls.CipherSuite = 0x1303
		ccm8   tls.CipherSuite = 0x1305
		tls12  tls.CipherSuite = 0xc030 // TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: no TLS 1.3 sizes
	)
	cases := []struct {
		name      string
		suite     tls.CipherSuite
		flightLen int32
		answer    time.Duration
		replyLen  int32 // the client's first record after the server's, 0: none
		want      flightAnswer
	}{
		{name: "tls13-client-cert-slow-refusal", suite: aes256, flightLen: 968, answer: ms(321.0), want: answerUndecided},
		{name: "tls13-client-cert-idle-close (s_client's close_notify)", suite: aes256, flightLen: 968, answer: ms(321.5), replyLen: 19, want: answerUndecided},
		{name: "tls13-client-cert-slow-refusal-go (Go's close_notify after the alert)", suite: aes256, flightLen: 968, answer: ms(321.8), replyLen: 19, want: answerUndecided},
		{name: "tls13-idle-close-quiet (bare Finished, no reply)", suite: aes256, flightLen: 69, answer: ms(321.2), want: answerIdleClose},
		{name: "tls13-client-cert-idle-close-quiet", suite: aes256, flightLen: 968, answer: ms(321.4), want: answerUndecided},
		{name: "tls13-idle-close-100ms (bare Finished, close_notify back)", suite: aes256, flightLen: 69, answer: ms(121.0), replyLen: 19, want: answerIdleClose},
		{name: "bare Finished, AES-256 (69 bytes), no reply", suite: aes256, flightLen: 69, answer: ms(321), want: answerIdleClose},
		{name: "bare Finished, AES-128 (53 bytes)", suite: aes128, flightLen: 53, answer: ms(321), want: answerIdleClose},
		{name: "bare Finished, ChaCha20 (53 bytes)", suite: chacha, flightLen: 53, answer: ms(321), want: answerIdleClose},
		{name: "bare Finished, CCM_8 (45 bytes)", suite: ccm8, flightLen: 45, answer: ms(321), want: answerIdleClose},
		{name: "AES-256's Finished size under AES-128: not bare", suite: aes128, flightLen: 69, answer: ms(321), want: answerUndecided},
		{name: "empty Certificate (25 bytes), no reply", suite: aes256, flightLen: 25, answer: ms(321), want: answerUndecided},
		{name: "empty Certificate and Finished in one record (61 bytes, AES-128)", suite: aes128, flightLen: 61, answer: ms(321), want: answerUndecided},
		{name: "a padded Finished: undecided", suite: aes256, flightLen: 70, answer: ms(321), want: answerUndecided},
		{name: "not a TLS 1.3 suite: undecided", suite: tls12, flightLen: 69, answer: ms(321), want: answerUndecided},
		{name: "a certificate, the client answers with data, not an alert", suite: aes256, flightLen: 968, answer: ms(321), replyLen: 40, want: answerUndecided},
		{name: "a certificate, within the window: a refusal, whatever follows", suite: aes256, flightLen: 968, answer: ms(20.7), replyLen: 19, want: answerRefusal},
		{name: "a certificate, 2 s later, no reply", suite: aes256, flightLen: 968, answer: ms(2000), want: answerUndecided},
	}
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	const turnaround = 22 * time.Millisecond // window: 54 ms
	for _, tc := range cases {
		flight := t0.Add(turnaround + 2*time.Millisecond)
		short := flight.Add(tc.answer)
		rare := &facts.TLSRare{ShortAnswer: facts.MakeRef(12, short), ShortAnswerLen: 19}
		if tc.replyLen != 0 {
			rare.ClientReply, rare.ClientReplyLen = facts.MakeRef(13, short.Add(150*time.Microsecond)), tc.replyLen
		}
		c := &facts.Conn{TLS: &facts.TLS{
			HelloLast:         facts.MakeRef(4, t0),
			ServerHello:       &facts.ServerHello{SH: &tls.ServerHello{CipherSuite: tc.suite, SupportedVersion: tls.VersionTLS13}},
			SHRef:             facts.MakeRef(6, t0.Add(turnaround)),
			FirstEncrypted:    [2]facts.Ref{facts.Client: facts.MakeRef(10, flight)},
			FirstEncryptedLen: [2]int32{facts.Client: tc.flightLen},
			ServerAfterFlight: 1,
			X:                 rare,
		}}
		c.Side[facts.Client].FIN = facts.MakeRef(14, short.Add(200*time.Microsecond))
		c.Side[facts.Server].FIN = facts.MakeRef(15, short.Add(20*time.Millisecond))
		_, end, how, got := serverAnswerToFlight(c)
		if got != tc.want {
			t.Errorf("%s: answer %d, want %d", tc.name, got, tc.want)
			continue
		}
		if end.Num() != 15 || how != "phrase.end-fin" {
			t.Errorf("%s: end frame %d %q, want frame 15 phrase.end-fin", tc.name, end.Num(), how)
		}
		if est, wantEst := tlsEstablished(c), tc.want == answerIdleClose; est != wantEst {
			t.Errorf("%s: established %v, want %v", tc.name, est, wantEst)
		}
	}
}
