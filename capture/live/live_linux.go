//go:build linux

package live

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/afpacket"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
)

// Ring of the AF_PACKET socket: 16 blocks of 1 MiB (16 MiB of kernel memory), each holding many
// packets or one whole 256 KiB offload super-frame; a block is handed over when full or after
// ringBlockTimeout.
const (
	ringBlockSize    = 1 << 20
	ringBlocks       = 16
	ringBlockTimeout = 50 * time.Millisecond
)

// afpacketSource captures with an AF_PACKET socket and a TPACKET_V3 ring (no libpcap, no cgo). The
// kernel runs the filter program; check runs the same program in user space on each frame, for
// the frames queued between the socket's creation and the filter's attachment.
type afpacketSource struct {
	tp     *afpacket.TPacket
	lt     layers.LinkType
	check  *bpf.VM
	dropLo bool
}

func openSource(opts Options) (liveSource, error) {
	ifc, err := net.InterfaceByName(opts.Interface)
	if err != nil {
		return nil, fmt.Errorf("%w %q: run 'connscope interfaces' to list the interfaces", ErrNoInterface, opts.Interface)
	}
	layout, lt, err := interfaceLayout(ifc)
	if err != nil {
		return nil, err
	}
	loopback := ifc.Flags&net.FlagLoopback != 0
	prog, err := opts.Filter.program(layout, loopback)
	if err != nil {
		return nil, err
	}
	userProg, _ := opts.Filter.program(layout, false) // the VM lacks the packet-type extension
	ins, _ := bpf.Disassemble(userProg)
	vm, err := bpf.NewVM(ins)
	if err != nil {
		return nil, fmt.Errorf("filter program: %w", err)
	}
	tp, err := afpacket.NewTPacket(afpacket.OptInterface(opts.Interface), afpacket.OptTPacketVersion(afpacket.TPacketVersion3),
		afpacket.OptFrameSize(1<<16), afpacket.OptBlockSize(ringBlockSize), afpacket.OptNumBlocks(ringBlocks),
		afpacket.OptBlockTimeout(ringBlockTimeout), afpacket.OptPollTimeout(opts.PollInterval))
	if err != nil {
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
			return nil, fmt.Errorf("%w on %s: capturing needs root or the CAP_NET_RAW capability: run it with sudo, or once 'sudo setcap cap_net_raw+ep %s'", ErrPermission, opts.Interface, executable())
		}
		return nil, fmt.Errorf("%w: opening an AF_PACKET socket on %s: %v", ErrCaptureUnavailable, opts.Interface, err)
	}
	if err := tp.SetBPF(prog); err != nil {
		tp.Close()
		return nil, fmt.Errorf("%w: attaching the filter to %s: %v", ErrCaptureUnavailable, opts.Interface, err)
	}
	return &afpacketSource{tp: tp, lt: lt, check: vm, dropLo: loopback}, nil
}

// interfaceLayout tells the frame layout of an interface from its ARPHRD type.
func interfaceLayout(ifc *net.Interface) (int, layers.LinkType, error) {
	typ := -1
	if b, err := os.ReadFile("/sys/class/net/" + ifc.Name + "/type"); err == nil {
		typ, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	switch {
	case typ == 1 || typ == 772 || (typ == -1 && len(ifc.HardwareAddr) == 6): // ARPHRD_ETHER, ARPHRD_LOOPBACK
		return frameEthernet, layers.LinkTypeEthernet, nil
	case typ == 65534 || (typ == -1 && len(ifc.HardwareAddr) == 0): // ARPHRD_NONE: tun, WireGuard
		return frameRawIP, layers.LinkTypeRaw, nil
	}
	return 0, 0, fmt.Errorf("%w: interface %s has hardware type %d, which connscope cannot capture on (Ethernet, loopback and raw-IP tunnels only): capture with tcpdump -w and run connscope analyze", ErrCaptureUnavailable, ifc.Name, typ)
}

func (s *afpacketSource) read() ([]byte, gopacket.CaptureInfo, error) {
	for {
		data, ci, err := s.tp.ZeroCopyReadPacketData()
		switch {
		case err == afpacket.ErrTimeout:
			return nil, ci, ErrTimeout
		case err != nil:
			return nil, ci, err
		}
		if n, err := s.check.Run(data); err == nil && n == 0 {
			continue // queued before the kernel filter was attached
		}
		return data, ci, nil
	}
}

func (s *afpacketSource) stats() (KernelStats, error) {
	_, v3, err := s.tp.SocketStats()
	if err != nil {
		return KernelStats{}, err
	}
	return KernelStats{Received: uint64(v3.Packets()), Dropped: uint64(v3.Drops())}, nil
}

func (s *afpacketSource) linkType() layers.LinkType { return s.lt }

func (s *afpacketSource) method() string {
	m := "Linux AF_PACKET (TPACKET_V3 ring), kernel BPF filter"
	if s.dropLo {
		m += ", outgoing loopback copies dropped"
	}
	return m
}

func (s *afpacketSource) close() error {
	s.tp.Close()
	return nil
}

// executable names this program for messages.
func executable() string {
	if p, err := os.Executable(); err == nil {
		return p
	}
	return "connscope"
}
