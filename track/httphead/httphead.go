// Package httphead reads the heads of a plain-HTTP connection's first request and its response
// (request line and Host header, status line) from the in-order bytes of each direction's
// stream: the tracker's HTTP facts of a connection.
package httphead

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/connscope/connscope/facts"
)

// MaxLen bounds the bytes kept of a plain-HTTP request or response head (request line,
// status line and headers): enough for the Host header of any real agent request.
const MaxLen = 4096

// Exchange is the first request of a plain-HTTP connection and the response to it. The tracker
// allocates it when a direction's first bytes look like HTTP (Starts) and feeds it both
// directions' in-order bytes.
type Exchange struct {
	side     [2]head // by direction: facts.Client, facts.Server
	request  request
	response response
}

// head collects the start of one direction's stream while it may be an HTTP head.
type head struct {
	buf   []byte
	first facts.Ref // frame with the head's first byte
	done  bool      // the head was parsed, or the stream is not HTTP
}

type request struct {
	facts.Ref
	method, path, host string
}

type response struct {
	facts.Ref
	status int
	line   string
}

// Feed takes in-order bytes of direction d's stream (facts.Client or facts.Server), b only valid
// during the call, which arrived in frame at t. It keeps the first MaxLen bytes while they may
// be an HTTP head and parses the head once its blank line is in. A stream that starts with
// anything else is dropped at its first byte.
func (x *Exchange) Feed(d int, b []byte, frame int, t time.Time) {
	h := &x.side[d]
	if h.done || len(b) == 0 {
		return
	}
	if len(h.buf) == 0 {
		if !Starts(b, d) {
			h.done = true
			return
		}
		h.first = facts.MakeRef(frame, t)
	}
	h.buf = append(h.buf, b[:min(len(b), MaxLen-len(h.buf))]...)
	end := bytes.Index(h.buf, []byte("\r\n\r\n"))
	if end < 0 && len(h.buf) < MaxLen {
		return
	}
	if end < 0 {
		end = len(h.buf)
	}
	text := string(h.buf[:end])
	h.done, h.buf = true, nil
	if d == facts.Client {
		x.request = parseRequestHead(text, h.first)
	} else {
		x.response = parseResponseHead(text, facts.MakeRef(frame, t))
	}
}

// Method is the method of the request ("GET", "CONNECT"): empty until the client's whole
// request head is in.
func (x *Exchange) Method() string { return x.request.method }

// How an HTTP/1 request (the methods) and a response begin.
var (
	httpMethods = [][]byte{[]byte("GET "), []byte("POST "), []byte("HEAD "), []byte("PUT "), []byte("DELETE "),
		[]byte("OPTIONS "), []byte("CONNECT "), []byte("PATCH ")}
	httpStatusStart = [][]byte{[]byte("HTTP/")}
)

// Starts reports whether b can be the start of an HTTP/1 request (d is facts.Client) or response
// (facts.Server): it begins with one of the starts, or is the beginning of one. It does not
// allocate: it runs on the first bytes of every stream.
func Starts(b []byte, d int) bool {
	starts := httpMethods
	if d == facts.Server {
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
func parseRequestHead(head string, at facts.Ref) request {
	lines := strings.Split(head, "\r\n")
	parts := strings.Fields(lines[0])
	r := request{Ref: at}
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
func parseResponseHead(head string, at facts.Ref) response {
	line, _, _ := strings.Cut(head, "\r\n")
	r := response{Ref: at, line: line}
	if parts := strings.Fields(line); len(parts) >= 2 {
		if code, err := strconv.Atoi(parts[1]); err == nil && code >= 100 && code <= 999 {
			r.status = code
		}
	}
	return r
}

// Record is the record's HTTP facts: nil when the client sent no whole HTTP request head.
func (x *Exchange) Record() *facts.HTTP {
	if x == nil || !x.request.Seen() {
		return nil
	}
	q, r := x.request, x.response
	return &facts.HTTP{Request: q.Ref, Method: q.method, Path: q.path, Host: q.host,
		Response: r.Ref, Status: r.status, Line: r.line}
}
