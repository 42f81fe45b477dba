package result

// Verdict is the one-word outcome of a flow. The list is stable: values are only ever added.
type Verdict string

// The verdicts, in the order reports list them.
const (
	// VerdictOK: the TLS handshake completed (version and cipher chosen), or a plain TCP
	// connection on a non-TLS port exchanged data and closed normally.
	VerdictOK Verdict = "ok"
	// VerdictTLSVersionMismatch: the two sides share no TLS version. Shown by a protocol_version
	// alert, or by a reset/close right after a ClientHello whose highest version is below every
	// version this server chose in other connections of the same capture.
	VerdictTLSVersionMismatch Verdict = "tls-version-mismatch"
	// VerdictTLSHandshakeFailure: a handshake_failure or insufficient_security alert; most often
	// no cipher suite in common.
	VerdictTLSHandshakeFailure Verdict = "tls-handshake-failure"
	// VerdictTLSCertificateRejected: the client rejected the server's certificate (bad_certificate,
	// unknown_ca, certificate_expired, ...).
	VerdictTLSCertificateRejected Verdict = "tls-certificate-rejected"
	// VerdictTLSAlert: another fatal alert ended the handshake.
	VerdictTLSAlert Verdict = "tls-alert"
	// VerdictServerResetAfterClientHello: the server reset the connection right after the
	// ClientHello, with no alert (as Windows SChannel servers do), and the capture does not show
	// which versions this server accepts.
	VerdictServerResetAfterClientHello Verdict = "server-reset-after-client-hello"
	// VerdictServerClosedAfterClientHello: the server closed (FIN) right after the ClientHello
	// with no alert and no ServerHello.
	VerdictServerClosedAfterClientHello Verdict = "server-closed-after-client-hello"
	// VerdictNoServerHello: the server never answered the ClientHello before the client gave up
	// or the capture ended.
	VerdictNoServerHello Verdict = "no-server-hello"
	// VerdictRefused: the SYN was answered by a RST from the server host itself: nothing listens
	// on the port, or a host firewall rejects it with a reset. (A RST whose TTL shows another sender is middlebox-reset; an ICMP rejection is
	// firewall-reject.)
	VerdictRefused Verdict = "refused"
	// VerdictSYNTimeout: SYNs were never answered: dropped by a firewall, or the host is down.
	VerdictSYNTimeout Verdict = "syn-timeout"
	// VerdictReset: a reset by client or server after the TCP handshake; Reason names the stage.
	VerdictReset Verdict = "reset"
	// VerdictClosedDuringHandshake: one side closed the connection with a FIN (no reset) during
	// the TLS handshake, after the ServerHello, without an alert: it ended the handshake without
	// saying why. Reason names the side and what the packets show of the client's last steps;
	// Advice.Variant is that side ("client" or "server"). A reset at that stage is VerdictReset.
	VerdictClosedDuringHandshake Verdict = "closed-during-handshake"
	// VerdictNotTLS: the client spoke something other than TLS (e.g. plain HTTP) to a TLS port,
	// or the server answered a ClientHello with something other than TLS.
	VerdictNotTLS Verdict = "not-tls"
	// VerdictIncomplete: the capture started or ended in the middle of the connection, so the
	// outcome cannot be told.
	VerdictIncomplete Verdict = "incomplete"
	// VerdictHTTPError: a plain-HTTP connection worked, but the server answered the profile's
	// check URL (Apex One: /officescan/hotfix_pccnt/Common/OfcNTCer.dat) with an error status
	// (4xx or 5xx). Other paths answered with an error stay ok, with an http-status flag.
	VerdictHTTPError Verdict = "http-error"
	// VerdictNameResolutionFailed: a DNS name tied to the analysed servers did not resolve
	// (NXDOMAIN, SERVFAIL or another error, an answer without addresses, or no answer), or
	// resolved to addresses none of the analysed connections go to. It is the verdict of a
	// result.Name, not of a flow.
	VerdictNameResolutionFailed Verdict = "name-resolution-failed"
	// VerdictFirewallReject: the SYN (or a later packet) was answered by an ICMP error that a
	// firewall sends when it rejects: administratively prohibited (ICMP type 3 codes 9, 10, 13;
	// ICMPv6 type 1 codes 1, 5, 6), or port unreachable, which TCP stacks never send for a closed
	// port (they answer with RST). Reason names the device that sent it: a router or the server host.
	VerdictFirewallReject Verdict = "firewall-reject"
	// VerdictUnreachable: a router answered with ICMP net or host unreachable (ICMPv6 no route or
	// address unreachable): it has no route to the server, or the server does not answer ARP/ND.
	// Reason gives the code and the router.
	VerdictUnreachable Verdict = "unreachable"
	// VerdictPathMTU: a router answered with ICMP fragmentation needed (ICMPv6 packet too big) with
	// its next-hop MTU, and the connection did not get its data through.
	VerdictPathMTU Verdict = "path-mtu"
	// VerdictMiddleboxReset: a reset that the peer did not send: its IP TTL (hop count) differs
	// from the peer's other packets (in this flow or, for a SYN answered by a RST, other flows to
	// the same server), so a device in the path forged it. Reason gives both TTLs and, after a
	// long silence, the idle time (a firewall's session timeout).
	VerdictMiddleboxReset Verdict = "middlebox-reset"
	// VerdictDataBlackhole: the connection was established, then one side's data was retransmitted
	// and never acknowledged, with no reset or ICMP error: the path dropped it, or the host that
	// should have answered was down (the same packets, unless it sent more after the loss).
	VerdictDataBlackhole Verdict = "data-blackhole"
	// VerdictMTUBlackhole: only large segments were lost while small ones got through (typically
	// the server's certificate flight): a link with a smaller MTU whose ICMP fragmentation-needed
	// messages do not reach the sender. Reason gives the sizes that passed and those that did not.
	VerdictMTUBlackhole Verdict = "mtu-blackhole"
	// VerdictSYNACKUnacknowledged: the server answered the SYN with SYN-ACKs but the client never
	// acknowledged them (its SYNs kept coming): the SYN-ACKs are lost on the way back (asymmetric
	// routing, a firewall dropping them) or the client ignores them. Seen from the server side.
	VerdictSYNACKUnacknowledged Verdict = "synack-unacknowledged"
	// VerdictClientCertificateRequired: the server asked for a client certificate
	// (CertificateRequest) and the client gave none (no Certificate message, or an empty one),
	// then the server ended the handshake with a fatal alert: mutual TLS without the client's
	// certificate. TLS 1.2 and before, where these messages are in plain text.
	VerdictClientCertificateRequired Verdict = "client-certificate-required"
	// VerdictClientCertificateRejected: the client sent its certificate and the server rejected
	// it (bad_certificate, unknown_ca, certificate_unknown, certificate_expired, ... from the server
	// after the client's Certificate).
	VerdictClientCertificateRejected Verdict = "client-certificate-rejected"
	// VerdictTLSProtocolError: one side sent TLS the other could not read, and the other ended the
	// connection: a ServerHello that does not parse (Reason gives its version field), or bytes
	// that are not TLS records after the ServerHello (Reason names the side and the stage).
	VerdictTLSProtocolError Verdict = "tls-protocol-error"
	// VerdictClientHelloIncomplete: the client began a ClientHello and never completed it: fewer
	// bytes came than its length fields announce (no snaplen cut), and the connection ended. The
	// server, waiting for the rest, stays silent or closes: that is the consequence, not a refusal.
	VerdictClientHelloIncomplete Verdict = "client-hello-incomplete"
	// VerdictClientAborted: the client ended its own connection attempt before the TCP handshake
	// completed: it reset the server's SYN-ACK (its application gave up, or another of its
	// attempts won). The server and the path answered; not a failure of either.
	VerdictClientAborted Verdict = "client-aborted"
	// VerdictPortScan: one of many connection attempts from one address to many ports of one host,
	// or to one port of many hosts (a sweep), that carried no data (SYN-only or SYN, SYN-ACK,
	// RST): a port scan, not a client failing. The summary names the scan (summary.scans and a
	// port-scan warning; summary.sweeps and a port-sweep warning).
	VerdictPortScan Verdict = "port-scan"
	// VerdictHeartbleedProbe: the client sent a heartbeat record (content type 24) in the middle
	// of the TLS handshake, after the ServerHello, then closed the connection with a FIN: the
	// probe of a Heartbleed (CVE-2014-0160) scanner or exploit, not a client failing. A warning
	// (heartbleed-probe) names the host and the server; it counts in no server's failures.
	VerdictHeartbleedProbe Verdict = "heartbleed-probe"
)

// AllVerdicts lists every verdict in report order.
var AllVerdicts = []Verdict{
	VerdictOK,
	VerdictTLSVersionMismatch,
	VerdictTLSHandshakeFailure,
	VerdictTLSCertificateRejected,
	VerdictTLSAlert,
	VerdictServerResetAfterClientHello,
	VerdictServerClosedAfterClientHello,
	VerdictNoServerHello,
	VerdictRefused,
	VerdictSYNTimeout,
	VerdictReset,
	VerdictClosedDuringHandshake,
	VerdictNotTLS,
	VerdictIncomplete,
	VerdictHTTPError,
	VerdictNameResolutionFailed,
	VerdictFirewallReject,
	VerdictUnreachable,
	VerdictPathMTU,
	VerdictMiddleboxReset,
	VerdictDataBlackhole,
	VerdictMTUBlackhole,
	VerdictSYNACKUnacknowledged,
	VerdictClientCertificateRequired,
	VerdictClientCertificateRejected,
	VerdictTLSProtocolError,
	VerdictClientHelloIncomplete,
	VerdictClientAborted,
	VerdictPortScan,
	VerdictHeartbleedProbe,
}

// Failed reports whether the verdict means the connection did not work. ok and incomplete are
// not failures, nor are a client's own abandoned attempt, a port scan's probes and a Heartbleed
// probe.
func (v Verdict) Failed() bool {
	return v != VerdictOK && v != VerdictIncomplete && v != VerdictClientAborted && v != VerdictPortScan && v != VerdictHeartbleedProbe
}
