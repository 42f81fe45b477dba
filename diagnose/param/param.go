// Package param makes the message parameters and flag texts that the diagnosis rules share:
// durations, sides, endpoints, addresses and numbers written the one way every verdict, reason
// and evidence line writes them. It words nothing itself: a report words the messages.
package param

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// FmtDur formats a duration for people: "0.3 ms", "12 ms", "1.5 s".
func FmtDur(d time.Duration) string {
	switch {
	case d < 0:
		return "0 ms"
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 0, 64) + " ms"
	default:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	}
}

// FmtFineDur formats a duration as FmtDur does, and one below a millisecond in microseconds
// ("0.2 µs", "35 µs"): how far a frame's time went back may be that small.
func FmtFineDur(d time.Duration) string {
	switch {
	case d >= 0 && d < 10*time.Microsecond:
		return strconv.FormatFloat(float64(d)/float64(time.Microsecond), 'f', 1, 64) + " µs"
	case d >= 0 && d < time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Microsecond), 'f', 0, 64) + " µs"
	}
	return FmtDur(d)
}

// FmtSecs formats a duration in seconds with one decimal: "1.0".
func FmtSecs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) }

// Itoa writes an integer in decimal.
func Itoa[T ~int | ~int32 | ~uint8 | ~uint16 | ~uint32](n T) string { return strconv.Itoa(int(n)) }

// Texts is a list parameter of plain texts (numbers, names), joined as the language joins a list:
// "0.0, 1.0, 2.1" in English, "0.0、1.0、2.1" in Japanese.
func Texts(name string, s []string) result.Arg {
	ms := make([]result.Message, len(s))
	for i, t := range s {
		ms[i] = result.Msg("literal", result.Text("text", t))
	}
	return result.List(name, ms)
}

// JoinComma joins strings with ", ".
func JoinComma(s []string) string { return strings.Join(s, ", ") }

// Hex4 writes n as 0x and four hex digits.
func Hex4(n uint16) string {
	const digits = "0123456789abcdef"
	return string([]byte{'0', 'x', digits[n>>12], digits[n>>8&15], digits[n>>4&15], digits[n&15]})
}

// Dur is a duration parameter, formatted by FmtDur. A negative one (a later frame stamped
// before an earlier one: the capture's clock went back, or its frames are out of time order) is
// worded as such (phrase.time-back), never as a duration of 0.
func Dur(name string, d time.Duration) result.Arg {
	if d < 0 {
		return result.Sub(name, result.Msg("phrase.time-back", result.Text("d", FmtFineDur(-d))))
	}
	return result.Text(name, FmtDur(d))
}

// Side is a parameter naming a side (facts.Client or facts.Server): "client" or "server", in
// the report's language.
func Side(name string, d int) result.Arg {
	return result.Sub(name, result.Msg("word."+facts.SideName[d]))
}

// AfterBytes is the stage "after N bytes from the client and M from the server" of connection c
// at its reset r: the bytes each side had sent up to r, and what a side sent after it ("and K
// more from the server after it"), where it sent any. The counts are payload bytes on the wire:
// when a side sent segments again, they include the retransmitted bytes, and the phrase says so
// (100 bytes sent 4 times count as 400), for those before the reset and those after it apart.
// A reset before any data that has data after it is "before any data (K bytes from the server
// came after it)".
func AfterBytes(c *facts.Conn, r facts.RST) result.Message {
	if r.Bytes[facts.Client] == 0 && r.Bytes[facts.Server] == 0 {
		if after := moreAfter(c, r, "phrase.data-after"); after.Key != "" {
			return result.Msg("phrase.before-any-data", result.Sub("after", after))
		}
	}
	args := []result.Arg{result.Int64("client_bytes", r.Bytes[facts.Client]), result.Int64("server_bytes", r.Bytes[facts.Server]),
		result.Sub("more", moreAfter(c, r, "phrase.more-after"))}
	if n := int(r.Retrans[facts.Client] + r.Retrans[facts.Server]); n > 0 {
		return result.Msg("phrase.after-bytes-retrans", append(args, result.Int("retrans", n))...)
	}
	return result.Msg("phrase.after-bytes", args...)
}

// moreAfter is ", and K more from the server after it" of AfterBytes (the words of key, and of
// key+"-both" when both sides sent some): what each side sent after reset r, or nothing when
// neither sent any.
func moreAfter(c *facts.Conn, r facts.RST, key string) result.Message {
	var more [2]int64
	resent := 0
	for d := range c.Side {
		more[d] = max(c.Side[d].Bytes-r.Bytes[d], 0)
		resent += max(int(c.Side[d].Retrans-r.Retrans[d]), 0)
	}
	note := result.Message{}
	if resent > 0 {
		note = result.Msg("phrase.resent-after", result.Int("retrans", resent))
	}
	switch {
	case more[facts.Client] > 0 && more[facts.Server] > 0:
		return result.Msg(key+"-both", result.Int64("client_bytes", more[facts.Client]),
			result.Int64("server_bytes", more[facts.Server]), result.Sub("resent", note))
	case more[facts.Client] > 0:
		return result.Msg(key, result.Int64("bytes", more[facts.Client]), Side("side", facts.Client), result.Sub("resent", note))
	case more[facts.Server] > 0:
		return result.Msg(key, result.Int64("bytes", more[facts.Server]), Side("side", facts.Server), result.Sub("resent", note))
	}
	return result.Message{}
}

// Endpoint is an address:port parameter from the capture.
func Endpoint(name string, ap netip.AddrPort) result.Arg { return result.Endpoint(name, ap.String()) }

// Addr is an address parameter from the capture.
func Addr(name string, a netip.Addr) result.Arg { return result.Addr(name, a.String()) }

// MissedData is the parameter "missed" of a reason that counts the bytes each side sent: empty,
// or that the capture missed some of a side's data (a content gap in the history: 'G' for the
// client's, 'g' for the server's), so that the counts are only what the capture holds.
func MissedData(c *facts.Conn) result.Arg {
	client, server := strings.ContainsRune(c.History, 'G'), strings.ContainsRune(c.History, 'g')
	switch {
	case client && server:
		return result.Sub("missed", result.Msg("phrase.missed-data-both"))
	case client:
		return result.Sub("missed", result.Msg("phrase.missed-data", Side("side", facts.Client)))
	case server:
		return result.Sub("missed", result.Msg("phrase.missed-data", Side("side", facts.Server)))
	}
	return result.Sub("missed", result.Message{})
}
