// Command acctool holds the small peers that connscope's accuracy and two-point test captures
// need where no packaged program behaves as wanted (testdata/make-accuracy-captures.sh,
// testdata/make-twopoint-captures.sh). Standard library only. Each subcommand is one peer:
//
//	acctool garbage-server -listen A -cert C -key K   TLS 1.2 server that answers one request, then writes raw non-TLS bytes
//	acctool draft-server -listen A                    answers a ClientHello with a TLS 1.3 draft-layout ServerHello (version 0x7f1c)
//	acctool starttls -listen A -proto smtp|imap|pop3|ftp -cert C -key K
//	                                                  minimal text-protocol server: greeting, STARTTLS dialogue, then crypto/tls
//	acctool socks -listen A                           SOCKS4/4a/5 CONNECT proxy (no authentication)
//	acctool tfo-client -connect A -n N                crypto/tls client over TCP Fast Open (TCP_FASTOPEN_CONNECT)
//	acctool abort-client -connect A -after D          starts a connect() and closes the socket (SO_LINGER 0) after D
//	acctool close-reset-server -listen A              plain TCP: echoes lines, then closes with SO_LINGER 0 (a RST) after -lines lines
//	acctool iplen -in F -out G -frame N -add K        copies a pcap, with frame N's IPv4 total length raised by K (header checksum fixed)
//	acctool rexmit -in F -out G -frame N -from M      copies a pcap, inserting after frame N a retransmission of it carrying frame M's TCP payload
package main

import (
	"fmt"
	"os"
)

var commands = map[string]func(args []string) error{
	"garbage-server":     garbageServer,
	"draft-server":       draftServer,
	"starttls":           startTLSServer,
	"socks":              socksProxy,
	"tfo-client":         tfoClient,
	"abort-client":       abortClient,
	"close-reset-server": closeResetServer,
	"iplen":              ipLen,
	"rexmit":             rexmit,
}

func main() {
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: acctool garbage-server|draft-server|starttls|socks|tfo-client|abort-client|close-reset-server|iplen|rexmit [flags]")
		os.Exit(2)
	}
	if err := commands[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "acctool %s: error: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
