package redact

import (
	"net/http"
	"strconv"
	"strings"
)

// Text from the capture of no more definite kind (result.Raw, result.KindCapture) is replaced
// whole, unless it is a public protocol word, which identifies no one and which the diagnosis
// needs: an ALPN protocol name from IANA's registry, an HTTP method, an HTTP version and status
// code. An HTTP request line keeps its method (when public) and version and has its target
// replaced as an HTTP path is; a status line keeps its version and code, and its reason phrase
// when it is the standard one.

// alpnRegistered are the ALPN protocol IDs of IANA's "TLS Application-Layer Protocol
// Negotiation (ALPN) Protocol IDs" registry.
var alpnRegistered = map[string]bool{
	"http/0.9": true, "http/1.0": true, "http/1.1": true, "spdy/1": true, "spdy/2": true, "spdy/3": true,
	"stun.turn": true, "stun.nat-discovery": true, "h2": true, "h2c": true, "webrtc": true, "c-webrtc": true,
	"ftp": true, "imap": true, "pop3": true, "managesieve": true, "coap": true, "xmpp-client": true,
	"xmpp-server": true, "acme-tls/1": true, "mqtt": true, "dot": true, "ntske/1": true, "sunrpc": true,
	"h3": true, "smb": true, "irc": true, "nntp": true, "nnsp": true, "doq": true, "sip/2": true,
	"tds/8.0": true, "dicom": true, "postgresql": true, "radius/1.0": true, "radius/1.1": true,
}

// httpMethods are the methods of RFC 9110 and RFC 5789 (PATCH).
var httpMethods = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true, "CONNECT": true,
	"OPTIONS": true, "TRACE": true, "PATCH": true,
}

// PublicALPN reports whether name is a registered ALPN protocol name, which redaction keeps (in
// a report, and in a redacted export's hellos).
func PublicALPN(name string) bool { return alpnRegistered[name] }

// public reports whether s is a public protocol word, kept by redaction.
func public(s string) bool { return alpnRegistered[s] || httpMethods[s] }

// statusLine splits an HTTP status line "HTTP/1.1 404 Not Found" into its public part
// ("HTTP/1.1 404") and its reason phrase; ok is false for anything else.
func statusLine(s string) (head, reason string, ok bool) {
	if len(s) < 12 || !strings.HasPrefix(s, "HTTP/") || s[6] != '.' || !isDigit(s[5]) || !isDigit(s[7]) ||
		s[8] != ' ' || !isDigit(s[9]) || !isDigit(s[10]) || !isDigit(s[11]) || (len(s) > 12 && s[12] != ' ') {
		return "", "", false
	}
	if len(s) > 12 {
		reason = s[13:]
	}
	return s[:12], reason, true
}

// requestLine splits an HTTP request line "GET /path HTTP/1.1" into its method, target and
// version (the version may be missing: HTTP/0.9, or a line cut short). The target is all between
// the method and the version, spaces included: a hostile target may hold them.
func requestLine(s string) (method, target, version string, ok bool) {
	method, target, ok = strings.Cut(s, " ")
	if !ok || method == "" || target == "" || strings.ContainsAny(method, "\t\r\n") {
		return "", "", "", false
	}
	if i := strings.LastIndexByte(target, ' '); i >= 0 && isHTTPVersion(target[i+1:]) {
		target, version = target[:i], target[i+1:]
	}
	if target == "" {
		return "", "", "", false
	}
	if target[0] != '/' && target != "*" && !strings.Contains(target, "://") {
		return "", "", "", false
	}
	return method, target, version, true
}

func isHTTPVersion(v string) bool {
	return len(v) == 8 && strings.HasPrefix(v, "HTTP/") && isDigit(v[5]) && v[6] == '.' && isDigit(v[7])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// raw notes the originals in text of no more definite kind.
func (x *Redactor) raw(s string) {
	switch {
	case public(s):
	case isStatusLine(s):
		if _, reason, _ := statusLine(s); !standardReason(s, reason) {
			x.opaque(reason)
		}
	default:
		if m, target, _, ok := requestLine(s); ok {
			if !httpMethods[m] {
				x.opaque(m)
			}
			x.path(target)
			return
		}
		x.opaque(s)
	}
}

// rawText is the redacted form of text of no more definite kind (raw has noted it).
func (x *Redactor) rawText(s string) string {
	if public(s) {
		return s
	}
	if head, reason, ok := statusLine(s); ok {
		if standardReason(s, reason) {
			return s
		}
		return head + " " + x.names[reason]
	}
	if m, target, version, ok := requestLine(s); ok {
		if !httpMethods[m] {
			m = x.names[m]
		}
		out := m + " " + x.pathText(target)
		if version != "" {
			out += " " + version
		}
		return out
	}
	return x.names[s]
}

func isStatusLine(s string) bool { _, _, ok := statusLine(s); return ok }

// standardReason reports whether a status line's reason phrase is empty or the standard one for
// its code (as Go's net/http names it, in any case).
func standardReason(line, reason string) bool {
	if reason == "" {
		return true
	}
	code, _ := strconv.Atoi(line[9:12])
	return strings.EqualFold(reason, http.StatusText(code))
}
