package track

import (
	"net/netip"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
)

// TestAnchorOnAcknowledgedSYNACK: two SYN-ACKs with different ISNs answer one SYN (two hosts
// answering, the wrong one first); the client acknowledges the second, and the server's HTTP
// answer follows that one's ISN. Anchored on it, the stream reads the answer; anchored on the
// first, the answer would be data from before the stream's start, and lost.
func TestAnchorOnAcknowledgedSYNACK(t *testing.T) {
	req, resp := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	const cISN, wrongISN, rightISN = 1000, 45000, 5000
	segs := []seg{
		{false, capture.FlagSYN, cISN, 0, nil},
		{true, capture.FlagSYN | capture.FlagACK, wrongISN, cISN + 1, nil},
		{true, capture.FlagSYN | capture.FlagACK, rightISN, cISN + 1, nil},
		{false, capture.FlagACK, cISN + 1, rightISN + 1, nil},
		{false, capture.FlagACK | capture.FlagPSH, cISN + 1, rightISN + 1, req},
		{true, capture.FlagACK | capture.FlagPSH, rightISN + 1, cISN + 1 + uint32(len(req)), resp},
	}
	got := runTrack(t, segs)
	if got == nil {
		t.Fatal("no connection finished")
	}
	h := got.HTTP()
	if got.Side[facts.Server].SYNSeq != rightISN || h == nil || h.Status != 200 {
		t.Errorf("server ISN %d, HTTP %+v; want %d and the 200 answer read", got.Side[facts.Server].SYNSeq, h, rightISN)
	}
}

// seg is one TCP segment between 10.0.0.1:50000 (client) and 10.0.0.2:8080 (server).
type seg struct {
	fromServer bool
	flags      uint8
	seq, ack   uint32
	payload    []byte
}

// runTrack feeds the segments, 1 ms apart, through a Tracker and returns the one record.
func runTrack(t *testing.T, segs []seg) *facts.Conn {
	t.Helper()
	client, server := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	var got *facts.Conn
	tr := New(Config{StreamLimit: 65536, IdleTimeout: time.Minute, ClosedLinger: time.Second, MaxActiveFlows: 10},
		func(c *facts.Conn) bool { got = c; return false })
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i, s := range segs {
		p := capture.Packet{Index: i + 1, Time: t0.Add(time.Duration(i) * time.Millisecond), Kind: capture.KindTCP, TTL: 64,
			SrcIP: client, DstIP: server,
			TCP: capture.TCPHeader{SrcPort: 50000, DstPort: 8080, Seq: s.seq, Ack: s.ack, Flags: s.flags, Window: 64240,
				Payload: s.payload, PayloadLen: len(s.payload)}}
		if s.fromServer {
			p.SrcIP, p.DstIP = server, client
			p.TCP.SrcPort, p.TCP.DstPort = 8080, 50000
		}
		p.CapLen, p.WireLen = 54+len(s.payload), 54+len(s.payload)
		tr.Packet(&p)
	}
	tr.Flush()
	if got == nil {
		t.Fatal("no connection finished")
	}
	return got
}

// TestNoTLSInsideHTTP: hello-like bytes inside an HTTP body (a capture file downloaded, say) are
// not the start of TLS, in either direction; after a CONNECT, TLS is found.
func TestNoTLSInsideHTTP(t *testing.T) {
	clientHello := []byte{0x16, 3, 1, 0, 0xf6, 1, 0, 0, 0xf2, 3, 3}
	serverHello := []byte{0x16, 3, 3, 0, 0x5a, 2, 0, 0, 0x56, 3, 3}
	const c, s = 1000, 5000
	post := append([]byte("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\nabc"), clientHello...)
	resp := append([]byte("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\nxyz"), serverHello...)
	handshake := []seg{{false, capture.FlagSYN, c, 0, nil}, {true, capture.FlagSYN | capture.FlagACK, s, c + 1, nil},
		{false, capture.FlagACK, c + 1, s + 1, nil}}
	got := runTrack(t, append(append([]seg{}, handshake...),
		seg{false, capture.FlagACK | capture.FlagPSH, c + 1, s + 1, post},
		seg{true, capture.FlagACK | capture.FlagPSH, s + 1, c + 1 + uint32(len(post)), resp}))
	if got.TLS.IsTLS() || got.TLS != nil && got.TLS.STARTTLS {
		t.Errorf("TLS found inside HTTP bodies: %+v", got.TLS)
	}
	connect := []byte("CONNECT 10.0.0.9:443 HTTP/1.1\r\nHost: 10.0.0.9:443\r\n\r\n")
	ok := []byte("HTTP/1.1 200 Connection established\r\n\r\n")
	got = runTrack(t, append(append([]seg{}, handshake...),
		seg{false, capture.FlagACK | capture.FlagPSH, c + 1, s + 1, connect},
		seg{true, capture.FlagACK | capture.FlagPSH, s + 1, c + 1 + uint32(len(connect)), ok},
		seg{false, capture.FlagACK | capture.FlagPSH, c + 1 + uint32(len(connect)), s + 1 + uint32(len(ok)), clientHello}))
	if got.TLS == nil || !got.TLS.STARTTLS {
		t.Errorf("no TLS found after the CONNECT: %+v", got.TLS)
	}
}
