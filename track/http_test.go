package track

import (
	"strings"
	"testing"
)

// TestHTTPHeadSplit: a request head split over several deliveries, and one too long to keep, are
// read as far as the bound allows; a TLS stream is dropped at its first byte.
func TestHTTPHeadSplit(t *testing.T) {
	f := &flow{}
	for _, part := range []string{"GE", "T /a?b=1 HTTP/1.1\r\nHo", "st: x.example\r\n", "\r\n"} {
		f.httpFeed(fromClient, []byte(part), 7, timeAt(1))
	}
	f.httpFeed(fromServer, []byte("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"), 9, timeAt(2))
	q, r := f.http.request, f.http.response
	if q.method != "GET" || q.path != "/a?b=1" || q.host != "x.example" || q.Frame != 7 || r.status != 404 || r.line != "HTTP/1.1 404 Not Found" || r.Frame != 9 {
		t.Errorf("request %+v, response %+v", q, r)
	}
	if h := f.httpRecord(); h == nil || h.Path != "/a?b=1" || h.Status != 404 {
		t.Errorf("record %+v", h)
	}
	g := &flow{}
	g.httpFeed(fromClient, []byte("GET /"+strings.Repeat("x", 2*maxHTTPHead)), 3, timeAt(1))
	if !g.http.side[fromClient].done || g.http.request.method != "GET" || len(g.http.request.path) > maxHTTPHead {
		t.Errorf("long head: %+v", g.http.request)
	}
	tl := &flow{}
	tl.httpFeed(fromClient, []byte{0x16, 3, 1, 0, 5}, 3, timeAt(1))
	if tl.http != nil || !tl.notHTTP[fromClient] {
		t.Errorf("TLS stream kept as HTTP: %+v", tl.http)
	}
}
