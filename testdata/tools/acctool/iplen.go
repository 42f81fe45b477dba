package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
)

// ipLen copies a classic pcap (Ethernet link type) and raises the IPv4 total length of one frame
// by -add bytes, recomputing the IP header checksum. The frame's captured and original lengths
// stay as they were, so the file says the frame was not cut by the snap length while its IP
// header claims bytes that are not there: a malformed packet built around a real one.
func ipLen(args []string) error {
	fs := flag.NewFlagSet("iplen", flag.ExitOnError)
	in := fs.String("in", "", "input pcap")
	out := fs.String("out", "", "output pcap")
	frame := fs.Int("frame", 0, "frame number (1-based) to change")
	add := fs.Int("add", 100, "bytes to add to the IPv4 total length")
	fs.Parse(args)
	b, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	if len(b) < 24 {
		return errors.New("not a pcap file")
	}
	var bo binary.ByteOrder
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		bo = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		return errors.New("not a classic pcap file (pcapng is not handled)")
	}
	if lt := bo.Uint32(b[20:]); lt != 1 {
		return fmt.Errorf("link type %d, want 1 (Ethernet)", lt)
	}
	off, n := 24, 0
	for off+16 <= len(b) {
		n++
		incl := int(bo.Uint32(b[off+8:]))
		pkt := b[off+16 : off+16+incl]
		if n == *frame {
			if len(pkt) < 34 || binary.BigEndian.Uint16(pkt[12:]) != 0x0800 {
				return fmt.Errorf("frame %d is not IPv4 over Ethernet", n)
			}
			ip := pkt[14:]
			ihl := int(ip[0]&0x0f) * 4
			old := binary.BigEndian.Uint16(ip[2:])
			binary.BigEndian.PutUint16(ip[2:], old+uint16(*add))
			ip[10], ip[11] = 0, 0
			var sum uint32
			for i := 0; i < ihl; i += 2 {
				sum += uint32(binary.BigEndian.Uint16(ip[i:]))
			}
			for sum > 0xffff {
				sum = sum>>16 + sum&0xffff
			}
			binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
			fmt.Printf("frame %d: IPv4 total length %d -> %d, %d bytes of IP in the frame\n", n, old, old+uint16(*add), len(ip))
		}
		off += 16 + incl
	}
	if *frame < 1 || *frame > n {
		return fmt.Errorf("no frame %d (the file has %d)", *frame, n)
	}
	return os.WriteFile(*out, b, 0o644)
}
