package track

import (
	"testing"
	"time"
)

// TestHTTPFeed: a flow reads the HTTP heads of a plain-HTTP stream into its record, and drops a
// TLS stream at its first byte without allocating the HTTP facts.
func TestHTTPFeed(t *testing.T) {
	at := time.Unix(1700000000, 0)
	f := &flow{}
	f.httpFeed(fromClient, []byte("GET /a HTTP/1.1\r\nHost: x.example\r\n\r\n"), 7, at)
	f.httpFeed(fromServer, []byte("HTTP/1.1 200 OK\r\n\r\n"), 9, at)
	if h := f.http.Record(); h == nil || h.Method != "GET" || h.Host != "x.example" || h.Status != 200 || f.http.Method() != "GET" {
		t.Errorf("record %+v", h)
	}
	tl := &flow{}
	tl.httpFeed(fromClient, []byte{0x16, 3, 1, 0, 5}, 3, at)
	if tl.http != nil || !tl.notHTTP[fromClient] || tl.http.Record() != nil {
		t.Errorf("TLS stream kept as HTTP: %+v", tl.http)
	}
}
