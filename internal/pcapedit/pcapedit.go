// Package pcapedit damages capture files in memory, for tests: it changes the bytes of chosen
// frames as a bad disk or a bad copy would.
package pcapedit

import (
	"encoding/binary"
	"fmt"
)

// PacketBlocks returns the offsets of a little-endian pcapng file's Enhanced Packet Blocks
// (type 6), which hold the frames in order.
func PacketBlocks(b []byte) ([]int, error) {
	var out []int
	for off := 0; off+8 <= len(b); {
		typ, n := binary.LittleEndian.Uint32(b[off:]), int(binary.LittleEndian.Uint32(b[off+4:]))
		if n < 12 || n%4 != 0 || off+n > len(b) {
			return nil, fmt.Errorf("pcapedit: block at byte %d has length %d", off, n)
		}
		if typ == 6 {
			out = append(out, off)
		}
		off += n
	}
	return out, nil
}

// SetTimestampHigh overwrites the upper four bytes of the timestamp of frame (1-based) in a
// little-endian pcapng file, and returns the timestamp it then holds, in the interface's units.
func SetTimestampHigh(b []byte, frame int, high uint32) (uint64, error) {
	blocks, err := PacketBlocks(b)
	if err != nil {
		return 0, err
	}
	if frame < 1 || frame > len(blocks) {
		return 0, fmt.Errorf("pcapedit: no frame %d (the file has %d)", frame, len(blocks))
	}
	at := blocks[frame-1] + 12 // after type, length and interface ID
	binary.LittleEndian.PutUint32(b[at:], high)
	return uint64(high)<<32 | uint64(binary.LittleEndian.Uint32(b[at+4:])), nil
}

// Records returns the offsets of a little-endian classic pcap file's packet records (their
// 16-byte headers), which hold the frames in order.
func Records(b []byte) ([]int, error) {
	if len(b) < 24 || binary.LittleEndian.Uint32(b) != 0xa1b2c3d4 && binary.LittleEndian.Uint32(b) != 0xa1b23c4d {
		return nil, fmt.Errorf("pcapedit: not a little-endian pcap file")
	}
	var out []int
	for off := 24; off < len(b); {
		if off+16 > len(b) {
			return nil, fmt.Errorf("pcapedit: record at byte %d is cut", off)
		}
		n := int(binary.LittleEndian.Uint32(b[off+8:]))
		if off+16+n > len(b) {
			return nil, fmt.Errorf("pcapedit: record at byte %d has length %d", off, n)
		}
		out = append(out, off)
		off += 16 + n
	}
	return out, nil
}

// TCPPayload returns where the TCP payload of the frame whose record starts at rec lies in b,
// for an Ethernet (link type 1) pcap file whose frame carries IPv4 and TCP; ok is false for any
// other frame.
func TCPPayload(b []byte, rec int) (start, end int, ok bool) {
	if binary.LittleEndian.Uint32(b[20:]) != 1 {
		return 0, 0, false
	}
	n := int(binary.LittleEndian.Uint32(b[rec+8:]))
	f := b[rec+16 : rec+16+n]
	if len(f) < 14+20 || binary.BigEndian.Uint16(f[12:]) != 0x0800 || f[14]>>4 != 4 || f[14+9] != 6 {
		return 0, 0, false
	}
	ihl := int(f[14]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(f[14+2:]))
	if len(f) < 14+ihl+20 || total > len(f)-14 {
		return 0, 0, false
	}
	doff := int(f[14+ihl+12]>>4) * 4
	if 14+ihl+doff > 14+total {
		return 0, 0, false
	}
	return rec + 16 + 14 + ihl + doff, rec + 16 + 14 + total, true
}

// FixTCPChecksum recomputes the TCP checksum of the IPv4 frame whose record starts at rec (as
// TCPPayload finds it), so that an edited payload reads as what the sender sent.
func FixTCPChecksum(b []byte, rec int) bool {
	_, end, ok := TCPPayload(b, rec)
	if !ok {
		return false
	}
	ip := b[rec+16+14:]
	ihl := int(ip[0]&0x0f) * 4
	seg := b[rec+16+14+ihl : end]
	seg[16], seg[17] = 0, 0
	sum := uint32(0)
	add := func(p []byte) {
		for i := 0; i+1 < len(p); i += 2 {
			sum += uint32(binary.BigEndian.Uint16(p[i:]))
		}
		if len(p)%2 == 1 {
			sum += uint32(p[len(p)-1]) << 8
		}
	}
	add(ip[12:20]) // source and destination addresses
	sum += 6 + uint32(len(seg))
	add(seg)
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(seg[16:], ^uint16(sum))
	return true
}

// BreakClientHello makes the first ClientHello that lies whole in one frame of an Ethernet
// IPv4 pcap file unparsable, as a client with a bug would send it: its cipher_suites length one
// byte longer than the list, every length around it still holding, and the TCP checksum
// recomputed. It returns the frame (1-based).
func BreakClientHello(b []byte) (int, error) {
	return EditHello(b, 1, func(msg []byte) {
		// handshake header (4), legacy_version (2), random (32), session_id.
		cs := 4 + 2 + 32 + 1 + int(msg[38])
		if cs+2 <= len(msg) {
			binary.BigEndian.PutUint16(msg[cs:], binary.BigEndian.Uint16(msg[cs:])+1)
		}
	})
}

// EditHello hands edit the first handshake message of type typ (1: a ClientHello, 2: a
// ServerHello) that begins a handshake record lying whole in one frame of an Ethernet IPv4 pcap
// file: the message's bytes, its 4-byte header included, in place. edit changes them as a peer
// with a bug would have sent them (their number stays); the TCP checksum is then recomputed. It
// returns the frame (1-based).
func EditHello(b []byte, typ byte, edit func(msg []byte)) (int, error) {
	recs, err := Records(b)
	if err != nil {
		return 0, err
	}
	for i, rec := range recs {
		start, end, ok := TCPPayload(b, rec)
		if !ok {
			continue
		}
		p := b[start:end]
		if len(p) < 5+4+2+32+1 || p[0] != 0x16 || p[5] != typ || int(binary.BigEndian.Uint16(p[3:]))+5 > len(p) {
			continue
		}
		n := 4 + (int(p[6])<<16 | int(p[7])<<8 | int(p[8]))
		if 5+n > 5+int(binary.BigEndian.Uint16(p[3:])) {
			continue // the message spans records
		}
		edit(p[5 : 5+n])
		FixTCPChecksum(b, rec)
		return i + 1, nil
	}
	return 0, fmt.Errorf("pcapedit: no handshake message of type %d begins a record that lies whole in one IPv4 frame", typ)
}

// ReplaceIPv4 puts address to wherever from is the source or destination of an Ethernet IPv4
// TCP frame of a pcap file, with the IP and TCP checksums recomputed, as if the capture had been
// made with that host in from's place. It returns how many frames it changed.
func ReplaceIPv4(b []byte, from, to [4]byte) (int, error) {
	return editTCPFrames(b, func(ip, _ []byte) bool {
		changed := false
		for _, at := range []int{12, 16} {
			if [4]byte(ip[at:at+4]) == from {
				copy(ip[at:], to[:])
				changed = true
			}
		}
		if changed {
			fixIPv4Checksum(ip)
		}
		return changed
	})
}

// ReplaceTCPPort puts port to wherever from is the source or destination port of an Ethernet
// IPv4 TCP frame of a pcap file, with the TCP checksum recomputed, as if that endpoint had used
// another port. It returns how many frames it changed.
func ReplaceTCPPort(b []byte, from, to uint16) (int, error) {
	return editTCPFrames(b, func(_, tcp []byte) bool {
		changed := false
		for _, at := range []int{0, 2} {
			if binary.BigEndian.Uint16(tcp[at:]) == from {
				binary.BigEndian.PutUint16(tcp[at:], to)
				changed = true
			}
		}
		return changed
	})
}

// editTCPFrames hands edit the IPv4 header and the TCP header of every Ethernet IPv4 TCP frame
// of a pcap file (each slice running to the end of the file: edit changes only its own header's
// bytes, and fixes the IP checksum when it changes the IP header); the TCP checksum of each frame
// edit reports changed is then recomputed. It returns how many frames changed.
func editTCPFrames(b []byte, edit func(ip, tcp []byte) bool) (int, error) {
	recs, err := Records(b)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, rec := range recs {
		if _, _, ok := TCPPayload(b, rec); !ok {
			continue
		}
		ip := b[rec+16+14:]
		if edit(ip, ip[int(ip[0]&0x0f)*4:]) {
			FixTCPChecksum(b, rec)
			n++
		}
	}
	return n, nil
}

// fixIPv4Checksum recomputes the header checksum of the IPv4 header that ip begins with.
func fixIPv4Checksum(ip []byte) {
	ihl := int(ip[0]&0x0f) * 4
	ip[10], ip[11] = 0, 0
	sum := uint32(0)
	for i := 0; i < ihl; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
}

// ShiftSeconds adds seconds to the timestamp of every record of a little-endian classic pcap
// file, as if the capture had been made that much later.
func ShiftSeconds(b []byte, seconds uint32) error {
	recs, err := Records(b)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		binary.LittleEndian.PutUint32(b[rec:], binary.LittleEndian.Uint32(b[rec:])+seconds)
	}
	return nil
}
