package track

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
)

// TestUnmatched: packets outside the analysed ports are counted by server port (a SYN's
// destination, a SYN-ACK's source, else the lower port) and SYNs by server address; the
// analysed port's packets are not counted.
func TestUnmatched(t *testing.T) {
	tr := New(Config{Ports: []uint16{443}, StreamLimit: 1 << 10, IdleTimeout: 1e9, ClosedLinger: 1e9, MaxActiveFlows: 16},
		func(*facts.Conn) bool { return false })
	client, server, other := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.3")
	pkt := func(src, dst netip.Addr, sport, dport uint16, flags uint8) *capture.Packet {
		return &capture.Packet{Kind: capture.KindTCP, SrcIP: src, DstIP: dst,
			TCP: capture.TCPHeader{SrcPort: sport, DstPort: dport, Flags: flags}}
	}
	for i := range 3 { // three connections to 4343, one SYN retransmitted
		sport := uint16(50000 + i)
		tr.Packet(pkt(client, server, sport, 4343, capture.FlagSYN))
		tr.Packet(pkt(server, client, 4343, sport, capture.FlagSYN|capture.FlagACK))
		tr.Packet(pkt(client, server, sport, 4343, capture.FlagACK))
	}
	tr.Packet(pkt(client, server, 50000, 4343, capture.FlagSYN))
	tr.Packet(pkt(client, other, 50100, 8080, capture.FlagSYN))
	tr.Packet(pkt(client, other, 50100, 22, capture.FlagACK))   // mid-connection: the lower port
	tr.Packet(pkt(client, server, 50200, 443, capture.FlagSYN)) // analysed: not counted
	got := tr.Unmatched(2)
	want := Unmatched{Packets: 12, SYNs: 5,
		Ports: []PortCount{{Port: 4343, SYNs: 4, Packets: 10}, {Port: 8080, SYNs: 1, Packets: 1}},
		Hosts: []HostCount{{Addr: server, SYNs: 4}, {Addr: other, SYNs: 1}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Unmatched(2) = %+v\nwant %+v", got, want)
	}
	if all := tr.Unmatched(10); len(all.Ports) != 3 || all.Ports[2] != (PortCount{Port: 22, Packets: 1}) {
		t.Errorf("Unmatched(10).Ports = %+v, want port 22 third", all.Ports)
	}
}
