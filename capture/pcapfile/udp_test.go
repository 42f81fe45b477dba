package pcapfile

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/connscope/connscope/capture"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// TestDecodeDNS: UDP to or from port 53 comes up as KindDNS with its payload, over IPv4 and IPv6,
// cut by the snaplen or not; other UDP stays KindOther.
func TestDecodeDNS(t *testing.T) {
	query := []byte{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'a', 'p', 'e', 'x', 'o', 'n', 'e', 0, 0, 1, 0, 1}
	udp := func(nl gopacket.NetworkLayer, src, dst layers.UDPPort) *layers.UDP {
		u := &layers.UDP{SrcPort: src, DstPort: dst}
		if err := u.SetNetworkLayerForChecksum(nl); err != nil {
			t.Fatal(err)
		}
		return u
	}
	l4 := ip4(layers.IPProtocolUDP)
	q4 := serialize(t, eth(layers.EthernetTypeIPv4), l4, udp(l4, 40000, 53), gopacket.Payload(query))
	l4 = ip4(layers.IPProtocolUDP)
	a4 := serialize(t, eth(layers.EthernetTypeIPv4), l4, udp(l4, 53, 40000), gopacket.Payload(query))
	l6 := ip6(layers.IPProtocolUDP)
	q6 := serialize(t, eth(layers.EthernetTypeIPv6), l6, udp(l6, 40001, 53), gopacket.Payload(query))
	l4 = ip4(layers.IPProtocolUDP)
	ntp := serialize(t, eth(layers.EthernetTypeIPv4), l4, udp(l4, 123, 123), gopacket.Payload(query))
	cut := snapCut(q4, len(q4)-5)

	pkts, st, _ := decodeFrames(t, layers.LinkTypeEthernet, q4, a4, q6, ntp, cut)
	want := []struct {
		kind     capture.Kind
		src, dst uint16
		n, wire  int
		trunc    bool
	}{
		{capture.KindDNS, 40000, 53, len(query), len(query), false},
		{capture.KindDNS, 53, 40000, len(query), len(query), false},
		{capture.KindDNS, 40001, 53, len(query), len(query), false},
		{capture.KindOther, 0, 0, 0, 0, false},
		{capture.KindDNS, 40000, 53, len(query) - 5, len(query), true},
	}
	for i, w := range want {
		p := pkts[i]
		if p.Kind != w.kind || p.UDP.SrcPort != w.src || p.UDP.DstPort != w.dst || len(p.UDP.Payload) != w.n ||
			p.UDP.PayloadLen != w.wire || p.Truncated != w.trunc {
			t.Errorf("frame %d: kind %d, %+v, truncated %v; want %+v", i+1, p.Kind, p.UDP, p.Truncated, w)
		}
		if w.kind == capture.KindDNS && !bytes.Equal(p.UDP.Payload, query[:w.n]) {
			t.Errorf("frame %d: payload % x", i+1, p.UDP.Payload)
		}
	}
	if pkts[2].SrcIP != netip.MustParseAddr("2001:db8::1") || pkts[0].DstIP != netip.MustParseAddr("192.0.2.2") {
		t.Errorf("addresses %v %v", pkts[2].SrcIP, pkts[0].DstIP)
	}
	if st.DNS != 4 || st.Other != 1 || st.Frames != 5 {
		t.Errorf("stats %+v", st)
	}
}
