package track

import (
	"testing"
	"time"
)

func timeAt(sec int) time.Time { return time.Unix(1700000000+int64(sec), 0) }

// FuzzHTTPHead: no byte stream, cut anywhere, makes the HTTP head reader panic or keep more than
// its bound.
func FuzzHTTPHead(f *testing.F) {
	f.Add([]byte("GET /officescan/hotfix_pccnt/Common/OfcNTCer.dat HTTP/1.1\r\nHost: x\r\n\r\n"), []byte("HTTP/1.0 200 OK\r\n\r\n"), 5)
	f.Add([]byte("POST / HTTP/1.1\r\n"), []byte("HTTP/1.1 9999 X"), 1)
	f.Fuzz(func(t *testing.T, req, resp []byte, cut int) {
		fl := &flow{}
		if cut < 0 || cut > len(req) {
			cut = len(req) / 2
		}
		fl.httpFeed(fromClient, req[:cut], 1, timeAt(0))
		fl.httpFeed(fromClient, req[cut:], 2, timeAt(0))
		fl.httpFeed(fromServer, resp, 3, timeAt(1))
		for d := 0; fl.http != nil && d < 2; d++ {
			if len(fl.http.side[d].buf) > maxHTTPHead {
				t.Fatalf("kept %d bytes", len(fl.http.side[d].buf))
			}
		}
		_ = fl.httpRecord()
	})
}
