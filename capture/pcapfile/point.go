package pcapfile

import (
	"io"
	"time"

	"github.com/connscope/connscope/capture"
)

// pointReader reads the files of one capture point one after the other, numbering their frames on,
// and decodes them with the point's decoder (whose checksum history spans its files).
type pointReader struct {
	r     *Reader
	idx   int
	name  string
	files []*fileSlot
	cur   int         // the file being read
	fr    *fileReader // its reader, once open
	dec   *capture.Decoder

	frames int
	err    error          // sticky: the *FileError of the point's last file, returned by Next
	pkt    capture.Packet // several points: the packet buffered for the merge

	base      int      // the point's first vantage (vantage.go)
	vkeys     []vkeyed // SplitLinks: its vantages by interface and link
	baseKeyed bool     // SplitLinks: the first vantage has its interface and link
}

// fileSlot is one file of a capture point: open (fr), or to be opened when its turn comes.
type fileSlot struct {
	path   string
	open   func() (*fileReader, error) // nil when fr was opened already
	fr     *fileReader
	closed bool

	meta InputFile // what is kept of it once closed (and before it is opened: from the scan)
}

func newPoint(name string, files []*fileSlot) *pointReader {
	return &pointReader{name: name, files: files, dec: capture.NewDecoder()}
}

// next reads the point's next packet into p: the next frame of its file, or of the next file.
func (pt *pointReader) next(p *capture.Packet) error {
	fr := pt.fr
	var data []byte
	var err error
	if fr != nil {
		data, err = fr.read()
	}
	if fr == nil || err != nil {
		if data, err = pt.nextFile(err); err != nil {
			return err
		}
		fr = pt.fr
	}
	r := pt.r
	pt.frames++
	r.stats.Frames++
	r.stats.Bytes += int64(len(data))
	// cleared, then set field by field: a composite literal is built on the stack and copied
	// (300 bytes), which stalls on the stores just made
	*p = capture.Packet{}
	p.Index, p.Point, p.File, p.FileFrame, p.Vantage = pt.frames, pt.idx, pt.cur, fr.frames, uint16(pt.base)
	p.Time = fr.raw.ci.Timestamp
	p.CapLen, p.WireLen = len(data), max(fr.raw.ci.Length, len(data))
	if p.Truncated = p.CapLen < p.WireLen; p.Truncated && lengthDamaged(p.CapLen, p.WireLen, fr.ifSnap) {
		r.noteDamagedLength(p, fr.ifSnap)
	}
	ok := pt.dec.Decode(data, fr.link, p)
	if r.splitLinks {
		// after decoding: a frame that carries no IP packet founds no vantage (vantageOf)
		p.Vantage = uint16(pt.vantageOf(fr, data, ok && p.Kind != capture.KindOther))
	}
	if r.vantaged {
		r.count(int(p.Vantage), p.Time)
	}
	if !ok || p.Corrupt != 0 || p.Truncated || fr.frames == 1 {
		f := pt.files[pt.cur]
		if fr.frames == 1 {
			f.meta.First = p.Time
		}
		why := pt.dec.Reason()
		if why.Code == capture.ReasonLinkType {
			why.Value = uint32(fr.raw.lt)
		}
		if p.Truncated {
			f.meta.Truncated++
		}
		if !ok || p.Corrupt != 0 || p.Truncated {
			r.note(p, ok, why, fr.ifSnap)
		}
	}
	for _, l := range pt.dec.Late() {
		r.noteLate(pt.idx, l)
	}
	r.stats.Count(p)
	return nil
}

// nextFile is next at the end of the open file (err, from its last read; nil when none is open):
// it notes how the file ended, closes it, and reads the first frame of the next file that has
// one, which it leaves open in pt.fr. It returns io.EOF after the point's last file, and, for a
// single capture point, the *FileError its last file ended with.
func (pt *pointReader) nextFile(err error) ([]byte, error) {
	if pt.err != nil {
		return nil, pt.err
	}
	for {
		if pt.fr != nil {
			f := pt.files[pt.cur]
			if err != io.EOF {
				f.meta.Err = err
				if pt.cur == len(pt.files)-1 && pt.r.one == pt {
					pt.err = err
					return nil, err
				}
			}
			f.close()
			pt.fr = nil
			pt.cur++
		}
		if pt.cur == len(pt.files) {
			return nil, io.EOF
		}
		f := pt.files[pt.cur]
		if f.fr == nil && !f.closed {
			fr, oerr := f.open()
			if oerr != nil {
				f.meta.Err = oerr
				f.closed = true
			} else {
				f.fr = fr
			}
		}
		if f.fr == nil {
			pt.cur++
			continue
		}
		pt.fr = f.fr
		var data []byte
		if data, err = pt.fr.read(); err == nil {
			return data, nil
		}
	}
}

// raw is the frame of the packet next returned last: its file is still open.
func (pt *pointReader) raw() *rawFrame {
	if pt.fr != nil {
		return &pt.fr.raw
	}
	return &rawFrame{}
}

// format, linkTypes and snaplen describe the file: from its reader while it is open, else from
// what was kept.
func (f *fileSlot) format() string {
	if f.fr != nil {
		return f.fr.format
	}
	return f.meta.Format
}

func (f *fileSlot) linkTypes() []string {
	if f.fr != nil {
		return f.fr.linkTypes
	}
	return f.meta.LinkTypes
}

func (f *fileSlot) snaplen() int {
	if f.fr != nil {
		return f.fr.snaplen
	}
	return f.meta.Snaplen
}

// describe returns what has been read of the file.
func (f *fileSlot) describe() InputFile {
	m := f.meta
	m.Path = f.path
	if f.fr != nil {
		m.Format, m.Snaplen = f.fr.format, f.fr.snaplen
		m.LinkTypes = f.fr.linkTypes
		m.Frames, m.Bytes = f.fr.frames, f.fr.bytes
		if m.Frames > 0 {
			m.Last = f.fr.raw.ci.Timestamp
		}
	}
	m.LinkTypes = append([]string(nil), m.LinkTypes...)
	return m
}

// close closes the file and keeps what is known of it.
func (f *fileSlot) close() error {
	if f.fr == nil || f.closed {
		return nil
	}
	f.meta = f.describe()
	err := f.fr.close()
	f.fr = nil
	f.closed = true
	return err
}

// firstTime is the time the file's first frame was found to have when it was scanned (zero for
// a file without frames).
func (f *fileSlot) firstTime() time.Time { return f.meta.First }

// lengthDamaged reports whether a record that holds capLen bytes of a packet of wireLen (more)
// bytes has a damaged record header rather than a packet a snaplen cut: a snaplen cuts a packet
// to exactly the snaplen (snap; 0: none given), so a packet longer than the snaplen that holds
// fewer bytes than it was not cut by it; and no link carries a packet longer than the longest a
// capture holds (libpcap's maximum, or a larger snaplen of a pcapng interface). Wireshark calls
// such a frame malformed. (A record holding more than its packet's length, or more than a capture
// holds, is a corrupt file from there on: the record reader says so.)
func lengthDamaged(capLen, wireLen, snap int) bool {
	if snap > 0 && capLen == snap {
		return false // cut to the snaplen: a packet of any length (Linux BIG TCP sends up to 512 KiB)
	}
	return wireLen > max(maxPacketLength, snap) || (snap > 0 && wireLen > snap && capLen < snap)
}
