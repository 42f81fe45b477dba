// Package pcapfile reads captures from files: pcap and pcapng, gzip-compressed or not, from a
// path, a folder, a rotated set or standard input, as one or several capture points merged into
// one stream, telling apart the vantages a file holds, and says what is wrong with a damaged
// file. It decodes each frame with a capture.Decoder.
package pcapfile

import (
	"container/heap"
	"io"
	"strings"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Reader streams decoded packets from captures: one file (Open, NewReader), or several capture
// points (OpenInputs), each of them one file, the files of a rotated set read one after the other
// as one, or standard input. Several capture points are merged into one stream in time order,
// each packet tagged with its point (capture.Packet.Point). Files are pcap (micro- or nanosecond, either
// byte order) or pcapng (any number of interfaces and sections, mixed link types), either of them
// possibly gzip-compressed. The Reader holds no per-packet state, and one packet and one open
// file per capture point: memory does not grow with the files.
type Reader struct {
	points []*pointReader
	one    *pointReader // the only capture point; nil with several
	queue  pointQueue   // several points: those with a packet buffered, earliest first
	last   *pointReader // several points: the point whose packet Next returned last
	primed bool         // several points: every point has been asked for its first packet

	stats   capture.Stats
	tallies capture.Tallies
	cuts    []SnaplenCut
	lengths DamagedLengths

	vantages   []Vantage // vantage.go
	vantaged   bool      // frames are counted per vantage: there is more than one
	splitLinks bool      // SplitLinks

	skipped []InputFile // files that OpenInputs could not open among others (Skipped)
}

// Skipped returns the files OpenInputs left out because they could not be opened as captures
// (each with its Err), in the order given; the other files were read.
func (r *Reader) Skipped() []InputFile { return append([]InputFile(nil), r.skipped...) }

// SnaplenCut counts the packets cut by one snaplen: each packet's is that of the file (pcap) or
// of the pcapng interface it was captured on.
type SnaplenCut struct {
	Snaplen int              // 0: the interface declared none (the packet was cut by something else)
	Packets int              // packets cut
	First   capture.FrameRef // the first of them
	// CapLen is the most bytes any of them holds: what they were really cut to. Below Snaplen,
	// the snaplen the file gives did not cut them (a tool such as editcap -s cut them later).
	CapLen int
}

// DamagedLengths counts the frames whose record header gives an original length that no
// snaplen cut explains (lengthDamaged): the frame is read as the bytes it holds (its WireLen is
// its CapLen, and it is not Truncated), and the first one is described.
type DamagedLengths struct {
	Frames int                // frames with such a record header
	First  []capture.FrameRef // the first of them (up to maxDamagedLengthFrames)
	// The first one's record: the bytes it holds, the original length it gives, and the snaplen
	// of its file or pcapng interface (0: none given).
	CapLen, WireLen, Snaplen int
}

// maxDamagedLengthFrames is how many frames DamagedLengths names.
const maxDamagedLengthFrames = 5

// noteDamagedLength counts a packet whose record header gives an original length that no
// snaplen cut explains, and reads it as the bytes it holds.
func (r *Reader) noteDamagedLength(p *capture.Packet, snaplen int) {
	l := &r.lengths
	if l.Frames == 0 {
		l.CapLen, l.WireLen, l.Snaplen = p.CapLen, p.WireLen, snaplen
	}
	l.Frames++
	if len(l.First) < maxDamagedLengthFrames {
		l.First = append(l.First, capture.FrameRef{Point: p.Point, Frame: p.Index})
	}
	p.WireLen, p.Truncated = p.CapLen, false
}

// DamagedLengths counts the frames whose record header is damaged in its original length.
func (r *Reader) DamagedLengths() DamagedLengths {
	l := r.lengths
	l.First = append([]capture.FrameRef(nil), l.First...)
	return l
}

// Open opens a capture file by its content (not its name): pcap, pcapng, or either of them gzipped.
func Open(path string) (*Reader, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	return newReader([]*pointReader{newPoint(path, []*fileSlot{{path: path, fr: f}})}), nil
}

// NewReader reads a capture from r; name is used in errors. It reads the file header at once and
// fails when r holds no capture, with an error that says what it holds instead.
func NewReader(r io.Reader, name string) (*Reader, error) {
	f, err := newFileReader(r, name)
	if err != nil {
		return nil, err
	}
	return newReader([]*pointReader{newPoint(name, []*fileSlot{{path: name, fr: f}})}), nil
}

func newReader(points []*pointReader) *Reader {
	r := &Reader{points: points, vantaged: len(points) > 1}
	for i, pt := range points {
		pt.r, pt.idx = r, i
		pt.base = len(r.vantages)
		r.vantages = append(r.vantages, Vantage{Point: i, Interface: -1})
	}
	if len(points) == 1 {
		r.one = points[0]
	}
	return r
}

// Next reads the next packet into p, reusing p: its slices borrow the reader's buffers and are
// valid until the next call. Every frame is returned, capture.KindOther for what connscope does
// not analyse, so p.Index numbers frames as Wireshark does. Next returns io.EOF at the end.
//
// With one capture point, Next returns a *FileError (and from then on) when the point's last file
// is truncated or corrupt from some record on; a file before it that is (the middle of a rotated
// set) is noted in Points and reading goes on with the next. With several capture points, every
// such error is noted in Points, and the other points are read on.
func (r *Reader) Next(p *capture.Packet) error {
	if r.one != nil {
		return r.one.next(p)
	}
	if !r.primed {
		r.primed = true
		for _, pt := range r.points {
			r.fill(pt)
		}
	} else if r.last != nil {
		r.fill(r.last)
	}
	r.last = nil
	if len(r.queue) == 0 {
		return io.EOF
	}
	pt := heap.Pop(&r.queue).(*pointReader)
	*p = pt.pkt
	r.last = pt
	return nil
}

// fill reads a capture point's next packet into its buffer and queues it; a point at its end
// leaves the queue.
func (r *Reader) fill(pt *pointReader) {
	if pt.next(&pt.pkt) == nil {
		heap.Push(&r.queue, pt)
	}
}

// noteLate counts a packet of capture point point found damaged after it was decoded (a
// source's first packet, judged by the source's later ones): in Stats.Corrupt and Tallies, not
// in its Packet.Corrupt.
func (r *Reader) noteLate(point int, l capture.LateDamage) {
	r.stats.Corrupt++
	at := capture.FrameRef{Point: point, Frame: l.Frame}
	for i, code := range damageReasons {
		if l.What&(1<<i) != 0 {
			r.tallies.Add(capture.Reason{Code: code}, at)
		}
	}
}

// damageReasons maps each Damage bit to its Reason code.
var damageReasons = [...]capture.ReasonCode{capture.ReasonIPv4Checksum, capture.ReasonTCPChecksum,
	capture.ReasonUDPChecksum, capture.ReasonICMPChecksum}

// note counts what is wrong with a packet just decoded (undecodable, damaged or cut): why it is
// undecodable, its damaged checksums, and the snaplen that cut it.
func (r *Reader) note(p *capture.Packet, ok bool, why capture.Reason, snaplen int) {
	at := capture.FrameRef{Point: p.Point, Frame: p.Index}
	if !ok {
		r.stats.Undecodable++
		r.tallies.Add(why, at)
	}
	if p.Corrupt != 0 {
		for i, code := range damageReasons {
			if p.Corrupt&(1<<i) != 0 {
				r.tallies.Add(capture.Reason{Code: code}, at)
			}
		}
	}
	if p.Truncated {
		i := 0
		for i < len(r.cuts) && r.cuts[i].Snaplen != snaplen {
			i++
		}
		if i == len(r.cuts) {
			r.cuts = append(r.cuts, SnaplenCut{Snaplen: snaplen, First: at})
		}
		r.cuts[i].Packets++
		r.cuts[i].CapLen = max(r.cuts[i].CapLen, p.CapLen)
	}
}

// Format names the file format: "pcap", "pcap (nanosecond)" or "pcapng", with ", gzip" in the
// parentheses or " (gzip)" after it when the file is compressed. Files of several formats give
// them all, in the order first read, separated by ", ".
func (r *Reader) Format() string {
	var fs []string
	for _, pt := range r.points {
		for _, f := range pt.files {
			if ff := f.format(); ff != "" && !contains(fs, ff) {
				fs = append(fs, ff)
			}
		}
	}
	return strings.Join(fs, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// LinkTypes lists the link types of the files in the order they appear, e.g. ["Ethernet",
// "Linux SLL2"]: the pcap header's, or those of the pcapng interface blocks read so far.
func (r *Reader) LinkTypes() []string {
	if r.one != nil && len(r.one.files) == 1 {
		return r.one.files[0].linkTypes()
	}
	var lts []string
	for _, pt := range r.points {
		for _, f := range pt.files {
			for _, lt := range f.linkTypes() {
				if !contains(lts, lt) {
					lts = append(lts, lt)
				}
			}
		}
	}
	return lts
}

// Snaplen is the largest snaplen of the files (the pcap header's, or the largest of the pcapng
// interfaces read so far); 0 when unknown (pcapng interfaces without a limit). SnaplenCuts gives
// the snaplen of each packet that was cut.
func (r *Reader) Snaplen() int {
	n := 0
	for _, pt := range r.points {
		for _, f := range pt.files {
			n = max(n, f.snaplen())
		}
	}
	return n
}

// SnaplenCuts counts the packets cut by the snaplen (Stats.Truncated) per snaplen, in the order
// each snaplen first cut one.
func (r *Reader) SnaplenCuts() []SnaplenCut { return append([]SnaplenCut(nil), r.cuts...) }

// Tallies counts the frames that could not be decoded (Stats.Undecodable) and the packets with a
// damaged checksum (Stats.Corrupt) per Reason, in the order each reason first occurred, with the
// first few frames of each.
func (r *Reader) Tallies() []capture.Tally { return r.tallies.Copy() }

// Stats returns the counts of what has been read so far.
func (r *Reader) Stats() capture.Stats {
	s := r.stats
	for _, pt := range r.points {
		s.ChecksumOffload += pt.dec.Offloaded()
	}
	return s
}

// Points describes the capture points and their files, as far as they have been read.
func (r *Reader) Points() []Point {
	out := make([]Point, len(r.points))
	for i, pt := range r.points {
		out[i] = Point{Name: pt.name, Files: make([]InputFile, len(pt.files))}
		for j, f := range pt.files {
			out[i].Files[j] = f.describe()
		}
	}
	return out
}

// Close closes the files still open.
func (r *Reader) Close() error {
	var first error
	for _, pt := range r.points {
		for _, f := range pt.files {
			if err := f.close(); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

// Raw returns the frame that the last successful Next decoded, undecoded: its bytes, its capture
// info (timestamp, lengths, pcapng interface) and its link type, for writing it to another file.
// data borrows the reader's buffer and is valid only until the next call to Next.
func (r *Reader) Raw() (data []byte, ci gopacket.CaptureInfo, lt layers.LinkType) {
	pt := r.one
	if pt == nil {
		pt = r.last
	}
	if pt == nil {
		return nil, gopacket.CaptureInfo{}, 0
	}
	raw := pt.raw()
	return raw.data, raw.ci, raw.lt
}

// Point is one capture point: one file, the files of a rotated set read as one, or standard input.
type Point struct {
	// Name is the label given to the point (--vantage NAME=FILE), or else the name of its first
	// file.
	Name  string
	Files []InputFile // in the order read
}

// InputFile is what was read of one file of a capture point.
type InputFile struct {
	Path      string   // as given ("-" for standard input)
	Format    string   // as Reader.Format words it
	LinkTypes []string // as Reader.LinkTypes words them
	Snaplen   int      // the pcap header's, or the largest of the pcapng interfaces
	Frames    int      // frames read
	Bytes     int64    // their captured bytes
	Truncated int      // of those, packets cut by the snaplen
	// First and Last are the times of its first and last frame read (zero when none).
	First, Last time.Time
	// Err is why reading the file stopped before its end: a *FileError (truncated or corrupt
	// from some offset on), or the error that kept it from being opened; nil otherwise.
	Err error
}

// pointQueue is a min-heap of capture points by the time of their buffered packet, the earlier
// point first when two times are equal.
type pointQueue []*pointReader

func (q pointQueue) Len() int { return len(q) }
func (q pointQueue) Less(i, j int) bool {
	a, b := &q[i].pkt, &q[j].pkt
	if a.Time.Equal(b.Time) {
		return a.Point < b.Point
	}
	return a.Time.Before(b.Time)
}
func (q pointQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *pointQueue) Push(x any)   { *q = append(*q, x.(*pointReader)) }
func (q *pointQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}
