package pcapedit

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"
)

// TestReplace: on a real capture (accuracy/sweep-client-short.pcap: 10.91.1.7 tries port 4343
// of 30 hosts, then 10.91.1.1's TLS connection to 10.91.2.2:4343, 48 TCP frames), ReplaceIPv4
// changes the 31 frames from or to 10.91.1.7 (30 SYNs, 1 reset) and ReplaceTCPPort all 48 on port
// 4343, leaving every frame's IP and TCP checksums right; an address or port no frame holds
// changes none, and the bytes stay as they were.
func TestReplace(t *testing.T) {
	orig, err := os.ReadFile("../../testdata/captures/accuracy/sweep-client-short.pcap")
	if err != nil {
		t.Fatal(err)
	}
	b := bytes.Clone(orig)
	if n, err := ReplaceIPv4(b, [4]byte{10, 91, 1, 7}, [4]byte{10, 91, 1, 8}); n != 31 || err != nil {
		t.Errorf("ReplaceIPv4: %d frames, %v; want 31", n, err)
	}
	if n, err := ReplaceTCPPort(b, 4343, 4344); n != 48 || err != nil {
		t.Errorf("ReplaceTCPPort: %d frames, %v; want 48", n, err)
	}
	recs, err := Records(b)
	if err != nil {
		t.Fatal(err)
	}
	old, moved := 0, 0
	for i, rec := range recs {
		if _, _, ok := TCPPayload(b, rec); !ok {
			continue
		}
		ip := b[rec+16+14:]
		tcp := ip[int(ip[0]&0x0f)*4:]
		if bytes.Contains(ip[12:20], []byte{10, 91, 1, 7}) || binary.BigEndian.Uint16(tcp) == 4343 || binary.BigEndian.Uint16(tcp[2:]) == 4343 {
			old++
		}
		if bytes.Contains(ip[12:20], []byte{10, 91, 1, 8}) {
			moved++
		}
		sum := uint32(0)
		for j := 0; j < int(ip[0]&0x0f)*4; j += 2 {
			sum += uint32(binary.BigEndian.Uint16(ip[j:]))
		}
		for sum > 0xffff {
			sum = sum&0xffff + sum>>16
		}
		if sum != 0xffff {
			t.Errorf("frame %d: IP checksum wrong", i+1)
		}
		fixed := bytes.Clone(b)
		if FixTCPChecksum(fixed, rec); !bytes.Equal(fixed, b) {
			t.Errorf("frame %d: TCP checksum wrong", i+1)
		}
	}
	if old != 0 || moved != 31 {
		t.Errorf("%d frames still hold the old address or port, %d the new address; want 0 and 31", old, moved)
	}
	c := bytes.Clone(orig)
	n1, _ := ReplaceIPv4(c, [4]byte{192, 0, 2, 1}, [4]byte{192, 0, 2, 2})
	n2, _ := ReplaceTCPPort(c, 9, 10)
	if n1 != 0 || n2 != 0 || !bytes.Equal(c, orig) {
		t.Errorf("nothing to replace: %d and %d frames changed, bytes equal %v; want 0, 0, true", n1, n2, bytes.Equal(c, orig))
	}
}
