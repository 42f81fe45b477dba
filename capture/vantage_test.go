package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// twopoint is where the two-point captures of testdata/make-twopoint-captures.sh are.
const twopoint = "../testdata/captures/twopoint"

// vantageCount is what a test expects of one vantage.
type vantageCount struct {
	point, iface int
	link         string
	frames       int
}

// readVantages reads r to its end, checks that every packet's Vantage is one of Vantages and
// counts them, and returns what Vantages says at the end.
func readVantages(t *testing.T, r *Reader) []vantageCount {
	t.Helper()
	per := map[uint16]int{}
	var p Packet
	for {
		err := r.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		per[p.Vantage]++
	}
	var out []vantageCount
	for i, v := range r.Vantages() {
		if per[uint16(i)] != v.Frames {
			t.Errorf("vantage %d: %d packets carry it, Vantages says %d frames", i, per[uint16(i)], v.Frames)
		}
		if v.Frames > 0 && (v.First.IsZero() || v.Last.Before(v.First)) {
			t.Errorf("vantage %d: first %v, last %v", i, v.First, v.Last)
		}
		out = append(out, vantageCount{v.Point, v.Interface, v.Link, v.Frames})
	}
	return out
}

func sameCounts(t *testing.T, got, want []vantageCount) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("vantages %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("vantage %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

// The pcapng interfaces of one file are vantages of their own: the interfaces of mergecap -I none
// (0 = agent, 1 = server), an interface with no packet included; dumpcap's three interfaces.
func TestVantagesByInterface(t *testing.T) {
	cases := []struct {
		path string
		want []vantageCount
	}{
		{filepath.Join(twopoint, "forged-rst-merged-ifaces.pcapng"), []vantageCount{{0, 0, "", 73}, {0, 1, "", 53}}},
		{filepath.Join(twopoint, "syn-drop-merged-ifaces.pcapng"), []vantageCount{{0, 0, "", 6}, {0, 1, "", 0}}},
		{"testdata/dumpcap-3if.pcapng", []vantageCount{{0, 0, "", 50}, {0, 1, "", 16}, {0, 2, "", 66}}},
		{"testdata/dumpcap-3if.pcapng.gz", []vantageCount{{0, 0, "", 50}, {0, 1, "", 16}, {0, 2, "", 66}}},
		// One interface: the whole file is one vantage, however many links it holds.
		{filepath.Join(twopoint, "forged-rst-merged.pcapng"), []vantageCount{{0, -1, "", 126}}},
		{filepath.Join(twopoint, "forged-rst-agent.pcap"), []vantageCount{{0, -1, "", 73}}},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			r, err := Open(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if n := len(r.Vantages()); n != len(tc.want) {
				t.Errorf("%d vantages known before the first packet, want %d", n, len(tc.want))
			}
			sameCounts(t, readVantages(t, r), tc.want)
		})
	}
}

// Standard input knows the interfaces its first read brought: the same vantages as the file.
func TestVantagesStdin(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(twopoint, "syn-drop-merged-ifaces.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenInputs([]Input{{Path: Stdin}}, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sameCounts(t, readVantages(t, r), []vantageCount{{0, 0, "", 6}, {0, 1, "", 0}})
}

// Several capture points: one vantage each, an empty file's included; a rotated set is one.
func TestVantagesByPoint(t *testing.T) {
	r, err := OpenInputs([]Input{{Path: filepath.Join(twopoint, "syn-drop-agent.pcap"), Point: "agent"},
		{Path: filepath.Join(twopoint, "syn-drop-server.pcap"), Point: "server"},
		{Path: filepath.Join(twopoint, "rotated")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sameCounts(t, readVantages(t, r), []vantageCount{{0, -1, "", 6}, {1, -1, "", 0}, {2, -1, "", 1646}})
}

// SplitLinks tells apart the links of a file that mergecap made of an agent-side and a
// server-side capture, by their MAC addresses: the agent's link first (its SYN comes first).
func TestSplitLinks(t *testing.T) {
	for _, name := range []string{"forged-rst", "success", "nat-masquerade", "mtu-blackhole"} {
		t.Run(name, func(t *testing.T) {
			agent := frames(t, filepath.Join(twopoint, name+"-agent.pcap"))
			server := frames(t, filepath.Join(twopoint, name+"-server.pcap"))
			r, err := Open(filepath.Join(twopoint, name+"-merged.pcapng"))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			r.SplitLinks()
			sameCounts(t, readVantages(t, r), []vantageCount{
				{0, -1, "02:92:00:01:00:01 - 02:92:00:01:00:fe", agent},
				{0, -1, "02:92:00:02:00:02 - 02:92:00:02:00:fe", server}})
		})
	}
}

func frames(t *testing.T, path string) int {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	var p Packet
	for r.Next(&p) == nil {
		n++
	}
	return n
}

// leadingInterfaces counts the interface blocks before the first packet block, in either byte
// order, and stops at what it cannot see whole.
func TestLeadingInterfaces(t *testing.T) {
	type byteOrder interface {
		binary.ByteOrder
		binary.AppendByteOrder
	}
	block := func(order byteOrder, typ uint32, body int) []byte {
		b := order.AppendUint32(nil, typ)
		b = order.AppendUint32(b, uint32(12+body))
		b = append(b, make([]byte, body)...)
		return order.AppendUint32(b, uint32(12+body))
	}
	for _, order := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
		be := order == binary.BigEndian
		idb, epb, other := block(order, ngInterface, 8), block(order, ngEnhancedPacket, 20), block(order, 0x0BAD, 4)
		cases := []struct {
			b    []byte
			want int
		}{
			{nil, 0},
			{idb, 1},
			{bytes.Join([][]byte{idb, idb, epb, idb}, nil), 2},
			{bytes.Join([][]byte{idb, other, idb, epb}, nil), 2},
			{bytes.Join([][]byte{idb, idb[:len(idb)-1]}, nil), 1}, // the second is cut
			{bytes.Join([][]byte{idb, block(order, ngSectionHeader, 16), idb}, nil), 1},
			{append(order.AppendUint32(order.AppendUint32(nil, ngInterface), 13), make([]byte, 12)...), 0}, // length not a multiple of 4
			{append(order.AppendUint32(order.AppendUint32(nil, ngInterface), 8), make([]byte, 12)...), 0},  // shorter than a block
		}
		for i, tc := range cases {
			if got := leadingInterfaces(tc.b, be); got != tc.want {
				t.Errorf("%v case %d: %d interfaces, want %d", order, i, got, tc.want)
			}
		}
	}
}

// FuzzLeadingInterfaces: any bytes give a count no larger than the blocks they could hold, and
// never a panic.
func FuzzLeadingInterfaces(f *testing.F) {
	b := mustRead(f, "dumpcap-3if.pcapng")
	f.Add(b[164:], false) // the blocks after the section header
	f.Add(b[:200], true)
	f.Fuzz(func(t *testing.T, b []byte, be bool) {
		if n := leadingInterfaces(b, be); n < 0 || n > len(b)/12 {
			t.Fatalf("%d interfaces in %d bytes", n, len(b))
		}
	})
}
