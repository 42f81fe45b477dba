package zeek

import (
	"testing"

	"github.com/connscope/connscope/capture"
)

// A counted event adds its letter to the history at the 1st, 10th, 100th, ... occurrence, as
// Zeek's ScaledHistoryEntry does.
func TestScaledHistory(t *testing.T) {
	var z Conn
	var n int32
	var at []int
	for i := 1; i <= 100000; i++ {
		before := len(z.hist)
		z.scaled(server, &n, 'T')
		if len(z.hist) != before {
			at = append(at, i)
		}
	}
	if got, want := string(z.hist), "tttttt"; got != want {
		t.Errorf("history %q, want %q", got, want)
	}
	want := []int{1, 10, 100, 1000, 10000, 100000}
	if len(at) != len(want) {
		t.Fatalf("letters at %v, want %v", at, want)
	}
	for i := range want {
		if at[i] != want[i] {
			t.Fatalf("letters at %v, want %v", at, want)
		}
	}
}

// TestSaveRestore feeds a connection's packets (a handshake, data with a retransmission and a
// hole, a FIN each way, a late reset) to one Conn, and to Conns saved after each packet,
// encoded (Append, ParseSaved) and restored with a copy of the history: each ends with the same
// state, history and conn_state. Every encoding cut short fails to parse.
func TestSaveRestore(t *testing.T) {
	const syn, ack, fin, rst = capture.FlagSYN, capture.FlagACK, capture.FlagFIN, capture.FlagRST
	type pkt struct {
		d int
		h capture.TCPHeader
	}
	pkts := []pkt{
		{client, capture.TCPHeader{Flags: syn, Seq: 100, Window: 1000}},
		{server, capture.TCPHeader{Flags: syn | ack, Seq: 500, Ack: 101, Window: 1000}},
		{client, capture.TCPHeader{Flags: ack, Seq: 101, Ack: 501, Window: 1000}},
		{client, capture.TCPHeader{Flags: ack, Seq: 101, Ack: 501, Window: 1000, PayloadLen: 50}},
		{client, capture.TCPHeader{Flags: ack, Seq: 101, Ack: 501, Window: 1000, PayloadLen: 50}},
		{client, capture.TCPHeader{Flags: ack, Seq: 201, Ack: 501, Window: 1000, PayloadLen: 50}},
		{server, capture.TCPHeader{Flags: ack, Seq: 501, Ack: 251, Window: 0}},
		{server, capture.TCPHeader{Flags: fin | ack, Seq: 501, Ack: 251, Window: 1000}},
		{client, capture.TCPHeader{Flags: fin | ack, Seq: 251, Ack: 502, Window: 1000}},
		{client, capture.TCPHeader{Flags: rst, Seq: 252, Window: 0}},
	}
	var whole Conn
	for _, p := range pkts {
		whole.Packet(p.d, &p.h)
	}
	whole.Finish()
	if string(whole.History()) != "ShADTawGfFR" {
		t.Fatalf("history %q: the test's packets should make ShADTawGfFR", whole.History())
	}
	for cut := range pkts {
		var z Conn
		for i, p := range pkts {
			z.Packet(p.d, &p.h)
			if i == cut {
				hist := append([]byte(nil), z.History()...)
				saved := z.Save()
				b := saved.Append([]byte("x"))[1:]
				s, n, err := ParseSaved(append(b, "after"...))
				if err != nil || n != len(b) || s != saved {
					t.Fatalf("saved after packet %d: %d bytes parse to %d bytes, %v, equal %v", cut, len(b), n, err, s == saved)
				}
				for short := range len(b) {
					if _, _, err := ParseSaved(b[:short]); err == nil {
						t.Fatalf("saved after packet %d: the first %d of %d bytes parse", cut, short, len(b))
					}
				}
				z = Restore(s, hist)
			}
		}
		z.Finish()
		if z.Save() != whole.Save() || string(z.History()) != string(whole.History()) || z.ConnState() != whole.ConnState() {
			t.Errorf("saved after packet %d: history %q, state %s; want %q, %s", cut, z.History(), z.ConnState(),
				whole.History(), whole.ConnState())
		}
	}
}

// FuzzParseSaved: no bytes make ParseSaved panic or take more bytes than it was given, and a
// state it parses reads back the same once appended again (what the tracker does with a tomb's
// state at each late packet).
func FuzzParseSaved(f *testing.F) {
	var z Conn
	z.Packet(client, &capture.TCPHeader{Flags: capture.FlagSYN, Seq: 100})
	z.Packet(server, &capture.TCPHeader{Flags: capture.FlagSYN | capture.FlagACK, Seq: 7, Ack: 101})
	s := z.Save()
	f.Add(s.Append(nil))
	f.Add((&Saved{}).Append(nil))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, n, err := ParseSaved(b)
		if err != nil {
			return
		}
		if n < 0 || n > len(b) {
			t.Fatalf("ParseSaved took %d of %d bytes", n, len(b))
		}
		again := s.Append(nil)
		s2, n2, err := ParseSaved(again)
		if err != nil || n2 != len(again) || s2 != s {
			t.Fatalf("a parsed state appended again reads back as %+v (%d of %d bytes, %v), want %+v", s2, n2, len(again), err, s)
		}
	})
}
