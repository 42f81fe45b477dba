package analyze

import (
	"cmp"
	"math"
	"net/netip"
	"slices"

	"github.com/connscope/connscope/analyze/spill"

	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/diagnose/netpath"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// store keeps the records the result lists, compactly (facts.Codec) in chunks that hold no
// pointers, with what the summary needs of each at hand: a listed connection costs some 200
// bytes rather than the kilobyte its record takes as a struct. Past spillAfter bytes of chunks,
// full chunks move to a temporary file (package spill), so that the memory of an analysis that lists
// every connection stays flat as captures grow: 28 bytes of entry per connection remain.
type store struct {
	codec  facts.Codec
	chunks [][]byte // nil once spilled
	at     []int64  // per chunk, its offset in the spill file; -1: in memory
	// entries are the records kept, in ID order once sort made them from the pending ones: those
	// added since, in blocks of entryBlock (no array grows and is copied again and again as a
	// hundred thousand connections come in).
	entries  []entry
	pending  [][]entry
	npending int
	servers  []netip.AddrPort // the servers of the entries, by index
	server   map[netip.AddrPort]uint32

	spill      spill.File
	chunkSize  int    // bytes of a chunk (0: defaultChunkSize)
	spillAfter int    // bytes of chunks kept in memory before spilling (0: defaultSpillAfter; <0: never)
	inMemory   int    // bytes of chunks in memory
	scratch    []byte // the record being added
	// verdicts are the final verdicts the entries got (setVerdict), each once.
	verdicts []result.Verdict
	// firsts are the entries' own verdicts, each once, and their indexes.
	firsts  []diagnose.First
	firstAt map[diagnose.First]uint16
}

// entry is one kept record: where its bytes are, and the facts the summary counts with, in 28
// bytes (an analysis that lists every connection keeps one per connection in memory).
type entry struct {
	off    uint32 // in chunks[chunk]
	n      uint32 // bytes
	chunk  uint32
	id     int32
	server uint32 // index in servers
	// first is the record's own verdict's index in store.firsts: they are few.
	first   uint16
	vantage uint16 // where the record's packets were captured
	// missing is the direction the capture lacks (netpath.MissingDirection) + 1; 0: none.
	missing      int8
	rolesGuessed bool
	// legacy: the record's flow offers from the legacy version field (offeredLegacy).
	legacy bool
	// verdict is the final verdict's index in store.verdicts, once setVerdict gave it.
	verdict uint8
}

// defaultSpillAfter is how many bytes of record chunks the store keeps in memory before it
// moves full chunks to a temporary file: some 2,500 listed connections.
const defaultSpillAfter = 2 * defaultChunkSize

// defaultChunkSize is the size of the store's chunks of record bytes: at 256 KiB rather than
// 1 MiB, the fleet benchmark's peak is some 3 MB lower (the chunks kept before spilling).
const defaultChunkSize = 256 << 10

// add keeps record c with its own verdict.
func (s *store) add(c *facts.Conn, first diagnose.First) {
	s.scratch = s.codec.Encode(s.scratch[:0], c)
	if n := len(s.chunks); n == 0 || len(s.chunks[n-1])+len(s.scratch) > cap(s.chunks[n-1]) {
		s.chunks = append(s.chunks, s.newChunk(len(s.scratch)))
		s.at = append(s.at, -1)
	}
	k := len(s.chunks) - 1
	start := len(s.chunks[k])
	s.chunks[k] = append(s.chunks[k], s.scratch...)
	srv, ok := s.server[c.Server]
	if !ok {
		if s.server == nil {
			s.server = map[netip.AddrPort]uint32{}
		}
		srv = uint32(len(s.servers))
		s.server[c.Server] = srv
		s.servers = append(s.servers, c.Server)
	}
	s.pend(entry{off: uint32(start), n: uint32(len(s.chunks[k]) - start), chunk: uint32(k), id: c.ID,
		server: srv, first: s.firstIndex(first), missing: int8(netpath.MissingDirection(c) + 1), rolesGuessed: c.RolesGuessed, vantage: c.Vantage,
		legacy: offeredLegacy(c)})
}

// pend adds e to the pending entries.
func (s *store) pend(e entry) {
	if n := len(s.pending); n == 0 || len(s.pending[n-1]) == entryBlock {
		s.pending = append(s.pending, make([]entry, 0, entryBlock))
	}
	b := &s.pending[len(s.pending)-1]
	*b = append(*b, e)
	s.npending++
}

// entryBlock is how many entries a block of pending ones holds.
const entryBlock = 4096

// firstIndex returns the index of an own verdict in s.firsts, adding it the first time.
func (s *store) firstIndex(f diagnose.First) uint16 {
	if k, ok := s.firstAt[f]; ok {
		return k
	}
	if len(s.firsts) > math.MaxUint16 {
		panic("store: more own verdicts than an entry can index") // verdicts x TLS versions x three flags
	}
	if s.firstAt == nil {
		s.firstAt = map[diagnose.First]uint16{}
	}
	k := uint16(len(s.firsts))
	s.firsts = append(s.firsts, f)
	s.firstAt[f] = k
	return k
}

// firstOf returns entry i's own verdict.
func (s *store) firstOf(i int) diagnose.First { return s.firsts[s.entries[i].first] }

// sort puts the entries, and those pending, in ID order, in entries: the methods that read an
// entry by its index (firstOf, setVerdict, brief, record) come after it. Connection IDs are
// unique and dense (every connection of the capture has one, from 1), so the entries are placed
// by ID in one pass, in the time of a copy, where a comparison sort of a hundred thousand takes
// some 15 ms; entries with a repeated or out-of-range ID, which tracking does not make, are
// sorted by comparison instead.
func (s *store) sort() {
	n := s.len()
	get := func(i int) *entry {
		if i < len(s.entries) {
			return &s.entries[i]
		}
		i -= len(s.entries)
		return &s.pending[i/entryBlock][i%entryBlock]
	}
	defer func() { s.pending, s.npending = nil, 0 }()
	byComparison := func() {
		all := make([]entry, n)
		for i := range all {
			all[i] = *get(i)
		}
		slices.SortFunc(all, func(x, y entry) int { return cmp.Compare(x.id, y.id) })
		s.entries = all
	}
	maxID := int32(0)
	for i := range n {
		if id := get(i).id; id > maxID {
			maxID = id
		} else if id < 1 {
			maxID = -1
			break
		}
	}
	if maxID < 1 || int(maxID) > 4*n+1024 {
		byComparison()
		return
	}
	at := make([]int32, maxID+1) // index+1 of the entry with that ID; 0: none
	for i := range n {
		id := get(i).id
		if at[id] != 0 {
			byComparison()
			return
		}
		at[id] = int32(i) + 1
	}
	sorted := make([]entry, 0, n)
	for _, i := range at {
		if i != 0 {
			sorted = append(sorted, *get(int(i) - 1))
		}
	}
	s.entries = sorted
}

// setVerdict gives entry i its final verdict (the verdicts are few: an index is kept).
func (s *store) setVerdict(i int, v result.Verdict) {
	k := slices.Index(s.verdicts, v)
	if k < 0 {
		k = len(s.verdicts)
		if k > math.MaxUint8 {
			panic("store: more verdicts than an entry can index") // the verdicts are a few dozen
		}
		s.verdicts = append(s.verdicts, v)
	}
	s.entries[i].verdict = uint8(k)
}

// brief is entry i's brief, once setVerdict gave it its final verdict.
func (s *store) brief(i int) result.Brief {
	e := &s.entries[i]
	v := s.verdicts[e.verdict]
	return result.Brief{Verdict: v, Failed: v.Failed(), OfferedLegacy: e.legacy}
}

// len is the number of records kept.
func (s *store) len() int { return len(s.entries) + s.npending }

// record reads back record i (in the entries' order). It is safe for concurrent use once
// nothing is added.
func (s *store) record(i int) *facts.Conn {
	c, err := s.codec.Decode(s.bytes(i))
	if err != nil {
		panic(err) // the store wrote it: a bug, not bad input
	}
	return c
}

// recordScratch is the memory a record is read back and decoded into, reused for every record
// one goroutine reads (store.recordScratch).
type recordScratch struct {
	facts.Scratch
	buf []byte // the encoded record, when read back from the spill file
}

// recordScratch is record decoded into sc (facts.Codec.DecodeScratch).
func (s *store) recordScratch(i int, sc *recordScratch) *facts.Conn {
	var b []byte
	b, sc.buf = s.bytesInto(i, sc.buf[:0])
	c, err := s.codec.DecodeScratch(b, &sc.Scratch)
	if err != nil {
		panic(err) // the store wrote it: a bug, not bad input
	}
	return c
}

// bytes returns the encoded record i.
func (s *store) bytes(i int) []byte {
	b, _ := s.bytesInto(i, nil)
	return b
}

// bytesInto returns the encoded record i: in memory, or read back from the spill file into buf,
// which it returns grown.
func (s *store) bytesInto(i int, buf []byte) (rec, grown []byte) {
	e := &s.entries[i]
	if at := s.at[e.chunk]; at >= 0 {
		buf = s.spill.ReadInto(buf, at, e.off, e.n)
		return buf, buf
	}
	return s.chunks[e.chunk][e.off : e.off+e.n], buf
}

// newChunk returns an empty chunk for records, with room for at least need bytes (a record
// longer than a chunk has one of its own): when the chunks in memory have reached spillAfter,
// the last full one moves to the spill file and its memory is reused.
func (s *store) newChunk(need int) []byte {
	size, limit := s.chunkSize, s.spillAfter
	if size == 0 {
		size = defaultChunkSize
	}
	if limit == 0 {
		limit = defaultSpillAfter
	}
	if k := len(s.chunks) - 1; k >= 0 && limit > 0 && s.inMemory >= limit && s.at[k] < 0 {
		if at, ok := s.spill.Write(s.chunks[k]); ok {
			full := s.chunks[k]
			s.inMemory -= cap(full)
			s.chunks[k], s.at[k] = nil, at
			if cap(full) >= need {
				s.inMemory += cap(full)
				return full[:0]
			}
		}
	}
	size = max(size, need)
	s.inMemory += size
	return make([]byte, 0, size)
}
