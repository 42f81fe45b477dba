// Package prefix words what the first bytes of a side's stream look like: another protocol's
// request, greeting or banner, plain text or bytes (when they are not TLS), or the start of a TLS
// record that the capture cut.
package prefix

import (
	"strings"

	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// bannerKinds names the greetings and banners that other protocols put first on a connection,
// so that not-tls says what was spoken instead ("an SSH banner", not "plain text"): the message
// key of each.
var bannerKinds = []struct{ prefix, key string }{
	{"SSH-", "banner.ssh"},
	{"220 ", "banner.smtp-ftp"},
	{"220-", "banner.smtp-ftp"},
	{"+OK", "banner.pop3"},
	{"* OK", "banner.imap"},
	{"RFB ", "banner.vnc"},
	{"EHLO ", "banner.smtp-ehlo"},
	{"HELO ", "banner.smtp-helo"},
	{"PRI * HTTP/2.0", "banner.http2"},
}

// bannerKind returns the message key of what a printable first line is, or "" when it is none
// of bannerKinds.
func bannerKind(line string) string {
	for _, b := range bannerKinds {
		if strings.HasPrefix(line, b.prefix) {
			return b.key
		}
	}
	return ""
}

// Describe says what the first bytes of a non-TLS stream look like.
func Describe(b []byte) result.Message {
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
		text := result.Quoted(result.Capture("line", string(line)))
		if isHTTPRequest(line) {
			return result.Msg("prefix.http-request", text)
		}
		if strings.HasPrefix(string(line), "HTTP/") {
			return result.Msg("prefix.http-response", text)
		}
		if kind := bannerKind(string(line)); kind != "" {
			return result.Msg("prefix.banner", result.Sub("kind", result.Msg(kind)), text)
		}
		return result.Msg("prefix.text", text)
	}
	return result.Msg("prefix.bytes", result.Capture("bytes", Hex(b[:min(len(b), 16)])))
}

// Hex is bytes as two hex digits each, separated by spaces ("16 03 01").
func Hex(b []byte) string {
	hex := make([]byte, 0, 3*len(b))
	for i, c := range b {
		if i > 0 {
			hex = append(hex, ' ')
		}
		hex = append(hex, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
	}
	return string(hex)
}

func isHTTPRequest(line []byte) bool {
	for _, m := range []string{"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "PATCH "} {
		if strings.HasPrefix(string(line), m) {
			return true
		}
	}
	return false
}

// RecordStart reports whether b, a stream's first bytes, begin like a TLS record, and of which
// content type: one TLS defines (20-24) followed by the version's major byte, 3. ok is false
// when b begins otherwise or is too short (fewer than 2 bytes) to tell.
func RecordStart(b []byte) (typ tls.ContentType, ok bool) {
	if len(b) < 2 || b[1] != 3 || b[0] < byte(tls.ContentChangeCipherSpec) || b[0] > byte(tls.ContentHeartbeat) {
		return 0, false
	}
	return tls.ContentType(b[0]), true
}

// Cut says what the first bytes of a stream that the capture's snaplen cut look like (b: the
// first of the held bytes it holds): the start of a TLS record of its type, or too few bytes to
// tell.
func Cut(b []byte, held int) result.Message {
	typ, ok := RecordStart(b)
	switch {
	case ok:
		bytes := Hex(b)
		if held > len(b) {
			bytes += " ..."
		}
		return result.Msg("prefix.cut-tls", result.Text("bytes", bytes), result.Text("record", recordNames[typ-tls.ContentChangeCipherSpec]))
	case len(b) == 0:
		return result.Msg("prefix.cut-none")
	}
	return result.Msg("prefix.cut-too-few", result.Text("bytes", Hex(b)))
}

// recordNames are the names RFC 8446 (Section 5.1) and RFC 6520 give the record content types
// 20-24: the same in every language.
var recordNames = [...]string{"change_cipher_spec", "alert", "handshake", "application_data", "heartbeat"}
