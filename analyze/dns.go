package analyze

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/result"
)

// Bounds of the DNS bookkeeping: memory stays flat whatever the capture holds.
const (
	maxDNSPending   = 65536 // queries waiting for their answer
	maxDNSNames     = 4096  // names followed
	maxNameAskers   = 256   // clients followed per name (more are counted)
	maxNameAnswers  = 16    // addresses kept per name
	maxNameServers  = 4     // DNS servers kept per name
	maxNameEvidence = 8     // evidence lines per name
	maxListedAskers = 16    // askers listed in the result
	// dnsGiveUp: a query first asked this long before the end of the capture and never answered
	// (retries included) timed out; one asked later is only unanswered-at-end.
	dnsGiveUp = 2 * time.Second
)

// DNS outcomes, best first: a client's outcome for a name is the best of its lookups.
const (
	dnsResolved = iota
	dnsNXDomain
	dnsServFail
	dnsRefused
	dnsOtherRCode
	dnsNoAnswer
	dnsTimeout
	dnsAtEnd
	dnsNone // nothing yet
)

var dnsOutcomeName = [...]string{"resolved", "nxdomain", "servfail", "refused", "rcode", "no-answer", "timeout", "unanswered-at-end", ""}

// dnsTable follows the lookups of names over UDP port 53.
type dnsTable struct {
	pending map[dnsQueryKey]dnsPending
	names   map[string]*nameFacts
	order   []*nameFacts // in order of first query
	dropped int          // queries or names not followed because a bound was reached
}

// dnsQueryKey matches an answer to its query: the client's socket, the server and the query ID.
type dnsQueryKey struct {
	client netip.AddrPort
	server netip.Addr
	id     uint16
}

type dnsPending struct {
	name     *nameFacts
	client   netip.Addr
	at, last ref // the first query and its last retry
	retries  int
}

// nameFacts is what the capture showed about one name.
type nameFacts struct {
	name       string
	askers     []netip.Addr
	outcome    map[netip.Addr]int // best outcome per asker
	rcodeOf    map[netip.Addr]dnsmessage.RCode
	askerCount int
	servers    []netip.Addr
	answers    []netip.Addr
	queries    int
	responses  int
	evidence   []result.Evidence
	unanswered []dnsPending // filled at the end from the pending queries
	otherCode  dnsmessage.RCode
}

// dnsPacket takes one DNS datagram: a query for an A, AAAA or ANY record, or the answer to one.
func (a *Analyzer) dnsPacket(p *capture.Packet) {
	var parser dnsmessage.Parser
	h, err := parser.Start(p.UDP.Payload)
	if err != nil {
		return
	}
	q, err := parser.Question()
	if err != nil || q.Class != dnsmessage.ClassINET ||
		(q.Type != dnsmessage.TypeA && q.Type != dnsmessage.TypeAAAA && q.Type != dnsmessage.TypeALL) {
		return
	}
	name := strings.TrimSuffix(strings.ToLower(q.Name.String()), ".")
	at := mkRef(p.Index, p.Time)
	d := &a.dns
	if d.names == nil {
		d.names = map[string]*nameFacts{}
		d.pending = map[dnsQueryKey]dnsPending{}
	}
	if !h.Response {
		n := d.name(name)
		if n == nil {
			return
		}
		n.queries++
		n.asked(p.SrcIP, dnsNone)
		n.server(p.DstIP)
		key := dnsQueryKey{netip.AddrPortFrom(p.SrcIP, p.UDP.SrcPort), p.DstIP, h.ID}
		if pend, dup := d.pending[key]; dup {
			pend.retries++
			pend.last = at
			d.pending[key] = pend
			n.addEvidence(at, "query for %s %s again (ID 0x%04x, retry %d) from %s to %s", typeName(q.Type), name, h.ID, pend.retries, p.SrcIP, p.DstIP)
			return
		}
		if len(d.pending) >= maxDNSPending {
			d.dropped++
			return
		}
		d.pending[key] = dnsPending{name: n, client: p.SrcIP, at: at, last: at}
		n.addEvidence(at, "query for %s %s (ID 0x%04x) from %s to %s", typeName(q.Type), name, h.ID, p.SrcIP, p.DstIP)
		return
	}
	if h.Truncated {
		return // the client asks again over TCP, which is not followed
	}
	key := dnsQueryKey{netip.AddrPortFrom(p.DstIP, p.UDP.DstPort), p.SrcIP, h.ID}
	pend, matched := d.pending[key]
	delete(d.pending, key)
	n := pend.name
	if !matched {
		if n = d.name(name); n == nil {
			return
		}
		n.server(p.SrcIP)
	}
	n.responses++
	outcome := dnsOutcomeOf(h.RCode)
	var addrs []netip.Addr
	if h.RCode == dnsmessage.RCodeSuccess {
		addrs = answerAddrs(&parser)
		outcome = dnsNoAnswer
		if len(addrs) > 0 {
			outcome = dnsResolved
		}
	}
	if outcome == dnsOtherRCode {
		n.otherCode = h.RCode
	}
	n.asked(p.DstIP, outcome)
	if best, tracked := n.outcome[p.DstIP]; tracked && best == outcome {
		n.rcodeOf[p.DstIP] = h.RCode // the code of the client's best answer
	}
	for _, ad := range addrs {
		if !slices.Contains(n.answers, ad) && len(n.answers) < maxNameAnswers {
			n.answers = append(n.answers, ad)
		}
	}
	what := rcodeName(h.RCode)
	switch {
	case len(addrs) > 0:
		what = "answer " + joinAddrs(addrs)
	case outcome == dnsNoAnswer:
		what = "NOERROR without an address"
	}
	n.addEvidence(at, "%s for %s %s (ID 0x%04x) from %s to %s", what, typeName(q.Type), name, h.ID, p.SrcIP, p.DstIP)
}

// name returns the facts of a name, creating them unless the table is full.
func (d *dnsTable) name(name string) *nameFacts {
	if n := d.names[name]; n != nil {
		return n
	}
	if len(d.names) >= maxDNSNames {
		d.dropped++
		return nil
	}
	n := &nameFacts{name: name, outcome: map[netip.Addr]int{}, rcodeOf: map[netip.Addr]dnsmessage.RCode{}}
	d.names[name] = n
	d.order = append(d.order, n)
	return n
}

// asked records that client looked the name up, with the outcome of one answer (dnsNone for a
// query): each client keeps its best outcome.
func (n *nameFacts) asked(client netip.Addr, outcome int) {
	cur, known := n.outcome[client]
	if !known {
		n.askerCount++
		if len(n.outcome) >= maxNameAskers {
			return
		}
		n.askers = append(n.askers, client)
		cur = dnsNone
	}
	n.outcome[client] = min(cur, outcome)
}

func (n *nameFacts) server(s netip.Addr) {
	if !slices.Contains(n.servers, s) && len(n.servers) < maxNameServers {
		n.servers = append(n.servers, s)
	}
}

func (n *nameFacts) addEvidence(r ref, format string, args ...any) {
	if len(n.evidence) < maxNameEvidence {
		n.evidence = append(n.evidence, result.Evidence{Frame: r.num(), Time: r.time(), Text: fmt.Sprintf(format, args...)})
	}
}

func dnsOutcomeOf(rc dnsmessage.RCode) int {
	switch rc {
	case dnsmessage.RCodeSuccess:
		return dnsResolved
	case dnsmessage.RCodeNameError:
		return dnsNXDomain
	case dnsmessage.RCodeServerFailure:
		return dnsServFail
	case dnsmessage.RCodeRefused:
		return dnsRefused
	}
	return dnsOtherRCode
}

// rcodeName names a response code as DNS tools print it.
func rcodeName(rc dnsmessage.RCode) string {
	switch rc {
	case dnsmessage.RCodeSuccess:
		return "NOERROR"
	case dnsmessage.RCodeFormatError:
		return "FORMERR"
	case dnsmessage.RCodeServerFailure:
		return "SERVFAIL"
	case dnsmessage.RCodeNameError:
		return "NXDOMAIN"
	case dnsmessage.RCodeNotImplemented:
		return "NOTIMP"
	case dnsmessage.RCodeRefused:
		return "REFUSED"
	}
	return "RCODE" + strconv.Itoa(int(rc))
}

// answerAddrs reads the A and AAAA records of an answer section (CNAME chains are followed by the
// server: the addresses come in the same answer).
func answerAddrs(p *dnsmessage.Parser) []netip.Addr {
	if p.SkipAllQuestions() != nil {
		return nil
	}
	var out []netip.Addr
	for range 64 {
		h, err := p.AnswerHeader()
		if err != nil {
			break
		}
		switch h.Type {
		case dnsmessage.TypeA:
			r, err := p.AResource()
			if err != nil {
				return out
			}
			out = append(out, netip.AddrFrom4(r.A))
		case dnsmessage.TypeAAAA:
			r, err := p.AAAAResource()
			if err != nil {
				return out
			}
			out = append(out, netip.AddrFrom16(r.AAAA))
		default:
			if p.SkipAnswer() != nil {
				return out
			}
		}
	}
	return out
}

func joinAddrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// finishNames turns the names tied to the analysed servers into result.Names, and warns about
// failed lookups of other names.
func (a *Analyzer) finishNames(res *result.Result) {
	res.Names = []result.Name{}
	d := &a.dns
	end := res.Input.Last
	for _, p := range d.pending {
		p.name.unanswered = append(p.name.unanswered, p)
	}
	for _, n := range d.order {
		slices.SortFunc(n.unanswered, func(x, y dnsPending) int { return x.at.num() - y.at.num() })
		for _, p := range n.unanswered {
			outcome := dnsTimeout // the client waited dnsGiveUp or more, retries included
			if end.Sub(p.at.time()) < dnsGiveUp {
				outcome = dnsAtEnd
			}
			if cur, tracked := n.outcome[p.client]; tracked {
				n.outcome[p.client] = min(cur, outcome)
			}
		}
	}
	tie := a.nameTies(res)
	var other []string
	otherCount := 0
	for _, n := range d.order {
		relation := tie.relation(n)
		if relation == "" {
			if worst, _ := n.failing(); worst != dnsNone {
				otherCount++
				if len(other) < 3 {
					other = append(other, fmt.Sprintf("%s: %s", n.name, dnsOutcomeName[worst]))
				}
			}
			continue
		}
		res.Names = append(res.Names, a.nameResult(n, relation, tie, end))
	}
	for _, n := range res.Names {
		if n.Failed {
			res.Summary.NamesFailed++
		}
	}
	if otherCount > 0 {
		res.Warnings = append(res.Warnings, result.Warning{Code: "dns-other-failures", Message: fmt.Sprintf(
			"%d other DNS name(s) failed to resolve (%s) that nothing ties to the analysed servers; if one is the server's name as the clients know it, give it with --server-name",
			otherCount, strings.Join(other, ", "))})
	}
	if d.dropped > 0 {
		res.Warnings = append(res.Warnings, result.Warning{Code: "dns-not-followed", Message: fmt.Sprintf(
			"%d DNS queries or names were not followed because more than %d names or %d open queries were seen", d.dropped, maxDNSNames, maxDNSPending)})
	}
}

// failing returns the worst failing outcome among the clients whose lookups of n all failed, and
// those clients; dnsNone when every client resolved the name (or none finished asking).
func (n *nameFacts) failing() (int, []netip.Addr) {
	worst := dnsNone
	var clients []netip.Addr
	for _, c := range n.askers {
		o := n.outcome[c]
		if o == dnsResolved || o == dnsNone {
			continue
		}
		clients = append(clients, c)
		if worst == dnsNone || o < worst {
			worst = o
		}
	}
	return worst, clients
}

// nameTies is what ties names to the analysed servers.
type nameTies struct {
	option      []string
	sni, host   map[string]bool
	serverIPs   map[netip.Addr]bool
	serverList  []string // analysed server endpoints, for the words
	serverAddrs []string // their addresses
	okFlow      *result.Flow
	serverCount int
}

func (a *Analyzer) nameTies(res *result.Result) nameTies {
	t := nameTies{option: a.opts.ServerNames, sni: map[string]bool{}, host: map[string]bool{}, serverIPs: map[netip.Addr]bool{}}
	for s := range a.agg.servers {
		t.serverIPs[s.Addr()] = true
	}
	for _, s := range res.Summary.Servers {
		if len(t.serverList) < 4 {
			t.serverList = append(t.serverList, s.Server)
			if ap, err := netip.ParseAddrPort(s.Server); err == nil && !slices.Contains(t.serverAddrs, ap.Addr().String()) {
				t.serverAddrs = append(t.serverAddrs, ap.Addr().String())
			}
		}
		t.serverCount++
	}
	for i := range res.Flows {
		f := &res.Flows[i]
		if f.TLS != nil && f.TLS.ClientHello != nil && f.TLS.ClientHello.SNI != "" {
			t.sni[strings.ToLower(f.TLS.ClientHello.SNI)] = true
		}
		if f.HTTP != nil && f.HTTP.Host != "" {
			h := strings.ToLower(f.HTTP.Host)
			if host, _, ok := strings.Cut(h, ":"); ok && !strings.HasPrefix(h, "[") {
				h = host
			}
			t.host[h] = true
		}
		if f.Verdict == result.VerdictOK && t.okFlow == nil {
			t.okFlow = f
		}
	}
	return t
}

func (t nameTies) relation(n *nameFacts) string {
	switch {
	case slices.Contains(t.option, n.name):
		return "server-name-option"
	case t.sni[n.name]:
		return "sni"
	case t.host[n.name]:
		return "http-host"
	}
	for _, ad := range n.answers {
		if t.serverIPs[ad] {
			return "answer-is-server"
		}
	}
	return ""
}

// nameResult diagnoses one name tied to the servers.
func (a *Analyzer) nameResult(n *nameFacts, relation string, tie nameTies, end time.Time) result.Name {
	out := result.Name{Name: n.name, Relation: relation, Answers: []string{}, Askers: []string{}, DNSServers: []string{},
		Queries: n.queries, Responses: n.responses, AskerCount: n.askerCount,
		Evidence: append([]result.Evidence{}, n.evidence...), Filter: fmt.Sprintf("dns.qry.name == %q", n.name)}
	for _, ad := range n.answers {
		out.Answers = append(out.Answers, ad.String())
	}
	for _, s := range n.servers {
		out.DNSServers = append(out.DNSServers, s.String())
	}
	worst, failing := n.failing()
	askers := n.askers
	variant := ""
	servers := strings.Join(tie.serverList, ", ")
	if servers == "" {
		servers = "no analysed server"
	}
	dnsServer := ""
	if len(n.servers) > 0 {
		dnsServer = n.servers[0].String()
	}
	switch {
	case worst == dnsAtEnd:
		out.Outcome, out.Verdict = "unanswered-at-end", result.VerdictIncomplete
		askers = failing
		out.Reason = fmt.Sprintf("the capture ended less than %s after the query for %s: whether it was answered cannot be told", dnsGiveUp, n.name)
	case worst != dnsNone:
		askers = failing
		out.Verdict = result.VerdictNameResolutionFailed
		out.Outcome = dnsOutcomeName[worst]
		variant = out.Outcome
		if worst == dnsOtherRCode {
			out.Outcome = "rcode-" + strconv.Itoa(int(n.otherCode))
			variant = ""
		}
		if rc, ok := n.rcodeOf[failing[0]]; ok && worst != dnsTimeout {
			out.RCode = rcodeName(rc)
		}
		out.Reason = fmt.Sprintf("%s (asked by %s)", failureWords(worst, out.RCode, dnsServer, n), joinAddrs(first(failing, 4)))
		if len(failing) > 4 {
			out.Reason = strings.TrimSuffix(out.Reason, ")") + fmt.Sprintf(" and %d more)", len(failing)-4)
		}
		if tie.okFlow != nil {
			out.Reason += fmt.Sprintf("; meanwhile connections by address work (e.g. flow #%d, %s -> %s)", tie.okFlow.ID, tie.okFlow.Client, tie.okFlow.Server)
			out.Evidence = append(out.Evidence, result.Evidence{Frame: firstFrame(tie.okFlow), Time: tie.okFlow.Start, Flow: tie.okFlow.ID,
				Text: fmt.Sprintf("flow #%d from %s to %s by address: %s", tie.okFlow.ID, tie.okFlow.Client, tie.okFlow.Server, tie.okFlow.Reason)})
		}
		for _, p := range n.unanswered {
			if len(out.Evidence) < maxNameEvidence+2 {
				out.Evidence = append(out.Evidence, result.Evidence{Frame: p.last.num(), Time: p.last.time(),
					Text: fmt.Sprintf("no answer to this query (frame %d, asked %d time(s)) in the %s the capture went on after it", p.at.frame, p.retries+1, fmtDur(end.Sub(p.last.time())))})
			}
		}
	default:
		out.Outcome, out.Verdict, out.RCode = "resolved", result.VerdictOK, "NOERROR"
		out.Reason = fmt.Sprintf("%s resolves to %s", n.name, joinAddrs(n.answers))
		if relation != "answer-is-server" && tie.serverCount > 0 && !tie.anyServer(n.answers) {
			out.Verdict, variant = result.VerdictNameResolutionFailed, "elsewhere"
			out.Reason += fmt.Sprintf(", but none of the analysed connections goes there: the clients connect to %s", servers)
		}
	}
	for _, c := range first(askers, maxListedAskers) {
		out.Askers = append(out.Askers, c.String())
	}
	out.Failed = out.Verdict.Failed()
	facts := map[string]string{"name": n.name, "askers": strings.Join(out.Askers, ", "), "dns_server": dnsServer,
		"answer": strings.Join(out.Answers, ", "), "servers": strings.Join(tie.serverAddrs, ", ")}
	adv := a.opts.Profile.Lookup(out.Verdict, variant, "", facts)
	out.Title, out.NextSteps, out.NextStep = adv.Title, adv.NextSteps, strings.Join(adv.NextSteps, " ")
	if !out.Failed && out.Verdict != result.VerdictIncomplete {
		out.NextSteps, out.NextStep = []string{}, ""
	}
	slices.SortStableFunc(out.Evidence, func(x, y result.Evidence) int { return x.Frame - y.Frame })
	return out
}

func (t nameTies) anyServer(as []netip.Addr) bool {
	for _, ad := range as {
		if t.serverIPs[ad] {
			return true
		}
	}
	return false
}

func failureWords(outcome int, rcode, dnsServer string, n *nameFacts) string {
	switch outcome {
	case dnsNXDomain:
		return fmt.Sprintf("%s answered NXDOMAIN: %s does not exist", dnsServer, n.name)
	case dnsNoAnswer:
		return fmt.Sprintf("%s answered NOERROR without an address for %s", dnsServer, n.name)
	case dnsTimeout:
		return fmt.Sprintf("%s never answered the %d queries for %s", dnsServer, n.queries, n.name)
	}
	return fmt.Sprintf("%s answered %s for %s", dnsServer, rcode, n.name)
}

// typeName names a query type as DNS tools print it: "A", "AAAA", "ANY".
func typeName(t dnsmessage.Type) string {
	if t == dnsmessage.TypeALL {
		return "ANY"
	}
	return strings.TrimPrefix(t.String(), "Type")
}

func first[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func firstFrame(f *result.Flow) int {
	if len(f.TCP.SYNs) > 0 {
		return f.TCP.SYNs[0].Frame
	}
	if len(f.Evidence) > 0 {
		return f.Evidence[0].Frame
	}
	return 0
}
