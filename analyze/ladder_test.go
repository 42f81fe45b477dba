package analyze

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/result"
)

// TestLadderLongFlow: a 58-packet TLS 1.2 connection keeps its first 32 and last 8 packets, in
// order, and counts the 18 in between. The TLS messages per frame are those tshark 4.0 shows:
//
//	4  Client Hello
//	6  Server Hello
//	7  Certificate, Server Key Exchange, Server Hello Done
//	9  Client Key Exchange, Change Cipher Spec, Encrypted Handshake Message, Application Data
//	12 New Session Ticket, Change Cipher Spec, Encrypted Handshake Message
//
// The connection works, so the result leaves its ladder out (TestLadderOKFlowDropped); the test
// reads the ladder of the flow as it is finished, as a live capture announces it.
func TestLadderLongFlow(t *testing.T) {
	r, err := pcapfile.Open(filepath.Join(sharedCaptures, "zeek", "tls-conn-with-extensions.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var announced []result.Flow
	a := New(Options{OnFlow: func(f result.Flow) { announced = append(announced, f) }})
	var p capture.Packet
	for r.Next(&p) == nil {
		a.Packet(&p)
	}
	a.Finish(result.Input{})
	if len(announced) != 1 {
		t.Fatalf("%d flows, want 1", len(announced))
	}
	f := announced[0]
	if len(f.Packets) != result.LadderHead+result.LadderTail || f.PacketsOmitted != 18 {
		t.Fatalf("%d packets kept, %d omitted; want 40 and 18", len(f.Packets), f.PacketsOmitted)
	}
	var frames []int
	for _, p := range f.Packets {
		frames = append(frames, p.Frame)
	}
	var want []int
	for i := 1; i <= 32; i++ {
		want = append(want, i)
	}
	want = append(want, 51, 52, 53, 54, 55, 56, 57, 58)
	if !reflect.DeepEqual(frames, want) {
		t.Errorf("frames kept %v, want %v", frames, want)
	}
	if first := f.Packets[0]; first.Time != f.Start || first.From != "client" || first.TCPFlags != "SYN" {
		t.Errorf("first packet %+v, want the client's SYN at %v", first, f.Start)
	}
	if last := f.Packets[len(f.Packets)-1]; !last.Time.Equal(f.End) || last.From != "client" || last.TCPFlags != "ACK" {
		t.Errorf("last packet %+v, want the client's ACK at %v", last, f.End)
	}
	for _, tc := range []struct {
		frame    int
		from     string
		flags    string
		payload  int
		messages []string
	}{
		{2, "server", "SYN, ACK", 0, []string{}},
		{4, "client", "PSH, ACK", 178, []string{"client_hello"}},
		{6, "server", "ACK", 1418, []string{"server_hello"}},
		{7, "server", "PSH, ACK", 518, []string{"certificate", "server_key_exchange", "server_hello_done"}},
		{9, "client", "PSH, ACK", 211, []string{"client_key_exchange", "change_cipher_spec", "encrypted_handshake", "application_data"}},
		{12, "server", "PSH, ACK", 226, []string{"new_session_ticket", "change_cipher_spec", "encrypted_handshake"}},
		{57, "server", "PSH, ACK", 37, []string{"application_data"}},
	} {
		i := tc.frame - 1
		if tc.frame > 32 {
			i = tc.frame - 51 + 32
		}
		p := f.Packets[i]
		if p.Frame != tc.frame || p.From != tc.from || p.TCPFlags != tc.flags || p.PayloadLen != tc.payload ||
			p.Retransmission || !reflect.DeepEqual(p.Messages, tc.messages) {
			t.Errorf("frame %d: %+v, want from %s, flags %q, %d bytes, messages %q", tc.frame, p, tc.from, tc.flags, tc.payload, tc.messages)
		}
	}
}

// TestLadderShortFlow: the seed's reset agent keeps all six packets, the RST last.
func TestLadderShortFlow(t *testing.T) {
	res, err := File(filepath.Join("..", "testdata", "captures", "seed-reset-fleet.pcap"), Options{Ports: []uint16{4343}})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Flows.Slice()[3]
	type row struct {
		frame       int
		from, flags string
		payload     int
		messages    []string
	}
	want := []row{
		{57, "client", "SYN", 0, []string{}},
		{60, "server", "SYN, ACK", 0, []string{}},
		{61, "client", "ACK", 0, []string{}},
		{62, "client", "PSH, ACK", 104, []string{"client_hello"}},
		{63, "server", "ACK", 0, []string{}},
		{64, "server", "RST, ACK", 0, []string{}},
	}
	var got []row
	for _, p := range f.Packets {
		got = append(got, row{p.Frame, p.From, p.TCPFlags, p.PayloadLen, p.Messages})
	}
	if !reflect.DeepEqual(got, want) || f.PacketsOmitted != 0 {
		t.Errorf("flow %s: packets %v (%d omitted), want %v", f.Client, got, f.PacketsOmitted, want)
	}
	if d := f.Packets[5].Time.Sub(f.Packets[3].Time); d <= 0 || d > time.Millisecond {
		t.Errorf("RST %v after the ClientHello, want 0.1 ms", d)
	}
}

func TestFlagNames(t *testing.T) {
	for _, tc := range []struct {
		flags uint8
		want  string
	}{
		{0, ""},
		{0x02, "SYN"},
		{0x12, "SYN, ACK"},
		{0x19, "FIN, PSH, ACK"},
		{0x14, "RST, ACK"},
		{0xc2, "SYN, ECE, CWR"},
	} {
		if got := flagNames(tc.flags); got != tc.want {
			t.Errorf("flagNames(%#x) = %q, want %q", tc.flags, got, tc.want)
		}
	}
}

// TestLadderOKFlowDropped: a finished flow that worked has no packets in the result; the
// failing flows of the same capture keep theirs.
func TestLadderOKFlowDropped(t *testing.T) {
	res, err := File(filepath.Join("..", "testdata", "captures", "seed-reset-fleet.pcap"), Options{Ports: []uint16{4343}})
	if err != nil {
		t.Fatal(err)
	}
	var kept []int
	for _, f := range res.Flows.Slice() {
		if f.Packets == nil {
			t.Errorf("flow #%d: packets nil, want a list", f.ID)
		}
		kept = append(kept, len(f.Packets))
	}
	if want := []int{0, 0, 0, 6, 6}; !reflect.DeepEqual(kept, want) {
		t.Errorf("packets kept per flow %v, want %v", kept, want)
	}
}
