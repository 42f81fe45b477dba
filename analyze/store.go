package analyze

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/diagnose/netpath"
	"github.com/connscope/connscope/facts"
)

// store keeps the records the result lists, compactly (facts.Codec) in chunks of memory that
// hold no pointers, with what the summary needs of each at hand: a listed connection costs some
// 200 bytes rather than the kilobyte its record takes as a struct.
type store struct {
	codec   facts.Codec
	chunks  [][]byte
	entries []entry
	servers []netip.AddrPort // the servers of the entries, by index
	server  map[netip.AddrPort]uint32
}

// entry is one kept record: where its bytes are, and the facts the summary counts with.
type entry struct {
	off    uint32 // in chunks[chunk]
	n      uint32 // bytes
	chunk  uint32
	id     int32
	server uint32 // index in servers
	first  diagnose.First
	// missing is the direction the capture lacks (netpath.MissingDirection) + 1; 0: none.
	missing      int8
	rolesGuessed bool
	vantage      uint16 // where the record's packets were captured
}

// chunkSize is the size of the store's chunks of record bytes.
const chunkSize = 1 << 20

// add keeps record c with its own verdict.
func (s *store) add(c *facts.Conn, first diagnose.First) {
	if len(s.chunks) == 0 || len(s.chunks[len(s.chunks)-1]) > chunkSize-4096 {
		s.chunks = append(s.chunks, make([]byte, 0, chunkSize))
	}
	k := len(s.chunks) - 1
	start := len(s.chunks[k])
	s.chunks[k] = s.codec.Encode(s.chunks[k], c)
	if len(s.chunks[k]) > cap(s.chunks[k]) || cap(s.chunks[k]) != chunkSize {
		// A record longer than the room left (a long ladder): the chunk grew; keep it as it is.
	}
	srv, ok := s.server[c.Server]
	if !ok {
		if s.server == nil {
			s.server = map[netip.AddrPort]uint32{}
		}
		srv = uint32(len(s.servers))
		s.server[c.Server] = srv
		s.servers = append(s.servers, c.Server)
	}
	s.entries = append(s.entries, entry{off: uint32(start), n: uint32(len(s.chunks[k]) - start), chunk: uint32(k), id: c.ID,
		server: srv, first: first, missing: int8(netpath.MissingDirection(c) + 1), rolesGuessed: c.RolesGuessed, vantage: c.Vantage})
}

// sort puts the entries in ID order.
func (s *store) sort() {
	slices.SortFunc(s.entries, func(x, y entry) int { return cmp.Compare(x.id, y.id) })
}

// len is the number of records kept.
func (s *store) len() int { return len(s.entries) }

// record reads back record i (in the entries' order). It is safe for concurrent use once
// nothing is added.
func (s *store) record(i int) *facts.Conn {
	e := &s.entries[i]
	c, err := s.codec.Decode(s.chunks[e.chunk][e.off : e.off+e.n])
	if err != nil {
		panic(err) // the store wrote it: a bug, not bad input
	}
	return c
}
