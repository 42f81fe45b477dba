package live

import (
	"bufio"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/net/bpf"
)

// tsharkFrame is what tshark 4.0 read from one frame (the FILE.tshark.tsv beside each capture).
type tsharkFrame struct {
	addrs            []string // ip.src, ip.dst, ipv6.src, ipv6.dst (outer header)
	srcPort, dstPort string   // tcp.srcport, tcp.dstport (empty: no TCP header dissected)
	icmpType         string   // icmp.type of the outer ICMP message
	icmp6Type        string
}

func readTsharkFrames(t *testing.T, path string) []tsharkFrame {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	sc.Scan()
	col := map[string]int{}
	for i, name := range strings.Split(sc.Text(), "\t") {
		col[name] = i
	}
	first := func(c []string, name string) string {
		v, _, _ := strings.Cut(c[col[name]], ";")
		return v
	}
	var out []tsharkFrame
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		out = append(out, tsharkFrame{
			addrs:   []string{first(c, "ip.src"), first(c, "ip.dst"), first(c, "ipv6.src"), first(c, "ipv6.dst")},
			srcPort: first(c, "tcp.srcport"), dstPort: first(c, "tcp.dstport"),
			icmpType: first(c, "icmp.type"), icmp6Type: first(c, "icmpv6.type"),
		})
	}
	return out
}

// wants is the filter's meaning, applied to tshark's reading of a frame: the oracle.
func (f Filter) wants(fr tsharkFrame) bool {
	switch {
	case fr.icmpType != "":
		return fr.icmpType == "3" || fr.icmpType == "11" || fr.icmpType == "12"
	case fr.icmp6Type != "":
		n, _ := strconv.Atoi(fr.icmp6Type)
		return n >= 1 && n <= 4
	case fr.srcPort == "":
		return false
	}
	portOK := len(f.Ports) == 0
	for _, p := range f.Ports {
		ps := strconv.Itoa(int(p))
		portOK = portOK || fr.srcPort == ps || fr.dstPort == ps
	}
	hostOK := len(f.Hosts) == 0
	for _, h := range f.Hosts {
		hostOK = hostOK || slices.Contains(fr.addrs, h.String())
	}
	return portOK && hostOK
}

// TestFilterProgramAgainstTshark runs the kernel filter program in x/net/bpf's BPF VM over every
// frame of captures made by real stacks (and their VLAN, QinQ, raw-IP, fragment, ICMP and padded
// variants) and requires it to accept exactly the frames that tshark's reading of them says the
// filter wants: TCP on a watched port (of a watched host), or an ICMP/ICMPv6 error.
func TestFilterProgramAgainstTshark(t *testing.T) {
	files := []string{"tls-veth.pcap", "vlan.pcap", "qinq.pcap", "eth-padded.pcap", "icmp-synth.pcap", "ipfrag.pcap", "raw-ip.pcap"}
	filters := []struct {
		name string
		f    Filter
	}{
		{"port 4343", Filter{Ports: []uint16{4343}}},
		{"ports 443,4343,8080", Filter{Ports: []uint16{443, 4343, 8080}}},
		{"port 443 (none)", Filter{Ports: []uint16{443}}},
		{"every port", Filter{}},
		{"port 4343 host v4", Filter{Ports: []uint16{4343}, Hosts: []netip.Addr{netip.MustParseAddr("10.99.0.2")}}},
		{"port 4343 host v6", Filter{Ports: []uint16{4343}, Hosts: []netip.Addr{netip.MustParseAddr("fd00:99::2")}}},
		{"port 4343 other host", Filter{Ports: []uint16{4343}, Hosts: []netip.Addr{netip.MustParseAddr("10.99.0.9"), netip.MustParseAddr("fd00:99::9")}}},
	}
	for _, file := range files {
		frames := readTsharkFrames(t, filepath.Join("../testdata", file+".tshark.tsv"))
		data, lt := rawFrames(t, filepath.Join("../testdata", file))
		if len(data) != len(frames) {
			t.Fatalf("%s: %d frames, tshark read %d", file, len(data), len(frames))
		}
		layout := frameEthernet
		if lt == layers.LinkTypeRaw {
			layout = frameRawIP
		}
		for _, fc := range filters {
			prog, err := fc.f.program(layout, false)
			if err != nil {
				t.Fatal(err)
			}
			vm := newVM(t, prog)
			accepted, wanted := 0, 0
			for i, frame := range data {
				n, err := vm.Run(frame)
				if err != nil {
					t.Fatalf("%s frame %d: %v", file, i+1, err)
				}
				want := fc.f.wants(frames[i])
				if want {
					wanted++
				}
				if n > 0 {
					accepted++
					if n != liveSnaplen {
						t.Errorf("%s frame %d: accepted with snaplen %d, want %d", file, i+1, n, liveSnaplen)
					}
				}
				if (n > 0) != want {
					t.Errorf("%s, filter %s, frame %d: accepted=%v, tshark's reading says %v (%+v)", file, fc.name, i+1, n > 0, want, frames[i])
				}
			}
			t.Logf("%-16s %-22s accepted %3d of %3d frames (tshark: %d)", file, fc.name, accepted, len(data), wanted)
			if fc.name == "port 4343" && accepted == 0 {
				t.Errorf("%s: the filter accepted nothing", file)
			}
		}
	}
}

// TestFilterProgramCases checks hand-made frames the captures lack: UDP on the watched port, DNS,
// ICMP echo, ARP, a later IPv4 fragment, an IPv6 later fragment, TCP behind two IPv6 extension
// headers, and VLAN-tagged IPv6.
func TestFilterProgramCases(t *testing.T) {
	eth := func(et layers.EthernetType) *layers.Ethernet {
		return &layers.Ethernet{SrcMAC: []byte{2, 0, 0, 0, 0, 1}, DstMAC: []byte{2, 0, 0, 0, 0, 2}, EthernetType: et}
	}
	ip4 := func(proto layers.IPProtocol) *layers.IPv4 {
		return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: proto, SrcIP: []byte{10, 55, 0, 1}, DstIP: []byte{10, 55, 0, 2}}
	}
	ip6 := func(next layers.IPProtocol) *layers.IPv6 {
		return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: next,
			SrcIP: netip.MustParseAddr("fd00:55::1").AsSlice(), DstIP: netip.MustParseAddr("fd00:55::2").AsSlice()}
	}
	tcp := &layers.TCP{SrcPort: 40000, DstPort: 4343, SYN: true, DataOffset: 5}
	payload := gopacket.Payload([]byte("0123456789abcdef"))
	ext := func(next uint8, extra int) gopacket.Payload {
		b := make([]byte, 8+extra*8)
		b[0], b[1] = next, uint8(extra)
		return b
	}
	frag6 := func(next uint8, offset uint16) gopacket.Payload {
		return []byte{next, 0, byte(offset >> 5), byte(offset<<3) | 1, 0, 0, 0, 1}
	}
	later := ip4(layers.IPProtocolTCP)
	later.FragOffset = 100
	cases := []struct {
		name string
		ls   []gopacket.SerializableLayer
		want bool
	}{
		{"tcp to 4343", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), tcp}, true},
		{"tcp from 4343", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), &layers.TCP{SrcPort: 4343, DstPort: 40000, DataOffset: 5}}, true},
		{"tcp 4344", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), &layers.TCP{SrcPort: 40000, DstPort: 4344, DataOffset: 5}}, false},
		{"udp to 4343", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), &layers.UDP{SrcPort: 40000, DstPort: 4343}, payload}, false},
		{"dns query", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolUDP), &layers.UDP{SrcPort: 40000, DstPort: 53}, payload}, true},
		{"dns answer over ipv6", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolUDP), &layers.UDP{SrcPort: 53, DstPort: 40000}, payload}, true},
		{"udp 5353 (mdns)", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolUDP), &layers.UDP{SrcPort: 5353, DstPort: 5353}, payload}, false},
		{"vlan dns query", []gopacket.SerializableLayer{eth(layers.EthernetTypeDot1Q), &layers.Dot1Q{VLANIdentifier: 7, Type: layers.EthernetTypeIPv4}, ip4(layers.IPProtocolUDP), &layers.UDP{SrcPort: 40000, DstPort: 53}, payload}, true},
		{"ipv4 options", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv4), &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: []byte{10, 55, 0, 1}, DstIP: []byte{10, 55, 0, 2},
			Options: []layers.IPv4Option{{OptionType: 1}, {OptionType: 1}, {OptionType: 1}, {OptionType: 1}, {OptionType: 1}, {OptionType: 1}, {OptionType: 1}, {OptionType: 0}}}, tcp}, true},
		{"later ipv4 fragment", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv4), later, payload}, false},
		{"icmp echo", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolICMPv4), &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0)}, payload}, false},
		{"icmp unreachable", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolICMPv4), &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, 13)}, payload}, true},
		{"icmpv6 echo", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolICMPv6), gopacket.Payload{128, 0, 0, 0, 0, 0, 0, 0}}, false},
		{"icmpv6 packet too big", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolICMPv6), gopacket.Payload{2, 0, 0, 0, 0, 0, 5, 0}}, true},
		{"icmpv6 neighbour solicitation", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolICMPv6), gopacket.Payload{135, 0, 0, 0, 0, 0, 0, 0}}, false},
		{"arp", []gopacket.SerializableLayer{eth(layers.EthernetTypeARP), gopacket.Payload(make([]byte, 28))}, false},
		{"ipv6 tcp", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolTCP), tcp}, true},
		{"ipv6 hop-by-hop, dstopts, tcp", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6HopByHop), ext(uint8(protoDstOpts), 0), ext(uint8(protoTCP), 1), tcp}, true},
		{"ipv6 first fragment, tcp", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6Fragment), frag6(uint8(protoTCP), 0), tcp}, true},
		{"ipv6 later fragment", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6Fragment), frag6(uint8(protoTCP), 8), tcp}, false},
		{"ipv6 four extension headers", []gopacket.SerializableLayer{eth(layers.EthernetTypeIPv6), ip6(layers.IPProtocolIPv6HopByHop), ext(uint8(protoDstOpts), 0), ext(uint8(protoRouting), 0), ext(uint8(protoDstOpts), 0), ext(uint8(protoTCP), 0), tcp}, false},
		{"vlan ipv6 tcp", []gopacket.SerializableLayer{eth(layers.EthernetTypeDot1Q), &layers.Dot1Q{VLANIdentifier: 7, Type: layers.EthernetTypeIPv6}, ip6(layers.IPProtocolTCP), tcp}, true},
		{"qinq ipv4 tcp", []gopacket.SerializableLayer{eth(layers.EthernetTypeQinQ), &layers.Dot1Q{VLANIdentifier: 7, Type: layers.EthernetTypeDot1Q}, &layers.Dot1Q{VLANIdentifier: 8, Type: layers.EthernetTypeIPv4}, ip4(layers.IPProtocolTCP), tcp}, true},
		{"vlan udp", []gopacket.SerializableLayer{eth(layers.EthernetTypeDot1Q), &layers.Dot1Q{VLANIdentifier: 7, Type: layers.EthernetTypeIPv4}, ip4(layers.IPProtocolUDP), &layers.UDP{SrcPort: 4343, DstPort: 54}, payload}, false},
	}
	prog, err := Filter{Ports: []uint16{4343}}.program(frameEthernet, false)
	if err != nil {
		t.Fatal(err)
	}
	vm := newVM(t, prog)
	for _, tc := range cases {
		buf := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true}, tc.ls...); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		n, err := vm.Run(buf.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if (n > 0) != tc.want {
			t.Errorf("%s: accepted=%v, want %v", tc.name, n > 0, tc.want)
		}
	}
}

// TestFilterLimits checks that the largest filter allowed assembles (its long jumps included)
// and that a larger one is refused with a message.
func TestFilterLimits(t *testing.T) {
	var f Filter
	for i := range MaxFilterPorts {
		f.Ports = append(f.Ports, uint16(1000+i))
	}
	for i := range MaxFilterHosts {
		f.Hosts = append(f.Hosts, netip.AddrFrom4([4]byte{10, 55, 1, byte(i)}), netip.AddrFrom16([16]byte{0xfd, 0, 0, 0x55, 15: byte(i)}))
	}
	f.Hosts = f.Hosts[:MaxFilterHosts]
	for _, layout := range []int{frameEthernet, frameRawIP} {
		prog, err := f.program(layout, true)
		if err != nil {
			t.Fatalf("layout %d: %v", layout, err)
		}
		if len(prog) > kernelMaxInstructions {
			t.Errorf("layout %d: %d instructions, the kernel takes at most %d", layout, len(prog), kernelMaxInstructions)
		}
		t.Logf("layout %d: %d instructions", layout, len(prog))
	}
	f.Ports = append(f.Ports, 1)
	if _, err := f.program(frameEthernet, false); err == nil || !strings.Contains(err.Error(), "at most 64") {
		t.Errorf("65 ports: err = %v, want 'at most 64'", err)
	}
}

func newVM(t *testing.T, raw []bpf.RawInstruction) *bpf.VM {
	t.Helper()
	ins, ok := bpf.Disassemble(raw)
	if !ok {
		t.Fatal("the program does not disassemble")
	}
	vm, err := bpf.NewVM(ins)
	if err != nil {
		t.Fatal(err)
	}
	return vm
}

// rawFrames reads every frame of a pcap file as captured.
func rawFrames(t *testing.T, path string) ([][]byte, layers.LinkType) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for {
		data, _, err := r.ReadPacketData()
		if err != nil {
			break
		}
		out = append(out, data)
	}
	return out, r.LinkType()
}

// kernelMaxInstructions is BPF_MAXINSNS, the most instructions Linux takes in a classic filter.
const kernelMaxInstructions = 4096
