// Package probe checks a TLS server actively, as an agent would reach it: it resolves the name,
// connects over TCP, sends one ClientHello per version (SSL 3.0 to TLS 1.3) that connscope builds
// itself (hello.ClientHelloSpec), reads the answer with the tls package's parsers without completing
// the handshake, finds the cipher suites the server accepts, judges its certificate (certcheck)
// and fetches the check URL by name and by address. It produces a result.ProbeResult: codes and
// parameters, never prose; report words it.
//
// Probing is polite: one connection at a time, a short timeout, and a few dozen connections per
// address unless every cipher suite is asked for.
package probe

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
	"github.com/connscope/connscope/tls/hello"
)

// Roles of a target.
const (
	RoleServer        = "server"         // the agents' server, probed as an agent reaches it
	RoleAgentListener = "agent-listener" // an agent's listener, probed as the server notifies it
)

// Cipher scan modes.
const (
	CiphersCommon = "common" // the suites the usual clients offer
	CiphersAll    = "all"    // every registered suite
)

// DefaultTimeout is how long a connect or an answer is waited for.
const DefaultTimeout = 3 * time.Second

// Target is one HOST[:PORT] to probe.
type Target struct {
	Input string     // as given
	Name  string     // a DNS name; "" when Addr was given
	Addr  netip.Addr // an address; invalid when Name was given
	Port  int
	Role  string
}

// TargetProblem says why ParseTarget refused a target, for a TargetError.
type TargetProblem string

// The reasons ParseTarget refuses a target.
const (
	TargetBadPort TargetProblem = "port"     // the port (Port) is not a number from 1 to 65535
	TargetNoHost  TargetProblem = "no-host"  // nothing before the port
	TargetNotHost TargetProblem = "not-host" // neither an address nor a host name
	TargetNoPort  TargetProblem = "no-port"  // no port given, and no default
)

// TargetError is the error of a target ParseTarget refuses: Problem says why, Target is the
// target as given and Port, for TargetBadPort, the port as given. Error words it in English; a
// program that words its messages itself reads the fields instead.
type TargetError struct {
	Problem TargetProblem
	Target  string
	Port    string
	text    string
}

// Error says what is wrong with the target, e.g. `"x:0": the port "0" is not a number from 1 to 65535`.
func (e *TargetError) Error() string { return e.text }

// ParseTarget reads HOST[:PORT] ("apexone.example", "10.0.0.2:4343", "[fd00::2]:4343", "fd00::2");
// defaultPort is used when the port is left out (0: a port is required).
func ParseTarget(s string, defaultPort int, role string) (Target, error) {
	t := Target{Input: s, Role: role, Port: defaultPort}
	host := strings.TrimSpace(s)
	if h, p, err := net.SplitHostPort(host); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return t, &TargetError{Problem: TargetBadPort, Target: s, Port: p, text: fmt.Sprintf("%q: the port %q is not a number from 1 to 65535", s, p)}
		}
		host, t.Port = h, n
	}
	host = strings.Trim(host, "[]")
	if host == "" {
		return t, &TargetError{Problem: TargetNoHost, Target: s, text: fmt.Sprintf("%q: no host", s)}
	}
	if a, err := netip.ParseAddr(host); err == nil {
		t.Addr = a.Unmap()
	} else {
		if strings.ContainsAny(host, " /:@") {
			return t, &TargetError{Problem: TargetNotHost, Target: s, text: fmt.Sprintf("%q is neither an address nor a host name", s)}
		}
		t.Name = strings.TrimSuffix(strings.ToLower(host), ".")
	}
	if t.Port == 0 {
		return t, &TargetError{Problem: TargetNoPort, Target: s, text: fmt.Sprintf("%q: give the port (HOST:PORT), or a --profile that has one", s)}
	}
	return t, nil
}

// Options configure a probe.
type Options struct {
	Targets []Target
	// ServerNames are the server's DNS names (--server-name): each address target of role server
	// is probed by these names too, to tell "the address works, the name does not".
	ServerNames []string
	Profile     *knowledge.Profile
	// ClientVersions are the agent's TLS versions; empty when unknown. ClientSource says where
	// they came from ("flag", "registry", "unknown"), ClientDetail what was read.
	ClientVersions []tls.Version
	ClientSource   string
	ClientDetail   result.Message
	Ciphers        string        // CiphersCommon (default) or CiphersAll
	URL            string        // the check URL's path; "" for the profile's
	NoURL          bool          // fetch no URL at all
	Timeout        time.Duration // per connect and per answer; 0 for DefaultTimeout
	// Resolvers are the DNS servers ("ip:port") asked besides the system resolver; nil reads
	// them from the system's configuration where it can (resolv.conf).
	Resolvers []string
	// Roots are the trusted roots certificates are checked against; nil: the system's.
	Roots *x509.CertPool
	Now   func() time.Time
	// OnEndpoint, when set, is called as each address is about to be probed (for progress lines).
	OnEndpoint func(address string)
}

// prober runs one probe.
type prober struct {
	opts        Options
	connections int
}

// Run probes every target in turn, one connection at a time.
func Run(ctx context.Context, opts Options) *result.ProbeResult {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Ciphers == "" {
		opts.Ciphers = CiphersCommon
	}
	if opts.Resolvers == nil {
		opts.Resolvers = systemResolvers()
	}
	p := &prober{opts: opts}
	r := &result.ProbeResult{Schema: result.ProbeSchemaVersion, Started: opts.Now().UTC(),
		Options: result.ProbeOptions{Timeout: opts.Timeout.Seconds(), Ciphers: opts.Ciphers, Resolvers: len(opts.Resolvers) > 0},
		Targets: []result.ProbeTarget{}, Findings: []result.ProbeFinding{}}
	if opts.Profile != nil {
		r.Options.Profile = opts.Profile.Name
	}
	r.Options.URL = p.url(RoleServer)
	r.Client = result.ProbeClient{Source: opts.ClientSource, Versions: []string{}, Detail: opts.ClientDetail}
	for _, v := range opts.ClientVersions {
		r.Client.Versions = append(r.Client.Versions, v.String())
	}
	for _, t := range opts.Targets {
		if ctx.Err() != nil {
			break
		}
		pt := p.target(ctx, t)
		r.Targets = append(r.Targets, pt)
	}
	Summarize(r, opts)
	r.Connections = p.connections
	r.Finished = opts.Now().UTC()
	return r
}

// Diagnose judges a probed target from its facts alone (no network): its findings, each a code,
// a severity, a message and a next step. Run calls it for every target; tests and tools can
// call it on facts of their own.
func Diagnose(opts Options, t *result.ProbeTarget) []result.ProbeFinding {
	p := &prober{opts: opts}
	return p.findings(t)
}

// Summarize gathers the targets' findings into r.Findings, adds the note that the agent's
// versions are unknown when they are and a version was accepted, and counts the problems.
func Summarize(r *result.ProbeResult, opts Options) {
	r.Findings = []result.ProbeFinding{}
	r.Problems = 0
	accepted := false
	for i := range r.Targets {
		r.Findings = append(r.Findings, r.Targets[i].Findings...)
		for _, ep := range r.Targets[i].Endpoints {
			accepted = accepted || len(ep.Accepted) > 0
		}
	}
	if len(opts.ClientVersions) == 0 && accepted {
		r.Findings = append(r.Findings, result.ProbeFinding{Code: result.FindingClientVersionsUnknown, Severity: result.SeverityInfo,
			Message: result.Msg("probe.client-versions-unknown")})
	}
	for _, f := range r.Findings {
		if f.Severity == result.SeverityProblem {
			r.Problems++
		}
	}
}

// url is the path fetched for a target of role, or "" for none.
func (p *prober) url(role string) string {
	switch {
	case p.opts.NoURL:
		return ""
	case role == RoleAgentListener:
		if p.opts.Profile != nil && p.opts.Profile.Name == "apexone" {
			return "/?CAVIT" // the agent's listener answers it with "!CRYPT!..."
		}
		return ""
	case p.opts.URL != "":
		return p.opts.URL
	case p.opts.Profile != nil:
		return p.opts.Profile.CheckURL
	}
	return ""
}

// target probes one target: its name's lookups, then every address.
func (p *prober) target(ctx context.Context, t Target) result.ProbeTarget {
	pt := result.ProbeTarget{Input: t.Input, Name: t.Name, Port: t.Port, Role: t.Role,
		Lookups: []result.ProbeLookup{}, Endpoints: []result.ProbeEndpoint{}, HTTP: []result.ProbeHTTP{}, Findings: []result.ProbeFinding{}}
	names := []string{}
	if t.Name != "" {
		names = append(names, t.Name)
	} else if t.Role == RoleServer {
		names = append(names, p.opts.ServerNames...)
	}
	var addrs []netip.Addr
	if t.Addr.IsValid() {
		addrs = append(addrs, t.Addr)
	}
	given := len(addrs)
	for _, n := range names {
		lookups := p.lookup(ctx, n)
		pt.Lookups = append(pt.Lookups, lookups...)
		if pt.Name == "" {
			pt.Name = n
		}
		for _, a := range lookups[0].Addresses {
			if ad, err := netip.ParseAddr(a); err == nil && !slices.Contains(addrs, ad) {
				addrs = append(addrs, ad)
			}
		}
	}
	for i, a := range addrs {
		via := "given"
		if i >= given {
			via = "resolved"
		}
		pt.Endpoints = append(pt.Endpoints, p.endpoint(ctx, pt.Name, a, t, via))
	}
	resolved := len(pt.Lookups) > 0 && pt.Lookups[0].Outcome == "ok"
	if url := p.url(t.Role); url != "" && resolved && len(pt.Endpoints) > 0 {
		scheme := schemeOf(pt.Endpoints)
		if scheme != "" {
			pt.HTTP = append(pt.HTTP, p.get(ctx, scheme, pt.Name, "", t.Port, url))
		}
	}
	pt.Findings = p.findings(&pt)
	return pt
}

// endpoint probes one address: TCP, each version, the cipher suites, the certificate and the
// check URL by address.
func (p *prober) endpoint(ctx context.Context, name string, a netip.Addr, t Target, via string) result.ProbeEndpoint {
	addr := netip.AddrPortFrom(a, uint16(t.Port)).String()
	if p.opts.OnEndpoint != nil {
		p.opts.OnEndpoint(addr)
	}
	ep := result.ProbeEndpoint{Address: addr, Via: via, Versions: []result.ProbeVersion{}, Accepted: []string{}, HTTP: []result.ProbeHTTP{}}
	conn, tcp := p.dial(ctx, addr)
	ep.TCP = result.ProbeTCP{Verdict: tcp.verdict, ConnectMS: float64(tcp.elapsed.Microseconds()) / 1000}
	switch {
	case tcp.err == nil:
		ep.TCP.Answer = "syn-ack"
	case tcp.icmp != nil:
		ep.TCP.Answer, ep.TCP.ICMP = "icmp", tcp.icmp.String()
		if tcp.icmp.from.IsValid() {
			ep.TCP.ICMPFrom = tcp.icmp.from.Unmap().String()
		}
	case tcp.verdict == string(result.VerdictRefused) && icmpErrorsVisible:
		ep.TCP.Answer = "rst"
	case tcp.verdict == string(result.VerdictRefused):
		ep.TCP.Answer = "rst-or-icmp"
	case tcp.verdict == string(result.VerdictSYNTimeout):
		ep.TCP.Answer = "none"
	}
	if tcp.err != nil {
		ep.TCP.Error = tcp.err.Error()
		return ep
	}
	sni := name
	var raw *rawCert
	for _, v := range Versions {
		pv, cert := p.version(ctx, addr, conn, v, sni)
		conn = nil // the TCP check's connection carries the first hello only
		ep.Versions = append(ep.Versions, pv)
		if pv.Outcome == result.ProbeAccepted {
			ep.Accepted = append(ep.Accepted, pv.Version)
			if cert != nil {
				raw = &rawCert{version: v, cert: cert}
			}
		}
	}
	if conn != nil {
		conn.Close()
	}
	belowAccepted(&ep)
	if settled, ok := settle(ep.Accepted, p.opts.ClientVersions); ok {
		ep.Settled = settled.String()
	}
	if len(ep.Accepted) > 0 {
		ep.Ciphers = p.ciphers(ctx, addr, sni, &ep)
		ep.Certificate = p.certificate(ctx, addr, name, a, &ep, raw)
	}
	if url := p.url(t.Role); url != "" {
		if scheme := schemeOf([]result.ProbeEndpoint{ep}); scheme != "" {
			ep.HTTP = append(ep.HTTP, p.get(ctx, scheme, a.String(), addr, t.Port, url))
		}
	}
	return ep
}

// belowAccepted names, as analyze does, a version refused without a protocol_version alert (a
// handshake_failure even to every registered suite, a reset, a close) tls-version-mismatch when
// the server accepted a higher version: the server does not take that version, whatever the
// alert says (GnuTLS answers a version it lacks with handshake_failure; SChannel resets).
func belowAccepted(ep *result.ProbeEndpoint) {
	if len(ep.Accepted) == 0 {
		return
	}
	lowest, _ := tls.ParseVersion(ep.Accepted[0])
	for i := range ep.Versions {
		v := &ep.Versions[i]
		ver, _ := tls.ParseVersion(v.Version)
		switch v.Outcome {
		case string(result.VerdictTLSHandshakeFailure), string(result.VerdictServerResetAfterClientHello), string(result.VerdictServerClosedAfterClientHello):
			if ver.Rank() < lowest.Rank() {
				v.Outcome = string(result.VerdictTLSVersionMismatch)
			}
		}
	}
}

// schemeOf is "https" when an endpoint accepted a TLS version, "http" when one answered in plain
// text (the HTTP port), else "".
func schemeOf(eps []result.ProbeEndpoint) string {
	plain := false
	for _, ep := range eps {
		if len(ep.Accepted) > 0 {
			return "https"
		}
		for _, v := range ep.Versions {
			if v.Outcome == string(result.VerdictNotTLS) {
				plain = true
			}
		}
	}
	if plain {
		return "http"
	}
	return ""
}

// version sends one ClientHello offering only v (on conn when it is not nil, else on a new
// connection) and names the answer. A handshake_failure to the typical suites is tried again
// with every registered suite of that version, so that a server with unusual suites is not
// taken to refuse the version.
func (p *prober) version(ctx context.Context, addr string, conn net.Conn, v tls.Version, sni string) (result.ProbeVersion, *tls.Certificate) {
	pv := result.ProbeVersion{Version: v.String()}
	wantCert := v.Rank() <= tls.VersionTLS12.Rank()
	a, size, tcp := p.hello(ctx, addr, conn, v, typicalSuites(v), sni, wantCert)
	if tcp.err == nil && (a.kind == "reset" || a.kind == "close") {
		// A flaky server gives false intolerance (testssl.sh issue 1301): ask once more before
		// taking a reset or a close for a refusal.
		a, size, tcp = p.hello(ctx, addr, nil, v, typicalSuites(v), sni, wantCert)
	}
	if tcp.err == nil && a.outcome == string(result.VerdictTLSHandshakeFailure) {
		a, size, tcp = p.hello(ctx, addr, nil, v, broadSuites(v), sni, wantCert)
	}
	pv.HelloBytes = size
	if tcp.err != nil {
		pv.Outcome = tcp.verdict
		return pv, nil
	}
	pv.Outcome, pv.Answer = a.outcome, a.kind
	pv.Seconds = a.elapsed.Seconds()
	if a.sh != nil {
		pv.Chosen = a.sh.ChosenVersion().String()
		pv.Cipher = a.sh.CipherSuite.String()
	}
	if a.kind == "alert" {
		pv.Alert = a.alert.Description.String()
	}
	if len(a.notTLS) > 0 {
		pv.NotTLS = printable(a.notTLS)
	}
	return pv, a.cert
}

// hello sends one ClientHello of version v with suites and reads the answer.
func (p *prober) hello(ctx context.Context, addr string, conn net.Conn, v tls.Version, suites []tls.CipherSuite, sni string, wantCert bool) (answer, int, tcpOutcome) {
	spec, err := helloFor(v, suites, sni)
	if err != nil {
		return answer{outcome: "error", err: err}, 0, tcpOutcome{verdict: "error", err: err}
	}
	msg, err := spec.Marshal()
	if err != nil {
		return answer{outcome: "error", err: err}, 0, tcpOutcome{verdict: "error", err: err}
	}
	rec, err := hello.WrapRecord(tls.ContentHandshake, recordVersion(v), msg)
	if err != nil {
		return answer{outcome: "error", err: err}, 0, tcpOutcome{verdict: "error", err: err}
	}
	if conn == nil {
		var tcp tcpOutcome
		if conn, tcp = p.dial(ctx, addr); tcp.err != nil {
			return answer{}, len(msg), tcp
		}
	}
	defer conn.Close()
	return exchange(conn, rec, v, p.opts.Timeout, wantCert), len(msg), tcpOutcome{verdict: string(result.VerdictOK)}
}

// printable shows the first bytes of a non-TLS answer as text, other bytes as \xNN.
func printable(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			sb.WriteByte(c)
		} else if c == '\r' || c == '\n' {
			sb.WriteByte(' ')
		} else {
			fmt.Fprintf(&sb, `\x%02x`, c)
		}
	}
	return strings.TrimSpace(sb.String())
}

// settle returns the version an agent with versions client and a server that accepted
// accepted settle on: the highest version both have (TLS negotiation, as the vendor article
// states it); false when they share none or the client's versions are unknown.
func settle(accepted []string, client []tls.Version) (tls.Version, bool) {
	if len(client) == 0 {
		return 0, false
	}
	var best tls.Version
	for _, s := range accepted {
		v, ok := tls.ParseVersion(s)
		if ok && slices.Contains(client, v) && v.Rank() > best.Rank() {
			best = v
		}
	}
	return best, best != 0
}
