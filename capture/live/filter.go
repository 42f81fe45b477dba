package live

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/connscope/connscope/capture"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
)

// Filter says which packets a live capture keeps, so that other traffic never reaches user space:
// TCP segments to or from the watched ports (every TCP segment when Ports is empty), of the watched
// hosts only when Hosts is set, the ICMP and ICMPv6 errors that may quote them (destination
// unreachable, time exceeded, parameter problem, packet too big), and DNS over UDP (port 53, of
// any host), whose lookups of the server's name the analysis follows.
type Filter struct {
	Ports []uint16
	Hosts []netip.Addr
}

// Limits of a Filter, which keep the kernel program small (a few hundred instructions at most).
const (
	MaxFilterPorts = 64
	MaxFilterHosts = 16
)

// liveSnaplen is the most bytes of a packet a live capture keeps: libpcap's MAXIMUM_SNAPLEN, so
// that segmentation-offload super-frames on the capturing host are kept whole.
const liveSnaplen = 262144

// check reports a filter too large for the kernel program.
func (f Filter) check() error {
	if len(f.Ports) > MaxFilterPorts {
		return fmt.Errorf("%d ports given: a live capture watches at most %d", len(f.Ports), MaxFilterPorts)
	}
	if len(f.Hosts) > MaxFilterHosts {
		return fmt.Errorf("%d hosts given: a live capture watches at most %d", len(f.Hosts), MaxFilterHosts)
	}
	return nil
}

// Expression returns the filter in pcap-filter syntax, as tcpdump takes it, e.g.
// "(tcp port 4343) or icmp[0] == 3 or ...". It is what libpcap and Npcap compile.
func (f Filter) Expression() string {
	texts, hosts := f.Pieces()
	var b strings.Builder
	for i, t := range texts {
		if i > 0 {
			b.WriteString(hosts[i-1].String())
		}
		b.WriteString(t)
	}
	return b.String()
}

// Pieces returns Expression in pieces: the program text before, between and after the host
// addresses it names, so that a report can show the addresses redacted. texts has one more
// element than hosts; Expression is texts[0] + hosts[0] + texts[1] + ... + texts[len(hosts)].
func (f Filter) Pieces() (texts []string, hosts []netip.Addr) {
	tcp := "(tcp"
	if len(f.Ports) > 0 {
		ps := make([]string, len(f.Ports))
		for i, p := range f.Ports {
			ps[i] = fmt.Sprintf("port %d", p)
		}
		tcp += " and (" + strings.Join(ps, " or ") + ")"
	}
	// The TCP part once, in pieces: its hosts stand between them.
	one := []string{tcp}
	if len(f.Hosts) > 0 {
		one[0] += " and (host "
		for range f.Hosts[1:] {
			one = append(one, " or host ")
		}
		one = append(one, "))")
	} else {
		one[0] += ")"
	}
	rest := " or (icmp and (icmp[0] == 3 or icmp[0] == 11 or icmp[0] == 12) and ip[6:2] & 0x1fff == 0)" +
		" or (icmp6 and ip6[40] >= 1 and ip6[40] <= 4) or (udp port 53)"
	one[len(one)-1] += rest
	// Each "vlan" moves libpcap's offsets past one more tag: up to two, as the kernel program:
	// one + " or (vlan and (" + one + " or (vlan and (" + one + "))))".
	joins := []string{"", " or (vlan and (", " or (vlan and (", "))))"}
	texts = []string{""}
	for k := range 3 {
		texts[len(texts)-1] += joins[k] + one[0]
		texts = append(texts, one[1:]...)
		hosts = append(hosts, f.Hosts...)
	}
	texts[len(texts)-1] += joins[3]
	return texts, hosts
}

// The IP protocol numbers and ICMP and ICMPv6 types the kernel program tests, as operands of its
// instructions.
const (
	protoHopByHop = uint32(layers.IPProtocolIPv6HopByHop)
	protoICMP     = uint32(layers.IPProtocolICMPv4)
	protoTCP      = uint32(layers.IPProtocolTCP)
	protoUDP      = uint32(layers.IPProtocolUDP)
	protoRouting  = uint32(layers.IPProtocolIPv6Routing)
	protoFragment = uint32(layers.IPProtocolIPv6Fragment)
	protoICMPv6   = uint32(layers.IPProtocolICMPv6)
	protoDstOpts  = uint32(layers.IPProtocolIPv6Destination)

	icmpDestUnreachable  = uint32(layers.ICMPv4TypeDestinationUnreachable)
	icmpTimeExceeded     = uint32(layers.ICMPv4TypeTimeExceeded)
	icmpParamProblem     = uint32(layers.ICMPv4TypeParameterProblem)
	icmp6DestUnreachable = uint32(layers.ICMPv6TypeDestinationUnreachable)
	icmp6ParamProblem    = uint32(layers.ICMPv6TypeParameterProblem)
)

// Frame layouts the kernel program is built for.
const (
	frameEthernet = iota // Ethernet, with up to two 802.1Q / 802.1ad tags
	frameRawIP           // raw IPv4 or IPv6 (tun devices, WireGuard)
)

// program assembles the filter as a classic BPF program for frames of the given layout. With
// dropOutgoing it first drops the packets the host sends (for loopback, where every packet is seen
// twice: once outgoing, once incoming).
func (f Filter) program(frames int, dropOutgoing bool) ([]bpf.RawInstruction, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	var a assembler
	if dropOutgoing {
		a.ins(bpf.LoadExtension{Num: bpf.ExtType})
		a.jump(bpf.JumpEqual, 4, "reject", "") // PACKET_OUTGOING
	}
	switch frames {
	case frameEthernet:
		// Ethertype, then up to two VLAN tags: each block dispatches on the type at its offset.
		for _, l2 := range []uint32{14, 18, 22} {
			a.label(fmt.Sprintf("eth%d", l2))
			a.ins(bpf.LoadAbsolute{Off: l2 - 2, Size: 2})
			if l2 < 22 {
				a.jump(bpf.JumpEqual, 0x8100, fmt.Sprintf("eth%d", l2+4), "")
				a.jump(bpf.JumpEqual, 0x88a8, fmt.Sprintf("eth%d", l2+4), "")
			}
			a.jump(bpf.JumpEqual, 0x0800, fmt.Sprintf("ip4@%d", l2), "")
			a.jump(bpf.JumpEqual, 0x86dd, fmt.Sprintf("ip6@%d", l2), "reject")
		}
		for _, l2 := range []uint32{14, 18, 22} {
			f.ipv4(&a, l2)
			f.ipv6(&a, l2)
		}
	case frameRawIP:
		a.ins(bpf.LoadAbsolute{Off: 0, Size: 1})
		a.ins(bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xf0})
		a.jump(bpf.JumpEqual, 0x40, "ip4@0", "")
		a.jump(bpf.JumpEqual, 0x60, "ip6@0", "reject")
		f.ipv4(&a, 0)
		f.ipv6(&a, 0)
	default:
		return nil, fmt.Errorf("no filter program for frame layout %d", frames)
	}
	a.label("accept")
	a.ins(bpf.RetConstant{Val: liveSnaplen})
	a.label("reject")
	a.ins(bpf.RetConstant{Val: 0})
	return a.assemble()
}

// ipv4 emits the checks for an IPv4 packet at offset l3: a TCP segment (not a later fragment) of
// the watched hosts and ports, or an ICMP error.
func (f Filter) ipv4(a *assembler, l3 uint32) {
	at := func(s string) string { return fmt.Sprintf("%s@%d", s, l3) }
	a.label(at("ip4"))
	a.ins(bpf.LoadAbsolute{Off: l3 + 6, Size: 2})
	a.jump(bpf.JumpBitsSet, 0x1fff, "reject", "") // a later fragment: no transport header
	a.ins(bpf.LoadAbsolute{Off: l3 + 9, Size: 1})
	a.jump(bpf.JumpEqual, protoICMP, at("icmp4"), "")
	a.jump(bpf.JumpEqual, protoUDP, at("udp4"), "")
	a.jump(bpf.JumpEqual, protoTCP, "", "reject")
	if hosts := addrsOf(f.Hosts, true); len(hosts) > 0 {
		for _, off := range []uint32{l3 + 12, l3 + 16} {
			a.ins(bpf.LoadAbsolute{Off: off, Size: 4})
			for _, h := range hosts {
				b := h.As4()
				a.jump(bpf.JumpEqual, be32(b[:]), at("ports4"), "")
			}
		}
		a.goTo("reject")
	} else if len(f.Hosts) > 0 {
		a.goTo("reject") // only IPv6 hosts are watched
	}
	a.label(at("ports4"))
	a.ins(bpf.LoadMemShift{Off: l3})
	f.ports(a, bpf.LoadIndirect{Off: l3, Size: 2}, bpf.LoadIndirect{Off: l3 + 2, Size: 2})
	a.label(at("udp4"))
	a.ins(bpf.LoadMemShift{Off: l3})
	dnsPorts(a, bpf.LoadIndirect{Off: l3, Size: 2}, bpf.LoadIndirect{Off: l3 + 2, Size: 2})
	a.label(at("icmp4"))
	a.ins(bpf.LoadMemShift{Off: l3})
	a.ins(bpf.LoadIndirect{Off: l3, Size: 1})
	a.jump(bpf.JumpEqual, icmpDestUnreachable, "accept", "")
	a.jump(bpf.JumpEqual, icmpTimeExceeded, "accept", "")
	a.jump(bpf.JumpEqual, icmpParamProblem, "accept", "reject")
}

// ipv6 emits the checks for an IPv6 packet at offset l3: a TCP segment of the watched hosts and
// ports or an ICMPv6 error, behind at most ipv6ExtSteps hop-by-hop, routing, destination-options
// or (first-)fragment headers. X holds the extension headers' length, so that the transport
// header is at l3+40+X.
func (f Filter) ipv6(a *assembler, l3 uint32) {
	at := func(s string) string { return fmt.Sprintf("%s@%d", s, l3) }
	a.label(at("ip6"))
	a.ins(bpf.LoadAbsolute{Off: l3 + 6, Size: 1})
	a.ins(bpf.LoadConstant{Dst: bpf.RegX, Val: 0})
	for k := range ipv6ExtSteps {
		ext, frag, next := fmt.Sprintf("ext%d", k), fmt.Sprintf("frag%d", k), at(fmt.Sprintf("step%d", k+1))
		a.jump(bpf.JumpEqual, protoHopByHop, at(ext), "")
		a.jump(bpf.JumpEqual, protoRouting, at(ext), "")
		a.jump(bpf.JumpEqual, protoDstOpts, at(ext), "")
		a.jump(bpf.JumpEqual, protoFragment, at(frag), at("l4"))
		a.label(at(ext)) // X += (hdr ext len + 1) * 8; A = its next header
		a.ins(bpf.LoadIndirect{Off: l3 + 41, Size: 1})
		a.ins(bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 1})
		a.ins(bpf.ALUOpConstant{Op: bpf.ALUOpShiftLeft, Val: 3})
		a.ins(bpf.ALUOpX{Op: bpf.ALUOpAdd})
		a.ins(bpf.StoreScratch{Src: bpf.RegA, N: 1})
		a.ins(bpf.LoadIndirect{Off: l3 + 40, Size: 1})
		a.ins(bpf.LoadScratch{Dst: bpf.RegX, N: 1})
		a.goTo(next)
		a.label(at(frag)) // only a first fragment carries the transport header
		a.ins(bpf.LoadIndirect{Off: l3 + 42, Size: 2})
		a.jump(bpf.JumpBitsSet, 0xfff8, "reject", "")
		a.ins(bpf.TXA{})
		a.ins(bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 8})
		a.ins(bpf.StoreScratch{Src: bpf.RegA, N: 1})
		a.ins(bpf.LoadIndirect{Off: l3 + 40, Size: 1})
		a.ins(bpf.LoadScratch{Dst: bpf.RegX, N: 1})
		a.label(next)
	}
	a.label(at("l4"))
	a.jump(bpf.JumpEqual, protoICMPv6, at("icmp6"), "")
	a.jump(bpf.JumpEqual, protoUDP, at("udp6"), "")
	a.jump(bpf.JumpEqual, protoTCP, "", "reject")
	if hosts := addrsOf(f.Hosts, false); len(hosts) > 0 {
		for i, off := range []uint32{l3 + 8, l3 + 24} {
			for j, h := range hosts {
				b := h.As16()
				miss := fmt.Sprintf("h6-%d-%d@%d", i, j, l3)
				for w := range 4 {
					a.ins(bpf.LoadAbsolute{Off: off + uint32(4*w), Size: 4})
					a.jump(bpf.JumpEqual, be32(b[4*w:]), "", miss)
				}
				a.goTo(at("ports6"))
				a.label(miss)
			}
		}
		a.goTo("reject")
	} else if len(f.Hosts) > 0 {
		a.goTo("reject") // only IPv4 hosts are watched
	}
	a.label(at("ports6"))
	f.ports(a, bpf.LoadIndirect{Off: l3 + 40, Size: 2}, bpf.LoadIndirect{Off: l3 + 42, Size: 2})
	a.label(at("udp6"))
	dnsPorts(a, bpf.LoadIndirect{Off: l3 + 40, Size: 2}, bpf.LoadIndirect{Off: l3 + 42, Size: 2})
	a.label(at("icmp6"))
	a.ins(bpf.LoadIndirect{Off: l3 + 40, Size: 1})
	a.jump(bpf.JumpLessThan, icmp6DestUnreachable, "reject", "")
	a.jump(bpf.JumpGreaterThan, icmp6ParamProblem, "reject", "accept")
}

// ipv6ExtSteps is how many IPv6 extension headers the kernel program steps over.
const ipv6ExtSteps = 3

// ports emits the port test: accept when the source or destination port is watched.
func (f Filter) ports(a *assembler, src, dst bpf.Instruction) {
	if len(f.Ports) == 0 {
		a.goTo("accept")
		return
	}
	for _, load := range []bpf.Instruction{src, dst} {
		a.ins(load)
		for _, p := range f.Ports {
			a.jump(bpf.JumpEqual, uint32(p), "accept", "")
		}
	}
	a.goTo("reject")
}

// dnsPorts emits the DNS test: accept when the source or destination port is 53.
func dnsPorts(a *assembler, src, dst bpf.Instruction) {
	a.ins(src)
	a.jump(bpf.JumpEqual, capture.DNSPort, "accept", "")
	a.ins(dst)
	a.jump(bpf.JumpEqual, capture.DNSPort, "accept", "reject")
}

func addrsOf(hosts []netip.Addr, v4 bool) []netip.Addr {
	var out []netip.Addr
	for _, h := range hosts {
		h = h.Unmap()
		if h.Is4() == v4 {
			out = append(out, h)
		}
	}
	return out
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// assembler builds a classic BPF program with named jump targets. Jumps only go forward; a
// conditional jump whose target lies beyond the 255 instructions it can skip becomes a short jump
// over an unconditional one.
type assembler struct {
	items  []asmItem
	labels map[string]int // label -> index into items of the next instruction
}

type asmItem struct {
	ins     bpf.Instruction // a plain instruction, when cond is nil
	cond    *bpf.JumpTest
	val     uint32
	yes, no string // targets; "" is the next instruction
	long    bool   // emitted as jcond / ja yes / ja no
	always  bool   // an unconditional jump to yes
}

func (a *assembler) ins(i bpf.Instruction) { a.items = append(a.items, asmItem{ins: i}) }

func (a *assembler) label(name string) {
	if a.labels == nil {
		a.labels = map[string]int{}
	}
	a.labels[name] = len(a.items)
}

// jump adds a conditional jump to yes or no ("" for the next instruction).
func (a *assembler) jump(cond bpf.JumpTest, val uint32, yes, no string) {
	c := cond
	a.items = append(a.items, asmItem{cond: &c, val: val, yes: yes, no: no})
}

// goTo adds an unconditional jump.
func (a *assembler) goTo(label string) { a.items = append(a.items, asmItem{always: true, yes: label}) }

func (a *assembler) assemble() ([]bpf.RawInstruction, error) {
	for range 64 {
		pos := make([]int, len(a.items)+1) // instruction index of each item; pos[len] = end
		for i, it := range a.items {
			n := 1
			if it.long {
				n = 3
			}
			pos[i+1] = pos[i] + n
		}
		target := func(name string, next int) (int, error) {
			if name == "" {
				return next, nil
			}
			i, ok := a.labels[name]
			if !ok {
				return 0, fmt.Errorf("filter program: no label %q", name)
			}
			if pos[i] < next {
				return 0, fmt.Errorf("filter program: label %q lies behind its jump", name)
			}
			return pos[i], nil
		}

		var out []bpf.Instruction
		grew := false
		for i, it := range a.items {
			next := pos[i+1]
			switch {
			case it.cond == nil && !it.always:
				out = append(out, it.ins)
			case it.always:
				t, err := target(it.yes, next)
				if err != nil {
					return nil, err
				}
				out = append(out, bpf.Jump{Skip: uint32(t - pos[i] - 1)})
			default:
				yes, err := target(it.yes, next)
				if err != nil {
					return nil, err
				}
				no, err := target(it.no, next)
				if err != nil {
					return nil, err
				}
				if it.long {
					out = append(out, bpf.JumpIf{Cond: *it.cond, Val: it.val, SkipTrue: 0, SkipFalse: 1},
						bpf.Jump{Skip: uint32(yes - pos[i] - 2)}, bpf.Jump{Skip: uint32(no - pos[i] - 3)})
					continue
				}
				st, sf := yes-pos[i]-1, no-pos[i]-1
				if st > 255 || sf > 255 {
					a.items[i].long = true
					grew = true
					continue
				}
				out = append(out, bpf.JumpIf{Cond: *it.cond, Val: it.val, SkipTrue: uint8(st), SkipFalse: uint8(sf)})
			}
		}
		if grew {
			continue
		}
		raw, err := bpf.Assemble(out)
		if err != nil {
			return nil, fmt.Errorf("filter program: %w", err)
		}
		return raw, nil
	}
	return nil, fmt.Errorf("filter program: jumps did not settle")
}
