package flowkey

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// TestKeyHashSpreads: the keys of a busy server's capture (clients of a few subnets with
// ephemeral ports, to one server port; IPv4 and IPv6; several vantages) get tags (the upper 32
// bits, which the tomb table keeps and probes from) that rarely collide and fill the table's
// slots evenly, whatever the seed.
func TestKeyHashSpreads(t *testing.T) {
	server4, server6 := netip.MustParseAddrPort("127.0.0.1:4433"), netip.MustParseAddrPort("[fd00::1]:4433")
	var keys []Key
	for i := range 200000 {
		port := uint16(32768 + i%28000)
		var client netip.AddrPort
		server := server4
		switch i % 4 {
		case 0, 1:
			client = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(i / 28000), byte(i % 7)}), port)
		case 2:
			client = netip.AddrPortFrom(netip.AddrFrom16([16]byte{0xfd, 0, 15: byte(i / 28000)}), port)
			server = server6
		case 3:
			client = netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 168, byte(i / 28000), byte(i % 5)}), port)
		}
		keys = append(keys, Make(client, server).At(uint16(i%3)))
	}
	seeds := []uint64{0, 1, 0x9e3779b97f4a7c15, 1 << 63}
	r := rand.New(rand.NewPCG(3, 4))
	for range 4 {
		seeds = append(seeds, r.Uint64())
	}
	for _, seed := range seeds {
		tags := make(map[uint32]int, len(keys))
		const buckets = 4096
		var fill [buckets]int
		for i := range keys {
			tag := uint32(keys[i].Hash(seed) >> 32)
			tags[tag]++
			fill[tag%buckets]++
		}
		if same := len(keys) - len(tags); same > 30 {
			t.Errorf("seed %x: %d of %d keys share a tag with another (expected ~5)", seed, same, len(keys))
		}
		lo, hi := len(keys), 0
		for _, n := range fill {
			lo, hi = min(lo, n), max(hi, n)
		}
		if mean := len(keys) / buckets; lo < mean/3 || hi > 2*mean {
			t.Errorf("seed %x: slots filled unevenly: %d to %d keys in each of %d groups (mean %d)", seed, lo, hi, buckets, mean)
		}
	}
}

// TestKeyHashNoSwapCollision: a lower address whose two 8-byte words are swapped and xored
// with the first fold's public constants (as two factors of one secret would allow, the product
// being the same either way) does not give its key's hash, under any of fifty seeds.
func TestKeyHashNoSwapCollision(t *testing.T) {
	const d = 0xa0761d6478bd642f ^ 0xe7037ed1a0b428db
	r := rand.New(rand.NewPCG(5, 6))
	server := netip.MustParseAddrPort("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:4433") // above every client: the clients are the keys' lower addresses
	for range 1000 {
		var a, b [16]byte
		x, y := r.Uint64(), r.Uint64()
		binary.LittleEndian.PutUint64(a[:8], x)
		binary.LittleEndian.PutUint64(a[8:], y)
		binary.LittleEndian.PutUint64(b[:8], y^d)
		binary.LittleEndian.PutUint64(b[8:], x^d)
		if a[0] == 0xff || b[0] == 0xff {
			continue // might not be below the server
		}
		k1 := Make(netip.AddrPortFrom(netip.AddrFrom16(a), 50000), server)
		k2 := Make(netip.AddrPortFrom(netip.AddrFrom16(b), 50000), server)
		for range 50 {
			seed := r.Uint64()
			if k1.Hash(seed) == k2.Hash(seed) {
				t.Fatalf("%v and %v collide under seed %x", netip.AddrFrom16(a), netip.AddrFrom16(b), seed)
			}
		}
	}
}
