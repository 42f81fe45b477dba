package probe

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/connscope/connscope/certcheck"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// findings judges a probed target: what stops agents (problem), what some clients refuse
// (warning), and what works (info), each a code, a message and, for the first two, a next step.
func (p *prober) findings(t *result.ProbeTarget) []result.ProbeFinding {
	fs := &findingList{target: t.Input, apex: p.opts.Profile != nil && p.opts.Profile.Name == "apexone", agent: t.Role == RoleAgentListener}
	nameOK := p.nameFindings(fs, t)
	for i := range t.Endpoints {
		p.endpointFindings(fs, t, &t.Endpoints[i])
	}
	for _, h := range t.HTTP {
		p.httpFinding(fs, &h, "")
	}
	p.ipWorksNameDoesNot(fs, t, nameOK)
	return fs.list
}

// findingList collects one target's findings.
type findingList struct {
	target string
	apex   bool // the apexone profile: product wording in next steps
	agent  bool // the target is an agent's listener
	list   []result.ProbeFinding
}

func (fs *findingList) add(code, severity, endpoint string, m, next result.Message) {
	fs.list = append(fs.list, result.ProbeFinding{Code: code, Severity: severity, Target: fs.target, Endpoint: endpoint, Message: m, NextStep: next})
}

// pick returns the apexone wording of a next step under that profile, else the generic one.
func (fs *findingList) pick(generic, apexone result.Message) result.Message {
	if fs.apex {
		return apexone
	}
	return generic
}

// nameFindings judges the name's lookups and reports whether the system resolver resolved it.
func (p *prober) nameFindings(fs *findingList, t *result.ProbeTarget) bool {
	if len(t.Lookups) == 0 {
		return false
	}
	name := result.HostName("name", t.Name)
	sys := &t.Lookups[0]
	ok := sys.Outcome == "ok"
	if ok {
		fs.add("name-resolved", result.SeverityInfo, "", result.Msg("probe.name-resolved", name, result.AddrList("addrs", sys.Addresses)), result.Message{})
	} else {
		fs.add(string(result.VerdictNameResolutionFailed), result.SeverityProblem, "",
			result.Msg("probe.name-failed", name, result.Sub("outcome", sys.AnswerMessage())),
			fs.pick(result.Msg("probe.next.name-failed", name), result.Msg("probe.next.name-failed.apexone", name)))
	}
	for i := 1; i < len(t.Lookups); i++ {
		l := &t.Lookups[i]
		if l.Outcome == sys.Outcome && sameAddrs(l.Addresses, sys.Addresses) {
			continue
		}
		answer, system := l.AnswerMessage(), sys.AnswerMessage()
		fs.add(result.FindingResolversDisagree, result.SeverityWarning, "",
			result.Msg("probe.resolvers-disagree", result.Endpoint("resolver", l.Resolver), name, result.Sub("answer", answer), result.Sub("system", system)),
			result.Msg("probe.next.resolvers-disagree", name))
	}
	return ok
}

func sameAddrs(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// endpointWorks reports whether an agent gets through to ep: TCP, a TLS version (or plain text
// on a plain port) and, when fetched, the check URL.
func endpointWorks(ep *result.ProbeEndpoint) bool {
	if ep.TCP.Verdict != string(result.VerdictOK) {
		return false
	}
	if len(ep.Accepted) == 0 && schemeOf([]result.ProbeEndpoint{*ep}) != "http" {
		return false
	}
	for _, h := range ep.HTTP {
		if h.Status < 200 || h.Status > 299 {
			return false
		}
	}
	return true
}

func (p *prober) endpointFindings(fs *findingList, t *result.ProbeTarget, ep *result.ProbeEndpoint) {
	e := ep.Address
	ap, _ := netip.ParseAddrPort(e)
	endpoint, port, addr := result.Endpoint("endpoint", e), result.Int("port", t.Port), result.Addr("addr", ap.Addr().String())
	timeout := result.Sub("timeout", result.Msg("probe.seconds", result.Text("s", strconv.FormatFloat(p.opts.Timeout.Seconds(), 'f', -1, 64))))
	switch ep.TCP.Verdict {
	case string(result.VerdictOK):
		fs.add(result.FindingTCPOK, result.SeverityInfo, e, result.Msg("probe.tcp-ok", endpoint, result.Text("ms", ms(ep.TCP.ConnectMS))), result.Message{})
	case string(result.VerdictRefused):
		m := result.Msg("probe.tcp-refused", endpoint, port)
		if ep.TCP.Answer == "rst" {
			m = result.Msg("probe.tcp-refused-rst", endpoint, port)
		}
		fs.add(string(result.VerdictRefused), result.SeverityProblem, e, m,
			fs.pickRole(result.Msg("probe.next.refused", addr, port), result.Msg("probe.next.refused.apexone", addr, port), result.Msg("probe.next.refused.agent", addr, port)))
		return
	case string(result.VerdictFirewallReject):
		icmp, from := result.Text("icmp", ep.TCP.ICMP), result.Addr("from", ep.TCP.ICMPFrom)
		m := result.Msg("probe.tcp-firewall-reject", endpoint, from, icmp, port)
		if ep.TCP.ICMPFrom == ap.Addr().String() {
			m = result.Msg("probe.tcp-firewall-reject-host", endpoint, icmp, port)
		}
		fs.add(string(result.VerdictFirewallReject), result.SeverityProblem, e, m,
			fs.pickRole(result.Msg("probe.next.firewall-reject", addr, port, from), result.Msg("probe.next.firewall-reject.apexone", addr, port, from),
				result.Msg("probe.next.firewall-reject.agent", addr, port, from)))
		return
	case string(result.VerdictSYNTimeout):
		fs.add(string(result.VerdictSYNTimeout), result.SeverityProblem, e, result.Msg("probe.tcp-syn-timeout", endpoint, timeout),
			fs.pickRole(result.Msg("probe.next.syn-timeout", addr, port), result.Msg("probe.next.syn-timeout.apexone", addr, port),
				result.Msg("probe.next.syn-timeout.agent", addr, port)))
		return
	case string(result.VerdictUnreachable):
		m := result.Msg("probe.tcp-unreachable", endpoint, result.Capture("error", ep.TCP.Error))
		if ep.TCP.ICMP != "" {
			m = result.Msg("probe.tcp-unreachable-icmp", endpoint, result.Addr("from", ep.TCP.ICMPFrom), result.Text("icmp", ep.TCP.ICMP))
		}
		fs.add(string(result.VerdictUnreachable), result.SeverityProblem, e, m, result.Msg("probe.next.unreachable", addr))
		return
	default:
		fs.add("tcp-error", result.SeverityProblem, e, result.Msg("probe.tcp-error", endpoint, result.Capture("error", ep.TCP.Error)), result.Message{})
		return
	}
	p.versionFindings(fs, ep, endpoint, timeout)
	if ep.Ciphers != nil {
		cipherFindings(fs, ep, endpoint)
	}
	if c := ep.Certificate; c != nil && len(c.Chain) > 0 {
		leaf := c.Chain[0]
		fs.add("certificate", result.SeverityInfo, e, result.Msg("probe.certificate",
			endpoint, result.From("subject", leaf.Subject), result.From("issuer", leaf.Issuer),
			result.Text("date", leaf.NotAfter.UTC().Format("2006-01-02")), result.Text("key_type", leaf.KeyType), result.Int("bits", leaf.KeyBits),
			result.Text("version", c.Version)), result.Message{})
		for i, f := range c.Findings {
			sev := result.SeverityProblem
			switch f.Code {
			case certcheck.CodeNameMismatch, certcheck.CodeSelfSigned, certcheck.CodeUnknownIssuer:
				sev = result.SeverityWarning
			}
			fs.add(f.Code, sev, e, result.Msg("probe.certificate-finding", endpoint, result.Sub("finding", c.Messages[i])),
				fs.pick(result.Msg("probe.next.certificate", addr, port), result.Msg("probe.next.certificate.apexone", addr, port)))
		}
	}
	for _, h := range ep.HTTP {
		p.httpFinding(fs, &h, e)
	}
}

// pickRole is pick, with a third wording for an agent's listener.
func (fs *findingList) pickRole(generic, apexone, agent result.Message) result.Message {
	if fs.agent && fs.apex {
		return agent
	}
	return fs.pick(generic, apexone)
}

// outcomeMessage words what came back to one version's hello.
func outcomeMessage(v *result.ProbeVersion, timeout result.Arg) result.Message {
	switch v.Answer {
	case "server-hello":
		if v.Outcome == result.ProbeAccepted {
			return result.Msg("probe.outcome.accepted", result.Text("cipher", v.Cipher))
		}
		return result.Msg("probe.outcome.other-version", result.Text("chosen", v.Chosen))
	case "alert":
		return result.Msg("probe.outcome.alert", result.Text("alert", v.Alert))
	case "encrypted-alert":
		return result.Msg("probe.outcome.encrypted-alert")
	case "reset":
		return result.Msg("probe.outcome.reset")
	case "close":
		return result.Msg("probe.outcome.closed")
	case "silence":
		return result.Msg("probe.outcome.silence", timeout)
	case "not-tls":
		return result.Msg("probe.outcome.not-tls", result.Capture("prefix", v.NotTLS))
	}
	return result.Msg("probe.outcome.other", result.Text("outcome", v.Outcome))
}

func (p *prober) versionFindings(fs *findingList, ep *result.ProbeEndpoint, endpoint, timeout result.Arg) {
	e := ep.Address
	var refused []result.Message
	plain := true
	for i := range ep.Versions {
		v := &ep.Versions[i]
		if v.Outcome != string(result.VerdictNotTLS) {
			plain = false
		}
		if v.Outcome == result.ProbeAccepted {
			continue
		}
		refused = append(refused, result.Msg("probe.version-item", result.Text("version", v.Version), result.Sub("outcome", outcomeMessage(v, timeout))))
	}
	if len(ep.Accepted) == 0 {
		if plain {
			prefix := ""
			if len(ep.Versions) > 0 {
				prefix = ep.Versions[0].NotTLS
			}
			if p.plainPort(ep) {
				// The profile's plain-HTTP port (apexone: 8080): plain text is what it should say.
				fs.add(string(result.VerdictNotTLS), result.SeverityInfo, e, result.Msg("probe.plain-text", endpoint, result.Capture("prefix", prefix)), result.Message{})
				return
			}
			fs.add(string(result.VerdictNotTLS), result.SeverityWarning, e, result.Msg("probe.plain-text", endpoint, result.Capture("prefix", prefix)),
				result.Msg("probe.next.plain-text", endpoint))
			return
		}
		fs.add(result.FindingNoTLS, result.SeverityProblem, e, result.Msg("probe.no-version", endpoint, result.List("refused", refused)),
			result.Msg("probe.next.no-version", endpoint))
		return
	}
	accepted := versionList("versions", ep.Accepted)
	if len(refused) > 0 {
		fs.add(result.FindingVersionsAccepted, result.SeverityInfo, e, result.Msg("probe.versions", endpoint, accepted, result.List("refused", refused)), result.Message{})
	} else {
		fs.add(result.FindingVersionsAccepted, result.SeverityInfo, e, result.Msg("probe.versions-all", endpoint, accepted), result.Message{})
	}
	client := p.opts.ClientVersions
	if len(client) == 0 {
		return
	}
	var cv []string
	for _, v := range client {
		cv = append(cv, v.String())
	}
	agent := versionList("client", cv)
	if ep.Settled != "" {
		m := result.Msg("probe.settled", agent, endpoint, result.Text("version", ep.Settled))
		if fs.agent {
			m = result.Msg("probe.settled.agent", agent, endpoint, result.Text("version", ep.Settled))
		}
		fs.add(result.FindingVersionSettled, result.SeverityInfo, e, m, result.Message{})
		return
	}
	lowest, _ := tls.ParseVersion(ep.Accepted[0])
	highest := client[0]
	for _, v := range client {
		if v.Rank() > highest.Rank() {
			highest = v
		}
	}
	args := []result.Arg{result.Text("server_lowest", lowest.String()), result.Text("client_highest", highest.String()), endpoint}
	next := fs.pickRole(result.Msg("probe.next.no-common-version", args...), result.Msg("probe.next.no-common-version.apexone", args...),
		result.Msg("probe.next.no-common-version.agent", args...))
	m := result.Msg("probe.no-common-version", agent, endpoint, versionList("server", ep.Accepted))
	if fs.agent {
		m = result.Msg("probe.no-common-version.agent", agent, endpoint, versionList("server", ep.Accepted))
	}
	fs.add(string(result.VerdictTLSVersionMismatch), result.SeverityProblem, e, m, next)
}

// versionList is a list of versions as a parameter: "TLS 1.0, TLS 1.1".
func versionList(name string, vs []string) result.Arg {
	items := make([]result.Message, len(vs))
	for i, v := range vs {
		items[i] = result.Msg("probe.version", result.Text("version", v))
	}
	return result.List(name, items)
}

func cipherFindings(fs *findingList, ep *result.ProbeEndpoint, endpoint result.Arg) {
	c := ep.Ciphers
	e := ep.Address
	version := result.Text("version", c.Version)
	var names []result.Message
	for _, s := range c.Accepted {
		names = append(names, result.Msg("probe.cipher", result.Text("cipher", s)))
	}
	if len(c.Accepted) == 0 {
		fs.add(result.FindingNoCommonCipher, result.SeverityProblem, e, result.Msg("probe.ciphers-none", endpoint, version, result.Int("offered", c.Offered)),
			result.Msg("probe.next.no-common-cipher", endpoint))
		return
	}
	fs.add("ciphers-accepted", result.SeverityInfo, e, result.Msg("probe.ciphers", endpoint, version, result.Int("n", len(c.Accepted)),
		result.Int("offered", c.Offered), result.List("ciphers", names)), result.Message{})
	var gets []result.Message
	for _, cl := range c.Clients {
		client := result.Text("client", cl.Client)
		if cl.Cipher == "" {
			fs.add(result.FindingNoCommonCipher, result.SeverityWarning, e, result.Msg("probe.client-no-cipher", client, endpoint, version),
				fs.pick(result.Msg("probe.next.no-common-cipher", endpoint), result.Msg("probe.next.no-common-cipher.apexone", endpoint)))
			continue
		}
		gets = append(gets, result.Msg("probe.client-cipher", client, result.Text("cipher", cl.Cipher)))
	}
	if len(gets) > 0 {
		fs.add(result.FindingCommonCipher, result.SeverityInfo, e, result.Msg("probe.clients-ciphers", version, result.List("clients", gets)), result.Message{})
	}
}

// httpURL words the URL of a fetch: by name, or by address.
func httpURL(h *result.ProbeHTTP) result.Message {
	scheme, rest, _ := strings.Cut(h.URL, "://")
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		i = len(rest)
	}
	hostport, path := rest[:i], rest[i:]
	if h.By == "address" {
		return result.Msg("probe.url", result.Text("scheme", scheme), result.Endpoint("host", hostport), result.URLPath("path", path))
	}
	host, port, _ := strings.Cut(hostport, ":")
	return result.Msg("probe.url-name", result.Text("scheme", scheme), result.HostName("host", host), result.Text("port", port), result.URLPath("path", path))
}

func (p *prober) httpFinding(fs *findingList, h *result.ProbeHTTP, endpoint string) {
	url := result.Sub("url", httpURL(h))
	switch {
	case h.Error != "":
		fs.add(result.FindingHTTPFailed, result.SeverityProblem, endpoint, result.Msg("probe.http-failed", url, result.Capture("error", h.Error)), result.Message{})
	case h.Status >= 200 && h.Status <= 299:
		via := result.Msg("probe.http-plain")
		if h.Version != "" {
			via = result.Msg("probe.http-tls", result.Text("version", h.Version))
		}
		fs.add(result.FindingHTTPOK, result.SeverityInfo, endpoint, result.Msg("probe.http-ok", url, result.Int("status", h.Status),
			result.Int64("bytes", h.Bytes), result.Sub("via", via)), result.Message{})
	default:
		fs.add(string(result.VerdictHTTPError), result.SeverityProblem, endpoint, result.Msg("probe.http-error", url, result.Int("status", h.Status)),
			fs.pick(result.Msg("probe.next.http-error"), result.Msg("probe.next.http-error.apexone")))
	}
}

// ipWorksNameDoesNot says so when an address of the target works and its name does not: the
// name does not resolve, resolves only to addresses that fail, or its check URL fails.
func (p *prober) ipWorksNameDoesNot(fs *findingList, t *result.ProbeTarget, nameOK bool) {
	if t.Name == "" || len(t.Lookups) == 0 {
		return
	}
	var working *result.ProbeEndpoint
	for i := range t.Endpoints {
		if t.Endpoints[i].Via == "given" && endpointWorks(&t.Endpoints[i]) {
			working = &t.Endpoints[i]
			break
		}
	}
	if working == nil {
		return
	}
	name := result.HostName("name", t.Name)
	var why result.Message
	switch {
	case !nameOK:
		why = result.Msg("probe.why.unresolved", result.Sub("outcome", t.Lookups[0].AnswerMessage()))
	default:
		resolvedWorks := false
		for _, a := range t.Lookups[0].Addresses {
			for i := range t.Endpoints {
				ep := &t.Endpoints[i]
				if ap, err := netip.ParseAddrPort(ep.Address); err == nil && ap.Addr().String() == a && endpointWorks(ep) {
					resolvedWorks = true
				}
			}
		}
		if !resolvedWorks {
			why = result.Msg("probe.why.elsewhere", result.AddrList("addrs", t.Lookups[0].Addresses))
			break
		}
		for _, h := range t.HTTP {
			if h.Error != "" || h.Status < 200 || h.Status > 299 {
				why = result.Msg("probe.why.url", result.Sub("url", httpURL(&h)))
			}
		}
	}
	if why.IsZero() {
		return
	}
	wa, _ := netip.ParseAddrPort(working.Address)
	fs.add(result.FindingIPWorksNameDoesNot, result.SeverityProblem, working.Address,
		result.Msg("probe.ip-works-name-does-not", result.Endpoint("endpoint", working.Address), name, result.Sub("why", why)),
		fs.pick(result.Msg("probe.next.fix-name", name, result.Addr("addr", wa.Addr().String())),
			result.Msg("probe.next.fix-name.apexone", name, result.Addr("addr", wa.Addr().String()))))
}

// ms formats milliseconds: "0.2 ms", "12 ms".
func ms(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " ms"
}

// plainPort reports whether the profile names ep's port a plain-text port: one of its ports
// that is not one of its TLS ports.
func (p *prober) plainPort(ep *result.ProbeEndpoint) bool {
	ap, err := netip.ParseAddrPort(ep.Address)
	if err != nil || p.opts.Profile == nil {
		return false
	}
	port := ap.Port()
	return slices.Contains(p.opts.Profile.Ports, port) && !slices.Contains(p.opts.Profile.TLSPorts, port)
}
