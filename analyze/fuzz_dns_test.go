package analyze

import (
	"net/netip"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/result"
)

func timeAt(sec int) time.Time { return time.Unix(1700000000+int64(sec), 0) }

// FuzzDNSPacket: no datagram makes the DNS bookkeeping panic, and its findings stay bounded.
func FuzzDNSPacket(f *testing.F) {
	f.Add([]byte{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'a', 'p', 'e', 'x', 'o', 'n', 'e', 0, 0, 1, 0, 1}, false)
	f.Add([]byte{0x12, 0x34, 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'a', 'p', 'e', 'x', 'o', 'n', 'e', 0, 0, 1, 0, 1}, true)
	f.Add([]byte{0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 7, 'a', 'p', 'e', 'x', 'o', 'n', 'e', 0, 0, 1, 0, 1,
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 2}, true)
	f.Fuzz(func(t *testing.T, payload []byte, response bool) {
		a := New(Options{ServerNames: []string{"apexone"}})
		client, server := netip.MustParseAddr("10.0.0.5"), netip.MustParseAddr("10.0.0.53")
		p := capture.Packet{Index: 1, Time: timeAt(0), Kind: capture.KindDNS, SrcIP: client, DstIP: server,
			UDP: capture.UDPHeader{SrcPort: 40000, DstPort: 53, Payload: payload, PayloadLen: len(payload)}}
		if response {
			p.SrcIP, p.DstIP = server, client
			p.UDP.SrcPort, p.UDP.DstPort = 53, 40000
		}
		a.Packet(&p)
		res := a.Finish(result.Input{Last: timeAt(5)})
		if len(res.Names) > 1 {
			t.Fatalf("%d names from one datagram", len(res.Names))
		}
	})
}
