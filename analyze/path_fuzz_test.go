package analyze

import (
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/result"
)

// FuzzPathSegments feeds arbitrary segment sequences (direction, flags, sequence and
// acknowledgement numbers, lengths, TTLs, windows, gaps in time, ICMP errors quoting the flow)
// through the analyzer: the path facts and verdicts must never panic, and conn_state must stay
// one of Zeek's.
func FuzzPathSegments(f *testing.F) {
	f.Add([]byte{0, fS, 0, 0, 0, 64, 0, 0, 1, fS | fA, 0, 1, 0, 63, 1, 0, 0, fA, 1, 1, 0, 64, 1, 0})
	f.Add([]byte{0, fS, 0, 0, 0, 64, 0, 0, 2, 3, 13, 0, 0, 64, 1, 0, 0, fS, 0, 0, 0, 64, 200, 0})
	f.Add([]byte{1, fS | fA, 0, 1, 0, 64, 0, 0, 0, fA | fP, 1, 1, 200, 63, 9, 0, 0, fA | fP, 1, 1, 200, 63, 255, 0})
	states := map[string]bool{"S0": true, "S1": true, "SF": true, "REJ": true, "S2": true, "S3": true, "RSTO": true,
		"RSTR": true, "RSTOS0": true, "RSTRH": true, "SH": true, "SHR": true, "OTH": true}
	f.Fuzz(func(t *testing.T, b []byte) {
		a := New(Options{Ports: []uint16{8080}})
		now := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
		payload := make([]byte, 255*6)
		for i := 0; i+8 <= len(b) && i < 8*200; i += 8 {
			c := b[i : i+8]
			now = now.Add(time.Duration(c[6]) * 37 * time.Millisecond)
			p := capture.Packet{Index: i/8 + 1, Time: now, TTL: c[5]}
			if c[0]%3 == 2 { // an ICMP error quoting the client's or the server's packet
				p.Kind, p.SrcIP, p.DstIP = capture.KindICMPError, testServer, testClient
				p.ICMP = capture.ICMPError{V6: c[4]&1 == 1, Type: c[1] % 12, Code: c[2] % 16, MTU: uint32(c[3]) * 8,
					QuotedSrc: testClient, QuotedDst: testServer, QuotedSrcPort: 50000, QuotedDstPort: 8080}
				if c[4]&2 != 0 {
					p.ICMP.QuotedSrc, p.ICMP.QuotedDst, p.ICMP.QuotedSrcPort, p.ICMP.QuotedDstPort = testServer, testClient, 8080, 50000
				}
				a.Packet(&p)
				continue
			}
			n := int(c[4]) * 6
			p.Kind = capture.KindTCP
			p.SrcIP, p.DstIP = testClient, testServer
			p.TCP = capture.TCPHeader{SrcPort: 50000, DstPort: 8080, Seq: 1000 + uint32(c[2])*100, Ack: 5000 + uint32(c[3])*100,
				Flags: c[1], Window: uint16(c[7]) * 256, Payload: payload[:n], PayloadLen: n}
			if c[0]%3 == 1 {
				p.SrcIP, p.DstIP = testServer, testClient
				p.TCP.SrcPort, p.TCP.DstPort = 8080, 50000
				p.TCP.Seq, p.TCP.Ack = 5000+uint32(c[2])*100, 1000+uint32(c[3])*100
			}
			a.Packet(&p)
		}
		res := a.Finish(result.Input{})
		for _, fl := range res.Flows.Slice() {
			if !states[fl.ConnState] || fl.Verdict == "" || fl.Path == nil {
				t.Fatalf("flow %+v", fl)
			}
		}
	})
}
