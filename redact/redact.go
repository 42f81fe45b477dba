// Package redact replaces what identifies a customer's network in a result — IP and MAC
// addresses, server names (SNI), HTTP hosts and paths, the capture's file name — with
// pseudonyms, so that a report can be attached to a ticket outside the customer's company.
//
// It takes a result and returns a redacted copy (the input is not modified); it knows nothing of
// packets or formats, so every format renders the same redacted facts. Pseudonyms are
// consistent within one Redactor: the same original always gets the same pseudonym, in every
// field and every text (reasons, evidence, Wireshark filters), so a reader can still follow one
// agent through the report. They keep their form: an IPv4 address becomes an IPv4 address from
// 198.18.0.0/15 (RFC 2544, benchmarking), an IPv6 address one from 2001:db8::/32 (RFC 3849,
// documentation), a MAC address a locally administered one (02:00:00:...), a name
// "host-N.example", an HTTP path "/path-N", a file "capture-N" with its extension. Ports, TLS
// versions, cipher suites, alerts, times and frame numbers are kept: they are the diagnosis.
package redact

import (
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"regexp"
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
	names map[string]string    // names, paths and file names: original -> pseudonym
	kinds map[string]fieldKind // kindName (host names), kindFile, or kindText (HTTP paths)
	// addrOrder holds the addresses seen by collect that have no pseudonym yet, in order.
	addrOrder []netip.Addr
	next4     netip.Addr
	next6     netip.Addr
	nMAC      int
	nHost     int
	nPath     int
	nDN       int
	nOpaque   int
	nFile     int
	// order lists the names in the order they were first seen, for replacing them in text
	// (longest first, so that a name inside a longer one does not break it).
	order []string
	// quoted holds a name's Go-quoted form where it differs from "name" (unusual characters).
	quoted map[string]string
	// While Result runs: the texts already scanned, and the rewritten strings. Reports repeat
	// the same strings (version and cipher names, reasons) across thousands of flows.
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

// Result returns a redacted copy of r. It first collects every original value in r (so that no
// pseudonym can equal an address that occurs in r), then rewrites every string.
func (x *Redactor) Result(r *result.Result) *result.Result {
	if r == nil {
		return nil
	}
	v := reflect.ValueOf(r).Elem()
	x.scanned = map[string]bool{}
	x.collect(v, "")
	x.assign()
	x.rewritten = map[rewriteKey]string{}
	out := x.rewrite(v, "").Interface().(result.Result)
	x.scanned, x.rewritten = nil, nil // later calls (Text, Name) may hand out new pseudonyms
	return &out
}

// Pseudonym returns the pseudonym of an original address, MAC address, name, path or file name,
// and whether one was handed out.
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

// fieldKind says how a string field is redacted; see fields.go.
type fieldKind int

const (
	// kindText is scanned for addresses, HTTP request lines and Host headers, and every name
	// handed a pseudonym is replaced in it.
	kindText fieldKind = iota
	// kindName is a host name (SNI, DNS name, certificate name): the whole value gets a
	// "host-N.example" pseudonym (or an address pseudonym when it is an address literal).
	kindName
	// kindFile is a file name: the whole value gets a "capture-N.ext" pseudonym.
	kindFile
	// kindPath is an HTTP request target (path and query): the whole value gets a "/path-N"
	// pseudonym.
	kindPath
	// kindDN is a certificate's distinguished name ("CN=host.example.com,O=Example Corp"): the
	// whole value gets a "dn-N" pseudonym, and each attribute value a pseudonym of its own
	// (host-N.example for a name with a dot, "redacted-N" for other words), so that texts
	// quoting one attribute ("CN=...") lose it too.
	kindDN
	// kindOpaque identifies something without being a name (a certificate's serial number or
	// fingerprint): the whole value gets a "redacted-N" pseudonym.
	kindOpaque
	// kindVerbatim is protocol data that holds no originals but looks like some (a JA3 string's
	// "10-11-13-22-23-35" is not a MAC address): it is neither scanned nor changed.
	kindVerbatim
)

var (
	timeType     = reflect.TypeFor[time.Time]()
	flowListType = reflect.TypeFor[result.FlowList]()
	argType      = reflect.TypeFor[result.Arg]()
)

// collect walks v and hands out a pseudonym to every original it holds, in field order, so that
// the numbering follows the report's order. path is "Type.Field" of the string being visited.
func (x *Redactor) collect(v reflect.Value, field string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			x.collect(v.Elem(), field)
		}
	case reflect.Slice:
		for i := range v.Len() {
			x.collect(v.Index(i), field)
		}
	case reflect.Struct:
		if v.Type() == timeType {
			return
		}
		if v.Type() == flowListType {
			for _, f := range v.Interface().(result.FlowList).All() {
				x.collect(reflect.ValueOf(f).Elem(), field)
			}
			return
		}
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				x.collect(v.Field(i), t.Name()+"."+t.Field(i).Name)
			}
		}
	case reflect.String:
		x.collectString(v.String(), fields[field])
	}
}

// rewrite returns a copy of v with every string redacted.
func (x *Redactor) rewrite(v reflect.Value, field string) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(x.rewrite(v.Elem(), field))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			s.Index(i).Set(x.rewrite(v.Index(i), field))
		}
		return s
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v) // times and other values are kept as they are
		if v.Type() == timeType {
			return out
		}
		if v.Type() == argType {
			// A message parameter: text from the capture is replaced by its pseudonym when it
			// has one of its own (an attribute value of a certificate name), else scanned as text.
			a := v.Interface().(result.Arg)
			if a.Kind.FromCapture() {
				if p, ok := x.Pseudonym(a.Text); ok && a.Text != "" {
					a.Text = p
				} else {
					a.Text = x.redactString(a.Text, kindText)
				}
			}
			if a.Msg != nil {
				m := x.rewrite(reflect.ValueOf(a.Msg), field).Interface().(*result.Message)
				a.Msg = m
			}
			if a.List != nil {
				a.List = x.rewrite(reflect.ValueOf(a.List), field).Interface().([]result.Message)
			}
			out.Set(reflect.ValueOf(a))
			return out
		}
		if v.Type() == flowListType {
			// The flows are made when a report writes them: each is redacted then.
			list := v.Interface().(result.FlowList).Map(func(f *result.Flow) {
				*f = x.rewrite(reflect.ValueOf(*f), field).Interface().(result.Flow)
			})
			out.Set(reflect.ValueOf(list))
			return out
		}
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				out.Field(i).Set(x.rewrite(v.Field(i), t.Name()+"."+t.Field(i).Name))
			}
		}
		return out
	case reflect.String:
		s := reflect.New(v.Type()).Elem()
		s.SetString(x.redactString(v.String(), fields[field]))
		return s
	}
	return v
}

// Patterns for originals inside text.
var (
	macPattern  = regexp.MustCompile(`(?i)\b[0-9a-f]{2}([:-])[0-9a-f]{2}(?:[:-][0-9a-f]{2}){4}\b`)
	ipv4Pattern = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}\b`)
	// ipv6Pattern finds candidates (validated with netip): hex groups and colons, at least two
	// colons, optionally ending in an embedded IPv4 address.
	ipv6Pattern = regexp.MustCompile(`(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:\d{1,3}(?:\.\d{1,3}){3})?(?:%[0-9a-z]+)?`)
	// An HTTP request line's target and a Host header, as a not-TLS prefix or a reason quotes them.
	httpTarget = regexp.MustCompile(`\b(?:GET|POST|HEAD|PUT|DELETE|OPTIONS|PATCH|CONNECT|TRACE) ((?:/|https?://)[^\s"']*)`)
	httpHost   = regexp.MustCompile(`(?i)\bhost:\s*([^\s"'\\]+)`)
)

// collectString hands out pseudonyms for the originals in one string.
func (x *Redactor) collectString(s string, kind fieldKind) {
	switch kind {
	case kindName:
		if s != "" {
			x.name(s)
		}
		return
	case kindFile:
		if s != "" {
			x.file(s)
		}
		return
	case kindPath:
		if s != "" {
			x.path(s)
		}
		return
	case kindDN:
		if s != "" {
			x.distinguishedName(s)
		}
		return
	case kindOpaque:
		if s != "" {
			x.opaque(s)
		}
		return
	case kindVerbatim:
		return
	}
	if x.scanned != nil {
		if x.scanned[s] {
			return
		}
		x.scanned[s] = true
	}
	if !mayHoldAddress(s) && !strings.Contains(s, "/") {
		return // no address, MAC, request line or Host header can be in it
	}
	for _, m := range macPattern.FindAllString(s, -1) {
		x.mac(m)
	}
	s = macPattern.ReplaceAllString(s, " ")
	for _, m := range ipv4Pattern.FindAllString(s, -1) {
		if a, err := netip.ParseAddr(m); err == nil {
			x.addr(a)
		}
	}
	for _, m := range ipv6Pattern.FindAllString(s, -1) {
		if a, err := netip.ParseAddr(m); err == nil && a.Is6() {
			x.addr(a)
		}
	}
	for _, m := range httpTarget.FindAllStringSubmatch(s, -1) {
		x.path(m[1])
	}
	for _, m := range httpHost.FindAllStringSubmatch(s, -1) {
		host := m[1]
		if h, _, ok := strings.Cut(host, ":"); ok && !strings.Contains(h, "[") {
			host = h
		}
		x.name(host)
	}
}

// redactString returns s with its originals replaced by their pseudonyms.
func (x *Redactor) redactString(s string, kind fieldKind) string {
	if s == "" || kind == kindVerbatim {
		return s
	}
	if x.rewritten != nil {
		k := rewriteKey{s, kind}
		if r, ok := x.rewritten[k]; ok {
			return r
		}
		r := x.redactStringOnce(s, kind)
		x.rewritten[k] = r
		return r
	}
	return x.redactStringOnce(s, kind)
}

func (x *Redactor) redactStringOnce(s string, kind fieldKind) string {
	if kind != kindText {
		if p, ok := x.Pseudonym(s); ok {
			return p
		}
	}
	s = macPattern.ReplaceAllStringFunc(s, func(m string) string {
		if p, ok := x.macs[strings.ToLower(m)]; ok {
			return p
		}
		return m
	})
	s = x.replaceNames(s) // before addresses: a path or file name may hold digits and dots
	if !mayHoldAddress(s) {
		return s
	}
	s = ipv4Pattern.ReplaceAllStringFunc(s, x.addrText)
	return ipv6Pattern.ReplaceAllStringFunc(s, x.addrText)
}

// addrText is the pseudonym of the address m, or m when it is not one.
func (x *Redactor) addrText(m string) string {
	a, err := netip.ParseAddr(m)
	if err != nil {
		return m
	}
	if p, ok := x.addrs[a.Unmap()]; ok {
		return p.String()
	}
	return m
}

// replaceNames replaces every name, path and file name handed a pseudonym, where it stands as a
// whole word (not inside a longer name), longest first. A name of one label ("server", "apex")
// could also be a plain word of the text, so it is replaced only where the text quotes it, as
// analyze quotes an SNI (`SNI "apex"`). A name's Go-quoted form (with escapes for unusual
// characters) is replaced by the pseudonym's.
func (x *Redactor) replaceNames(s string) string {
	for _, n := range x.order {
		p := x.names[n]
		if q, ok := x.quoted[n]; ok {
			s = strings.ReplaceAll(s, q, strconv.Quote(p))
		}
		if !strings.Contains(s, n) {
			continue
		}
		kind := x.kinds[n]
		if kind == kindOpaque && len(n) < minOpaqueInText {
			continue // a short serial number ("1") is replaced in its own field only
		}
		quotedOnly := kind == kindName && !strings.Contains(n, ".")
		// A certificate attribute value ("Example Corp") could be a plain word of the text: it
		// is replaced where the text gives it as an attribute ("O=Example Corp").
		attrOnly := kind == kindDN && !strings.Contains(n, "=")
		var b strings.Builder
		rest := s
		for {
			i := strings.Index(rest, n)
			if i < 0 {
				b.WriteString(rest)
				break
			}
			before, after := rest[:i], rest[i+len(n):]
			ok := boundary(before, true, n) && boundary(after, false, n)
			if quotedOnly {
				ok = strings.HasSuffix(before, `"`) && strings.HasPrefix(after, `"`)
			}
			if attrOnly {
				ok = ok && strings.HasSuffix(before, "=")
			}
			if ok {
				b.WriteString(before)
				b.WriteString(p)
			} else {
				b.WriteString(rest[:i+len(n)])
			}
			rest = after
		}
		s = b.String()
	}
	return s
}

// boundary reports whether the text next to a match of name ends (before) or starts (after)
// with a character that cannot continue the name.
func boundary(text string, before bool, name string) bool {
	if text == "" {
		return true
	}
	var c byte
	if before {
		c = text[len(text)-1]
	} else {
		c = text[0]
	}
	if strings.HasPrefix(name, "/") {
		// A path ends at a space or quote; a file name or host at anything that is not part of one.
		return !before || c != '/'
	}
	// A dot is a boundary: "host.example." ends a sentence, and in "www.host.example" the
	// known name is better hidden too.
	isNameChar := c == '-' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
	return !isNameChar
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

// name hands out a host-name pseudonym, or an address pseudonym for an address literal.
func (x *Redactor) name(n string) {
	if a, err := netip.ParseAddr(strings.Trim(n, "[]")); err == nil {
		x.addr(a)
		return
	}
	// An HTTP Host header may be an address with a port: the address gets its pseudonym and
	// the text replacement keeps the port.
	if ap, err := netip.ParseAddrPort(n); err == nil {
		x.addr(ap.Addr())
		return
	}
	if h, port, ok := strings.Cut(n, ":"); ok && isPort(port) {
		n = h // a name with a port: the name gets the pseudonym
	}
	if _, ok := x.names[n]; ok {
		return
	}
	x.nHost++
	x.addName(n, fmt.Sprintf("host-%d.example", x.nHost), kindName)
}

// distinguishedName hands out a pseudonym for a whole distinguished name and for each of its
// attribute values. Country codes and other values under four characters stay: they identify
// nobody and would match ordinary words.
func (x *Redactor) distinguishedName(dn string) {
	if _, ok := x.names[dn]; ok {
		return
	}
	x.nDN++
	x.addName(dn, fmt.Sprintf("dn-%d", x.nDN), kindDN)
	for _, rdn := range strings.Split(dn, ",") {
		_, v, ok := strings.Cut(rdn, "=")
		v = strings.TrimSpace(v)
		if !ok || len(v) < 4 {
			continue
		}
		if strings.Contains(v, ".") {
			x.name(v)
		} else if _, ok := x.names[v]; !ok {
			x.nOpaque++
			x.addName(v, fmt.Sprintf("redacted-%d", x.nOpaque), kindDN) // an attribute value
		}
	}
}

// opaque hands out a "redacted-N" pseudonym.
func (x *Redactor) opaque(v string) {
	if _, ok := x.names[v]; ok {
		return
	}
	x.nOpaque++
	x.addName(v, fmt.Sprintf("redacted-%d", x.nOpaque), kindOpaque)
}

// minOpaqueInText is the shortest opaque value (serial number, fingerprint) replaced in free
// text as well as in its own field.
const minOpaqueInText = 8

// mayHoldAddress reports whether s can hold an IPv4, IPv6 or MAC address at all: each needs a
// dot, a colon or a dash.
func mayHoldAddress(s string) bool { return strings.ContainsAny(s, ".:-") }

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

func (x *Redactor) path(p string) {
	if _, ok := x.names[p]; ok || p == "/" || p == "*" {
		return
	}
	x.nPath++
	x.addName(p, fmt.Sprintf("/path-%d", x.nPath), kindText)
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

// Text returns a free text (a reason, a comment) with every original handed a pseudonym
// replaced by it, as the report's free-text fields are.
func (x *Redactor) Text(s string) string {
	return x.redactString(s, kindText)
}
