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
	// version this server chose for other clients in the same capture.
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
	// VerdictRefused: the SYN was answered by a RST: nothing listens on the port.
	VerdictRefused Verdict = "refused"
	// VerdictSYNTimeout: SYNs were never answered: dropped by a firewall, or the host is down.
	VerdictSYNTimeout Verdict = "syn-timeout"
	// VerdictReset: a reset by client or server after the TCP handshake; Reason names the stage.
	VerdictReset Verdict = "reset"
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
	VerdictNotTLS,
	VerdictIncomplete,
	VerdictHTTPError,
	VerdictNameResolutionFailed,
}

// Failed reports whether the verdict means the connection did not work. ok and incomplete are
// not failures.
func (v Verdict) Failed() bool {
	return v != VerdictOK && v != VerdictIncomplete
}
