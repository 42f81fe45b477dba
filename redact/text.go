package redact

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// The free-text redaction of a probe's result (probe.go): a probe's result still holds free text
// (errors, the first bytes of a non-TLS answer) and plain strings, which are scanned for
// addresses, MAC addresses, HTTP request lines and Host headers, and have every name handed a
// pseudonym replaced where they quote it. An analysis' result has no such text: Result redacts
// it by type (redact.go).

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

// minOpaqueInText is the shortest opaque value (serial number, fingerprint) replaced in free
// text as well as in its own field.
const minOpaqueInText = 8

// mayHoldAddress reports whether s can hold an IPv4, IPv6 or MAC address at all: each needs a
// dot, a colon or a dash.
func mayHoldAddress(s string) bool { return strings.ContainsAny(s, ".:-") }

// Text returns a free text (a reason, a comment) with every original handed a pseudonym
// replaced by it, as the report's free-text fields are.
func (x *Redactor) Text(s string) string {
	return x.redactString(s, kindText)
}
