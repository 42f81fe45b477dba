package diagnose

import (
	"testing"
	"time"

	"github.com/connscope/connscope/facts"
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
		_, end, how, got := serverRefusedFlight(c)
		if got != tc.want {
			t.Errorf("%s: refused %v, want %v", tc.name, got, tc.want)
			continue
		}
		if got && (end.Num() != 13 || how != "phrase.end-fin") {
			t.Errorf("%s: end frame %d %q, want frame 13 phrase.end-fin", tc.name, end.Num(), how)
		}
	}
}
