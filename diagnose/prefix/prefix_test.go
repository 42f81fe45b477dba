package prefix

import (
	"testing"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

func say(m result.Message) string { return knowledge.CatalogOf(knowledge.English).Render(m) }

// TestDescribePrefix checks how not-tls names what a side sent instead of TLS.
func TestDescribePrefix(t *testing.T) {
	cases := []struct{ in, want string }{
		{"GET /officescan/hotfix_pccnt/Common/OfcNTCer.dat HTTP/1.1\r\nHost: x\r\n", `a plain HTTP request "GET /officescan/hotfix_pccnt/Common/OfcNTCer.dat HTTP/1.1"`},
		{"POST /officescan/cgi/cgiOnStart.exe HTTP/1.0\r\n", `a plain HTTP request "POST /officescan/cgi/cgiOnStart.exe HTTP/1.0"`},
		{"HTTP/1.1 400 Bad Request\r\nServer: x", `a plain HTTP response "HTTP/1.1 400 Bad Request"`},
		{"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", `an SSH banner "SSH-2.0-OpenSSH_9.2p1 Debian-2"`},
		{"220 mail.example.com ESMTP Postfix\r\n", `an SMTP or FTP greeting "220 mail.example.com ESMTP Postfix"`},
		{"+OK POP3 ready\r\n", `a POP3 greeting "+OK POP3 ready"`},
		{"* OK IMAP4rev1 ready\r\n", `an IMAP greeting "* OK IMAP4rev1 ready"`},
		{"hello\n", `plain text "hello"`},
		{"\x03\x00\x00\x13\x0e\xe0\x00\x00", "non-TLS bytes 03 00 00 13 0e e0 00 00"},
	}
	for _, tc := range cases {
		if got := say(Describe([]byte(tc.in))); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.in, got, tc.want)
		}
	}
}
