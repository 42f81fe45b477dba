package analyze

import (
	"fmt"
	"strings"

	"github.com/connscope/connscope/result"
)

// nextStep says, in plain words, what an engineer should do about a flow's verdict. The text is
// generic TLS-service advice; product profiles specialise it.
func (f *flow) nextStep() string {
	port := f.server.Port()
	srv := addr(f.server)
	switch f.diag.verdict {
	case result.VerdictOK:
		return ""
	case result.VerdictTLSVersionMismatch:
		hi := "its highest version"
		if f.diag.highest != 0 {
			hi = f.diag.highest.String()
		}
		return fmt.Sprintf("Make the versions overlap: enable TLS 1.2 on the client (on older Windows: the SCHANNEL TLS 1.2 Client registry keys and WinHTTP DefaultSecureProtocols), or allow %s on %s.", hi, srv)
	case result.VerdictTLSHandshakeFailure:
		return fmt.Sprintf("Compare the client's cipher suites with those %s allows and enable at least one on both sides (on Windows: the SSL Cipher Suite Order policy); check that the certificate's key type fits the suites offered.", srv)
	case result.VerdictTLSCertificateRejected:
		return "Check the server certificate against what the client trusts: install the issuing CA on the client, renew an expired certificate, and make its name match the name the client connects to."
	case result.VerdictTLSAlert:
		return fmt.Sprintf("Look up the alert in the logs of the side that sent it (on Windows servers: System event log, source Schannel) at %s.", f.last.UTC().Format("15:04:05"))
	case result.VerdictServerResetAfterClientHello, result.VerdictServerClosedAfterClientHello, result.VerdictNoServerHello:
		return fmt.Sprintf("The server took the connection but refused the ClientHello without saying why: compare the versions and cipher suites this client offers (%s) with those enabled on %s (Windows: Schannel events 36874/36888 in the System log).", f.offered(), srv)
	case result.VerdictRefused:
		if len(f.icmp) > 0 {
			return fmt.Sprintf("A router or firewall (%s) rejects TCP port %d to %s: add a firewall exception for the port.", f.icmp[0].router, port, f.server.Addr())
		}
		return fmt.Sprintf("Nothing listens on %s: check that the service is running and bound to port %d (Windows: netstat -ano | findstr :%d; Linux: ss -ltnp).", srv, port, port)
	case result.VerdictSYNTimeout:
		return fmt.Sprintf("Check the path to %s: a firewall dropping TCP port %d (host firewall or network), a routing problem, or the host being down. From the client: Test-NetConnection %s -Port %d.", srv, port, f.server.Addr(), port)
	case result.VerdictReset:
		return "Find which device sent the reset: compare its TTL with the peer's other packets (a different hop count means a middlebox); check firewalls, proxies and IPS rules between the two and the server's logs at that time."
	case result.VerdictNotTLS:
		if strings.Contains(f.diag.reason, "server answered") {
			return fmt.Sprintf("%s does not speak TLS: point the client at the HTTPS port, or enable TLS on this port.", srv)
		}
		return fmt.Sprintf("The client must use TLS on port %d: configure it for https://%s, or point it at the plain-HTTP port.", port, srv)
	case result.VerdictIncomplete:
		if f.missingDirection() != "" {
			return "Capture where both directions pass: on the client or server host itself, or on a link that carries the return path too, and without a one-way capture filter."
		}
		if f.clientHelloCut {
			return "Capture again with the whole packet: tcpdump -s 0 (or no -s option: tcpdump 4.0 and later default to 262144 bytes); on Windows, pktmon or Wireshark without a packet slice limit."
		}
		return "Capture the whole connection, from its SYN to its end: start the capture before the client connects and stop it after it gives up."
	}
	return f.pathNextStep() // pathverdict.go
}
