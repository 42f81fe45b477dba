package capture

import (
	"io"
	"time"
)

// pointReader reads the files of one capture point one after the other, numbering their frames on,
// and decodes them with the point's decoder (whose checksum history spans its files).
type pointReader struct {
	r     *Reader
	idx   int
	name  string
	files []*fileSlot
	cur   int // the file being read
	dec   *decoder

	frames int
	err    error  // sticky: the *FileError of the point's last file, returned by Next
	pkt    Packet // several points: the packet buffered for the merge
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
	return &pointReader{name: name, files: files, dec: newDecoder()}
}

// next reads the point's next packet into p: the next frame of its file, or of the next file.
func (pt *pointReader) next(p *Packet) error {
	if pt.err != nil {
		return pt.err
	}
	var data []byte
	for {
		if pt.cur == len(pt.files) {
			return io.EOF
		}
		f := pt.files[pt.cur]
		if f.fr == nil && !f.closed {
			fr, err := f.open()
			if err != nil {
				f.meta.Err = err
				f.closed = true
				pt.cur++
				continue
			}
			f.fr = fr
		}
		if f.fr == nil {
			pt.cur++
			continue
		}
		var err error
		if data, err = f.fr.read(); err == nil {
			break
		}
		if err != io.EOF {
			f.meta.Err = err
			if pt.cur == len(pt.files)-1 && pt.r.one == pt {
				pt.err = err
				return err
			}
		}
		f.close()
		pt.cur++
	}
	f := pt.files[pt.cur]
	fr := f.fr
	pt.frames++
	r := pt.r
	r.stats.Frames++
	r.stats.Bytes += int64(len(data))
	*p = Packet{Index: pt.frames, Point: pt.idx, File: pt.cur, FileFrame: fr.frames, Time: fr.raw.ci.Timestamp,
		CapLen: len(data), WireLen: max(fr.raw.ci.Length, len(data))}
	if fr.frames == 1 {
		f.meta.First = p.Time
	}
	p.Truncated = p.CapLen < p.WireLen
	ok := pt.dec.decode(data, fr.link, p)
	if !ok || p.Corrupt != 0 || p.Truncated {
		why := pt.dec.reason
		if why.Code == ReasonLinkType {
			why.Value = uint32(fr.raw.lt)
		}
		if p.Truncated {
			f.meta.Truncated++
		}
		r.note(p, ok, why, fr.ifSnap)
	}
	r.stats.count(p)
	return nil
}

// raw is the frame of the packet next returned last: its file is still open.
func (pt *pointReader) raw() *rawFrame {
	if pt.cur < len(pt.files) && pt.files[pt.cur].fr != nil {
		return &pt.files[pt.cur].fr.raw
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
