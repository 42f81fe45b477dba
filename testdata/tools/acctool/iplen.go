package main

import (
	"encoding/binary"
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
	hdr, _, recs, err := readPcap(*in)
	if err != nil {
		return err
	}
	if *frame < 1 || *frame > len(recs) {
		return fmt.Errorf("no frame %d (the file has %d)", *frame, len(recs))
	}
	pkt := recs[*frame-1].frame
	if len(pkt) < 34 || binary.BigEndian.Uint16(pkt[12:]) != 0x0800 {
		return fmt.Errorf("frame %d is not IPv4 over Ethernet", *frame)
	}
	ip := pkt[14:]
	ihl := int(ip[0]&0x0f) * 4
	old := binary.BigEndian.Uint16(ip[2:])
	binary.BigEndian.PutUint16(ip[2:], old+uint16(*add))
	ip[10], ip[11] = 0, 0
	binary.BigEndian.PutUint16(ip[10:], ^uint16(ones16(0, ip[:ihl])))
	fmt.Printf("frame %d: IPv4 total length %d -> %d, %d bytes of IP in the frame\n", *frame, old, old+uint16(*add), len(ip))
	b := append([]byte{}, hdr...)
	for _, r := range recs {
		b = append(append(b, r.hdr...), r.frame...)
	}
	return os.WriteFile(*out, b, 0o644)
}
