package capture

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// realIPv4 is a real IPv4 packet: the client's SYN, the first frame of tls-veth-nano.pcap (taken on
// the host that sent it, so its TCP checksum holds the pseudo-header sum, as offload leaves it).
func realIPv4(t *testing.T) []byte {
	t.Helper()
	return append([]byte(nil), realFrames(t)[0][14:]...)
}

// The checks themselves, on exact values: an IPv4 header (RFC 1071's example words would do as
// well), and a TCP segment right, offloaded, empty, and wrong.
func TestVerifyChecksums(t *testing.T) {
	syn := append([]byte(nil), realIPv4(t)...)
	if r := verifyIPv4(syn[:20]); r != checksumGood {
		t.Errorf("the real SYN's IPv4 header: %d", r)
	}
	hdr := append([]byte(nil), syn[:20]...)
	hdr[10], hdr[11] = 0, 0
	if r := verifyIPv4(hdr); r != checksumOffload {
		t.Errorf("IPv4 checksum 0: %d", r)
	}
	hdr[11] = 1
	if r := verifyIPv4(hdr); r != checksumBad {
		t.Errorf("IPv4 checksum 1: %d", r)
	}
	seg := syn[20:]
	if r := verifyL4(syn[12:20], protoTCP, seg, 16); r != checksumOffload {
		t.Errorf("the real SYN as sent (pseudo-header sum): %d", r)
	}
	if r := offloaded(pseudoSum(syn[12:20], protoTCP, len(seg)), seg, 16); r != checksumOffload {
		t.Errorf("the real SYN, not summed: %d", r)
	}
	right := ^fold(onesSum(pseudoSum(syn[12:20], protoTCP, len(seg)), append(append([]byte(nil), seg[:16]...), append([]byte{0, 0}, seg[18:]...)...)))
	binary.BigEndian.PutUint16(seg[16:], right)
	if r := verifyL4(syn[12:20], protoTCP, seg, 16); r != checksumGood {
		t.Errorf("the SYN with its right checksum %#04x: %d", right, r)
	}
	binary.BigEndian.PutUint16(seg[16:], 0)
	if r := verifyL4(syn[12:20], protoTCP, seg, 16); r != checksumOffload {
		t.Errorf("checksum 0: %d", r)
	}
	binary.BigEndian.PutUint16(seg[16:], right^0x0100)
	if r := verifyL4(syn[12:20], protoTCP, seg, 16); r != checksumBad {
		t.Errorf("a wrong checksum: %d", r)
	}
	if r := offloaded(pseudoSum(syn[12:20], protoTCP, len(seg)), seg, 16); r != checksumNone {
		t.Errorf("a wrong checksum, not summed: %d", r)
	}
	// odd lengths are padded with a zero byte
	if s := fold(onesSum(0, []byte{0x01, 0x02, 0x03})); s != 0x0402 {
		t.Errorf("sum of 01 02 03: %#04x, want 0x0402", s)
	}
	long := bytes.Repeat([]byte{0xff, 0xfe, 0x01}, 100)
	var slow uint32
	for i := 0; i < len(long); i += 2 {
		w := uint32(long[i]) << 8
		if i+1 < len(long) {
			w |= uint32(long[i+1])
		}
		slow += w
	}
	for slow>>16 != 0 {
		slow = slow&0xffff + slow>>16
	}
	if s := fold(onesSum(0, long)); uint32(s) != slow {
		t.Errorf("300 bytes: %#04x, want %#04x", s, slow)
	}
}

// The 20-byte IPv4 header's checksum, summed in 64-bit words, agrees with onesSum on headers whose
// words make every carry happen.
func TestVerifyIPv4Carries(t *testing.T) {
	for _, fill := range []byte{0x00, 0x7f, 0x80, 0xfe, 0xff} {
		hdr := bytes.Repeat([]byte{fill}, 20)
		hdr[0] = 0x45
		hdr[10], hdr[11] = 0, 0
		c := ^fold(onesSum(0, hdr))
		binary.BigEndian.PutUint16(hdr[10:], c)
		if c != 0 && verifyIPv4(hdr) != checksumGood {
			t.Errorf("fill %#x: the right checksum %#04x is not right", fill, c)
		}
		hdr[11] ^= 1
		if verifyIPv4(hdr) != checksumBad && binary.BigEndian.Uint16(hdr[10:]) != 0 {
			t.Errorf("fill %#x: a wrong checksum is not wrong", fill)
		}
	}
}
