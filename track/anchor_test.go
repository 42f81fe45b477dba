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
	client, server := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	req, resp := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	type seg struct {
		fromServer bool
		flags      uint8
		seq, ack   uint32
		payload    []byte
	}
	const cISN, wrongISN, rightISN = 1000, 45000, 5000
	segs := []seg{
		{false, capture.FlagSYN, cISN, 0, nil},
		{true, capture.FlagSYN | capture.FlagACK, wrongISN, cISN + 1, nil},
		{true, capture.FlagSYN | capture.FlagACK, rightISN, cISN + 1, nil},
		{false, capture.FlagACK, cISN + 1, rightISN + 1, nil},
		{false, capture.FlagACK | capture.FlagPSH, cISN + 1, rightISN + 1, req},
		{true, capture.FlagACK | capture.FlagPSH, rightISN + 1, cISN + 1 + uint32(len(req)), resp},
	}
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
	h := got.HTTP()
	if got.Side[facts.Server].SYNSeq != rightISN || h == nil || h.Status != 200 {
		t.Errorf("server ISN %d, HTTP %+v; want %d and the 200 answer read", got.Side[facts.Server].SYNSeq, h, rightISN)
	}
}
