package httphead

import (
	"strings"
	"testing"

	"github.com/connscope/connscope/facts"
)

// TestHTTPHeadSplit: a request head split over several deliveries, and one too long to keep, are
// read as far as the bound allows; a TLS stream is dropped at its first byte.
func TestHTTPHeadSplit(t *testing.T) {
	x := &Exchange{}
	for _, part := range []string{"GE", "T /a?b=1 HTTP/1.1\r\nHo", "st: x.example\r\n", "\r\n"} {
		x.Feed(facts.Client, []byte(part), 7, timeAt(1))
	}
	x.Feed(facts.Server, []byte("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"), 9, timeAt(2))
	q, r := x.request, x.response
	if q.method != "GET" || q.path != "/a?b=1" || q.host != "x.example" || q.Frame != 7 || r.status != 404 || r.line != "HTTP/1.1 404 Not Found" || r.Frame != 9 {
		t.Errorf("request %+v, response %+v", q, r)
	}
	if h := x.Record(); h == nil || h.Path != "/a?b=1" || h.Status != 404 {
		t.Errorf("record %+v", h)
	}
	g := &Exchange{}
	g.Feed(facts.Client, []byte("GET /"+strings.Repeat("x", 2*MaxLen)), 3, timeAt(1))
	if !g.side[facts.Client].done || g.request.method != "GET" || len(g.request.path) > MaxLen {
		t.Errorf("long head: %+v", g.request)
	}
	tl := &Exchange{}
	tls := []byte{0x16, 3, 1, 0, 5}
	if Starts(tls, facts.Client) {
		t.Errorf("a TLS record starts like HTTP")
	}
	tl.Feed(facts.Client, tls, 3, timeAt(1))
	if h := tl.side[facts.Client]; !h.done || h.buf != nil || tl.Record() != nil {
		t.Errorf("TLS stream kept as HTTP: %+v", tl)
	}
	if (*Exchange)(nil).Record() != nil {
		t.Errorf("no exchange has a record")
	}
}
