package httphead

import (
	"testing"
	"time"

	"github.com/connscope/connscope/facts"
)

func timeAt(sec int) time.Time { return time.Unix(1700000000+int64(sec), 0) }

// FuzzHTTPHead: no byte stream, cut anywhere, makes the HTTP head reader panic or keep more than
// its bound.
func FuzzHTTPHead(f *testing.F) {
	f.Add([]byte("GET /officescan/hotfix_pccnt/Common/OfcNTCer.dat HTTP/1.1\r\nHost: x\r\n\r\n"), []byte("HTTP/1.0 200 OK\r\n\r\n"), 5)
	f.Add([]byte("POST / HTTP/1.1\r\n"), []byte("HTTP/1.1 9999 X"), 1)
	f.Fuzz(func(t *testing.T, req, resp []byte, cut int) {
		x := &Exchange{}
		if cut < 0 || cut > len(req) {
			cut = len(req) / 2
		}
		x.Feed(facts.Client, req[:cut], 1, timeAt(0))
		x.Feed(facts.Client, req[cut:], 2, timeAt(0))
		x.Feed(facts.Server, resp, 3, timeAt(1))
		for d := range x.side {
			if len(x.side[d].buf) > MaxLen {
				t.Fatalf("kept %d bytes", len(x.side[d].buf))
			}
		}
		_ = x.Record()
	})
}
