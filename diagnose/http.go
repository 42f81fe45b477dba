package diagnose

import (
	"strconv"
	"strings"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// classifyHTTP adds what a plain-HTTP exchange showed to a connection's verdict: the request and
// response as evidence, and for the profile's check URL answered with an error status, the
// verdict http-error. Other error statuses are flagged (http-status:NNN), not failures:
// connscope cannot tell which other paths a client needs.
func (j *judge) classifyHTTP() {
	h := j.c.HTTP()
	if h == nil || !h.Request.Seen() {
		return
	}
	if j.d.Verdict == result.VerdictNotTLS {
		return // the HTTP request is the finding; its text is in the reason
	}
	if !j.tlsOf().R().NotTLS[facts.Client].Seen() {
		j.evidence(h.Request, "ev.http-request", result.Capture("method", h.Method), result.URLPath("path", h.Path))
	}
	if !h.Response.Seen() {
		return
	}
	line := result.Quoted(result.Capture("line", h.Line))
	j.evidence(h.Response, "ev.http-response", line)
	if j.d.Verdict == result.VerdictOK && j.d.Role == roleAgentListener && h.Status >= 400 {
		// The server's notification got an error status: it did not work. A listener that
		// expects TLS answers plain HTTP so too (400), which the reason names.
		j.d.Flags = append(j.d.Flags, "http-status:"+strconv.Itoa(h.Status))
		j.verdict(result.VerdictHTTPError, "reason.http-error-agent-listener", result.Capture("method", h.Method),
			result.URLPath("path", h.Path), line)
		return
	}
	if j.d.Verdict == result.VerdictOK {
		c := j.c
		key := "reason.http-ok"
		if j.d.Role == roleAgentListener {
			key = "reason.http-ok-agent-listener" // an agents' listener port, expected to speak TLS
		}
		j.verdict(result.VerdictOK, key, result.Capture("method", h.Method), result.URLPath("path", h.Path), line,
			result.Int64("client_bytes", c.Side[facts.Client].Bytes), result.Int64("server_bytes", c.Side[facts.Server].Bytes))
	}
	if h.Status < 400 {
		return
	}
	j.d.Flags = append(j.d.Flags, "http-status:"+strconv.Itoa(h.Status))
	if j.d.Verdict == result.VerdictOK && j.cfg.CheckURL != "" && RequestPath(h.Path) == j.cfg.CheckURL {
		j.verdict(result.VerdictHTTPError, "reason.http-check-error", result.URLPath("path", h.Path), line)
	}
}

// RequestPath is the path of a request target: without the query, and without scheme and host
// when a proxy-style absolute URL was sent.
func RequestPath(target string) string {
	if i := strings.Index(target, "://"); i >= 0 {
		rest := target[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			target = rest[j:]
		} else {
			target = "/"
		}
	}
	path, _, _ := strings.Cut(target, "?")
	return path
}
