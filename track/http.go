package track

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/connscope/connscope/facts"
)

// maxHTTPHead bounds the bytes kept of a plain-HTTP request or response head (request line,
// status line and headers): enough for the Host header of any real agent request.
const maxHTTPHead = 4096

// httpFacts is the first request of a plain-HTTP connection and the response to it.
type httpFacts struct {
	side     [2]httpHead
	request  httpRequest
	response httpResponse
}

// httpHead collects the start of one direction's stream while it may be an HTTP head.
type httpHead struct {
	buf   []byte
	first ref  // frame with the head's first byte
	done  bool // the head was parsed, or the stream is not HTTP
}

type httpRequest struct {
	ref
	method, path, host string
}

type httpResponse struct {
	ref
	status int
	line   string
}

// httpFeed takes in-order bytes of direction d (only valid during the call). It keeps the first
// maxHTTPHead bytes while they may be an HTTP head and parses the head once its blank line is in.
// A stream that starts with anything else is dropped at its first byte.
func (f *flow) httpFeed(d int, b []byte, frame int, t time.Time) {
	if f.notHTTP[d] || len(b) == 0 {
		return
	}
	if f.http == nil {
		if !startsHTTP(b, d) {
			f.notHTTP[d] = true
			return
		}
		f.http = &httpFacts{}
	}
	h := &f.http.side[d]
	if h.done {
		return
	}
	if len(h.buf) == 0 {
		if !startsHTTP(b, d) {
			h.done = true
			return
		}
		h.first = facts.MakeRef(frame, t)
	}
	h.buf = append(h.buf, b[:min(len(b), maxHTTPHead-len(h.buf))]...)
	end := bytes.Index(h.buf, []byte("\r\n\r\n"))
	if end < 0 && len(h.buf) < maxHTTPHead {
		return
	}
	if end < 0 {
		end = len(h.buf)
	}
	head := string(h.buf[:end])
	h.done, h.buf = true, nil
	if d == fromClient {
		f.http.request = parseRequestHead(head, h.first)
	} else {
		f.http.response = parseResponseHead(head, facts.MakeRef(frame, t))
	}
}

// How an HTTP/1 request (the methods) and a response begin.
var (
	httpMethods = [][]byte{[]byte("GET "), []byte("POST "), []byte("HEAD "), []byte("PUT "), []byte("DELETE "),
		[]byte("OPTIONS "), []byte("CONNECT "), []byte("PATCH ")}
	httpStatusStart = [][]byte{[]byte("HTTP/")}
)

// startsHTTP reports whether b can be the start of an HTTP/1 request (client) or response
// (server): it begins with one of the starts, or is the beginning of one. It does not allocate:
// it runs on the first bytes of every stream.
func startsHTTP(b []byte, d int) bool {
	starts := httpMethods
	if d == fromServer {
		starts = httpStatusStart
	}
	for _, s := range starts {
		n := min(len(b), len(s))
		if bytes.Equal(b[:n], s[:n]) {
			return true
		}
	}
	return false
}

// parseRequestHead reads "METHOD TARGET VERSION" and the Host header.
func parseRequestHead(head string, at ref) httpRequest {
	lines := strings.Split(head, "\r\n")
	parts := strings.Fields(lines[0])
	r := httpRequest{ref: at}
	if len(parts) >= 2 {
		r.method, r.path = parts[0], parts[1]
	}
	for _, l := range lines[1:] {
		if name, value, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "host") {
			r.host = strings.TrimSpace(value)
			break
		}
	}
	return r
}

// parseResponseHead reads "HTTP/1.x CODE REASON".
func parseResponseHead(head string, at ref) httpResponse {
	line, _, _ := strings.Cut(head, "\r\n")
	r := httpResponse{ref: at, line: line}
	if parts := strings.Fields(line); len(parts) >= 2 {
		if code, err := strconv.Atoi(parts[1]); err == nil && code >= 100 && code <= 999 {
			r.status = code
		}
	}
	return r
}

// httpRecord is the record's HTTP facts: nil when the client sent no whole HTTP request head.
func (f *flow) httpRecord() *facts.HTTP {
	if f.http == nil || !f.http.request.Seen() {
		return nil
	}
	q, r := f.http.request, f.http.response
	return &facts.HTTP{Request: q.ref, Method: q.method, Path: q.path, Host: q.host,
		Response: r.ref, Status: r.status, Line: r.line}
}
