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
