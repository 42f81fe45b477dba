package track

import "math/bits"

// hash is the key's hash for the tomb table (indexmap.Map): its five words folded by 64×64→128
// bit multiplications, as wyhash folds its input. Each factor is a word xored with a secret made
// from a seed of the tracker's own, so that no key known in advance makes a factor zero (which
// would lose the other factor's word: the first 8 bytes of every IPv4 key are zero) and the keys
// of a capture cannot be chosen to collide. The two factors of a fold take different secrets:
// with one, multiplication's commutativity would let an address's two words, swapped and
// xored with the public constants, collide under every seed. The last fold multiplies by a
// constant. It takes ~2 ns, where hash/maphash.Comparable takes ~18 ns for the key's 40 bytes,
// and a tomb is looked up for every packet that finds no flow.
func (k *flowKey) hash(seed uint64) uint64 {
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
