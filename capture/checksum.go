package capture

import (
	"encoding/binary"
	"math/bits"
)

// Damage is the set of checksums found wrong in a packet where checksum offload does not explain
// it: the packet was damaged on its way (or by the capture). Packet.Corrupt holds it.
type Damage uint8

// Damage bits.
const (
	DamageIPv4Header Damage = 1 << iota // an IPv4 header checksum (outer or inner) is wrong
	DamageTCP                           // the TCP checksum is wrong
	DamageUDP                           // the UDP checksum of a DNS datagram is wrong
	DamageICMP                          // the ICMP or ICMPv6 checksum of an ICMP error is wrong
)

// onesSum adds b to a ones'-complement sum as RFC 1071 defines it: big-endian 16-bit words, an odd
// last byte padded with a zero. b is summed in little-endian 64-bit words with end-around carries
// (neither the byte order nor the grouping changes a ones'-complement sum but by swapping its two
// bytes, RFC 1071, Section 2(B)): no byte swap per word. Its folded sum, swapped back, is added to
// sum; a folded sum of 0 (b all zeros) adds nothing, as the words would, and any other one is
// the words' sum in [1, 0xffff], so fold gives what summing the words one by one gives.
func onesSum(sum uint64, b []byte) uint64 {
	var s, c uint64
	for len(b) >= 32 {
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[0:8]), 0)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[8:16]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[16:24]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[24:32]), c)
		s += c
		b = b[32:]
	}
	for len(b) >= 8 {
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b), 0)
		s += c
		b = b[8:]
	}
	if len(b) > 0 {
		var t [8]byte
		copy(t[:], b)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(t[:]), 0)
		s += c
	}
	sum, c = bits.Add64(sum, uint64(bits.ReverseBytes16(fold(s))), 0)
	return sum + c
}

// fold reduces a 64-bit ones'-complement sum to 16 bits.
func fold(sum uint64) uint16 {
	sum = (sum & 0xffffffff) + sum>>32
	sum = (sum & 0xffffffff) + sum>>32
	sum = (sum & 0xffff) + sum>>16
	sum = (sum & 0xffff) + sum>>16
	return uint16(sum)
}

// pseudoSum is the sum of a TCP, UDP or ICMPv6 pseudo-header (RFC 9293, Section 3.1; RFC 8200,
// Section 8.1): addrs is the source and destination addresses as the IP header holds them (8 or
// 32 bytes), length the upper-layer length.
func pseudoSum(addrs []byte, proto uint8, length int) uint64 {
	if len(addrs) == 8 {
		return uint64(proto) + uint64(length) + uint64(binary.BigEndian.Uint32(addrs[0:4])) + uint64(binary.BigEndian.Uint32(addrs[4:8]))
	}
	return onesSum(uint64(proto)+uint64(length), addrs)
}

// checksumResult is what verifying one checksum found.
type checksumResult uint8

const (
	checksumNone    checksumResult = iota // not checked
	checksumGood                          // right
	checksumOffload                       // wrong, in the way checksum offload leaves it
	checksumBad                           // wrong in another way
)

// verifyL4 checks the checksum of a TCP or UDP segment (or ICMPv6 message) at field in seg:
// offloaded, then summed.
func verifyL4(addrs []byte, proto uint8, seg []byte, field int) checksumResult {
	pseudo := pseudoSum(addrs, proto, len(seg))
	if r := offloaded(pseudo, seg, field); r != checksumNone {
		return r
	}
	return summed(pseudo, seg, field)
}

// offloaded reports checksumOffload for a segment whose checksum field holds the folded
// pseudo-header sum: what a stack that leaves the checksum to the NIC writes (Linux
// CHECKSUM_PARTIAL, also after GRO; BSD's in_pseudo; Windows NDIS), seen on the capturing host's
// own packets. It costs no summing of the payload, so that such captures cost nothing; it
// returns checksumNone for any other value. A right checksum equal to the pseudo-header's sum
// needs a segment whose own words sum to 0 or 0xffff: one in 65,536 by chance, and such a packet
// is then only not judged, never called damage.
func offloaded(pseudo uint64, seg []byte, field int) checksumResult {
	if binary.BigEndian.Uint16(seg[field:]) == fold(pseudo) {
		return checksumOffload
	}
	return checksumNone
}

// summed checks the checksum at field in a segment by summing the segment with its
// pseudo-header's sum. An empty field that does not sum right is put down to offload, unjudged
// (a driver may leave it so).
func summed(pseudo uint64, seg []byte, field int) checksumResult {
	switch {
	case fold(onesSum(pseudo, seg)) == 0xffff:
		return checksumGood
	case binary.BigEndian.Uint16(seg[field:]) == 0:
		return checksumOffload
	}
	return checksumBad
}

// verifyIPv4 checks an IPv4 header's checksum (RFC 791); 0 in the field is what a stack that
// leaves it to the NIC (IPv4 checksum offload on Windows) writes.
func verifyIPv4(hdr []byte) checksumResult {
	var sum uint64
	if len(hdr) == 20 { // no options: two 64-bit words and a 32-bit one
		var c uint64
		sum, c = bits.Add64(binary.BigEndian.Uint64(hdr[0:8]), binary.BigEndian.Uint64(hdr[8:16]), 0)
		sum, c = bits.Add64(sum, uint64(binary.BigEndian.Uint32(hdr[16:20]))+c, 0)
		sum += c // end-around carry: the sum has just wrapped, so this cannot wrap again
	} else {
		sum = onesSum(0, hdr)
	}
	if fold(sum) == 0xffff {
		return checksumGood
	}
	if binary.BigEndian.Uint16(hdr[10:12]) == 0 {
		return checksumOffload
	}
	return checksumBad
}

// sourceSlots is the size of the table of per-source checksum histories. A capture with more
// sources shares slots: a source that lands on a slot in use starts a new history there, which
// makes the judgement more cautious (a wrong checksum of a source without history is not called
// damage), never less.
const sourceSlots = 256

// sourceHistory counts a source address's checked checksums per kind (IPv4 header, and
// TCP/UDP/ICMP) and per checksumResult, and holds its first packet when that one's checksum of
// a kind was wrong: with no history it cannot be judged yet (pending).
type sourceHistory struct {
	hi, lo  uint64 // the address (an IPv4 address in lo, with hi 1<<63)
	n       [2][4]uint32
	pending [2]Damage // the damage of the first packet, while unjudged
	at      [2]int    // that packet's frame
}

// sourceSums tells checksum offload from damage by the pattern of each source's checksums, as
// one reads a capture: a host whose checksums are mostly wrong is the capturing host with
// offload (or behind a device that breaks them all), and none of its wrong checksums is damage; a
// wrong checksum from a host whose checksums have so far been mostly right is damage. A wrong
// checksum in a source's first packet is judged later, when the source's checksums of that kind
// have become mostly right (late).
type sourceSums struct {
	slots [sourceSlots]sourceHistory
	// ipv4 counts every source's IPv4 header checksums: how a source without history is judged
	// (offload leaves an IPv4 header checksum 0, not another wrong value, and a damaged source
	// address makes a source without history).
	ipv4 [4]uint32
}

// LateDamage is a packet judged damaged after it was decoded: a source's first packet, whose
// wrong checksum only the source's later packets show to be damage, not offload.
type LateDamage struct {
	Frame int    // its Packet.Index
	What  Damage // its wrong checksums
}

// judge records the checked checksums of a packet (frame) from src (4 or 16 bytes): its IPv4
// header's (ip) and that of what the header carries (l4, whose fault is l4Bit), and returns the
// damage they show, and the damage of an earlier packet of the source that the packet's
// checksums show (late; what is 0 when none).
func (s *sourceSums) judge(src []byte, frame int, ip, l4 checksumResult, l4Bit Damage) (d Damage, late LateDamage) {
	var hi, lo uint64
	if len(src) == 4 {
		hi, lo = 1<<63, uint64(binary.BigEndian.Uint32(src))
	} else {
		hi, lo = binary.BigEndian.Uint64(src[0:8]), binary.BigEndian.Uint64(src[8:16])
	}
	e := &s.slots[((hi^lo)*0x9E3779B97F4A7C15)>>(64-8)]
	if e.hi != hi || e.lo != lo {
		*e = sourceHistory{hi: hi, lo: lo}
	}
	for kind, k := range [2]struct {
		r   checksumResult
		bit Damage
	}{{ip, DamageIPv4Header}, {l4, l4Bit}} {
		if k.r == checksumNone {
			continue
		}
		n := &e.n[kind]
		fresh := n[checksumGood]+n[checksumOffload]+n[checksumBad] == 0
		switch {
		case k.r != checksumBad:
		case fresh && kind == 0 && s.ipv4[checksumGood] > s.ipv4[checksumOffload]+s.ipv4[checksumBad]:
			d |= k.bit // a source without history, in a capture whose IPv4 checksums are mostly right
		case fresh:
			e.pending[kind], e.at[kind] = k.bit, frame
		case e.damaged(kind):
			d |= k.bit
		}
		n[k.r]++
		if kind == 0 {
			s.ipv4[k.r]++
		}
		if e.pending[kind] != 0 && e.at[kind] != frame && e.damaged(kind) {
			if late.What == 0 || late.Frame == e.at[kind] {
				late.Frame, late.What = e.at[kind], late.What|e.pending[kind]
				e.pending[kind] = 0
			}
		}
	}
	return d, late
}

// damaged reports whether a wrong checksum of a kind is damage: whether the source's checksums
// of that kind have so far been mostly right (wrong ones, offloaded ones included, are fewer).
func (e *sourceHistory) damaged(kind int) bool {
	n := &e.n[kind]
	return n[checksumGood] > n[checksumOffload]+n[checksumBad]
}
