package capture

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
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

// onesSumWords is RFC 1071's sum, one big-endian 16-bit word at a time, an odd last byte padded
// with a zero, with end-around carries: what onesSum must fold to.
func onesSumWords(sum uint64, b []byte) uint16 {
	for i := 0; i < len(b); i += 2 {
		w := uint64(b[i]) << 8
		if i+1 < len(b) {
			w |= uint64(b[i+1])
		}
		sum += w
	}
	return fold(sum)
}

// onesSum folds to the sum of the words one by one, 0 and 0xffff told apart, for every length up
// to 80 bytes (every tail after 32-byte steps), all zeros, all ones, and words whose sum is 0xffff.
func TestOnesSumAsWords(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 80; n++ {
		for _, fill := range []string{"zeros", "ones", "random", "sum 0xffff"} {
			b := make([]byte, n)
			switch fill {
			case "ones":
				for i := range b {
					b[i] = 0xff
				}
			case "random", "sum 0xffff":
				for i := range b {
					b[i] = byte(rng.Uint32())
				}
			}
			if fill == "sum 0xffff" && n >= 2 {
				b[0], b[1] = 0, 0
				binary.BigEndian.PutUint16(b[0:2], ^onesSumWords(0, b))
			}
			for _, sum := range []uint64{0, 1, 6 + 1480, 0xffff, 0x1_0000_fffe, rng.Uint64() >> 30} {
				if got, want := fold(onesSum(sum, b)), onesSumWords(sum, b); got != want {
					t.Fatalf("%d bytes (%s) from %#x: %#04x, words one by one %#04x", n, fill, sum, got, want)
				}
			}
		}
	}
}

// FuzzOnesSum compares onesSum with the words summed one by one.
func FuzzOnesSum(f *testing.F) {
	f.Add([]byte{0, 0}, uint32(0))
	f.Add([]byte{0xff, 0xff, 0xff}, uint32(6))
	f.Fuzz(func(t *testing.T, b []byte, sum uint32) {
		if got, want := fold(onesSum(uint64(sum), b)), onesSumWords(uint64(sum), b); got != want {
			t.Fatalf("%x from %#x: %#04x, words one by one %#04x", b, sum, got, want)
		}
	})
}
