package capture

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Stats counts what a Reader has read so far.
type Stats struct {
	Frames      int   // frames read (TCP + ICMPErrors + DNS + Other)
	Bytes       int64 // captured bytes of those frames
	TCP         int   // KindTCP packets
	ICMPErrors  int   // KindICMPError packets
	DNS         int   // KindDNS datagrams
	Other       int   // KindOther frames, Undecodable ones included
	Truncated   int   // packets cut by the snaplen (Packet.Truncated)
	Undecodable int   // frames whose link or IP header could not be decoded
}

// Reader streams decoded packets from a capture file: pcap (micro- or nanosecond, either byte
// order) or pcapng (any number of interfaces and sections, mixed link types), either of them
// possibly gzip-compressed. It holds no per-packet state: memory does not grow with the file.
type Reader struct {
	path   string
	file   io.Closer // the file Open opened; nil for NewReader
	gz     *gzSource
	format string

	pcap     *pcapgo.Reader
	pcapLink linkKind
	next     int64 // pcap: offset of the next record

	ng   *pcapgo.NgReader
	walk *ngWalker

	linkTypes []string
	snaplen   int
	err       error // sticky: io.EOF or a *FileError
	stats     Stats
	dec       *decoder
	raw       rawFrame // the frame the last Next decoded (raw.go)
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
	readBufferBytes = 1 << 16
)

// Open opens a capture file by its content (not its name): pcap, pcapng, or either of them gzipped.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		// *PathError already names the file: "open x.pcap: no such file or directory".
		return nil, fmt.Errorf("cannot read the capture: %w (check the path and that you may read it)", err)
	}
	r, err := NewReader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

// NewReader reads a capture from r; name is used in errors. It reads the file header at once and
// fails when r holds no capture, with an error that says what it holds instead.
func NewReader(r io.Reader, name string) (*Reader, error) {
	rd := &Reader{path: name, dec: newDecoder()}
	br := bufio.NewReaderSize(r, readBufferBytes)
	head, err := br.Peek(4)
	if len(head) == 0 {
		if err == io.EOF {
			return nil, &detail{fmt.Sprintf("%q is empty: it holds no capture; check that tcpdump or Wireshark wrote it and was stopped cleanly", name), ErrEmpty}
		}
		return nil, fmt.Errorf("reading %q: %w", name, err)
	}
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, truncated(name, 0, "the gzip header is incomplete")
			}
			return nil, fmt.Errorf("%q is gzip-compressed, but its gzip header is damaged (%v): give the capture file itself", name, err)
		}
		rd.gz = &gzSource{zr: zr}
		br = bufio.NewReaderSize(rd.gz, readBufferBytes)
		if head, err = br.Peek(4); len(head) == 0 {
			if err == io.EOF {
				return nil, &detail{fmt.Sprintf("%q is gzip-compressed but holds nothing: it holds no capture", name), ErrEmpty}
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
		err = truncated(name, 0, fmt.Sprintf("the file ends after %d bytes, inside the file header: it was cut while being written or copied", len(head)))
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

func (rd *Reader) openPcap(br *bufio.Reader) error {
	hdr, err := br.Peek(pcapHeaderLen)
	if len(hdr) < pcapHeaderLen {
		if rd.gz != nil && rd.gz.err != nil && rd.gz.err != io.EOF {
			return sourceError(rd.path, 0, rd.gz.err, true)
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return truncated(rd.path, 0, fmt.Sprintf("the file header is incomplete (%d of 24 bytes): the file was cut while being written or copied", len(hdr)))
		}
		return fmt.Errorf("reading %q: %w", rd.path, err)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if binary.LittleEndian.Uint32(hdr) != pcapMicro && binary.LittleEndian.Uint32(hdr) != pcapNano {
		bo = binary.BigEndian
	}
	if major, minor := bo.Uint16(hdr[4:6]), bo.Uint16(hdr[6:8]); major != 2 || minor != 4 {
		return corrupt(rd.path, 0, "the pcap header gives version %d.%d; only 2.4, which every tool writes, is known", major, minor)
	}
	// pcapgo wraps br in a bufio.Reader of its own only when br is smaller than 4 KiB: it reads br.
	pr, err := pcapgo.NewReader(br)
	if err != nil {
		return corrupt(rd.path, 0, "the pcap header cannot be read (%v)", err)
	}
	// A record longer than libpcap's maximum is corrupt whatever the header's snaplen says (a few
	// writers put 0xffffffff there); pcapgo would otherwise try to read it.
	if pr.Snaplen() > maxPacketLength {
		pr.SetSnaplen(maxPacketLength)
	}
	rd.pcap = pr
	rd.next = pcapHeaderLen
	rd.snaplen = int(bo.Uint32(hdr[16:20]))
	rd.pcapLink = linkKindOf(pr.LinkType())
	rd.linkTypes = []string{linkTypeName(pr.LinkType())}
	rd.format = "pcap"
	if pr.Resolution() == gopacket.TimestampResolutionNanosecond {
		rd.format = "pcap (nanosecond)"
	}
	return nil
}

func (rd *Reader) openPcapng(br *bufio.Reader) error {
	rd.walk = &ngWalker{src: br, path: rd.path, gz: rd.gz, onInterface: rd.addInterface}
	ng, err := pcapgo.NewNgReader(rd.walk, pcapgo.NgReaderOptions{WantMixedLinkType: true})
	if err != nil {
		if rd.walk.err != nil && rd.walk.err != io.EOF {
			var fe *FileError
			if errors.As(rd.walk.err, &fe) && fe.Truncated && fe.Offset == 0 {
				fe.Err = &detail{"the section header block is incomplete: the file was cut while being written or copied", io.ErrUnexpectedEOF}
			}
			return rd.walk.err
		}
		if errors.Is(err, pcapgo.ErrNgVersionMismatch) {
			return corrupt(rd.path, 0, "the pcapng section has a version other than 1.0, which connscope cannot read")
		}
		return corrupt(rd.path, 0, "the section header block cannot be read (%v)", err)
	}
	rd.ng = ng
	rd.format = "pcapng"
	return nil
}

// addInterface records an interface block's link type and snaplen.
func (rd *Reader) addInterface(lt layers.LinkType, snaplen uint32) {
	name := linkTypeName(lt)
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

// Next reads the next frame into p, reusing p: its slices borrow the reader's buffers and are valid
// until the next call. Every frame is returned, KindOther for what connscope does not analyse, so
// p.Index numbers frames as Wireshark does. Next returns io.EOF at a clean end of the file, and a
// *FileError when the file is truncated or corrupt from some record on (and from then on).
func (r *Reader) Next(p *Packet) error {
	if r.err != nil {
		return r.err
	}
	var (
		data []byte
		ci   gopacket.CaptureInfo
		err  error
		lk   linkKind
	)
	if r.pcap != nil {
		data, ci, err = r.pcap.ZeroCopyReadPacketData()
		if err != nil {
			r.err = r.pcapError(err, ci)
			return r.err
		}
		r.next += pcapRecordLen + int64(ci.CaptureLength)
		lk = r.pcapLink
		r.raw = rawFrame{data, ci, r.pcap.LinkType()}
	} else {
		data, ci, err = r.ng.ZeroCopyReadPacketData()
		if err != nil {
			r.err = r.ngError(err)
			return r.err
		}
		lt := r.walk.linkTypeOf(ci.InterfaceIndex)
		lk = linkKindOf(lt)
		r.raw = rawFrame{data, ci, lt}
	}
	r.stats.Frames++
	r.stats.Bytes += int64(len(data))
	*p = Packet{Index: r.stats.Frames, Time: ci.Timestamp, CapLen: len(data), WireLen: max(ci.Length, len(data))}
	p.Truncated = p.CapLen < p.WireLen
	if !r.dec.decode(data, lk, p) {
		r.stats.Undecodable++
	}
	r.stats.count(p)
	return nil
}

// count adds a decoded packet to the per-kind counts.
func (s *Stats) count(p *Packet) {
	switch p.Kind {
	case KindTCP:
		s.TCP++
	case KindICMPError:
		s.ICMPErrors++
	case KindDNS:
		s.DNS++
	default:
		s.Other++
	}
	if p.Truncated {
		s.Truncated++
	}
}

// pcapError turns an error of pcapgo.Reader into io.EOF or a *FileError at the record that failed.
func (r *Reader) pcapError(err error, ci gopacket.CaptureInfo) error {
	if r.gz != nil && r.gz.err != nil && r.gz.err != io.EOF {
		return sourceError(r.path, r.next, r.gz.err, true)
	}
	switch {
	case err == io.EOF && ci.CaptureLength > 0:
		// the record header was read, but none of its data is there: pcapgo says io.EOF
		return truncated(r.path, r.next, "the last packet record is incomplete (analysed everything before it)")
	case err == io.EOF:
		return io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		return truncated(r.path, r.next, "the last packet record is incomplete (analysed everything before it)")
	case uint32(ci.CaptureLength) > max(maxPacketLength, r.pcap.Snaplen()):
		return corrupt(r.path, r.next, "packet record length %d is impossible (the largest a capture holds is %d bytes)", uint32(ci.CaptureLength), maxPacketLength)
	case ci.CaptureLength > ci.Length:
		return corrupt(r.path, r.next, "packet record length %d exceeds the packet's length on the wire (%d)", ci.CaptureLength, ci.Length)
	}
	return sourceError(r.path, r.next, err, false)
}

// ngError turns an error of pcapgo.NgReader into io.EOF or a *FileError at the block that failed:
// the walker's own finding when it has one, else NgReader's words at the walker's current block.
func (r *Reader) ngError(err error) error {
	if r.walk.err != nil {
		return r.walk.err
	}
	if err == io.EOF {
		return io.EOF
	}
	return corrupt(r.path, r.walk.blockStart, "the block cannot be read (%v)", err)
}

// Format names the file format: "pcap", "pcap (nanosecond)" or "pcapng", with ", gzip" in the
// parentheses or " (gzip)" after it when the file is compressed.
func (r *Reader) Format() string { return r.format }

// LinkTypes lists the link types of the file in the order they appear, e.g. ["Ethernet",
// "Linux SLL2"]: the pcap header's, or those of the pcapng interface blocks read so far.
func (r *Reader) LinkTypes() []string { return r.linkTypes }

// Snaplen is the pcap header's snaplen, or the largest snaplen of the pcapng interfaces read so far;
// 0 when unknown (pcapng interfaces without a limit).
func (r *Reader) Snaplen() int { return r.snaplen }

// Stats returns the counts of what has been read so far.
func (r *Reader) Stats() Stats { return r.stats }

// Close closes the file that Open opened; for NewReader it closes nothing but the decompressor.
func (r *Reader) Close() error {
	if r.gz != nil {
		r.gz.zr.Close()
	}
	if r.file != nil {
		return r.file.Close()
	}
	return nil
}

// linkTypeName names a link type as Wireshark's users know it.
func linkTypeName(lt layers.LinkType) string {
	switch lt {
	case layers.LinkTypeNull:
		return "BSD loopback (NULL)"
	case layers.LinkTypeEthernet:
		return "Ethernet"
	case layers.LinkTypeRaw, 12, 14:
		return "Raw IP"
	case layers.LinkTypeLoop:
		return "OpenBSD loopback (LOOP)"
	case layers.LinkTypeLinuxSLL:
		return "Linux SLL"
	case layers.LinkTypeLinuxSLL2:
		return "Linux SLL2"
	case layers.LinkTypeIPv4:
		return "Raw IPv4"
	case layers.LinkTypeIPv6:
		return "Raw IPv6"
	}
	return fmt.Sprintf("link type %d (not decoded)", uint16(lt))
}
