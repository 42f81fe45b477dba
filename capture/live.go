package capture

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Errors of OpenLive, to be tested with errors.Is. The error returned wraps one of them and says,
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

// ErrTimeout is what Live.Next returns when no packet arrived within the poll interval: nothing is
// wrong, call Next again (after any periodic work).
var ErrTimeout = errors.New("no packet within the poll interval")

// LiveOptions configures a live capture.
type LiveOptions struct {
	// Interface is the network interface to capture on, as `connscope interfaces` lists it.
	Interface string
	// Filter selects the packets the kernel (or Npcap/libpcap) hands over.
	Filter Filter
	// Write, when set, receives every captured frame as a pcapng file. Close flushes it.
	Write io.Writer
	// PollInterval is the longest Next waits for a packet before it returns ErrTimeout (default
	// 200 ms).
	PollInterval time.Duration
}

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

// Live reads decoded packets from a network interface, as Reader does from a file. It is not safe
// for concurrent use: one goroutine calls Next, Flush and Close.
type Live struct {
	opts  LiveOptions
	src   liveSource
	dec   *decoder
	link  linkKind
	stats Stats
	w     *pcapgo.NgWriter
	start time.Time
	err   error
}

// OpenLive starts capturing on an interface with the given filter. It needs root or CAP_NET_RAW on
// Linux, and Npcap on Windows; failures wrap ErrNoInterface, ErrPermission or
// ErrCaptureUnavailable with a message that says what is needed.
func OpenLive(opts LiveOptions) (*Live, error) {
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
	l := &Live{opts: opts, src: src, dec: newDecoder(), link: linkKindOf(src.linkType())}
	if err := l.startWriter(); err != nil {
		src.close()
		return nil, err
	}
	return l, nil
}

// startWriter starts the pcapng file of LiveOptions.Write, if any, and flushes its header so that
// the file is a valid, empty capture from the start.
func (l *Live) startWriter() error {
	l.start = time.Now()
	if l.opts.Write == nil {
		return nil
	}
	intf := pcapgo.NgInterface{Name: l.opts.Interface, Filter: l.opts.Filter.Expression(), OS: runtime.GOOS,
		LinkType: l.src.linkType(), SnapLength: liveSnaplen, TimestampResolution: 9}
	info := pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Hardware: runtime.GOARCH, OS: runtime.GOOS, Application: "connscope capture"}}
	w, err := pcapgo.NewNgWriterInterface(l.opts.Write, intf, info)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return fmt.Errorf("writing the capture file: %w", err)
	}
	l.w = w
	return nil
}

// Next reads the next frame into p, reusing p, like Reader.Next: its slices are valid until the next
// call. It returns ErrTimeout when nothing arrived within the poll interval, and after Close an
// error that says the capture is closed. A frame that cannot be written to LiveOptions.Write stops
// the capture with that error.
func (l *Live) Next(p *Packet) error {
	if l.err != nil {
		return l.err
	}
	data, ci, err := l.src.read()
	if err != nil {
		if err != ErrTimeout {
			err = fmt.Errorf("capturing on %s: %w", l.opts.Interface, err)
		}
		return err
	}
	if l.w != nil {
		ci.InterfaceIndex = 0
		if err := l.w.WritePacket(ci, data); err != nil {
			l.err = fmt.Errorf("writing the capture file: %w", err)
			return l.err
		}
	}
	l.stats.Frames++
	l.stats.Bytes += int64(len(data))
	*p = Packet{Index: l.stats.Frames, Time: ci.Timestamp, CapLen: len(data), WireLen: max(ci.Length, len(data))}
	p.Truncated = p.CapLen < p.WireLen
	if !l.dec.decode(data, l.link, p) {
		l.stats.Undecodable++
	}
	l.stats.count(p)
	return nil
}

// Flush writes what the capture file's buffer holds, so that the file on disk is a complete
// capture of every frame returned so far.
func (l *Live) Flush() error {
	if l.w == nil {
		return nil
	}
	if err := l.w.Flush(); err != nil {
		return fmt.Errorf("writing the capture file: %w", err)
	}
	return nil
}

// Close stops the capture. With LiveOptions.Write it first appends the interface statistics (the
// kernel's received and dropped counts, which Wireshark shows) and flushes the file; it does not
// close the writer, which belongs to the caller.
func (l *Live) Close() error {
	var werr error
	if l.w != nil {
		st := pcapgo.NgInterfaceStatistics{LastUpdate: time.Now(), StartTime: l.start, EndTime: time.Now(),
			PacketsReceived: pcapgo.NgNoValue64, PacketsDropped: pcapgo.NgNoValue64}
		if ks, err := l.src.stats(); err == nil {
			st.PacketsReceived, st.PacketsDropped = ks.Received, ks.Dropped
		}
		werr = l.w.WriteInterfaceStats(0, st)
		if err := l.Flush(); werr == nil {
			werr = err
		}
		if werr != nil {
			werr = fmt.Errorf("writing the capture file: %w", werr)
		}
		l.w = nil
	}
	if l.err == nil {
		l.err = fmt.Errorf("the capture on %s is closed", l.opts.Interface)
	}
	if err := l.src.close(); err != nil && werr == nil {
		return err
	}
	return werr
}

// KernelStats returns the kernel's (or Npcap's) counts since the capture started.
func (l *Live) KernelStats() (KernelStats, error) { return l.src.stats() }

// Stats returns the counts of the frames read so far.
func (l *Live) Stats() Stats { return l.stats }

// Interface is the interface captured on.
func (l *Live) Interface() string { return l.opts.Interface }

// Method names how packets are captured, e.g. "Linux AF_PACKET (TPACKET_V3), kernel BPF filter".
func (l *Live) Method() string { return l.src.method() }

// LinkTypes names the interface's link type, as Reader.LinkTypes does.
func (l *Live) LinkTypes() []string { return []string{linkTypeName(l.src.linkType())} }

// Snaplen is the most bytes of a packet the capture keeps.
func (l *Live) Snaplen() int { return liveSnaplen }

// Filter is the capture filter in pcap-filter syntax (what tcpdump would take).
func (l *Live) Filter() string { return l.opts.Filter.Expression() }
