package result

import "time"

// ProbeSchemaVersion names the JSON schema of ProbeResult (docs/probe-json.md). Fields are only
// ever added within one version.
const ProbeSchemaVersion = "connscope.probe/v1"

// Probe-only outcomes and finding codes. Where a probe finds what analyze names, it uses the
// analyze verdict (refused, syn-timeout, unreachable, tls-version-mismatch, not-tls,
// server-reset-after-client-hello, ...); these name what only a probe can tell.
const (
	// ProbeAccepted: the server answered a ClientHello with a ServerHello choosing the one
	// version offered.
	ProbeAccepted = "accepted"
	// ProbeOtherVersion: the server answered with a ServerHello choosing another version than
	// the one offered (a lower one: it negotiated down; a higher one: a broken server).
	ProbeOtherVersion = "other-version"
	// ProbeNotTried: the check was not made (the TCP connection failed, the version is not
	// accepted, ...).
	ProbeNotTried = "not-tried"

	// FindingIPWorksNameDoesNot: the server answers by its address but not by its name.
	FindingIPWorksNameDoesNot = "ip-works-name-does-not"
	// FindingResolversDisagree: the resolvers asked gave different addresses for one name.
	FindingResolversDisagree = "resolvers-disagree"
	// FindingVersionSettled: the version the agent and the server will settle on.
	FindingVersionSettled = "version-settled"
	// FindingVersionsAccepted: the versions the server accepts.
	FindingVersionsAccepted = "versions-accepted"
	// FindingNoTLS: the port answered no ClientHello of any version.
	FindingNoTLS = "no-tls-version-accepted"
	// FindingNoCommonCipher: the server accepts no cipher suite a known client offers.
	FindingNoCommonCipher = "no-common-cipher"
	// FindingCommonCipher: the suite a known client would get.
	FindingCommonCipher = "common-cipher"
	// FindingClientVersionsUnknown: the agent's versions were neither given nor readable here.
	FindingClientVersionsUnknown = "client-versions-unknown"
	// FindingHTTPOK: the check URL answered 2xx.
	FindingHTTPOK = "http-ok"
	// FindingHTTPFailed: the check URL could not be fetched at all.
	FindingHTTPFailed = "http-failed"
	// FindingTCPOK: the TCP connection was accepted.
	FindingTCPOK = "tcp-ok"
)

// Severities of a ProbeFinding.
const (
	SeverityProblem = "problem" // something that stops agents (the exit status is 1)
	SeverityWarning = "warning" // something some clients refuse, or that may stop agents
	SeverityInfo    = "info"    // what works, for the record
)

// ProbeResult is the outcome of one `connscope probe` run.
type ProbeResult struct {
	Schema   string        `json:"schema"` // always ProbeSchemaVersion
	Started  time.Time     `json:"started"`
	Finished time.Time     `json:"finished"`
	Options  ProbeOptions  `json:"options"`
	Client   ProbeClient   `json:"client"` // the agent's TLS versions, as given or read here
	Targets  []ProbeTarget `json:"targets"`
	// Findings are every target's findings, in order: the answer first.
	Findings []ProbeFinding `json:"findings"`
	// Connections counts the TCP connections the probe opened.
	Connections int `json:"connections"`
	// Capture is the file --write wrote, when it did.
	Capture *ProbeCapture `json:"capture,omitempty"`
	// Problems counts findings of severity problem.
	Problems int `json:"problems"`
}

// ProbeOptions records how the probe ran.
type ProbeOptions struct {
	Profile   string  `json:"profile"`
	Timeout   float64 `json:"timeout_s"`
	Ciphers   string  `json:"ciphers"` // "common" or "all"
	URL       string  `json:"url"`     // the check URL's path; "" for none
	Resolvers bool    `json:"resolvers"`
}

// ProbeClient says which TLS versions the agent (the TLS client) has, and where that came from.
type ProbeClient struct {
	Versions []string `json:"versions"` // e.g. ["TLS 1.0", "TLS 1.1"]; empty when unknown
	// Source is "flag" (--client-versions), "registry" (this Windows machine's SCHANNEL keys)
	// or "unknown".
	Source string `json:"source"`
	// Detail says what was read, e.g. the registry values; message for people.
	Detail Message `json:"-"`
	// DetailText is Detail worded, filled in by the JSON report.
	DetailText string `json:"detail,omitempty"`
}

// ProbeTarget is one HOST[:PORT] probed.
type ProbeTarget struct {
	Input string `json:"input"` // as given
	Name  string `json:"name"`  // the DNS name probed; "" when only an address was given
	Port  int    `json:"port"`
	// Role is "server" (an agent's view of the server) or "agent-listener" (--agent: the server
	// notifying an agent, which is then the TLS server).
	Role string `json:"role"`
	// Lookups are the name's lookups: the system resolver's first, then each DNS server's.
	Lookups   []ProbeLookup   `json:"lookups"`
	Endpoints []ProbeEndpoint `json:"endpoints"` // one per address, the given address first
	// HTTP is the check URL fetched by name (through the system resolver), when there is a name.
	HTTP     []ProbeHTTP    `json:"http"`
	Findings []ProbeFinding `json:"findings"`
}

// ProbeLookup is one resolver's answer for a name.
type ProbeLookup struct {
	Resolver  string   `json:"resolver"`  // "system" or the DNS server's "ip:port"
	Outcome   string   `json:"outcome"`   // "ok", "nxdomain", "no-address", "timeout", "error"
	Addresses []string `json:"addresses"` // never nil
	Error     string   `json:"error,omitempty"`
	Seconds   float64  `json:"seconds"`
}

// ProbeEndpoint is everything probed at one address:port.
type ProbeEndpoint struct {
	Address string `json:"address"` // "ip:port"
	// Via says how the address came: "given" or "resolved".
	Via      string         `json:"via"`
	TCP      ProbeTCP       `json:"tcp"`
	Versions []ProbeVersion `json:"versions"` // SSL 3.0 to TLS 1.3, in order; empty when TCP failed
	// Accepted lists the versions the server accepted, lowest first.
	Accepted []string `json:"accepted"`
	// Settled is the version the agent and this server settle on; "" when none or unknown.
	Settled     string            `json:"settled"`
	Ciphers     *ProbeCiphers     `json:"ciphers"`
	Certificate *ProbeCertificate `json:"certificate"`
	HTTP        []ProbeHTTP       `json:"http"`
}

// ProbeTCP is how the TCP connection went.
type ProbeTCP struct {
	// Verdict is analyze's word: "ok", "refused" (a RST), "firewall-reject" (an ICMP port
	// unreachable or administratively prohibited), "unreachable" (an ICMP host or network
	// unreachable, or no route), "syn-timeout" (no answer); "error" for anything else.
	Verdict   string  `json:"verdict"`
	ConnectMS float64 `json:"connect_ms"` // time to the answer (SYN-ACK, RST or ICMP error); the timeout for syn-timeout
	// Answer is what answered the SYN: "syn-ack", "rst", "icmp", "none", or "rst-or-icmp"
	// where the operating system does not tell a RST from an ICMP port unreachable.
	Answer string `json:"answer"`
	// ICMP names the ICMP error, e.g. "ICMP 3/3 port unreachable", and ICMPFrom its sender.
	ICMP     string `json:"icmp,omitempty"`
	ICMPFrom string `json:"icmp_from,omitempty"`
	Error    string `json:"error,omitempty"`
}

// ProbeVersion is the answer to one ClientHello offering one version.
type ProbeVersion struct {
	Version string `json:"version"` // the version offered, e.g. "TLS 1.2"
	// Outcome is "accepted", "other-version", or analyze's verdict for the answer: "tls-version-mismatch"
	// (protocol_version alert), "tls-handshake-failure" (handshake_failure or insufficient_security),
	// "tls-alert" (another alert), "server-reset-after-client-hello", "server-closed-after-client-hello",
	// "no-server-hello" (silence until the timeout), "not-tls"; or a TCP verdict when the connection failed.
	Outcome string `json:"outcome"`
	// Answer is what came back: "server-hello", "alert", "encrypted-alert", "reset", "close",
	// "silence" (nothing until the timeout) or "not-tls"; "" when the connection failed.
	Answer  string  `json:"answer"`
	Chosen  string  `json:"chosen,omitempty"` // the ServerHello's version
	Cipher  string  `json:"cipher,omitempty"` // the ServerHello's suite
	Alert   string  `json:"alert,omitempty"`  // the alert's description
	Seconds float64 `json:"seconds"`          // from the ClientHello to the answer
	// HelloBytes is the ClientHello's handshake message length.
	HelloBytes int    `json:"hello_bytes"`
	NotTLS     string `json:"not_tls,omitempty"` // the first bytes of a non-TLS answer
}

// ProbeCiphers is the cipher suites the server accepted at one version.
type ProbeCiphers struct {
	Version string `json:"version"`
	Mode    string `json:"mode"` // "common" or "all"
	Offered int    `json:"offered"`
	// Accepted are the suites the server chose, in the order it chose them (its preference,
	// when it enforces one).
	Accepted []string `json:"accepted"`
	// Clients are the known clients' outcomes with these suites.
	Clients []ProbeClientCipher `json:"clients"`
}

// ProbeClientCipher is what one known client (e.g. Windows 7 SChannel) would get.
type ProbeClientCipher struct {
	Client string `json:"client"` // e.g. "Windows 7 / Server 2008 R2"
	Cipher string `json:"cipher"` // the suite it would get; "" when none in common
}

// ProbeCertificate is the chain the server presented.
type ProbeCertificate struct {
	Version  string                    `json:"version"` // the version it came with
	Source   string                    `json:"source"`  // "handshake" (crypto/tls) or "certificate-message" (read from a TLS 1.2-or-lower answer)
	Chain    []Certificate             `json:"chain"`
	Findings []ProbeCertificateFinding `json:"findings"`
	// Messages are the findings as messages; the JSON report words Findings[i].Text from
	// Messages[i] in its language.
	Messages []Message `json:"-"`
}

// ProbeCertificateFinding is one problem of the chain a server presented to a probe: a
// certcheck code, and its sentence as the report words it.
type ProbeCertificateFinding struct {
	Code string `json:"code"` // as CertificateFinding.Code
	Text string `json:"text"` // worded by the report from ProbeCertificate.Messages
}

// ProbeHTTP is one GET of the check URL.
type ProbeHTTP struct {
	URL     string  `json:"url"`               // as requested, e.g. "https://apexone.example:4343/officescan/..."
	By      string  `json:"by"`                // "name" or "address"
	Address string  `json:"address,omitempty"` // the address:port it connected to
	Status  int     `json:"status"`
	Bytes   int64   `json:"bytes"`
	Version string  `json:"version,omitempty"` // TLS version used
	Error   string  `json:"error,omitempty"`
	Seconds float64 `json:"seconds"`
}

// ProbeFinding is one thing the probe found, for people: a code, a severity and a message.
type ProbeFinding struct {
	Code     string  `json:"code"`
	Severity string  `json:"severity"`
	Target   string  `json:"target"`             // ProbeTarget.Input
	Endpoint string  `json:"endpoint,omitempty"` // the address:port it concerns, when one
	Message  Message `json:"-"`
	// NextStep says what to do; empty for information.
	NextStep Message `json:"-"`
	// Text and NextText are Message and NextStep worded, filled in by the JSON report.
	Text     string `json:"text"`
	NextText string `json:"next_step,omitempty"`
}

// ProbeCapture is the packet capture --write made of the probe's own packets.
type ProbeCapture struct {
	File      string `json:"file"`
	Interface string `json:"interface"`
	Packets   int    `json:"packets"`
	Filter    string `json:"filter"`
}

// AnswerMessage words a lookup's answer: its addresses, or why there are none.
func (l *ProbeLookup) AnswerMessage() Message {
	switch l.Outcome {
	case "ok":
		return Msg("probe.lookup.answer", AddrList("addrs", l.Addresses))
	case "nxdomain":
		return Msg("probe.lookup.nxdomain")
	case "no-address":
		return Msg("probe.lookup.no-address")
	case "timeout":
		return Msg("probe.lookup.timeout")
	}
	return Msg("probe.lookup.error", Capture("error", l.Error))
}

// AddrList is a list of addresses as a message parameter: "10.0.0.2, 10.0.0.3".
func AddrList(name string, addrs []string) Arg {
	items := make([]Message, len(addrs))
	for i, a := range addrs {
		items[i] = Msg("probe.addr", Addr("addr", a))
	}
	return List(name, items)
}
