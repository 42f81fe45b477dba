// Package redact replaces what identifies a customer's network in a result — IP and MAC
// addresses, names (SNI, DNS, HTTP Host, certificate names), HTTP paths, certificate subjects,
// banners and any other text from the capture, the capture's file name — with pseudonyms, so
// that a report can be attached to a ticket outside the customer's company.
//
// Redaction is by type, not by field: every value of a result type that holds text from the
// capture (result.IP, result.HostPort, result.Host, result.Target, result.DN, result.Raw,
// result.FileName; see result.Captured) and every message parameter of such a kind
// (result.ArgKind.FromCapture) is replaced, wherever it stands; program text (plain strings,
// KindText parameters) is never searched or changed. A field added to result with one of these
// types is redacted with no change here; a plain string field fails this package's tests until it
// is declared program text.
//
// Result takes a result and returns a redacted copy (the input is not modified); it knows
// nothing of packets or formats, so every format renders the same redacted facts. Pseudonyms are
// consistent within one Redactor: the same original always gets the same pseudonym, in every
// field and every message, so a reader can still follow one agent through the report. They keep
// their form: an IPv4 address becomes an IPv4 address from 198.18.0.0/15 (RFC 2544,
// benchmarking), an IPv6 address one from 2001:db8::/32 (RFC 3849, documentation), a MAC address
// a locally administered one (02:00:00:...), a name "host-N.example", an HTTP path "/path-N", a
// certificate subject "dn-N", a file "capture-N" with its extension, any other text
// "redacted-N". Only text that is a public protocol word is kept (public.go): a registered ALPN
// name, an HTTP method, the version and status code of an HTTP status line. Ports, TLS versions,
// cipher suites, alerts, times and frame numbers are kept: they are the diagnosis.
package redact

import (
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/connscope/connscope/result"
)

// Redactor holds the pseudonyms handed out so far. Use one Redactor per report.
type Redactor struct {
	addrs map[netip.Addr]netip.Addr
	macs  map[string]string
	names map[string]string    // every other original (names, paths, files, text) -> pseudonym
	kinds map[string]fieldKind // the form each of those pseudonyms has
	// addrOrder holds the addresses noted that have no pseudonym yet, in order.
	addrOrder []netip.Addr
	next4     netip.Addr
	next6     netip.Addr
	nMAC      int
	nHost     int
	nPath     int
	nDN       int
	nOpaque   int
	nFile     int
	// order and quoted serve the free-text redaction of a probe's result (text.go): the names in
	// the order they were first seen, longest first, and a name's Go-quoted form.
	order  []string
	quoted map[string]string
	// While Probe runs: the texts already scanned, and the rewritten strings.
	scanned   map[string]bool
	rewritten map[rewriteKey]string
}

type rewriteKey struct {
	s    string
	kind fieldKind
}

// New returns a Redactor with no pseudonyms handed out.
func New() *Redactor {
	return &Redactor{
		addrs:  map[netip.Addr]netip.Addr{},
		macs:   map[string]string{},
		names:  map[string]string{},
		kinds:  map[string]fieldKind{},
		quoted: map[string]string{},
		next4:  netip.MustParseAddr("198.18.0.0"),
		next6:  netip.MustParseAddr("2001:db8::"),
	}
}

// Result returns a redacted copy of r, with new pseudonyms from a fresh Redactor.
func Result(r *result.Result) *result.Result {
	return New().Result(r)
}

// Result returns a redacted copy of r. It first notes every original value in r, in the order
// a report shows them (so that the numbering follows the report, and no address pseudonym can
// equal an address that occurs in r), then replaces every one.
func (x *Redactor) Result(r *result.Result) *result.Result {
	if r == nil {
		return nil
	}
	v := reflect.ValueOf(r).Elem()
	x.collect(v)
	x.assign()
	out := x.rewrite(v).Interface().(result.Result)
	return &out
}

// fieldKind is the form of a pseudonym.
type fieldKind int

const (
	// kindText is free text (a probe's): scanned for addresses, HTTP request lines and Host
	// headers, and every name handed a pseudonym is replaced in it (text.go).
	kindText fieldKind = iota
	// kindName is a host name: "host-N.example" (an address literal gets an address pseudonym).
	kindName
	// kindFile is a file name: "capture-N.ext".
	kindFile
	// kindPath is an HTTP request target (path and query): "/path-N".
	kindPath
	// kindDN is a certificate's distinguished name: "dn-N". (A probe's free text also has each
	// attribute value of a DN replaced, text.go.)
	kindDN
	// kindOpaque is any other text from the capture: "redacted-N".
	kindOpaque
	// kindVerbatim is a probe's protocol data that holds no originals but looks like some: kept.
	kindVerbatim
)

var (
	timeType     = reflect.TypeFor[time.Time]()
	flowListType = reflect.TypeFor[result.FlowList]()
	argType      = reflect.TypeFor[result.Arg]()
	capturedType = reflect.TypeFor[result.Captured]()
)

// collect walks v and notes every original it holds, in field order.
func (x *Redactor) collect(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			x.collect(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			x.collect(v.Index(i))
		}
	case reflect.Struct:
		switch v.Type() {
		case timeType:
			return
		case flowListType:
			for _, f := range v.Interface().(result.FlowList).All() {
				x.collect(reflect.ValueOf(f).Elem())
			}
			return
		case argType:
			a := v.Interface().(result.Arg)
			if a.Kind.FromCapture() {
				x.note(a.Kind, a.Text)
			}
			if a.Msg != nil {
				x.collect(reflect.ValueOf(a.Msg))
			}
			x.collect(reflect.ValueOf(a.List))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				x.collect(v.Field(i))
			}
		}
	case reflect.String:
		if v.Type().Implements(capturedType) {
			x.note(v.Interface().(result.Captured).Kind(), v.String())
		}
	}
}

// rewrite returns a copy of v with every value from the capture replaced by its pseudonym.
func (x *Redactor) rewrite(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(x.rewrite(v.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			s.Index(i).Set(x.rewrite(v.Index(i)))
		}
		return s
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v) // times, numbers and unexported state are kept as they are
		switch v.Type() {
		case timeType:
			return out
		case argType:
			a := v.Interface().(result.Arg)
			if a.Kind.FromCapture() {
				a.Text = x.Value(a.Kind, a.Text)
			}
			if a.Msg != nil {
				a.Msg = x.rewrite(reflect.ValueOf(a.Msg)).Interface().(*result.Message)
			}
			if a.List != nil {
				a.List = x.rewrite(reflect.ValueOf(a.List)).Interface().([]result.Message)
			}
			out.Set(reflect.ValueOf(a))
			return out
		case flowListType:
			// The flows are made when a report writes them: each is redacted then.
			list := v.Interface().(result.FlowList).Map(func(f *result.Flow) {
				*f = x.rewrite(reflect.ValueOf(*f)).Interface().(result.Flow)
			})
			out.Set(reflect.ValueOf(list))
			return out
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out.Field(i).Set(x.rewrite(v.Field(i)))
			}
		}
		return out
	case reflect.String:
		if !v.Type().Implements(capturedType) {
			return v // program text
		}
		s := reflect.New(v.Type()).Elem()
		s.SetString(x.Value(v.Interface().(result.Captured).Kind(), v.String()))
		return s
	}
	return v
}

// note hands out the pseudonym of one value from the capture (addresses get theirs at assign).
func (x *Redactor) note(k result.ArgKind, s string) {
	if s == "" {
		return
	}
	switch k {
	case result.KindAddr, result.KindEndpoint:
		if isAddress(s) {
			x.name(s) // an address, bracketed or with a port
			return
		}
		if h, _, err := net.SplitHostPort(s); err == nil && k == result.KindEndpoint {
			x.name(h)
			return
		}
	case result.KindName:
		x.name(s)
		return
	case result.KindPath:
		x.path(s)
		return
	case result.KindFile:
		x.file(s)
		return
	case result.KindDN:
		x.dn(s)
		return
	case result.KindCapture:
		x.raw(s)
		return
	}
	x.opaque(s) // an address or endpoint that is none
}

// Value returns the pseudonym of s, a value from the capture of kind k, handing one out when s
// has none yet; program text (a kind that is not from the capture) is returned as it is. The
// form is kept: an endpoint's port, a name's port, the public words of an HTTP request or
// status line.
func (x *Redactor) Value(k result.ArgKind, s string) string {
	if s == "" || !k.FromCapture() {
		return s
	}
	x.note(k, s)
	x.assign()
	switch k {
	case result.KindAddr, result.KindEndpoint:
		if isAddress(s) {
			return x.nameText(s)
		}
		if h, port, err := net.SplitHostPort(s); err == nil && k == result.KindEndpoint {
			return net.JoinHostPort(x.nameText(h), port)
		}
	case result.KindName:
		return x.nameText(s)
	case result.KindPath:
		return x.pathText(s)
	case result.KindCapture:
		return x.rawText(s)
	}
	return x.names[s]
}

// isAddress reports whether s is an IP address, bracketed or not, or one with a port.
func isAddress(s string) bool {
	if _, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return true
	}
	_, err := netip.ParseAddrPort(s)
	return err == nil
}

// nameText is the pseudonym of a host name, an address literal, or either with a port.
func (x *Redactor) nameText(s string) string {
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return strings.Replace(s, strings.Trim(s, "[]"), x.addrs[a.Unmap()].String(), 1)
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return netip.AddrPortFrom(x.addrs[ap.Addr().Unmap()], ap.Port()).String()
	}
	if h, port, ok := strings.Cut(s, ":"); ok && isPort(port) {
		return x.names[h] + ":" + port
	}
	return x.names[s]
}

// addr notes an original address; assign hands out its pseudonym once every original is known.
func (x *Redactor) addr(a netip.Addr) {
	a = a.Unmap()
	if _, ok := x.addrs[a]; ok || slices.Contains(x.addrOrder, a) {
		return
	}
	x.addrOrder = append(x.addrOrder, a)
}

// assign hands out the pseudonyms of the addresses noted since the last call, in the order they
// were first seen: the next address of the same family that is no original address.
func (x *Redactor) assign() {
	if len(x.addrOrder) == 0 {
		return
	}
	originals := map[netip.Addr]bool{}
	for a := range x.addrs {
		originals[a] = true
	}
	for _, a := range x.addrOrder {
		originals[a] = true
	}
	for _, a := range x.addrOrder {
		next := &x.next6
		if a.Is4() {
			next = &x.next4
		}
		p := next.Next()
		for originals[p] {
			p = p.Next()
		}
		*next = p
		x.addrs[a] = p
	}
	x.addrOrder = nil
}

func (x *Redactor) mac(m string) {
	m = strings.ToLower(m)
	if _, ok := x.macs[m]; ok {
		return
	}
	x.nMAC++
	sep := m[2:3]
	n := x.nMAC
	x.macs[m] = strings.Join([]string{"02", "00", "00", fmt.Sprintf("%02x", n>>16&0xff), fmt.Sprintf("%02x", n>>8&0xff), fmt.Sprintf("%02x", n&0xff)}, sep)
}

// name hands out a host-name pseudonym, or an address pseudonym for an address literal (with
// or without a port). A name with a port gets the pseudonym of the name.
func (x *Redactor) name(n string) {
	if a, err := netip.ParseAddr(strings.Trim(n, "[]")); err == nil {
		x.addr(a)
		return
	}
	if ap, err := netip.ParseAddrPort(n); err == nil {
		x.addr(ap.Addr())
		return
	}
	if h, port, ok := strings.Cut(n, ":"); ok && isPort(port) {
		n = h
	}
	if _, ok := x.names[n]; ok {
		return
	}
	x.nHost++
	x.addName(n, fmt.Sprintf("host-%d.example", x.nHost), kindName)
}

// dn hands out a pseudonym for a certificate's distinguished name.
func (x *Redactor) dn(dn string) {
	if _, ok := x.names[dn]; ok {
		return
	}
	x.nDN++
	x.addName(dn, fmt.Sprintf("dn-%d", x.nDN), kindDN)
}

// opaque hands out a "redacted-N" pseudonym.
func (x *Redactor) opaque(v string) {
	if _, ok := x.names[v]; ok {
		return
	}
	x.nOpaque++
	x.addName(v, fmt.Sprintf("redacted-%d", x.nOpaque), kindOpaque)
}

// isPort reports whether s is a decimal port number.
func isPort(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// path hands out an HTTP path pseudonym; "/" and "*" identify nothing and stay.
func (x *Redactor) path(p string) {
	if _, ok := x.names[p]; ok || p == "/" || p == "*" {
		return
	}
	x.nPath++
	x.addName(p, fmt.Sprintf("/path-%d", x.nPath), kindPath)
}

// pathText is the pseudonym of an HTTP path.
func (x *Redactor) pathText(p string) string {
	if p == "/" || p == "*" {
		return p
	}
	x.path(p)
	return x.names[p]
}

// file hands out a pseudonym for a file name, keeping its capture extensions (".pcap.gz"), and
// for its last element alone, which reports may quote.
func (x *Redactor) file(f string) {
	if _, ok := x.names[f]; ok {
		return
	}
	base := f
	if i := strings.LastIndexAny(f, `/\`); i >= 0 {
		base = f[i+1:]
	}
	ext := ""
	for _, e := range []string{".pcapng.gz", ".pcap.gz", ".cap.gz", ".pcapng", ".pcap", ".cap", ".gz"} {
		if strings.HasSuffix(strings.ToLower(base), e) {
			ext = base[len(base)-len(e):]
			break
		}
	}
	x.nFile++
	p := fmt.Sprintf("capture-%d%s", x.nFile, ext)
	x.addName(f, p, kindFile)
	if base != f && base != "" {
		if _, ok := x.names[base]; !ok {
			x.addName(base, p, kindFile)
		}
	}
}

func (x *Redactor) addName(original, pseudonym string, kind fieldKind) {
	x.names[original] = pseudonym
	x.kinds[original] = kind
	if q := strconv.Quote(original); q != `"`+original+`"` {
		x.quoted[original] = q
	}
	x.order = append(x.order, original)
	slices.SortStableFunc(x.order, func(a, b string) int { return len(b) - len(a) })
}

// Pseudonym returns the pseudonym of an original address, MAC address, name, path, file name or
// other text, and whether one was handed out.
func (x *Redactor) Pseudonym(original string) (string, bool) {
	if a, err := netip.ParseAddr(original); err == nil {
		p, ok := x.addrs[a.Unmap()]
		return p.String(), ok
	}
	if p, ok := x.macs[strings.ToLower(original)]; ok {
		return p, true
	}
	p, ok := x.names[original]
	return p, ok
}

// Addr returns the pseudonym of an original address, handing out a new one when the address
// has none yet (an address that occurs in packets but not in the result), and whether it had
// one before. Call Result first, so that the pseudonyms are those of the redacted report.
func (x *Redactor) Addr(a netip.Addr) (netip.Addr, bool) {
	a = a.Unmap()
	if p, ok := x.addrs[a]; ok {
		return p, true
	}
	x.addr(a)
	x.assign()
	return x.addrs[a], false
}

// MAC returns the pseudonym of an original MAC address (a locally administered 02:00:00:...
// one), handing out a new one when it has none yet, and whether it had one before.
func (x *Redactor) MAC(m net.HardwareAddr) (net.HardwareAddr, bool) {
	s := m.String()
	_, known := x.macs[s]
	if len(m) != 6 {
		return m, known
	}
	x.mac(s)
	p, err := net.ParseMAC(x.macs[s])
	if err != nil {
		return m, known
	}
	return p, known
}

// Name returns the pseudonym of a host name (an SNI, a DNS or certificate name) seen in the
// result, and whether it has one. Unlike Addr and MAC it hands out none: a name that the
// result does not hold has no pseudonym that a reader of the report could match.
func (x *Redactor) Name(n string) (string, bool) {
	p, ok := x.names[n]
	return p, ok
}
