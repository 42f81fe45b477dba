// Command gen derives the synthetic variants in capture/testdata from the real captures that
// make-captures.sh took (tls-veth-nano.pcap, tls-veth.pcap, tls-any-sll2.pcap, dumpcap-3if.pcapng).
// Every packet it writes carries real Linux TCP / OpenSSL bytes; only the framing is rewritten.
// With -encap it builds the encapsulated captures of capture/testdata/encap instead (encap.go).
// The output is deterministic: running it twice gives the same files.
//
//	go run ./capture/testdata/gen -dir capture/testdata
//	go run ./capture/testdata/gen -encap -dir capture/testdata/encap
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

type record struct {
	ci   gopacket.CaptureInfo
	data []byte
}

var dir string

func main() {
	flag.StringVar(&dir, "dir", "capture/testdata", "folder of the real captures, where the variants are written")
	encap := flag.Bool("encap", false, "build the encapsulated captures from inner.pcap and vxlan.pcap in -dir")
	flag.Parse()
	do := run
	if *encap {
		do = runEncap
	}
	if err := do(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	nano, err := readPcap("tls-veth-nano.pcap")
	if err != nil {
		return err
	}
	steps := []struct {
		name string
		fn   func() error
	}{
		{"tls-veth-be.pcap", func() error {
			return writePcap("tls-veth-be.pcap", layers.LinkTypeEthernet, nano, binary.BigEndian, false)
		}},
		{"raw-ip.pcap", func() error {
			return writePcap("raw-ip.pcap", layers.LinkTypeRaw, rewrap(nano, rawIP), binary.LittleEndian, false)
		}},
		{"null.pcap", func() error {
			return writePcap("null.pcap", layers.LinkTypeNull, rewrap(nano, nullFamily), binary.LittleEndian, false)
		}},
		{"loop.pcap", func() error {
			return writePcap("loop.pcap", layers.LinkTypeLoop, rewrap(nano, loopFamily), binary.LittleEndian, false)
		}},
		{"vlan.pcap", func() error {
			return writePcap("vlan.pcap", layers.LinkTypeEthernet, rewrap(nano, vlanTag), binary.LittleEndian, false)
		}},
		{"qinq.pcap", func() error {
			return writePcap("qinq.pcap", layers.LinkTypeEthernet, rewrap(nano, qinqTag), binary.LittleEndian, false)
		}},
		{"eth-padded.pcap", func() error {
			return writePcap("eth-padded.pcap", layers.LinkTypeEthernet, rewrap(nano, pad60), binary.LittleEndian, false)
		}},
		{"linktypes.pcapng", func() error { return linkTypesNg(nano) }},
		{"icmp-synth.pcap", func() error { return icmpSynth(nano) }},
		{"ipfrag.pcap", func() error { return ipFrag(nano) }},
		{"cut-mid-record.pcap", func() error { return cutPcap(nano) }},
		{"corrupt-length.pcap", func() error { return corruptPcap() }},
		{"cut-mid-block.pcapng", func() error { return cutNg() }},
		{"corrupt-block.pcapng", func() error { return corruptNg() }},
		{"gzip", func() error {
			for _, f := range []string{"tls-veth-nano.pcap", "tls-any-sll2.pcap", "dumpcap-3if.pcapng"} {
				if err := gzipFile(f); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Println("made", s.name)
	}
	return nil
}

func readPcap(name string) ([]record, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		return nil, err
	}
	if r.LinkType() != layers.LinkTypeEthernet {
		return nil, fmt.Errorf("%s: link type %v, want Ethernet", name, r.LinkType())
	}
	var recs []record
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return nil, err
		}
		recs = append(recs, record{ci, data})
	}
}

// writePcap writes a pcap file with microsecond timestamps in the given byte order, or nanosecond
// ones when nano is set.
func writePcap(name string, lt layers.LinkType, recs []record, bo binary.ByteOrder, nano bool) error {
	var b bytes.Buffer
	hdr := make([]byte, 24)
	magic := uint32(0xa1b2c3d4)
	if nano {
		magic = 0xa1b23c4d
	}
	bo.PutUint32(hdr[0:], magic)
	bo.PutUint16(hdr[4:], 2)
	bo.PutUint16(hdr[6:], 4)
	bo.PutUint32(hdr[16:], 262144)
	bo.PutUint32(hdr[20:], uint32(lt))
	b.Write(hdr)
	for _, r := range recs {
		rh := make([]byte, 16)
		ts := r.ci.Timestamp
		bo.PutUint32(rh[0:], uint32(ts.Unix()))
		if nano {
			bo.PutUint32(rh[4:], uint32(ts.Nanosecond()))
		} else {
			bo.PutUint32(rh[4:], uint32(ts.Nanosecond()/1000))
		}
		bo.PutUint32(rh[8:], uint32(len(r.data)))
		bo.PutUint32(rh[12:], uint32(r.ci.Length-r.ci.CaptureLength+len(r.data)))
		b.Write(rh)
		b.Write(r.data)
	}
	return os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644)
}

// rewrap applies fn to each Ethernet frame; a nil result drops the frame.
func rewrap(recs []record, fn func(frame []byte) []byte) []record {
	var out []record
	for _, r := range recs {
		d := fn(r.data)
		if d == nil {
			continue
		}
		out = append(out, record{r.ci, d})
	}
	return out
}

// ipOf returns the IP packet of an Ethernet frame and its version (0 for non-IP frames).
func ipOf(frame []byte) ([]byte, int) {
	if len(frame) < 15 {
		return nil, 0
	}
	switch binary.BigEndian.Uint16(frame[12:14]) {
	case 0x0800:
		return frame[14:], 4
	case 0x86dd:
		return frame[14:], 6
	}
	return nil, 0
}

func rawIP(frame []byte) []byte {
	ip, _ := ipOf(frame)
	return clone(ip)
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// nullFamily frames an IP packet as BSD loopback (DLT_NULL): the address family in host (here
// little-endian) byte order; AF_INET6 is 30 as macOS writes it.
func nullFamily(frame []byte) []byte {
	ip, v := ipOf(frame)
	if v == 0 {
		return nil
	}
	fam := uint32(2)
	if v == 6 {
		fam = 30
	}
	return append(binary.LittleEndian.AppendUint32(nil, fam), ip...)
}

// loopFamily frames an IP packet as OpenBSD loopback (DLT_LOOP): the family in network byte order;
// AF_INET6 is 24 on OpenBSD.
func loopFamily(frame []byte) []byte {
	ip, v := ipOf(frame)
	if v == 0 {
		return nil
	}
	fam := uint32(2)
	if v == 6 {
		fam = 24
	}
	return append(binary.BigEndian.AppendUint32(nil, fam), ip...)
}

// vlanTag inserts an 802.1Q tag (VLAN 99, priority 3) after the MAC addresses.
func vlanTag(frame []byte) []byte {
	out := append([]byte{}, frame[:12]...)
	out = append(out, 0x81, 0x00, 0x60, 99)
	return append(out, frame[12:]...)
}

// qinqTag inserts an 802.1ad service tag (VLAN 100) and an 802.1Q customer tag (VLAN 99).
func qinqTag(frame []byte) []byte {
	out := append([]byte{}, frame[:12]...)
	out = append(out, 0x88, 0xa8, 0x00, 100, 0x81, 0x00, 0x00, 99)
	return append(out, frame[12:]...)
}

// pad60 pads frames shorter than the 60-byte Ethernet minimum with zeros, as a capture on a
// receiving NIC shows them (a veth does not pad).
func pad60(frame []byte) []byte {
	out := clone(frame)
	for len(out) < 60 {
		out = append(out, 0)
	}
	return out
}

// linkTypesNg writes a pcapng whose interfaces have the link types connscope reads other than the
// Linux cooked ones; each IP frame goes to the next interface in turn that can carry it.
func linkTypesNg(recs []record) error {
	types := []layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeRaw, 12, 14, layers.LinkTypeIPv4,
		layers.LinkTypeIPv6, layers.LinkTypeNull, layers.LinkTypeLoop}
	var b bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&b, pcapgo.NgInterface{Name: "eth", LinkType: types[0], SnapLength: 262144,
		TimestampResolution: 9}, pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "connscope gen"}})
	if err != nil {
		return err
	}
	for _, lt := range types[1:] {
		if _, err := w.AddInterface(pcapgo.NgInterface{Name: fmt.Sprintf("lt%d", lt), LinkType: lt, SnapLength: 65535,
			TimestampResolution: 9}); err != nil {
			return err
		}
	}
	turn := 0
	for _, r := range recs {
		ip, v := ipOf(r.data)
		iface, data := 0, r.data
		if v != 0 {
			for {
				turn = (turn + 1) % len(types)
				lt := types[turn]
				if (lt == layers.LinkTypeIPv4 && v != 4) || (lt == layers.LinkTypeIPv6 && v != 6) {
					continue
				}
				iface = turn
				break
			}
			switch types[iface] {
			case layers.LinkTypeEthernet:
			case layers.LinkTypeNull:
				data = nullFamily(r.data)
			case layers.LinkTypeLoop:
				data = loopFamily(r.data)
			default:
				data = clone(ip)
			}
		}
		ci := r.ci
		ci.InterfaceIndex = iface
		ci.CaptureLength = len(data)
		ci.Length = len(data)
		if err := w.WritePacket(ci, data); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "linktypes.pcapng"), b.Bytes(), 0o644)
}

// find returns the index of the first frame for which match is true.
func find(recs []record, what string, match func(p gopacket.Packet) bool) (int, error) {
	for i, r := range recs {
		if match(gopacket.NewPacket(r.data, layers.LayerTypeEthernet, gopacket.Default)) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("no %s in the capture", what)
}

func tcpOf(p gopacket.Packet) *layers.TCP {
	t, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
	return t
}

func isIPv4(p gopacket.Packet) bool { return p.Layer(layers.LayerTypeIPv4) != nil }

var (
	clientMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 1}
	routerMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 0xfe}
	router4   = net.IP{10, 99, 0, 254}
	router6   = net.ParseIP("fd00:99::fe")
	client4   = net.IP{10, 99, 0, 1}
	client6   = net.ParseIP("fd00:99::1")
)

func serialize(ls ...gopacket.SerializableLayer) ([]byte, error) {
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...)
	return buf.Bytes(), err
}

func icmp4(typ, code uint8, rest [4]byte, quote []byte) ([]byte, error) {
	eth := &layers.Ethernet{SrcMAC: routerMAC, DstMAC: clientMAC, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: 0x4242, Protocol: layers.IPProtocolICMPv4, SrcIP: router4, DstIP: client4}
	icmp := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(typ, code),
		Id: binary.BigEndian.Uint16(rest[0:2]), Seq: binary.BigEndian.Uint16(rest[2:4])}
	return serialize(eth, ip, icmp, gopacket.Payload(quote))
}

func icmp6(typ, code uint8, rest [4]byte, quote []byte) ([]byte, error) {
	eth := &layers.Ethernet{SrcMAC: routerMAC, DstMAC: clientMAC, EthernetType: layers.EthernetTypeIPv6}
	ip := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolICMPv6, SrcIP: router6, DstIP: client6}
	icmp := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(typ, code)}
	if err := icmp.SetNetworkLayerForChecksum(ip); err != nil {
		return nil, err
	}
	body := append(rest[:], quote...)
	return serialize(eth, ip, icmp, gopacket.Payload(body))
}

// icmpSynth writes ICMP and ICMPv6 errors from a router (10.99.0.254, fd00:99::fe) that quote real
// packets of the capture: the kinds iptables cannot make (fragmentation needed, packet too big, time
// exceeded) and quotes of every length.
func icmpSynth(recs []record) error {
	syn4, err := find(recs, "IPv4 SYN", func(p gopacket.Packet) bool {
		t := tcpOf(p)
		return t != nil && isIPv4(p) && t.SYN && !t.ACK
	})
	if err != nil {
		return err
	}
	ch4, err := find(recs, "IPv4 ClientHello", func(p gopacket.Packet) bool {
		t := tcpOf(p)
		return t != nil && isIPv4(p) && len(t.Payload) > 100 && t.DstPort == 4343
	})
	if err != nil {
		return err
	}
	ch6, err := find(recs, "IPv6 ClientHello", func(p gopacket.Packet) bool {
		t := tcpOf(p)
		return t != nil && !isIPv4(p) && len(t.Payload) > 100 && t.DstPort == 4343
	})
	if err != nil {
		return err
	}
	ext6, err := find(recs, "IPv6 SYN with extension headers", func(p gopacket.Packet) bool {
		ip, ok := p.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
		return ok && ip.NextHeader == layers.IPProtocolIPv6HopByHop && tcpOf(p) != nil && tcpOf(p).SYN
	})
	if err != nil {
		return err
	}
	ip4 := func(i int) []byte { ip, _ := ipOf(recs[i].data); return ip }
	ihl := func(ip []byte) int { return int(ip[0]&0x0f) * 4 }
	udpIP := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: 7, Protocol: layers.IPProtocolUDP, SrcIP: client4, DstIP: net.IP{10, 99, 0, 2}}
	udpL := &layers.UDP{SrcPort: 53000, DstPort: 53}
	if err := udpL.SetNetworkLayerForChecksum(udpIP); err != nil {
		return err
	}
	udp, err := serialize(udpIP, udpL, gopacket.Payload([]byte("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00")))
	if err != nil {
		return err
	}
	type mk struct {
		fn   func(typ, code uint8, rest [4]byte, quote []byte) ([]byte, error)
		typ  uint8
		code uint8
		rest [4]byte
		q    []byte
	}
	q := func(ip []byte, n int) []byte { return clone(ip[:min(n, len(ip))]) }
	ch6ip, _ := ipOf(recs[ch6].data)
	ext6ip, _ := ipOf(recs[ext6].data)
	list := []mk{
		// fragmentation needed, next-hop MTU 1400, quoting the IP header and 8 bytes of the ClientHello (RFC 792)
		{icmp4, 3, 4, [4]byte{0, 0, 0x05, 0x78}, q(ip4(ch4), ihl(ip4(ch4))+8)},
		// time exceeded quoting the SYN with only 4 bytes of TCP: ports but no sequence number
		{icmp4, 11, 0, [4]byte{}, q(ip4(syn4), ihl(ip4(syn4))+4)},
		// host unreachable quoting only the IP header: no ports, so not a TCP error (KindOther)
		{icmp4, 3, 1, [4]byte{}, q(ip4(syn4), ihl(ip4(syn4)))},
		// port unreachable quoting a UDP datagram: KindOther
		{icmp4, 3, 3, [4]byte{}, udp},
		// ICMPv6 packet too big, MTU 1280, quoting as much of the ClientHello as fits in 1280 bytes
		{icmp6, 2, 0, [4]byte{0, 0, 0x05, 0x00}, q(ch6ip, 1280-40-8)},
		// ICMPv6 destination unreachable (port) quoting the SYN that carried hop-by-hop and destination options
		{icmp6, 1, 4, [4]byte{}, q(ext6ip, len(ext6ip))},
		// ICMPv6 time exceeded quoting 40+8+8 bytes of the same SYN: the TCP header is beyond the quote
		{icmp6, 3, 0, [4]byte{}, q(ext6ip, 56)},
	}
	base := recs[ch4].ci.Timestamp
	var out []record
	for i, m := range list {
		d, err := m.fn(m.typ, m.code, m.rest, m.q)
		if err != nil {
			return err
		}
		ts := base.Add(time.Duration(i) * time.Millisecond)
		out = append(out, record{gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(d), Length: len(d)}, d})
	}
	return writePcap("icmp-synth.pcap", layers.LinkTypeEthernet, out, binary.LittleEndian, false)
}

// ipFrag splits the real IPv4 and IPv6 ClientHellos into two IP fragments each: the first carries
// the TCP header and the start of the payload, the second the rest.
func ipFrag(recs []record) error {
	var out []record
	for _, v4 := range []bool{true, false} {
		i, err := find(recs, "ClientHello", func(p gopacket.Packet) bool {
			t := tcpOf(p)
			return t != nil && isIPv4(p) == v4 && len(t.Payload) > 100 && t.DstPort == 4343
		})
		if err != nil {
			return err
		}
		frame := recs[i].data
		ip := frame[14:]
		var f1, f2 []byte
		if v4 {
			f1, f2 = frag4(ip, 200)
		} else {
			f1, f2 = frag6(ip, 200)
		}
		for k, f := range [][]byte{f1, f2} {
			d := append(clone(frame[:14]), f...)
			ts := recs[i].ci.Timestamp.Add(time.Duration(k) * time.Microsecond)
			out = append(out, record{gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(d), Length: len(d)}, d})
		}
	}
	return writePcap("ipfrag.pcap", layers.LinkTypeEthernet, out, binary.LittleEndian, false)
}

func frag4(ip []byte, first int) ([]byte, []byte) {
	hl := int(ip[0]&0x0f) * 4
	tot := int(binary.BigEndian.Uint16(ip[2:4]))
	payload := ip[hl:tot]
	mk := func(part []byte, off int, more bool) []byte {
		h := clone(ip[:hl])
		binary.BigEndian.PutUint16(h[2:], uint16(hl+len(part)))
		ff := uint16(off / 8)
		if more {
			ff |= 0x2000
		}
		binary.BigEndian.PutUint16(h[6:], ff)
		h[10], h[11] = 0, 0
		binary.BigEndian.PutUint16(h[10:], checksum(h))
		return append(h, part...)
	}
	return mk(payload[:first], 0, true), mk(payload[first:], first, false)
}

func frag6(ip []byte, first int) ([]byte, []byte) {
	plen := int(binary.BigEndian.Uint16(ip[4:6]))
	next := ip[6]
	payload := ip[40 : 40+plen]
	mk := func(part []byte, off int, more bool) []byte {
		h := clone(ip[:40])
		h[6] = 44
		binary.BigEndian.PutUint16(h[4:], uint16(8+len(part)))
		fh := []byte{next, 0, 0, 0, 0xc0, 0x11, 0x22, 0x33}
		fo := uint16(off/8) << 3
		if more {
			fo |= 1
		}
		binary.BigEndian.PutUint16(fh[2:], fo)
		return append(append(h, fh...), part...)
	}
	return mk(payload[:first], 0, true), mk(payload[first:], first, false)
}

func checksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// pcapRecordOffset returns the byte offset of record n (1-based) of a pcap file.
func pcapRecordOffset(b []byte, n int) int {
	off := 24
	for i := 1; i < n; i++ {
		off += 16 + int(binary.LittleEndian.Uint32(b[off+8:]))
	}
	return off
}

// cutPcap cuts tls-veth-nano.pcap 5 bytes into the data of record 10, as a copy interrupted while
// tcpdump was still writing.
func cutPcap([]record) error {
	b, err := os.ReadFile(filepath.Join(dir, "tls-veth-nano.pcap"))
	if err != nil {
		return err
	}
	off := pcapRecordOffset(b, 10)
	fmt.Printf("cut-mid-record.pcap: record 10 starts at byte %d\n", off)
	return os.WriteFile(filepath.Join(dir, "cut-mid-record.pcap"), b[:off+16+5], 0o644)
}

// corruptPcap sets the captured length of record 10 of tls-veth-nano.pcap to 0x7ffffff0.
func corruptPcap() error {
	b, err := os.ReadFile(filepath.Join(dir, "tls-veth-nano.pcap"))
	if err != nil {
		return err
	}
	off := pcapRecordOffset(b, 10)
	binary.LittleEndian.PutUint32(b[off+8:], 0x7ffffff0)
	fmt.Printf("corrupt-length.pcap: record 10 starts at byte %d\n", off)
	return os.WriteFile(filepath.Join(dir, "corrupt-length.pcap"), b, 0o644)
}

// ngBlockOffset returns the byte offset of the n-th (1-based) block of type typ in a little-endian
// pcapng file.
func ngBlockOffset(b []byte, typ uint32, n int) (int, error) {
	seen := 0
	for off := 0; off+12 <= len(b); {
		t := binary.LittleEndian.Uint32(b[off:])
		l := int(binary.LittleEndian.Uint32(b[off+4:]))
		if t == typ {
			seen++
			if seen == n {
				return off, nil
			}
		}
		off += l
	}
	return 0, fmt.Errorf("fewer than %d blocks of type %d", n, typ)
}

// cutNg cuts dumpcap-3if.pcapng in the middle of its 12th enhanced packet block.
func cutNg() error {
	b, err := os.ReadFile(filepath.Join(dir, "dumpcap-3if.pcapng"))
	if err != nil {
		return err
	}
	off, err := ngBlockOffset(b, 6, 12)
	if err != nil {
		return err
	}
	fmt.Printf("cut-mid-block.pcapng: EPB 12 starts at byte %d\n", off)
	return os.WriteFile(filepath.Join(dir, "cut-mid-block.pcapng"), b[:off+40], 0o644)
}

// corruptNg sets the block length of the 12th enhanced packet block of dumpcap-3if.pcapng to
// 0xffffffff.
func corruptNg() error {
	b, err := os.ReadFile(filepath.Join(dir, "dumpcap-3if.pcapng"))
	if err != nil {
		return err
	}
	off, err := ngBlockOffset(b, 6, 12)
	if err != nil {
		return err
	}
	binary.LittleEndian.PutUint32(b[off+4:], 0xffffffff)
	fmt.Printf("corrupt-block.pcapng: EPB 12 starts at byte %d\n", off)
	return os.WriteFile(filepath.Join(dir, "corrupt-block.pcapng"), b, 0o644)
}

func gzipFile(name string) error {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(b); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".gz"), out.Bytes(), 0o644)
}
