package analyze

import "strings"

// bannerKinds names the greetings and banners that other protocols put first on a connection,
// so that not-tls says what was spoken instead ("an SSH banner", not "plain text").
var bannerKinds = []struct{ prefix, kind string }{
	{"SSH-", "an SSH banner"},
	{"220 ", "an SMTP or FTP greeting"},
	{"220-", "an SMTP or FTP greeting"},
	{"+OK", "a POP3 greeting"},
	{"* OK", "an IMAP greeting"},
	{"RFB ", "a VNC (RFB) banner"},
	{"EHLO ", "an SMTP EHLO"},
	{"HELO ", "an SMTP HELO"},
	{"PRI * HTTP/2.0", "an HTTP/2 cleartext preface"},
}

// bannerKind returns what a printable first line is, or "" when it is none of bannerKinds.
func bannerKind(line string) string {
	for _, b := range bannerKinds {
		if strings.HasPrefix(line, b.prefix) {
			return b.kind
		}
	}
	return ""
}
