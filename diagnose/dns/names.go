// Package dns judges the DNS lookups of the names tied to the analysed servers (the names given
// as the server's, the SNIs and HTTP hosts clients sent, names that resolve to a server): a
// verdict, reason, evidence and next-step values per name (result.Name), from the lookups that
// connection tracking recorded (facts.Name) and what the capture showed of the servers.
package dns

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/connscope/connscope/diagnose/param"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// Bounds of a name's result.
const (
	maxNameEvidence = 8  // evidence lines per name (plus a few for the unanswered queries)
	maxListedAskers = 16 // askers listed
	// dnsGiveUp: a query first asked this long before the end of the capture and never answered
	// (retries included) timed out; one asked later is only unanswered-at-end.
	dnsGiveUp = 2 * time.Second
)

// Ties is what ties DNS names to the analysed servers: the names given as the server's, the SNIs
// and HTTP hosts the clients sent, the servers' addresses, and a connection by address that
// worked.
type Ties struct {
	Option      []string            // --server-name
	SNI, Host   map[string]bool     // lower case
	ServerIPs   map[netip.Addr]bool // every analysed server's address
	ServerList  []netip.AddrPort    // the first few analysed server endpoints, for the words
	ServerAddrs []netip.Addr        // their addresses
	ServerCount int                 // analysed server endpoints
	OK          *OKFlow             // the first listed connection whose verdict is ok
	// At names each vantage (by index) for the evidence lines, when the input has several
	// (result.EvidenceAt); nil with one: the lines then name none.
	At []*result.EvidenceAt
}

// at is the vantage x as an evidence line names it; nil with one vantage.
func (t *Ties) at(x uint16) *result.EvidenceAt {
	if int(x) < len(t.At) {
		return t.At[x]
	}
	return nil
}

// OKFlow is a connection that worked, cited by a name's diagnosis.
type OKFlow struct {
	ID             int
	Client, Server result.HostPort
	Start          time.Time
	Frame          int            // its first SYN's frame, else its first evidence's
	Vantage        uint16         // the capture Frame is in
	Reason         result.Message // its reason
}

// relation says how a name is tied to the servers; "" when it is not.
func (t *Ties) relation(n *facts.Name) string {
	switch {
	case slices.Contains(t.Option, n.Name):
		return "server-name-option"
	case t.SNI[n.Name]:
		return "sni"
	case t.Host[n.Name]:
		return "http-host"
	}
	for _, ad := range n.Answers {
		if t.ServerIPs[ad] {
			return "answer-is-server"
		}
	}
	return ""
}

func (t *Ties) anyServer(as []netip.Addr) bool {
	for _, ad := range as {
		if t.ServerIPs[ad] {
			return true
		}
	}
	return false
}

// NameResults diagnoses the names tied to the servers, in order of their first query, and
// returns, for the others that failed, their count and the first few ("name: outcome"). end
// returns when the capture of a vantage ended (its last frame): an unanswered query is measured
// against the end of the capture it was seen in, not of another capture point.
func NameResults(names []*facts.Name, t *Ties, end func(vantage uint16) time.Time) (out []result.Name, otherFailed int, others []result.Message) {
	out = []result.Name{}
	for _, n := range names {
		for _, p := range n.Unanswered {
			outcome := facts.DNSTimeout // the client waited dnsGiveUp or more, retries included
			if end(p.Vantage).Sub(p.At.Time()) < dnsGiveUp {
				outcome = facts.DNSAtEnd
			}
			if cur, tracked := n.Outcome[p.Client]; tracked {
				n.Outcome[p.Client] = min(cur, outcome)
			}
		}
	}
	for _, n := range names {
		relation := t.relation(n)
		if relation == "" {
			if worst, _ := failing(n); worst != facts.DNSNone {
				otherFailed++
				if len(others) < 3 {
					others = append(others, result.Msg("name.outcome", result.HostName("name", n.Name), result.Text("outcome", facts.DNSOutcomeName[worst])))
				}
			}
			continue
		}
		out = append(out, nameResult(n, relation, t, end))
	}
	return out, otherFailed, others
}

// failing returns the worst failing outcome among the clients whose lookups of n all failed, and
// those clients; facts.DNSNone when every client resolved the name (or none finished asking).
func failing(n *facts.Name) (int, []netip.Addr) {
	worst := facts.DNSNone
	var clients []netip.Addr
	for _, c := range n.Askers {
		o := n.Outcome[c]
		if o == facts.DNSResolved || o == facts.DNSNone {
			continue
		}
		clients = append(clients, c)
		if worst == facts.DNSNone || o < worst {
			worst = o
		}
	}
	return worst, clients
}

// nameResult diagnoses one name tied to the servers.
func nameResult(n *facts.Name, relation string, t *Ties, end func(vantage uint16) time.Time) result.Name {
	out := result.Name{Name: result.Host(n.Name), Relation: relation, Answers: ips(n.Answers), Askers: []result.IP{},
		DNSServers: ips(n.Servers), Queries: n.Queries, Responses: n.Responses, AskerCount: n.AskerCount,
		Evidence: dnsEvidence(n, t)}
	worst, failed := failing(n)
	askers := n.Askers
	variant := ""
	dnsServer := ""
	if len(n.Servers) > 0 {
		dnsServer = n.Servers[0].String()
	}
	name := result.HostName("name", n.Name)
	switch {
	case worst == facts.DNSAtEnd:
		out.Outcome, out.Verdict = "unanswered-at-end", result.VerdictIncomplete
		askers = failed
		out.Reason = result.Msg("name.unanswered-at-end", result.Text("give_up", dnsGiveUp.String()), name)
	case worst != facts.DNSNone:
		askers = failed
		out.Verdict = result.VerdictNameResolutionFailed
		out.Outcome = facts.DNSOutcomeName[worst]
		variant = out.Outcome
		if worst == facts.DNSOtherCode {
			out.Outcome = "rcode-" + strconv.Itoa(int(n.OtherCode))
			variant = ""
		}
		if rc, ok := n.RCodeOf[failed[0]]; ok && worst != facts.DNSTimeout {
			out.RCode = rcodeName(dnsmessage.RCode(rc))
		}
		server := result.Addr("dns_server", dnsServer)
		var words result.Message
		switch worst {
		case facts.DNSNXDomain:
			words = result.Msg("name.nxdomain", server, name)
		case facts.DNSNoAnswer:
			words = result.Msg("name.no-answer", server, name)
		case facts.DNSTimeout:
			words = result.Msg("name.timeout", server, result.Int("n", n.Queries), name)
			if near, far := answerLost(n, failed, t); far != nil {
				out.Outcome, variant = "answer-lost", "answer-lost"
				words = result.Msg("name.answer-lost", server, name, result.Sub("far", far.Name), result.Sub("near", near.Name))
			}
		default:
			words = result.Msg("name.rcode", server, result.Text("rcode", out.RCode), name)
		}
		more := result.Message{}
		if len(failed) > 4 {
			more = result.Msg("name.more-askers", result.Int("n", len(failed)-4))
		}
		out.Reason = result.Msg("name.failed", result.Sub("what", words), addrList("askers", first(failed, 4)), result.Sub("more", more))
		if ok := t.OK; ok != nil {
			out.Reason = result.Msg("concat", result.Sub("a", out.Reason), result.Sub("b", result.Msg("name.meanwhile-ok",
				result.Int("flow", ok.ID), result.From("client", ok.Client), result.From("server", ok.Server))))
			out.Evidence = append(out.Evidence, result.Evidence{Frame: ok.Frame, Time: ok.Start, Flow: ok.ID, EvidenceAt: t.at(ok.Vantage),
				Text: result.Msg("ev.name-ok-flow", result.Int("flow", ok.ID), result.From("client", ok.Client),
					result.From("server", ok.Server), result.Sub("reason", ok.Reason))})
		}
		for _, p := range n.Unanswered {
			if len(out.Evidence)-n.Copies < maxNameEvidence+2 { // the copies seen at other vantages apart
				out.Evidence = append(out.Evidence, result.Evidence{Frame: p.Last.Num(), Time: p.Last.Time(), EvidenceAt: t.at(p.Vantage),
					Text: result.Msg("ev.dns-unanswered", result.Int("frame", p.At.Num()), result.Int("n", p.Retries+1),
						param.Dur("after", end(p.Vantage).Sub(p.Last.Time())))})
			}
		}
	default:
		out.Outcome, out.Verdict, out.RCode = "resolved", result.VerdictOK, "NOERROR"
		out.Reason = result.Msg("name.resolves", name, addrList("answers", n.Answers))
		if relation != "answer-is-server" && t.ServerCount > 0 && !t.anyServer(n.Answers) {
			out.Verdict, variant = result.VerdictNameResolutionFailed, "elsewhere"
			out.Reason = result.Msg("concat", result.Sub("a", out.Reason), result.Sub("b", result.Msg("name.elsewhere",
				endpointList("servers", t.ServerList))))
		}
	}
	listed := first(askers, maxListedAskers)
	out.Askers = ips(listed)
	out.Failed = out.Verdict.Failed()
	params := []result.Arg{name, result.Addr("dns_server", dnsServer)}
	if len(listed) > 0 {
		params = append(params, addrList("askers", listed))
	}
	if len(out.Answers) > 0 {
		params = append(params, addrList("answer", n.Answers))
	}
	if len(t.ServerAddrs) > 0 {
		params = append(params, addrList("servers", t.ServerAddrs))
	}
	out.Advice = result.Advice{Variant: variant, Params: params, NoSteps: !out.Failed && out.Verdict != result.VerdictIncomplete}
	if len(t.At) > 1 {
		// Frames of several captures: in time order, the story of each lookup as it crossed them.
		slices.SortStableFunc(out.Evidence, func(x, y result.Evidence) int { return x.Time.Compare(y.Time) })
	} else {
		slices.SortStableFunc(out.Evidence, func(x, y result.Evidence) int { return x.Frame - y.Frame })
	}
	return out
}

// answerLost returns, when an answer to an unanswered query of the failing clients was seen at
// another vantage than the query's (several vantages), the query's vantage and the answer's:
// the DNS server answered and its answer was lost between them. nil, nil otherwise.
func answerLost(n *facts.Name, failed []netip.Addr, t *Ties) (near, far *result.EvidenceAt) {
	for _, p := range n.Unanswered {
		if p.AnswerAt == 0 || !slices.Contains(failed, p.Client) {
			continue
		}
		if near, far = t.at(p.Vantage), t.at(p.AnswerAt-1); near != nil && far != nil {
			return near, far
		}
	}
	return nil, nil
}

// ips is addresses in result form; never nil.
func ips(as []netip.Addr) []result.IP {
	out := make([]result.IP, len(as))
	for i, a := range as {
		out[i] = result.IP(a.String())
	}
	return out
}

// addrList is a list parameter of addresses.
func addrList(name string, as []netip.Addr) result.Arg {
	ms := make([]result.Message, len(as))
	for i, a := range as {
		ms[i] = result.Msg("addr", result.Addr("addr", a.String()))
	}
	return result.List(name, ms)
}

func endpointList(name string, eps []netip.AddrPort) result.Arg {
	if len(eps) == 0 {
		return result.Sub(name, result.Msg("name.no-server"))
	}
	ms := make([]result.Message, len(eps))
	for i, e := range eps {
		ms[i] = result.Msg("addr", param.Endpoint("addr", e))
	}
	return result.List(name, ms)
}

// dnsEvidence words a name's queries and answers, each naming its capture when there are
// several (a copy of a query seen at a second point is worded as that capture's query).
func dnsEvidence(n *facts.Name, t *Ties) []result.Evidence {
	out := make([]result.Evidence, 0, len(n.Events)+2)
	for _, e := range n.Events {
		args := []result.Arg{result.Text("type", typeName(dnsmessage.Type(e.Type))), result.HostName("name", n.Name),
			result.Text("id", param.Hex4(e.ID)), result.Addr("from", e.Src.String()), result.Addr("to", e.Dst.String())}
		var m result.Message
		switch {
		case !e.Response && e.Retry > 0:
			m = result.Msg("ev.dns-query-again", append(args, result.Int("retry", e.Retry))...)
		case !e.Response:
			m = result.Msg("ev.dns-query", args...)
		case len(e.Answers) > 0:
			m = result.Msg("ev.dns-answer", append(args, addrList("answers", e.Answers))...)
		case dnsmessage.RCode(e.RCode) == dnsmessage.RCodeSuccess:
			m = result.Msg("ev.dns-no-address", args...)
		default:
			m = result.Msg("ev.dns-rcode", append(args, result.Text("rcode", rcodeName(dnsmessage.RCode(e.RCode))))...)
		}
		out = append(out, result.Evidence{Frame: e.Num(), Time: e.Time(), Text: m, EvidenceAt: t.at(e.Vantage)})
	}
	return out
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
