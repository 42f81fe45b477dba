package pcapfile

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/connscope/connscope/capture/pcapfile/damage"
	"github.com/gopacket/gopacket/layers"
)

// MaxPacketLength is libpcap's MAXIMUM_SNAPLEN: no tool writes longer packets, and no link
// connscope reads carries longer ones.
const MaxPacketLength = 262144

// pcapng block types (draft-ietf-opsawg-pcapng, Section 11.1).
const (
	ngSectionHeader    = 0x0A0D0D0A
	ngInterface        = 0x00000001
	ngPacketObsolete   = 0x00000002
	ngSimplePacket     = 0x00000003
	ngInterfaceStats   = 0x00000005
	ngEnhancedPacket   = 0x00000006
	ngByteOrderMagic   = 0x1A2B3C4D
	ngMaxBlockLength   = 16 << 20 // far above any real block; Wireshark's own limit is of this order
	maxPacketLength    = MaxPacketLength
	ngSectionHeaderMin = 28
)

// ngWalker sits between the (decompressed) file and pcapgo's NgReader. It checks each block's
// framing before NgReader sees it, and hands out the bytes of one block at a time, never more, so
// NgReader's own buffer holds bytes of one block only: the block NgReader is reading is then always
// the one starting at blockStart, and a bad or cut block gets an exact offset. NgReader alone reads
// an impossible block length as a long skip and reports the file as cut, and does not check the
// trailing length.
type ngWalker struct {
	src  *bufio.Reader
	path string
	gz   *gzSource // nil for an uncompressed file

	off        int64 // offset of the next byte to hand out
	blockStart int64 // offset of the block being handed out
	length     uint32
	body       int // bytes of the current block before its trailing length still to hand out
	trailer    int // bytes of the trailing length still to hand out (4 before it is checked)
	bigEndian  bool
	snaplens   []uint32          // per interface of the current section
	linkTypes  []layers.LinkType // per interface of the current section
	inIDB      bool              // the current block is an interface description block
	err        error             // sticky: io.EOF at a clean end, else a *FileError

	onInterface func(lt layers.LinkType, snaplen uint32)
}

func (w *ngWalker) u32(b []byte) uint32 {
	if w.bigEndian {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (w *ngWalker) u16(b []byte) uint16 {
	if w.bigEndian {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (w *ngWalker) Read(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.body == 0 && w.trailer == 0 {
		if err := w.startBlock(); err != nil {
			w.err = err
			return 0, err
		}
	}
	if w.body == 0 {
		if w.trailer == 4 {
			t, err := w.src.Peek(4)
			if len(t) < 4 {
				w.err = w.readError(err)
				return 0, w.err
			}
			if tl := w.u32(t); tl != w.length {
				w.err = corrupt(w.path, w.blockStart, damage.BlockLengths, numParam("start", w.length), numParam("end", tl))
				return 0, w.err
			}
		}
		n, _ := w.src.Read(p[:min(len(p), w.trailer)]) // checked above: the bytes are buffered
		w.trailer -= n
		w.off += int64(n)
		return n, nil
	}
	pos := int(w.off - w.blockStart)
	n, err := w.src.Read(p[:min(len(p), w.body)])
	w.body -= n
	w.off += int64(n)
	if n == 0 && err != nil {
		w.err = w.readError(err)
		return 0, w.err
	}
	if w.inIDB {
		// NgReader boxes each packet's link type into an interface value, which allocates for
		// values above 255 (Linux SLL2 is 276): it is handed 0 instead, and Reader takes the
		// real one from linkTypeOf.
		for i := max(pos, 8); i < min(pos+n, 10); i++ {
			p[i-pos] = 0
		}
	}
	return n, nil
}

// linkTypeOf returns the link type of an interface of the current section. NgReader hands out
// packets of a block only after the walker has passed it, and the walker never reads ahead of the
// block NgReader reads, so its interface list is the one NgReader's packet refers to.
func (w *ngWalker) linkTypeOf(iface int) layers.LinkType {
	if iface < 0 || iface >= len(w.linkTypes) {
		return 0xffff // checkPacket has refused such a block: unreachable
	}
	return w.linkTypes[iface]
}

// readError turns a failed read inside the current block into a FileError.
func (w *ngWalker) readError(err error) error {
	if w.gz != nil && w.gz.err != nil && w.gz.err != io.EOF {
		return sourceError(w.path, w.blockStart, w.gz.err, true)
	}
	if err == nil || err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return truncated(w.path, w.blockStart, damage.BlockCut)
	}
	return sourceError(w.path, w.blockStart, err, false)
}

// startBlock checks the header of the next block and records its lengths.
func (w *ngWalker) startBlock() error {
	w.blockStart = w.off
	h, err := w.src.Peek(8)
	if len(h) == 0 && err == io.EOF && (w.gz == nil || w.gz.err == nil || w.gz.err == io.EOF) {
		return io.EOF
	}
	if len(h) < 8 {
		return w.readError(err)
	}
	typ := binary.LittleEndian.Uint32(h[0:4]) // the section header's type reads the same both ways
	if typ == ngSectionHeader {
		if h, err = w.src.Peek(12); len(h) < 12 {
			return w.readError(err)
		}
		switch {
		case binary.BigEndian.Uint32(h[8:12]) == ngByteOrderMagic:
			w.bigEndian = true
		case binary.LittleEndian.Uint32(h[8:12]) == ngByteOrderMagic:
			w.bigEndian = false
		default:
			return corrupt(w.path, w.blockStart, damage.ByteOrderMagic, textParam("magic", fmt.Sprintf("%x", h[8:12])))
		}
		w.snaplens = w.snaplens[:0]
		w.linkTypes = w.linkTypes[:0]
	} else {
		typ = w.u32(h[0:4])
	}
	length := w.u32(h[4:8])
	if length < 12 || length%4 != 0 || length > ngMaxBlockLength {
		return corrupt(w.path, w.blockStart, damage.BlockLength, numParam("length", length))
	}
	if typ == 0 {
		return corrupt(w.path, w.blockStart, damage.BlockTypeZero)
	}
	need := ngMinLength(typ)
	if length < need {
		return corrupt(w.path, w.blockStart, damage.BlockTooShort, numParam("length", length), numParam("type", typ))
	}
	if need > 12 {
		if h, err = w.src.Peek(int(need) - 4); len(h) < int(need)-4 {
			return w.readError(err)
		}
	}
	switch typ {
	case ngInterface:
		lt, snap := layers.LinkType(w.u16(h[8:10])), w.u32(h[12:16])
		w.snaplens = append(w.snaplens, snap)
		w.linkTypes = append(w.linkTypes, lt)
		if w.onInterface != nil {
			w.onInterface(lt, snap)
		}
	case ngEnhancedPacket, ngPacketObsolete:
		iface := w.u32(h[8:12])
		if typ == ngPacketObsolete {
			iface = uint32(w.u16(h[8:10]))
		}
		if err := w.checkPacket(iface, w.u32(h[20:24]), length-32); err != nil {
			return err
		}
	case ngSimplePacket:
		if len(w.snaplens) == 0 {
			return corrupt(w.path, w.blockStart, damage.PacketBeforeInterface)
		}
		capLen := w.u32(h[8:12])
		if s := w.snaplens[0]; s != 0 && capLen > s {
			capLen = s
		}
		if err := w.checkPacket(0, capLen, length-16); err != nil {
			return err
		}
	case ngInterfaceStats:
		if iface := w.u32(h[8:12]); int64(iface) >= int64(len(w.snaplens)) {
			return corrupt(w.path, w.blockStart, damage.StatsInterface, numParam("interface", iface), numParam("interfaces", len(w.snaplens)))
		}
	}
	w.inIDB = typ == ngInterface
	w.length = length
	w.body = int(length) - 4
	w.trailer = 4
	return nil
}

// ngMinLength is the shortest valid block of a type whose fields the walker reads (12 for others).
func ngMinLength(typ uint32) uint32 {
	switch typ {
	case ngSectionHeader:
		return ngSectionHeaderMin
	case ngInterface:
		return 20
	case ngPacketObsolete, ngEnhancedPacket:
		return 32
	case ngSimplePacket:
		return 16
	case ngInterfaceStats:
		return 24
	}
	return 12
}

func (w *ngWalker) checkPacket(iface, capLen, room uint32) error {
	if int64(iface) >= int64(len(w.snaplens)) {
		return corrupt(w.path, w.blockStart, damage.PacketInterface, numParam("interface", iface), numParam("interfaces", len(w.snaplens)))
	}
	if capLen > room {
		return corrupt(w.path, w.blockStart, damage.PacketRoom, numParam("length", capLen), numParam("room", room))
	}
	if capLen > maxPacketLength && capLen > w.snaplens[iface] {
		return corrupt(w.path, w.blockStart, damage.PacketLength, numParam("length", capLen), numParam("max", max(maxPacketLength, w.snaplens[iface])))
	}
	return nil
}

// snaplenOf returns the snaplen of an interface of the current section (0: none given).
func (w *ngWalker) snaplenOf(iface int) uint32 {
	if iface < 0 || iface >= len(w.snaplens) {
		return 0
	}
	return w.snaplens[iface]
}
