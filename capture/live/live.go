// Package live captures packets on a network interface (Linux AF_PACKET without cgo, libpcap or
// Npcap elsewhere) through a kernel filter it builds, decodes them with a capture.Decoder, and can
// write them to a pcapng file as it goes. It also lists the interfaces a capture can use.
package live

import (
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Errors of Open, to be tested with errors.Is. The error returned wraps one of them and says,
// in its text, what to do.
var (
	// ErrNoInterface: the interface does not exist.
	ErrNoInterface = errors.New("no such network interface")
	// ErrPermission: the process may not capture (not root, no CAP_NET_RAW, Npcap restricted to
	// administrators).
	ErrPermission = errors.New("not permitted to capture")
	// ErrCaptureUnavailable: this system cannot capture (Npcap or libpcap missing, an operating
	// system without support, an interface type that cannot be read).
	ErrCaptureUnavailable = errors.New("live capture unavailable")
)

// Errors that end a running capture (Capture.Next, Capture.Err), to be tested with errors.Is. Their
// text is "interface NAME went away" or "interface NAME went down".
var (
	// ErrInterfaceGone: the interface was removed while capturing (a USB adapter unplugged, a
	// VPN, container or virtual interface deleted).
	ErrInterfaceGone = errors.New("went away")
	// ErrInterfaceDown: the interface was taken down while capturing; the kernel stops handing
	// its packets over (tcpdump ends there too).
	ErrInterfaceDown = errors.New("went down")
)

// ErrTimeout is what Capture.Next returns when no packet arrived within the poll interval: nothing is
// wrong, call Next again (after any periodic work).
var ErrTimeout = errors.New("no packet within the poll interval")

// Options configures a live capture.
type Options struct {
	// Interface is the network interface to capture on, as `connscope interfaces` lists it.
	Interface string
	// Filter selects the packets the kernel (or Npcap/libpcap) hands over.
	Filter Filter
	// Write, when set, receives every captured frame as a pcapng file. Close flushes it. When
	// writing fails (a full disk), the capture goes on without it: the file is cut back to its
	// last whole block when Write can be truncated (an *os.File can), so that it stays a valid
	// capture of the packets before, and OnWriteError is told.
	Write io.Writer
	// OnWriteError, when set, is called once, from Next, Flush or Close, when writing to Write
	// fails. WriteErr returns the same error afterwards.
	OnWriteError func(*WriteError)
	// PollInterval is the longest Next waits for a packet before it returns ErrTimeout (default
	// 200 ms).
	PollInterval time.Duration
}

// WriteError says why writing Options.Write stopped; the capture went on without it.
type WriteError struct {
	Err     error // what writing returned, e.g. "write x.pcapng: no space left on device"
	Packets int   // packets the file holds, all written whole before the failure
	// Whole is true when the file ends after its last whole block (a valid pcapng file); false
	// when it could not be cut back there, and its last block is incomplete.
	Whole bool
}

// Error says after how many packets writing failed, why, and what the file holds.
func (e *WriteError) Error() string {
	holds := fmt.Sprintf("it holds the %d packets before, as a valid pcapng file", e.Packets)
	if !e.Whole {
		holds = fmt.Sprintf("it holds the %d packets before, but could not be cut back to them: its last block is incomplete (Wireshark reads up to it)", e.Packets)
	}
	return fmt.Sprintf("writing the capture file failed after %d packets (%v): %s", e.Packets, e.Err, holds)
}

// Unwrap returns what writing returned.
func (e *WriteError) Unwrap() error { return e.Err }

// KernelStats are the capture counters of the kernel (Linux PACKET_STATISTICS) or of Npcap/libpcap.
type KernelStats struct {
	Received uint64 // packets that passed the filter
	Dropped  uint64 // of those, packets dropped because the capture buffer was full
}

// liveSource is one operating system's way of capturing.
type liveSource interface {
	// read returns the next frame (valid until the next call) or ErrTimeout.
	read() ([]byte, gopacket.CaptureInfo, error)
	stats() (KernelStats, error)
	linkType() layers.LinkType
	method() string // e.g. "Linux AF_PACKET (TPACKET_V3)"
	close() error
}

// Capture reads decoded packets from a network interface, as pcapfile.Reader does from a file. It
// is not safe for concurrent use: one goroutine calls Next, Flush and Close.
type Capture struct {
	opts    Options
	src     liveSource
	dec     *capture.Decoder
	link    capture.Link
	stats   capture.Stats
	w       *pcapgo.NgWriter // nil when not writing, or after writing failed
	sink    *blockSink
	start   time.Time
	ifindex int   // the interface's index, to tell when it went away; 0 when unknown
	err     error // what Next returns from now on
	failed  error // the error that ended the capture
	werr    *WriteError
}

// Open starts capturing on an interface with the given filter. It needs root or CAP_NET_RAW on
// Linux, and Npcap on Windows; failures wrap ErrNoInterface, ErrPermission or
// ErrCaptureUnavailable with a message that says what is needed.
func Open(opts Options) (*Capture, error) {
	if opts.PollInterval <= 0 {
		opts.PollInterval = 200 * time.Millisecond
	}
	if err := opts.Filter.check(); err != nil {
		return nil, err
	}
	src, err := openSource(opts)
	if err != nil {
		return nil, err
	}
	l := &Capture{opts: opts, src: src, dec: capture.NewDecoder(), link: capture.LinkOf(src.linkType())}
	if ifc, err := net.InterfaceByName(opts.Interface); err == nil {
		l.ifindex = ifc.Index
	}
	if err := l.startWriter(); err != nil {
		src.close()
		return nil, err
	}
	return l, nil
}

// startWriter starts the pcapng file of Options.Write, if any, and flushes its header so that
// the file is a valid, empty capture from the start.
func (l *Capture) startWriter() error {
	l.start = time.Now()
	if l.opts.Write == nil {
		return nil
	}
	intf := pcapgo.NgInterface{Name: l.opts.Interface, Filter: l.opts.Filter.Expression(), OS: runtime.GOOS,
		LinkType: l.src.linkType(), SnapLength: liveSnaplen, TimestampResolution: 9}
	info := pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Hardware: runtime.GOARCH, OS: runtime.GOOS, Application: "connscope capture"}}
	l.sink = &blockSink{w: l.opts.Write}
	w, err := pcapgo.NewNgWriterInterface(l.sink, intf, info)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		l.sink.endBlock(false)
		err = l.sink.flush()
	}
	if err != nil {
		return fmt.Errorf("writing the capture file: %w", err)
	}
	l.w = w
	return nil
}

// writeFrame appends a frame to the capture file; a failure stops the file, not the capture.
func (l *Capture) writeFrame(ci gopacket.CaptureInfo, data []byte) {
	ci.InterfaceIndex = 0
	// The pcapng writer's own buffer is flushed into the sink after every block, so that the
	// sink knows where each block ends; it cannot fail (the sink only appends).
	l.w.WritePacket(ci, data)
	l.w.Flush()
	l.sink.endBlock(true)
	if len(l.sink.buf) >= sinkBuffer {
		l.flushFile()
	}
}

// flushFile writes what the sink holds; on failure it stops writing and tells OnWriteError.
func (l *Capture) flushFile() {
	if l.w == nil {
		return
	}
	if err := l.sink.flush(); err != nil {
		l.w = nil
		l.werr = &WriteError{Err: err, Packets: l.sink.packets, Whole: l.sink.whole}
		if l.opts.OnWriteError != nil {
			l.opts.OnWriteError(l.werr)
		}
	}
}

// WriteErr returns why writing Options.Write stopped, or nil if it did not.
func (l *Capture) WriteErr() *WriteError { return l.werr }

// Err returns the error that ended the capture (the interface went away or down, a read
// failed), or nil while it runs and when it was stopped by Close.
func (l *Capture) Err() error { return l.failed }

// readError says why reading failed: the interface went away or down, or the error read
// returned.
func (l *Capture) readError(err error) error {
	if l.ifindex == 0 {
		return fmt.Errorf("capturing on %s: %w", l.opts.Interface, err)
	}
	// A deleted interface is taken down first: give its removal a moment to show.
	for wait := 0; ; wait++ {
		ifc, ierr := net.InterfaceByIndex(l.ifindex)
		switch {
		case ierr != nil || ifc.Name != l.opts.Interface:
			return fmt.Errorf("interface %s %w", l.opts.Interface, ErrInterfaceGone)
		case ifc.Flags&net.FlagUp != 0:
			return fmt.Errorf("capturing on %s: %w", l.opts.Interface, err)
		case wait == 10:
			return fmt.Errorf("interface %s %w", l.opts.Interface, ErrInterfaceDown)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Next reads the next frame into p, reusing p, like pcapfile.Reader.Next: its slices are valid until the next
// call. It returns ErrTimeout when nothing arrived within the poll interval, and after Close an
// error that says the capture is closed. An error that ends the capture (wrapping
// ErrInterfaceGone or ErrInterfaceDown when that is why) is returned from then on, and by Err.
// A frame that cannot be written to Options.Write stops the file, not the capture (see
// Options.OnWriteError).
func (l *Capture) Next(p *capture.Packet) error {
	if l.err != nil {
		return l.err
	}
	data, ci, err := l.src.read()
	if err != nil {
		if err != ErrTimeout {
			err = l.readError(err)
			l.err, l.failed = err, err
		}
		return err
	}
	if l.w != nil {
		l.writeFrame(ci, data)
	}
	l.stats.Frames++
	l.stats.Bytes += int64(len(data))
	*p = capture.Packet{Index: l.stats.Frames, Time: ci.Timestamp, CapLen: len(data), WireLen: max(ci.Length, len(data))}
	p.Truncated = p.CapLen < p.WireLen
	if !l.dec.Decode(data, l.link, p) {
		l.stats.Undecodable++
	}
	l.stats.Corrupt += len(l.dec.Late()) // a source's first packets, found damaged by its later ones
	l.stats.Count(p)
	return nil
}

// Flush writes what the capture file's buffer holds, so that the file on disk is a complete
// capture of every frame returned so far. A failure stops the file, not the capture: it goes to
// Options.OnWriteError and WriteErr, and Flush returns nil.
func (l *Capture) Flush() error {
	l.flushFile()
	return nil
}

// Close stops the capture. With Options.Write it first appends the interface statistics (the
// kernel's received and dropped counts, which Wireshark shows) and flushes the file (a failure
// goes to OnWriteError and WriteErr); it does not close the writer, which belongs to the caller.
func (l *Capture) Close() error {
	if l.w != nil {
		st := pcapgo.NgInterfaceStatistics{LastUpdate: time.Now(), StartTime: l.start, EndTime: time.Now(),
			PacketsReceived: pcapgo.NgNoValue64, PacketsDropped: pcapgo.NgNoValue64}
		if ks, err := l.src.stats(); err == nil {
			st.PacketsReceived, st.PacketsDropped = ks.Received, ks.Dropped
		}
		l.w.WriteInterfaceStats(0, st) // into the sink, which cannot fail
		l.w.Flush()
		l.sink.endBlock(false)
		l.flushFile()
		l.w = nil
	}
	if l.err == nil {
		l.err = fmt.Errorf("the capture on %s is closed", l.opts.Interface)
	}
	return l.src.close()
}

// KernelStats returns the kernel's (or Npcap's) counts since the capture started.
func (l *Capture) KernelStats() (KernelStats, error) { return l.src.stats() }

// Stats returns the counts of the frames read so far.
func (l *Capture) Stats() capture.Stats { return l.stats }

// Interface is the interface captured on.
func (l *Capture) Interface() string { return l.opts.Interface }

// Method names how packets are captured, e.g. "Linux AF_PACKET (TPACKET_V3), kernel BPF filter".
func (l *Capture) Method() string { return l.src.method() }

// LinkTypes names the interface's link type, as pcapfile.Reader.LinkTypes does.
func (l *Capture) LinkTypes() []string { return []string{capture.LinkTypeName(l.src.linkType())} }

// Snaplen is the most bytes of a packet the capture keeps.
func (l *Capture) Snaplen() int { return liveSnaplen }

// Filter is the capture filter in pcap-filter syntax (what tcpdump would take).
func (l *Capture) Filter() string { return l.opts.Filter.Expression() }

// CaptureFilter is the filter the capture was opened with.
func (l *Capture) CaptureFilter() Filter { return l.opts.Filter }
