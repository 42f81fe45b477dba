package pcapfile

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// pcapRecords reads the packet records of a pcap file in place: the file is read in chunks of
// chunkBytes straight from its source (the file, or the gzip decompressor), and each frame is a
// slice of its chunk, copied nowhere. A record cut by a chunk's end is carried to the start of the
// next chunk; the chunk that holds the last frame returned is c.
//
// next returns the frames and errors that pcapgo.Reader.ZeroCopyReadPacketData returns on the same
// bytes (with the snaplen limited to maxPacketLength, as openPcap does): fileReader turns them
// into the same io.EOF or *FileError (pcapError). FuzzPcapRecords compares the two.
type pcapRecords struct {
	bigEndian bool
	nanoMul   uint32 // 1 for nanosecond timestamps, 1000 for microsecond ones
	snaplen   uint32 // the header's, at most maxPacketLength
	linkType  layers.LinkType

	head *bufio.Reader // until the first read: the reader the header was read through, holding the bytes after it
	src  io.Reader     // what head reads from
	err  error         // the first error src returned (io.EOF at its end)

	pool     *chunkPool
	c        *chunk // the chunk being read; nil before the first read and after close
	pos, end int    // in c.buf: the next record starts at pos; the bytes before end have been read

	mm   *mappedFile // non-nil: the file is mapped, and c is a window of it (mmap.go)
	base int64       // mm: the file offset of c.buf[0]
}

// newPcapRecords reads the records after the 24-byte file header hdr, which br has just given
// (peeked, not consumed); src is what br reads from. The header's magic and version have been
// checked.
func newPcapRecords(hdr []byte, br *bufio.Reader, src io.Reader) *pcapRecords {
	p := &pcapRecords{head: br, src: src, nanoMul: 1000, pool: newChunkPool()}
	magic := binary.LittleEndian.Uint32(hdr)
	p.bigEndian = magic != pcapMicro && magic != pcapNano
	if p.u32(hdr) == pcapNano {
		p.nanoMul = 1
	}
	p.snaplen = min(p.u32(hdr[16:20]), maxPacketLength)
	p.linkType = layers.LinkType(p.u32(hdr[20:24]))
	br.Discard(pcapHeaderLen)
	return p
}

func (p *pcapRecords) u32(b []byte) uint32 {
	if p.bigEndian {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// resolution is the timestamps' resolution.
func (p *pcapRecords) resolution() gopacket.TimestampResolution {
	if p.nanoMul == 1 {
		return gopacket.TimestampResolutionNanosecond
	}
	return gopacket.TimestampResolutionMicrosecond
}

// next returns the next record's frame, a slice of p.c valid as long as p.c is held, and the
// lengths its header gives. It sets the timestamp and lengths of ci, field by field (copying a
// whole CaptureInfo, 72 bytes, stalls on the stores just made), only when it returns a frame.
func (p *pcapRecords) next(ci *gopacket.CaptureInfo) (data []byte, capLen, wireLen int, err error) {
	if p.end-p.pos < pcapRecordLen {
		if err = p.fill(pcapRecordLen); err != nil {
			return nil, 0, 0, p.short(p.end - p.pos)
		}
	}
	h := p.c.buf[p.pos : p.pos+pcapRecordLen]
	capLen = int(p.u32(h[8:12]))
	wireLen = int(p.u32(h[12:16]))
	if capLen > maxPacketLength {
		return nil, capLen, wireLen, fmt.Errorf("capture length exceeds snap length: %d > %d", capLen, p.snaplen)
	}
	if capLen > wireLen {
		return nil, capLen, wireLen, fmt.Errorf("capture length exceeds original packet length: %d > %d", capLen, wireLen)
	}
	n := pcapRecordLen + capLen
	if p.end-p.pos < n {
		if err = p.fill(n); err != nil {
			return nil, capLen, wireLen, p.short(p.end - p.pos - pcapRecordLen)
		}
		h = p.c.buf[p.pos : p.pos+pcapRecordLen] // the record may have moved
	}
	// as pcapgo computes them: the microseconds are scaled in 32 bits
	ci.Timestamp = time.Unix(int64(p.u32(h[0:4])), int64(p.u32(h[4:8])*p.nanoMul)).UTC()
	ci.CaptureLength, ci.Length = capLen, wireLen
	data = p.c.buf[p.pos+pcapRecordLen : p.pos+n : p.pos+n]
	p.pos += n
	return data, capLen, wireLen, nil
}

// short is the error io.ReadFull gives when the source ended (or failed) with have bytes of those
// it was asked for.
func (p *pcapRecords) short(have int) error {
	if p.err != io.EOF {
		return p.err
	}
	if have == 0 {
		return io.EOF
	}
	return io.ErrUnexpectedEOF
}

// maxEmptyReads is how many reads in a row may return nothing and no error before the source is
// taken to be stuck (as bufio does).
const maxEmptyReads = 100

// fill reads until n bytes from pos are in the chunk, moving the record at pos to a chunk with
// room for them first when p.c has none. It returns the source's error when the source ends or
// fails before that.
func (p *pcapRecords) fill(n int) error {
	if p.mm != nil {
		return p.mapFill(n)
	}
	if p.c == nil || p.pos+n > len(p.c.buf) {
		p.move(n)
	}
	for empty := 0; p.end-p.pos < n; {
		if p.err != nil {
			return p.err
		}
		k, err := p.read(p.c.buf[p.end:])
		if k < 0 || k > len(p.c.buf)-p.end {
			err, k = errors.New("the reader returned an impossible count"), 0
		}
		p.end += k
		switch {
		case err != nil:
			p.err = err
		case k == 0:
			if empty++; empty == maxEmptyReads {
				p.err = io.ErrNoProgress
			}
		default:
			empty = 0
		}
	}
	return nil
}

// move carries the bytes read of the record at pos to the start of a chunk of at least n bytes:
// p.c itself when no batch holds it and it is large enough, else a chunk from the pool.
func (p *pcapRecords) move(n int) {
	old := p.c
	if old == nil || !old.alone() || n > len(old.buf) {
		p.c = p.pool.get(n)
	}
	if old != nil {
		p.end = copy(p.c.buf, old.buf[p.pos:p.end])
	}
	p.pos = 0
	if old != nil && p.c != old {
		old.release()
	}
}

// read reads from the source: first the bytes that head read past the file header, then
// straight from src.
func (p *pcapRecords) read(b []byte) (int, error) {
	if p.head != nil {
		if p.head.Buffered() > 0 {
			return p.head.Read(b)
		}
		// an error that came with the buffered bytes: bufio hands it out on a read of nothing
		_, err := p.head.Read(nil)
		p.head = nil
		if err != nil {
			return 0, err
		}
	}
	return p.src.Read(b)
}

// close drops the reader's reference on its chunk (and on the mapping).
func (p *pcapRecords) close() {
	if p.c != nil {
		p.c.release()
		p.c = nil
	}
	if p.mm != nil {
		p.mm.unref()
		p.mm = nil
	}
}

// useMapping makes p read its records from m, the whole file mapped, instead of its source: the
// bytes the header's reader read past the file header are not used.
func (p *pcapRecords) useMapping(m *mappedFile) {
	p.mm = m
	p.head, p.src = nil, nil
	p.pos, p.end = pcapHeaderLen, pcapHeaderLen
}
