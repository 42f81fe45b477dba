package diagnose

import (
	"strings"

	"github.com/connscope/connscope/result"
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

// describePrefix says what the first bytes of a non-TLS stream look like.
func describePrefix(b []byte) result.Message {
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
	n := min(len(b), 16)
	hex := make([]byte, 0, 3*n)
	for i, c := range b[:n] {
		if i > 0 {
			hex = append(hex, ' ')
		}
		hex = append(hex, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
	}
	return result.Msg("prefix.bytes", result.Capture("bytes", string(hex)))
}

// DescribePrefix says what the first bytes of a non-TLS stream look like.
func DescribePrefix(b []byte) result.Message { return describePrefix(b) }

func isHTTPRequest(line []byte) bool {
	for _, m := range []string{"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "PATCH "} {
		if strings.HasPrefix(string(line), m) {
			return true
		}
	}
	return false
}
