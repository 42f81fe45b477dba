package facts

import "net/netip"

// DNS outcomes of one client's lookups of a name, best first: a client's outcome for a name is
// the best of its lookups.
const (
	DNSResolved  = iota // an answer with addresses
	DNSNXDomain         // NXDOMAIN
	DNSServFail         // SERVFAIL
	DNSRefused          // REFUSED
	DNSOtherCode        // another error code (Name.OtherCode)
	DNSNoAnswer         // NOERROR without an address
	DNSTimeout          // never answered, though the capture went on long enough
	DNSAtEnd            // not answered before the capture ended
	DNSNone             // nothing yet
)

// DNSOutcomeName names the outcomes: "resolved", "nxdomain", ...
var DNSOutcomeName = [...]string{"resolved", "nxdomain", "servfail", "refused", "rcode", "no-answer", "timeout", "unanswered-at-end", ""}

// Name is what the capture showed about the lookups of one DNS name (A, AAAA or ANY, over UDP).
type Name struct {
	Name       string // lower case, without the final dot
	Askers     []netip.Addr
	AskerCount int                   // every asker, Askers the first ones
	Outcome    map[netip.Addr]int    // best outcome per asker (DNS* constants)
	RCodeOf    map[netip.Addr]uint16 // the response code of each asker's best answer
	Servers    []netip.Addr          // the DNS servers asked (or that answered)
	Answers    []netip.Addr          // the addresses answered
	Queries    int
	Responses  int
	OtherCode  uint16     // the code of a DNSOtherCode answer
	Events     []DNSEvent // queries and answers, for evidence
	Copies     int        // those of Events seen at another vantage than their query's first
	Unanswered []DNSQuery // queries never answered, in frame order
}

// DNSEvent is one query or answer about a name.
type DNSEvent struct {
	Ref
	// Vantage is the capture the packet was seen at (capture.Packet.Vantage). With several, one
	// query or answer may be seen at each: only those at the query's first vantage are counted
	// (Name.Queries, Responses, Outcome); the others are the same packets, kept as evidence,
	// their Retry counting that vantage's copies.
	Vantage  uint16
	Response bool
	Type     uint16 // the question's type (1 A, 28 AAAA, 255 ANY)
	ID       uint16
	Retry    int // for a query asked again: how many times so far
	Src, Dst netip.Addr
	RCode    uint16
	Answers  []netip.Addr
}

// DNSQuery is a query that was never answered: its first sending and its last retry.
type DNSQuery struct {
	Client  netip.Addr
	Vantage uint16 // where it was seen first: At and Last are frames of that capture
	// AnswerAt is 1 + the vantage where an answer to it was seen, though none reached Vantage
	// (several vantages); 0 when none was seen anywhere.
	AnswerAt uint16
	At, Last Ref
	Retries  int
}
