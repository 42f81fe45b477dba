package track

import (
	"net/netip"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
)

// TestTombEndsAfterLingerWhateverItsNeighboursLatePackets: a tomb that takes a late packet
// waits ClosedLinger again from it; a connection buried after that, in the same step of grace,
// whose last packet came before the late one, must still end at the first sweep after it was
// idle for ClosedLinger, not wait for the other's.
func TestTombEndsAfterLingerWhateverItsNeighboursLatePackets(t *testing.T) {
	cfg := Config{Ports: []uint16{443}, StreamLimit: 1 << 16,
		IdleTimeout: 5 * time.Minute, ClosedLinger: 10 * time.Second, MaxActiveFlows: 1000}
	ended := map[uint16]time.Time{}
	a := New(cfg, func(c *facts.Conn) bool { ended[c.Client.Port()] = c.End.Time(); return true })
	base := time.Unix(1_700_000_000, 0)
	frame := 0
	send := func(at time.Duration, port uint16, fromClient bool, flags uint8) {
		frame++
		a.Packet(refusedPacket(frame, base.Add(at), port, fromClient, flags))
	}
	ms := time.Millisecond
	send(0, 40000, true, capture.FlagSYN) // refused
	send(1*ms, 40000, false, capture.FlagRST|capture.FlagACK)
	a.Tick(base.Add(time.Second))                // a tomb
	send(10000*ms, 40001, true, capture.FlagSYN) // refused
	send(10001*ms, 40001, false, capture.FlagRST|capture.FlagACK)
	send(10200*ms, 40000, true, capture.FlagACK) // late, for the tomb of 40000
	a.Tick(base.Add(10300 * ms))                 // 40000 waits again, from 10.2 s
	a.Tick(base.Add(11 * time.Second))           // 40001 a tomb
	at := base.Add(20100 * ms)                   // 40001 idle for 10.099 s, 40000 for 9.9 s
	a.Tick(at)
	if len(ended) != 1 || !ended[40001].Equal(at) {
		t.Errorf("a sweep at %v ended %v; want port 40001 at %v", at.Sub(base), ended, at)
	}
}

// refusedPacket is packet frame at time at of a connection from 10.0.0.1:port to 10.0.0.2:443
// that is refused: the client's SYN or ACK (seq 1000), or the server's reset (acknowledging it).
func refusedPacket(frame int, at time.Time, port uint16, fromClient bool, flags uint8) *capture.Packet {
	client, server := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	p := capture.Packet{Index: frame, Time: at, Kind: capture.KindTCP, SrcIP: client, DstIP: server,
		TTL: 64, TCP: capture.TCPHeader{SrcPort: port, DstPort: 443, Seq: 1000, Flags: flags, Window: 1000}}
	if !fromClient {
		p.SrcIP, p.DstIP = server, client
		p.TCP.SrcPort, p.TCP.DstPort = 443, port
		p.TCP.Seq, p.TCP.Ack = 0, 1001
	}
	return &p
}
