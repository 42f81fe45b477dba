package result

import (
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
)

// Text taken from the capture (or from the customer's network: a file name, an address given as
// an option) is never a plain string in a Result: it is a value of one of the types below, which
// say what it is. A redacting report (redact.Redactor) replaces every value of these types, in
// whatever field or message parameter it stands, with a pseudonym of its kind; a plain string
// field of a Result is program text (a version or cipher name, a verdict, a flag), which no
// report need hide. A test in package redact fails when a Result type gains a plain string field
// that is not listed there as program text.
type (
	// IP is an IP address from the capture: "10.0.0.1", "fe80::1".
	IP string
	// HostPort is an endpoint from the capture: "10.0.0.1:4343", "[fe80::1]:4343".
	HostPort string
	// Host is a name from the capture: a DNS name, a TLS server name (SNI), an HTTP Host header,
	// a name a certificate is for, or a server name given as an option.
	Host string
	// Target is an HTTP request target (path and query) from the capture.
	Target string
	// DN is a certificate's subject or issuer, in RFC 2253 form: "CN=apexone.example,O=Example".
	DN string
	// Raw is any other text from the capture: an HTTP method or status line, an ALPN protocol
	// name, a banner, a certificate's serial number or fingerprint, an error that quotes what it
	// could not read. A redacting report keeps only the values that are public protocol words
	// (a registered ALPN name, a standard HTTP method or status line) and replaces the rest.
	Raw string
	// FileName is the name of a file: a capture's, an export's.
	FileName string
)

// Captured is implemented by each type of text from the capture: Kind says which pseudonym a
// redacting report gives it (the kind of a message parameter with the same text).
type Captured interface {
	Kind() ArgKind
}

// Kind is KindAddr.
func (IP) Kind() ArgKind { return KindAddr }

// Kind is KindEndpoint.
func (HostPort) Kind() ArgKind { return KindEndpoint }

// Kind is KindName.
func (Host) Kind() ArgKind { return KindName }

// Kind is KindPath.
func (Target) Kind() ArgKind { return KindPath }

// Kind is KindDN.
func (DN) Kind() ArgKind { return KindDN }

// Kind is KindCapture.
func (Raw) Kind() ArgKind { return KindCapture }

// Kind is KindFile.
func (FileName) Kind() ArgKind { return KindFile }

// Strings converts a list of captured values to plain strings, for code that compares or parses
// them (never for printing: a report prints the values themselves, which redaction replaced).
func Strings[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// Typed converts plain strings to a list of captured values of type T.
func Typed[T ~string](xs []string) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = T(x)
	}
	return out
}

// Filter is an expression in a filter syntax (pcap-filter) that names values from the options
// or the capture: its pieces in order, program text (KindText) and the values with their kinds,
// so that a redacting report replaces the values.
type Filter []Arg

// String is the expression.
func (f Filter) String() string {
	var b strings.Builder
	for _, a := range f {
		b.WriteString(a.Text)
	}
	return b.String()
}

// MarshalJSON writes the expression as a JSON string.
func (f Filter) MarshalJSON() ([]byte, error) { return json.Marshal(f.String()) }

// UnmarshalJSON reads an expression back from a report's JSON (a string): one piece of text.
func (f *Filter) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*f = Filter{Text("", s)}
	return nil
}

// WiresharkFilter is the Wireshark display filter that selects the flow's packets, made from its
// endpoints (so a redacted flow's filter names the pseudonyms); "" when they are not ip:port.
func (f *Flow) WiresharkFilter() string { return string(f.AppendWiresharkFilter(make([]byte, 0, 96))) }

// AppendWiresharkFilter appends the flow's WiresharkFilter to b.
func (f *Flow) AppendWiresharkFilter(b []byte) []byte {
	c, err1 := netip.ParseAddrPort(string(f.Client))
	s, err2 := netip.ParseAddrPort(string(f.Server))
	if err1 != nil || err2 != nil {
		return b
	}
	ip := "ip"
	if c.Addr().Is6() && !c.Addr().Is4In6() {
		ip = "ipv6"
	}
	b = append(append(b, ip...), ".addr=="...)
	b = c.Addr().AppendTo(b)
	b = append(append(append(b, " && "...), ip...), ".addr=="...)
	b = s.Addr().AppendTo(b)
	b = strconv.AppendUint(append(b, " && tcp.port=="...), uint64(c.Port()), 10)
	b = strconv.AppendUint(append(b, " && tcp.port=="...), uint64(s.Port()), 10)
	return b
}

// WiresharkFilter is the Wireshark display filter that selects the lookups of the name.
func (n *Name) WiresharkFilter() string { return "dns.qry.name == " + strconv.Quote(string(n.Name)) }
