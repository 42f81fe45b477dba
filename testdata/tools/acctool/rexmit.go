package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
)

// pcapRecord is one record of a classic pcap: its 16-byte header and its frame.
type pcapRecord struct {
	hdr   []byte
	frame []byte
}

// readPcap reads a classic Ethernet pcap into its file header, byte order and records.
func readPcap(path string) ([]byte, binary.ByteOrder, []pcapRecord, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(b) < 24 {
		return nil, nil, nil, errors.New("not a pcap file")
	}
	var bo binary.ByteOrder
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		bo = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		return nil, nil, nil, errors.New("not a classic pcap file (pcapng is not handled)")
	}
	if lt := bo.Uint32(b[20:]); lt != 1 {
		return nil, nil, nil, fmt.Errorf("link type %d, want 1 (Ethernet)", lt)
	}
	var recs []pcapRecord
	for off := 24; off+16 <= len(b); {
		incl := int(bo.Uint32(b[off+8:]))
		if off+16+incl > len(b) {
			return nil, nil, nil, errors.New("a record runs past the end of the file")
		}
		recs = append(recs, pcapRecord{hdr: b[off : off+16], frame: b[off+16 : off+16+incl]})
		off += 16 + incl
	}
	return b[:24], bo, recs, nil
}

// ones16 is the ones' complement sum of b (RFC 1071), folded to 16 bits.
func ones16(sum uint32, b []byte) uint32 {
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return sum
}

// rexmit copies a classic pcap and inserts, right after frame -frame (a TCP segment of the
// client over IPv4), a retransmission of it that carries other bytes: the TCP payload of frame
// -from (another connection's segment, e.g. a ClientHello for another TLS version). Addresses,
// ports, sequence and acknowledgement numbers, IP ID and TTL are those of -frame; lengths and
// checksums are computed anew; its time is 100 µs after -frame's. Both segments are real ones:
// the contradiction is built around really captured packets.
func rexmit(args []string) error {
	fs := flag.NewFlagSet("rexmit", flag.ExitOnError)
	in := fs.String("in", "", "input pcap")
	out := fs.String("out", "", "output pcap")
	frame := fs.Int("frame", 0, "frame number (1-based) of the segment to retransmit")
	from := fs.Int("from", 0, "frame number (1-based) whose TCP payload the retransmission carries")
	fs.Parse(args)
	hdr, bo, recs, err := readPcap(*in)
	if err != nil {
		return err
	}
	if *frame < 1 || *frame > len(recs) || *from < 1 || *from > len(recs) {
		return fmt.Errorf("frames %d and %d: the file has %d", *frame, *from, len(recs))
	}
	seg, err := tcpOf(recs[*frame-1].frame)
	if err != nil {
		return fmt.Errorf("frame %d: %v", *frame, err)
	}
	src, err := tcpOf(recs[*from-1].frame)
	if err != nil {
		return fmt.Errorf("frame %d: %v", *from, err)
	}
	orig := recs[*frame-1].frame
	pkt := append(append([]byte{}, orig[:seg.payload]...), recs[*from-1].frame[src.payload:src.end]...)
	ip := pkt[14:]
	binary.BigEndian.PutUint16(ip[2:], uint16(len(ip)))
	ip[10], ip[11] = 0, 0
	binary.BigEndian.PutUint16(ip[10:], ^uint16(ones16(0, ip[:seg.ihl])))
	tcp := ip[seg.ihl:]
	tcp[16], tcp[17] = 0, 0
	pseudo := make([]byte, 12)
	copy(pseudo, ip[12:20])
	pseudo[9] = 6
	binary.BigEndian.PutUint16(pseudo[10:], uint16(len(tcp)))
	binary.BigEndian.PutUint16(tcp[16:], ^uint16(ones16(ones16(0, pseudo), tcp)))
	rh := append([]byte{}, recs[*frame-1].hdr...)
	usec := bo.Uint32(rh[4:]) + 100
	if usec >= 1_000_000 {
		bo.PutUint32(rh[0:], bo.Uint32(rh[0:])+1)
		usec -= 1_000_000
	}
	bo.PutUint32(rh[4:], usec)
	bo.PutUint32(rh[8:], uint32(len(pkt)))
	bo.PutUint32(rh[12:], uint32(len(pkt)))
	outb := append([]byte{}, hdr...)
	for i, r := range recs {
		outb = append(append(outb, r.hdr...), r.frame...)
		if i == *frame-1 {
			outb = append(append(outb, rh...), pkt...)
		}
	}
	fmt.Printf("inserted after frame %d: its segment again (seq %d) with the %d payload bytes of frame %d\n", *frame,
		binary.BigEndian.Uint32(tcp[4:]), src.end-src.payload, *from)
	return os.WriteFile(*out, outb, 0o644)
}

// tcpSegment locates a TCP segment in an Ethernet frame: the IPv4 header length, and where the
// payload begins and ends in the frame.
type tcpSegment struct{ ihl, payload, end int }

func tcpOf(f []byte) (tcpSegment, error) {
	if len(f) < 54 || binary.BigEndian.Uint16(f[12:]) != 0x0800 || f[14+9] != 6 {
		return tcpSegment{}, errors.New("not TCP over IPv4 over Ethernet")
	}
	ihl := int(f[14]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(f[16:]))
	doff := int(f[14+ihl+12]>>4) * 4
	s := tcpSegment{ihl: ihl, payload: 14 + ihl + doff, end: 14 + total}
	if s.end > len(f) || s.payload > s.end {
		return tcpSegment{}, errors.New("lengths beyond the frame")
	}
	return s, nil
}
