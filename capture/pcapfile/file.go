package pcapfile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile/damage"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// fileReader reads the frames of one capture file: pcap (micro- or nanosecond, either byte order)
// or pcapng (any number of interfaces and sections, mixed link types), either of them possibly
// gzip-compressed. It does not decode them; Reader does.
type fileReader struct {
	path   string
	file   io.Closer // the file openFile opened; nil for a stream
	gz     *gzSource
	format string

	src io.Reader // what the file is read from: the file, or its decompressed stream

	pcap     *pcapRecords
	pcapLink capture.Link
	next     int64 // pcap: offset of the next record

	ng     *pcapgo.NgReader
	walk   *ngWalker
	ngKept *chunk // pcapng: the chunk the frames are copied into (NgReader reuses its buffer)
	ngEnd  int    // the end of the copies in it
	ngPool *chunkPool

	linkTypes []string
	snaplen   int
	err       error // sticky: io.EOF or a *FileError
	frames    int   // frames read
	bytes     int64 // their captured bytes

	// the frame the last read returned
	raw    rawFrame
	link   capture.Link
	ifSnap int // the snaplen of its interface (the pcap header's for pcap); 0: none given
}

// gzSource is the decompressed stream of a gzip file; it keeps the first error of the gzip reader
// so that a damaged or cut compressed stream is told apart from a cut capture.
type gzSource struct {
	zr  *gzip.Reader
	err error
}

func (g *gzSource) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	if err != nil && g.err == nil {
		g.err = err
	}
	return n, err
}

// File headers (pcap: https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/; pcapng: its own draft).
const (
	pcapMicro       = 0xa1b2c3d4 // read little-endian; the big-endian file reads 0xd4c3b2a1
	pcapNano        = 0xa1b23c4d
	pcapHeaderLen   = 24
	pcapRecordLen   = 16
	readBufferBytes = 1 << 20 // as the bare loop of ../shared/bench reads: fewer, larger reads
)

// bufferBytes is the size of the buffers a file is opened through (readBufferBytes; tests make
// it small, so that opening a file costs little): a pcap file's records are read through it up to
// the bytes it holds, then straight into chunks (pcapRecords); a pcapng file is read through it.
var bufferBytes = readBufferBytes

// openFile opens a capture file by its content (not its name): pcap, pcapng, or either of them
// gzipped.
func openFile(path string) (*fileReader, error) { return openFileMapped(path, true) }

// openFileMapped is openFile that reads a pcap file in place (mapFile) only when mapped is set:
// not for a capture point that waits its turn in a merge of several, whose lease (mmap_linux.go)
// would make a writer of the file wait as long as it waits.
func openFileMapped(path string, mapped bool) (*fileReader, error) {
	f, err := os.Open(path)
	if err != nil {
		// *PathError already names the file: "open x.pcap: no such file or directory".
		return nil, unreadableInput(path, err)
	}
	r, err := newFileReader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	if mapped && r.pcap != nil && r.gz == nil {
		if m := mapFile(f); m != nil {
			m.file = f
			r.pcap.useMapping(m)
		}
	}
	return r, nil
}

// newFileReader reads a capture from r; name is used in errors. It reads the file header at once
// and fails when r holds no capture, with an error that says what it holds instead.
func newFileReader(r io.Reader, name string) (*fileReader, error) {
	rd := &fileReader{path: name, src: r}
	br := bufio.NewReaderSize(r, bufferBytes)
	head, err := br.Peek(4)
	if len(head) == 0 {
		if err == io.EOF {
			return nil, &InputError{Problem: ProblemEmpty, Path: name, Err: ErrEmpty, text: fmt.Sprintf(
				"%q is empty: it holds no capture; check that tcpdump or Wireshark wrote it and was stopped cleanly", name)}
		}
		return nil, fmt.Errorf("reading %q: %w", name, err)
	}
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, truncated(name, 0, damage.GzipHeaderCut)
			}
			return nil, &InputError{Problem: ProblemGzipHeader, Path: name, Err: err, text: fmt.Sprintf(
				"%q is gzip-compressed, but its gzip header is damaged (%v): give the capture file itself", name, err)}
		}
		rd.gz = &gzSource{zr: zr}
		rd.src = rd.gz
		br = bufio.NewReaderSize(rd.gz, bufferBytes)
		if head, err = br.Peek(4); len(head) == 0 {
			if err == io.EOF {
				return nil, &InputError{Problem: ProblemEmptyGzip, Path: name, Err: ErrEmpty, text: fmt.Sprintf(
					"%q is gzip-compressed but holds nothing: it holds no capture", name)}
			}
			return nil, sourceError(name, 0, err, true)
		}
	}
	switch {
	case isPcapMagic(head):
		err = rd.openPcap(br)
	case len(head) == 4 && binary.LittleEndian.Uint32(head) == ngSectionHeader:
		err = rd.openPcapng(br)
	case len(head) < 4 && (isPrefix(head, pcapMagics()) || isPrefix(head, [][]byte{{0x0a, 0x0d, 0x0d, 0x0a}})):
		err = truncated(name, 0, damage.MagicCut, numParam("bytes", len(head)))
	default:
		err = notCapture(name, head, rd.gz != nil)
	}
	if err != nil {
		return nil, err
	}
	if rd.gz != nil {
		if rd.format == "pcap (nanosecond)" {
			rd.format = "pcap (nanosecond, gzip)"
		} else {
			rd.format += " (gzip)"
		}
	}
	return rd, nil
}

func pcapMagics() [][]byte {
	var m [][]byte
	for _, v := range []uint32{pcapMicro, pcapNano} {
		m = append(m, binary.LittleEndian.AppendUint32(nil, v), binary.BigEndian.AppendUint32(nil, v))
	}
	return m
}

func isPcapMagic(head []byte) bool {
	if len(head) < 4 {
		return false
	}
	for _, m := range pcapMagics() {
		if bytes.Equal(head[:4], m) {
			return true
		}
	}
	return false
}

func isPrefix(head []byte, of [][]byte) bool {
	for _, m := range of {
		if bytes.HasPrefix(m, head) {
			return true
		}
	}
	return false
}

func (rd *fileReader) openPcap(br *bufio.Reader) error {
	hdr, err := br.Peek(pcapHeaderLen)
	if len(hdr) < pcapHeaderLen {
		if rd.gz != nil && rd.gz.err != nil && rd.gz.err != io.EOF {
			return sourceError(rd.path, 0, rd.gz.err, true)
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return truncated(rd.path, 0, damage.HeaderCut, numParam("bytes", len(hdr)))
		}
		return fmt.Errorf("reading %q: %w", rd.path, err)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if binary.LittleEndian.Uint32(hdr) != pcapMicro && binary.LittleEndian.Uint32(hdr) != pcapNano {
		bo = binary.BigEndian
	}
	if major, minor := bo.Uint16(hdr[4:6]), bo.Uint16(hdr[6:8]); major != 2 || minor != 4 {
		return corrupt(rd.path, 0, damage.PcapVersion, numParam("major", major), numParam("minor", minor))
	}
	// The records are read in place, from chunks of the file (records.go). A record longer than
	// libpcap's maximum is corrupt whatever the header's snaplen says (a few writers put
	// 0xffffffff there).
	pr := newPcapRecords(hdr, br, rd.src)
	rd.pcap = pr
	rd.next = pcapHeaderLen
	rd.snaplen = int(bo.Uint32(hdr[16:20]))
	rd.pcapLink = capture.LinkOf(pr.linkType)
	rd.linkTypes = []string{capture.LinkTypeName(pr.linkType)}
	rd.format = "pcap"
	if pr.resolution() == gopacket.TimestampResolutionNanosecond {
		rd.format = "pcap (nanosecond)"
	}
	return nil
}

func (rd *fileReader) openPcapng(br *bufio.Reader) error {
	rd.walk = &ngWalker{src: br, path: rd.path, gz: rd.gz, onInterface: rd.addInterface}
	ng, err := pcapgo.NewNgReader(rd.walk, pcapgo.NgReaderOptions{WantMixedLinkType: true})
	if err != nil {
		if rd.walk.err != nil && rd.walk.err != io.EOF {
			var fe *FileError
			if errors.As(rd.walk.err, &fe) && fe.Truncated && fe.Offset == 0 {
				return truncated(rd.path, 0, damage.SectionHeaderCut)
			}
			return rd.walk.err
		}
		if errors.Is(err, pcapgo.ErrNgVersionMismatch) {
			return corrupt(rd.path, 0, damage.SectionVersion)
		}
		return corrupt(rd.path, 0, damage.SectionHeader, textParam("reason", err.Error()))
	}
	rd.ng = ng
	rd.ngPool = newChunkPool()
	rd.format = "pcapng"
	return nil
}

// addInterface records an interface block's link type and snaplen.
func (rd *fileReader) addInterface(lt layers.LinkType, snaplen uint32) {
	name := capture.LinkTypeName(lt)
	seen := false
	for _, n := range rd.linkTypes {
		seen = seen || n == name
	}
	if !seen {
		rd.linkTypes = append(rd.linkTypes, name)
	}
	if int64(snaplen) > int64(rd.snaplen) && snaplen <= 1<<30 {
		rd.snaplen = int(snaplen)
	}
}

// read reads the next frame: its bytes, with its capture info, link type and interface snaplen in
// f.raw, f.link and f.ifSnap. The bytes are in the chunk f.chunk returns after the read: valid until
// the next read, or for as long as that chunk is held (retain). It returns io.EOF at a clean end of
// the file, and a *FileError when the file is truncated or corrupt from some record on (and from
// then on).
func (f *fileReader) read() ([]byte, error) {
	if f.err != nil {
		return nil, f.err
	}
	if f.pcap != nil {
		// f.raw's fields are set one by one: the frame info of a pcap file has nothing else
		data, capLen, wireLen, err := f.pcap.next(&f.raw.ci)
		if err != nil {
			f.err = pcapError(f.path, f.next, f.gz, err, gopacket.CaptureInfo{CaptureLength: capLen, Length: wireLen})
			return nil, f.err
		}
		f.next += pcapRecordLen + int64(capLen)
		f.link = f.pcapLink
		f.raw.data, f.raw.lt = data, f.pcap.linkType
		f.ifSnap = f.snaplen
		f.frames++
		f.bytes += int64(len(data))
		return data, nil
	}
	data, ci, err := f.ng.ZeroCopyReadPacketData()
	if err != nil {
		f.err = f.ngError(err)
		return nil, f.err
	}
	data = f.keep(data)
	lt := f.walk.linkTypeOf(ci.InterfaceIndex)
	f.link = capture.LinkOf(lt)
	f.raw = rawFrame{data, ci, lt}
	f.ifSnap = int(f.walk.snaplenOf(ci.InterfaceIndex))
	f.frames++
	f.bytes += int64(len(data))
	return data, nil
}

// keep copies a pcapng frame into the chunk the frames are kept in, for as long as the chunk is
// held: NgReader reads every frame into the same buffer. It reuses the chunk when no batch holds it.
func (f *fileReader) keep(data []byte) []byte {
	c := f.ngKept
	if c == nil || len(c.buf)-f.ngEnd < len(data) {
		if c == nil || !c.alone() || len(data) > len(c.buf) {
			if c != nil {
				c.release()
			}
			c = f.ngPool.get(len(data))
			f.ngKept = c
		}
		f.ngEnd = 0
	}
	n := f.ngEnd + copy(c.buf[f.ngEnd:], data)
	data = c.buf[f.ngEnd:n:n]
	f.ngEnd = n
	return data
}

// chunk is the chunk that holds the frame the last successful read returned.
func (f *fileReader) chunk() *chunk {
	if f.pcap != nil {
		return f.pcap.c
	}
	return f.ngKept
}

// pcapError turns an error of pcapRecords.next (the errors of pcapgo.Reader) into io.EOF or a
// *FileError at the record at off, which failed.
func pcapError(path string, off int64, gz *gzSource, err error, ci gopacket.CaptureInfo) error {
	if gz != nil && gz.err != nil && gz.err != io.EOF {
		return sourceError(path, off, gz.err, true)
	}
	switch {
	case err == io.EOF && ci.CaptureLength > 0:
		// the record header was read, but none of its data is there: pcapgo says io.EOF
		return truncated(path, off, damage.RecordCut)
	case err == io.EOF:
		return io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		return truncated(path, off, damage.RecordCut)
	case uint32(ci.CaptureLength) > maxPacketLength:
		return corrupt(path, off, damage.RecordLength, numParam("length", uint32(ci.CaptureLength)), numParam("max", maxPacketLength))
	case ci.CaptureLength > ci.Length:
		return corrupt(path, off, damage.RecordBeyondWire, numParam("length", ci.CaptureLength), numParam("wire", ci.Length))
	}
	return sourceError(path, off, err, false)
}

// ngError turns an error of pcapgo.NgReader into io.EOF or a *FileError at the block that failed:
// the walker's own finding when it has one, else NgReader's words at the walker's current block.
func (r *fileReader) ngError(err error) error {
	if r.walk.err != nil {
		return r.walk.err
	}
	if err == io.EOF {
		return io.EOF
	}
	return corrupt(r.path, r.walk.blockStart, damage.BlockUnreadable, textParam("reason", err.Error()))
}

// close closes the file openFile opened and the decompressor, and drops the reader's reference on
// its chunk.
func (f *fileReader) close() error {
	if f.pcap != nil {
		f.pcap.close()
	}
	if f.ngKept != nil {
		f.ngKept.release()
		f.ngKept = nil
	}
	if f.gz != nil {
		f.gz.zr.Close()
	}
	if f.file != nil {
		return f.file.Close()
	}
	return nil
}
