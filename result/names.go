package result

import "time"

// Name is one DNS name tied to the analysed servers, and how its lookups went. A name is tied to
// the servers when it was given as theirs (Options.ServerNames), when a client sent it as the
// SNI or HTTP Host of an analysed connection, or when its answer holds an analysed server's
// address.
type Name struct {
	Name Host `json:"name"` // as asked, lower case, without the final dot
	// Relation says how the name is tied to the servers: "server-name-option", "sni",
	// "http-host" or "answer-is-server".
	Relation string `json:"relation"`
	// Outcome sums up the lookups: "resolved", "nxdomain", "servfail", "refused", "rcode-N" (any
	// other error code), "no-answer" (no address in the answer), "timeout" (no answer at all),
	// "answer-lost" (no answer reached the client's vantage, but another vantage saw the DNS
	// server's answers: lost between them) or "unanswered-at-end" (the capture ended right after
	// the query).
	Outcome string `json:"outcome"`
	// RCode is the DNS response code of the answer that decided Outcome ("NOERROR", "NXDOMAIN",
	// ...); "" when no answer was seen.
	RCode string `json:"rcode"`
	// Answers are the addresses the answers held (A and AAAA), in order of first appearance.
	Answers []IP `json:"answers"`
	// Askers are the clients that looked the name up (addresses, at most 16), in order of first
	// query; AskerCount counts them all.
	Askers     []IP `json:"askers"`
	AskerCount int  `json:"asker_count"`
	// DNSServers are the servers the queries went to (addresses).
	DNSServers []IP `json:"dns_servers"`
	Queries    int  `json:"queries"`   // queries seen, retransmissions included
	Responses  int  `json:"responses"` // responses seen

	Verdict Verdict `json:"verdict"` // ok or name-resolution-failed (incomplete at the end of the capture)
	// Advice words the title and next steps (see Flow.Advice).
	Advice   Advice     `json:"-"`
	Failed   bool       `json:"failed"`
	Reason   Message    `json:"reason"`
	Evidence []Evidence `json:"evidence"`
	// (JSON "wireshark_filter", a Wireshark display filter for the lookups of this name, is
	// WiresharkFilter.)
}

// HTTP is the first request of a plain-HTTP connection and the response to it.
type HTTP struct {
	Method       Raw       `json:"method"` // e.g. "GET"
	Path         Target    `json:"path"`   // the request target as sent, e.g. "/officescan/..."
	Host         Host      `json:"host"`   // the Host header; "" when absent
	RequestFrame int       `json:"request_frame"`
	RequestTime  time.Time `json:"request_time"`
	// Status is the response's status code; 0 when no response was seen.
	Status int `json:"status"`
	// StatusLine is the response's first line, e.g. "HTTP/1.0 404 File not found".
	StatusLine    Raw       `json:"status_line"`
	ResponseFrame int       `json:"response_frame"`
	ResponseTime  time.Time `json:"response_time"`
	// CheckURL is true when Path is the profile's check URL (Options.CheckURL).
	CheckURL bool `json:"check_url"`
}

// VerdictInfo is what a verdict means, as the profile words it.
type VerdictInfo struct {
	Verdict     Verdict `json:"verdict"`
	Title       string  `json:"title"`
	Explanation string  `json:"explanation"`
	// EvidenceFields name the result fields (JSON paths such as "tcp.rsts") that prove it.
	EvidenceFields []string `json:"evidence_fields"`
}
