// Package flowkey is the key by which the tracker finds a connection's flow, or its tomb: its
// two endpoints (and the vantage it was seen at) in five words, made, compared and hashed word
// by word on every packet's path.
package flowkey

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// Key identifies a connection by its two endpoints, lower endpoint first, so that both
// directions find the same flow. It holds no pointers and no padding (netip.AddrPort holds a
// pointer to its zone), so that the flow table hashes and compares it as 40 plain bytes: the
// table lookup is on every packet's path. The addresses are words, not byte arrays: a key is
// made, compared and copied in registers and whole words (an array written as two words and
// copied as one 16-byte block stalls the processor's store forwarding, on every packet).
type Key struct {
	lo0, lo1, hi0, hi1 uint64 // the addresses in 16-byte form, as big-endian words
	// ports: the lower endpoint's port << 32 | the higher's << 16 | 1 when the addresses are
	// IPv6 (an IPv4 address and its IPv4-mapped IPv6 form are different endpoints).
	ports uint64
}

// addrWords is a in 16-byte form as two big-endian words.
func addrWords(a netip.Addr) (hi, lo uint64) {
	if a.Is4() {
		return 0, v4Word(a)
	}
	b := a.As16()
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}

// v4Word is the lower word of the IPv4 address a in 16-byte form (its upper word is 0). It reads
// the address's 4 bytes, which the compiler keeps in registers: a 16-byte form (As16) goes
// through memory, written in two words and read back as one block, which stalls the processor.
func v4Word(a netip.Addr) uint64 {
	b := a.As4()
	return 0xffff<<32 | uint64(binary.BigEndian.Uint32(b[:]))
}

// Make is the key of the connection between src and dst, whichever sent the packet.
func Make(src, dst netip.AddrPort) Key {
	return From(src.Addr(), src.Port(), dst.Addr(), dst.Port())
}

// From is Make from addresses and ports, ordered as netip.AddrPort.Compare orders
// endpoints of one family.
func From(srcIP netip.Addr, srcPort uint16, dstIP netip.Addr, dstPort uint16) Key {
	var k Key
	k.Set(srcIP, srcPort, dstIP, dstPort)
	return k
}

// set makes k From's key, in place: a key returned from a call is stored in words and
// then copied in blocks, which stalls the processor's store forwarding (on every packet).
func (k *Key) Set(srcIP netip.Addr, srcPort uint16, dstIP netip.Addr, dstPort uint16) {
	var sh, sl, dh, dl, v6 uint64
	if srcIP.Is4() && dstIP.Is4() {
		sl, dl = v4Word(srcIP), v4Word(dstIP)
	} else {
		sh, sl = addrWords(srcIP)
		dh, dl = addrWords(dstIP)
		if srcIP.Is6() {
			v6 = 1
		}
	}
	if sh < dh || sh == dh && (sl < dl || sl == dl && srcPort < dstPort) {
		k.lo0, k.lo1, k.hi0, k.hi1, k.ports = sh, sl, dh, dl, uint64(srcPort)<<32|uint64(dstPort)<<16|v6
		return
	}
	k.lo0, k.lo1, k.hi0, k.hi1, k.ports = dh, dl, sh, sl, uint64(dstPort)<<32|uint64(srcPort)<<16|v6
}

// Eq reports whether k and o are the same key, word by word (== compares them as a block of
// memory, in a call).
func (k *Key) Eq(o *Key) bool {
	return k.lo1 == o.lo1 && k.hi1 == o.hi1 && k.ports == o.ports && k.lo0 == o.lo0 && k.hi0 == o.hi0
}

// LoIs reports whether ap is the key's lower endpoint (of a connection between the key's
// endpoints).
func (k Key) LoIs(ap netip.AddrPort) bool {
	if uint16(k.ports>>32) != ap.Port() {
		return false
	}
	h, l := addrWords(ap.Addr())
	return k.lo0 == h && k.lo1 == l
}

// Hash is the key's hash for the flow and tomb tables (indexmap.Map): its five words folded by 64×64→128
// bit multiplications, as wyhash folds its input. Each factor is a word xored with a secret made
// from a seed of the tracker's own, so that no key known in advance makes a factor zero (which
// would lose the other factor's word: the first 8 bytes of every IPv4 key are zero) and the keys
// of a capture cannot be chosen to collide. The two factors of a fold take different secrets:
// with one, multiplication's commutativity would let an address's two words, swapped and
// xored with the public constants, collide under every seed. The last fold multiplies by a
// constant. It takes ~2 ns, where hash/maphash.Comparable takes ~18 ns for the key's 40 bytes,
// and a tomb is looked up for every packet that finds no flow.
func (k *Key) Hash(seed uint64) uint64 {
	// The words are read as the little-endian words of the addresses' bytes (bits.ReverseBytes64
	// of the key's big-endian ones): the hash of a key is what it was when keys held bytes.
	le := bits.ReverseBytes64
	seed2 := bits.RotateLeft64(seed, 29) * 0x9e3779b97f4a7c15
	h := fold(le(k.lo0)^seed^0xa0761d6478bd642f, le(k.lo1)^seed2^0xe7037ed1a0b428db)
	h = fold(h^le(k.hi0)^0x8ebc6af09c88c6e3, le(k.hi1)^seed2^0x589965cc75374cc3)
	return fold(h^k.ports^seed^0x1d8e4e27c47d124f, 0x9e3779b97f4a7c15)
}

// fold multiplies a and b into 128 bits and folds the halves into one.
func fold(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// At is the key of the connection on these endpoints as seen at vantage v: each vantage tracks
// its copy of a connection as a connection of its own. The vantage takes bits 1-15 of ports,
// which the ports and the IPv6 bit leave free; vantage 0 leaves the key as it was.
func (k Key) At(v uint16) Key {
	k.ports |= uint64(v&0x7fff) << 1
	return k
}

// SetVantage makes k, a key of vantage 0, k.At(v), in place.
func (k *Key) SetVantage(v uint16) { k.ports |= uint64(v&0x7fff) << 1 }

// Vantage is the vantage the key is at (At).
func (k Key) Vantage() uint16 { return uint16(k.ports>>1) & 0x7fff }
