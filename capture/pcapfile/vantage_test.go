package pcapfile

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/connscope/connscope/capture"
)

// twopoint is where the two-point captures of testdata/make-twopoint-captures.sh are.
const twopoint = "../../testdata/captures/twopoint"

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
	var p capture.Packet
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

// Without SplitLinks a capture point is one vantage, whatever interfaces and links it holds;
// with it, each interface and each Ethernet link on it is one: the interfaces of mergecap -I none
// (0 = agent, 1 = server), the links of a mergecap into one interface, dumpcap's three interfaces
// (an Ethernet veth, Linux SLL2 from frame 35 on, loopback with zero MAC addresses from frame
// 95 on: in the order their first frames come; tshark shows the same MAC addresses and
// interfaces).
func TestVantagesSplit(t *testing.T) {
	const agent, server = "02:92:00:01:00:01 - 02:92:00:01:00:fe", "02:92:00:02:00:02 - 02:92:00:02:00:fe"
	cases := []struct {
		path         string
		whole, split []vantageCount
	}{
		{filepath.Join(twopoint, "forged-rst-merged-ifaces.pcapng"), []vantageCount{{0, -1, "", 126}},
			[]vantageCount{{0, 0, agent, 73}, {0, 1, server, 53}}},
		{filepath.Join(twopoint, "forged-rst-merged.pcapng"), []vantageCount{{0, -1, "", 126}},
			[]vantageCount{{0, 0, agent, 73}, {0, 0, server, 53}}},
		{filepath.Join(twopoint, "syn-drop-merged-ifaces.pcapng"), []vantageCount{{0, -1, "", 6}}, []vantageCount{{0, 0, agent, 6}}},
		{"../testdata/dumpcap-3if.pcapng", []vantageCount{{0, -1, "", 132}},
			[]vantageCount{{0, 0, "46:f4:56:bc:56:a0 - 76:60:fe:fd:fb:41", 50}, {0, 2, "", 66}, {0, 1, "", 16}}},
		{"../testdata/dumpcap-3if.pcapng.gz", []vantageCount{{0, -1, "", 132}},
			[]vantageCount{{0, 0, "46:f4:56:bc:56:a0 - 76:60:fe:fd:fb:41", 50}, {0, 2, "", 66}, {0, 1, "", 16}}},
		{filepath.Join(twopoint, "forged-rst-agent.pcap"), []vantageCount{{0, -1, "", 73}}, []vantageCount{{0, 0, agent, 73}}},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			for _, split := range []bool{false, true} {
				r, err := Open(tc.path)
				if err != nil {
					t.Fatal(err)
				}
				want := tc.whole
				if split {
					r.SplitLinks()
					want = tc.split
				}
				sameCounts(t, readVantages(t, r), want)
				r.Close()
			}
		})
	}
}

// Standard input splits as the file does.
func TestVantagesStdin(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(twopoint, "mtu-blackhole-merged-ifaces.pcapng"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenInputs([]Input{{Path: Stdin}}, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.SplitLinks()
	sameCounts(t, readVantages(t, r), []vantageCount{{0, 0, "02:92:00:01:00:01 - 02:92:00:01:00:fe", 9},
		{0, 1, "02:92:00:02:00:02 - 02:92:00:02:00:fe", 16}})
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
// server-side capture, by their MAC addresses: the agent's link first (its SYN comes first), each
// with as many frames as its own capture.
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
				{0, 0, "02:92:00:01:00:01 - 02:92:00:01:00:fe", agent},
				{0, 0, "02:92:00:02:00:02 - 02:92:00:02:00:fe", server}})
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
	var p capture.Packet
	for r.Next(&p) == nil {
		n++
	}
	return n
}
