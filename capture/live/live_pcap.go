//go:build windows || (cgo && !linux)

package live

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
)

// pcapSource captures through libpcap (macOS, BSD; built with cgo) or Npcap (Windows: gopacket
// loads wpcap.dll at run time, no cgo). Npcap/libpcap compile the filter's pcap-filter expression
// for the interface's link type and set it before the first packet is read.
type pcapSource struct {
	h *pcap.Handle
}

func openSource(opts Options) (liveSource, error) {
	ih, err := pcap.NewInactiveHandle(opts.Interface)
	if err != nil {
		return nil, pcapOpenError(opts.Interface, err)
	}
	defer ih.CleanUp()
	for _, set := range []func() error{
		func() error { return ih.SetSnapLen(liveSnaplen) },
		func() error { return ih.SetPromisc(false) },
		func() error { return ih.SetTimeout(opts.PollInterval) },
		func() error { return ih.SetImmediateMode(true) },
		func() error { return ih.SetBufferSize(16 << 20) },
	} {
		if err := set(); err != nil {
			return nil, pcapOpenError(opts.Interface, err)
		}
	}
	h, err := ih.Activate()
	if err != nil {
		return nil, pcapOpenError(opts.Interface, err)
	}
	if err := h.SetBPFFilter(opts.Filter.Expression()); err != nil {
		h.Close()
		return nil, fmt.Errorf("%w: setting the filter %q on %s: %v", ErrCaptureUnavailable, opts.Filter.Expression(), opts.Interface, err)
	}
	return &pcapSource{h: h}, nil
}

// pcapOpenError sorts a libpcap/Npcap error into ErrNoInterface, ErrPermission or
// ErrCaptureUnavailable, with what to do.
func pcapOpenError(iface string, err error) error {
	msg := err.Error()
	low := strings.ToLower(msg)
	switch {
	case strings.Contains(low, "wpcap.dll") || strings.Contains(low, "packet.dll"):
		return fmt.Errorf("%w: Npcap is not installed (%s): install Npcap (the Wireshark installer includes it) and run again", ErrCaptureUnavailable, msg)
	case strings.Contains(low, "permission") || strings.Contains(low, "denied") || strings.Contains(low, "not permitted"):
		hint := "run it as root (sudo)"
		if runtime.GOOS == "windows" {
			hint = "run it from an administrator prompt (Npcap was installed for administrators only)"
		}
		return fmt.Errorf("%w on %s (%s): %s", ErrPermission, iface, msg, hint)
	case strings.Contains(low, "no such device") || strings.Contains(low, "doesn't exist") || strings.Contains(low, "no such") || strings.Contains(low, "not found"):
		return fmt.Errorf("%w %q (%s): run 'connscope interfaces' to list the interfaces (on Windows the Npcap names, \\Device\\NPF_{...})", ErrNoInterface, iface, msg)
	}
	return fmt.Errorf("%w: opening %s: %v", ErrCaptureUnavailable, iface, err)
}

func (s *pcapSource) read() ([]byte, gopacket.CaptureInfo, error) {
	data, ci, err := s.h.ZeroCopyReadPacketData()
	if errors.Is(err, pcap.NextErrorTimeoutExpired) {
		return nil, ci, ErrTimeout
	}
	return data, ci, err
}

func (s *pcapSource) stats() (KernelStats, error) {
	st, err := s.h.Stats()
	if err != nil {
		return KernelStats{}, err
	}
	return KernelStats{Received: uint64(st.PacketsReceived), Dropped: uint64(st.PacketsDropped + st.PacketsIfDropped)}, nil
}

func (s *pcapSource) linkType() layers.LinkType { return s.h.LinkType() }

func (s *pcapSource) method() string {
	if runtime.GOOS == "windows" {
		return "Npcap (" + pcap.Version() + "), BPF filter"
	}
	return "libpcap (" + pcap.Version() + "), BPF filter"
}

func (s *pcapSource) close() error {
	s.h.Close()
	return nil
}

// listInterfaces lists the devices Npcap/libpcap can capture on, with their addresses.
func listInterfaces() ([]Interface, error) {
	devs, err := pcap.FindAllDevs()
	if err != nil {
		return nil, pcapOpenError("any interface", err)
	}
	out := make([]Interface, 0, len(devs))
	for _, d := range devs {
		it := Interface{Name: d.Name, Description: d.Description, Up: d.Flags&pcapIfUp != 0, Loopback: d.Flags&pcapIfLoopback != 0}
		for _, a := range d.Addresses {
			if p, ok := prefixOf(&net.IPNet{IP: a.IP, Mask: a.Netmask}); ok {
				it.Addrs = append(it.Addrs, p)
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// pcap_if_t flags (pcap/pcap.h).
const (
	pcapIfLoopback = 0x1
	pcapIfUp       = 0x2
)
