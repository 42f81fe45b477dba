package track

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
)

// TestTombLateICMP: ICMP errors that quote a connection after it ended and became a tomb
// (accuracy/late-icmp-after-close.pcap, made by testdata/make-accuracy-captures.sh: the router
// rejects each of the agent's FINs, the first and its retransmissions, with ICMP
// administratively prohibited, after the server's FIN) give its record what they give a
// connection that stays a whole flow until the end: every error counted once, the first
// MaxICMP kept in order, every other fact the same. A flood of them keeps the record's size
// (but for the count's varint) and the tomb arena's chunks as they were: each costs one decode
// and encode of the record.
func TestTombLateICMP(t *testing.T) {
	const name = "accuracy/late-icmp-after-close.pcap"
	cfg := Config{Ports: []uint16{4343}, StreamLimit: 1 << 16, IdleTimeout: 5 * time.Minute,
		ClosedLinger: time.Minute, MaxActiveFlows: 1000}
	var icmpFrames []int // every ICMP error of the capture, in order
	run := func(grace time.Duration, flood int) (recs []*facts.Conn, asTomb int, a *Tracker) {
		icmpFrames = icmpFrames[:0]
		a = New(cfg, func(c *facts.Conn) bool { recs = append(recs, c); return true })
		a.grace = grace
		var lastICMP capture.Packet
		feedCapture(t, a, name, 0, 0, 0, func(p *capture.Packet) {
			// The tracker buries a flow when a packet comes after its grace period, after taking
			// the packet: the capture holds this one connection, whose own packets would reach it
			// whole. A tick before each packet (a live capture ticks; a busy capture's other
			// connections do the same) buries it in time.
			a.Tick(p.Time)
			if p.Kind != capture.KindICMPError {
				return
			}
			icmpFrames = append(icmpFrames, p.Index)
			if a.tombs.Len() > 0 {
				asTomb++
			}
			lastICMP = *p // icmpPacket reads none of its slices
		})
		if flood > 0 {
			if a.tombs.Len() != 1 {
				t.Fatalf("%d tombs before the flood, want 1", a.tombs.Len())
			}
			var i int32
			for j := range a.tombs.All() {
				i = j // the only one
			}
			size, chunks := len(a.tombRecs.Bytes(a.tombSlots.At(i).rec)), a.tombRecs.Chunks()
			for range flood {
				lastICMP.Time = lastICMP.Time.Add(time.Millisecond)
				a.Packet(&lastICMP)
			}
			// Only the count grows, by the bytes of its varint (a 32-bit count takes at most 5).
			if got := len(a.tombRecs.Bytes(a.tombSlots.At(i).rec)); got < size || got > size+4 {
				t.Errorf("after %d late ICMP errors the tomb's record takes %d bytes, %d before", flood, got, size)
			}
			if got := a.tombRecs.Chunks(); got > chunks+1 {
				t.Errorf("after %d late ICMP errors the tombs take %d arena chunks, %d before", flood, got, chunks)
			}
		}
		a.Flush()
		return recs, asTomb, a
	}
	want, asTomb, _ := run(time.Hour, 0)
	if asTomb != 0 {
		t.Fatalf("a grace of an hour buried the connection")
	}
	got, asTomb, _ := run(tombGrace, 0)
	if len(got) != 1 || len(want) != 1 {
		t.Fatalf("%d records with tombs, %d without; the capture holds one connection", len(got), len(want))
	}
	// Six FINs, each rejected: the first ICMP error reaches the whole flow, the later ones its tomb.
	if len(icmpFrames) != 6 || asTomb != 5 {
		t.Fatalf("%d ICMP errors (frames %v), %d of them to a tomb; want 6, 5", len(icmpFrames), icmpFrames, asTomb)
	}
	g, w := lateView(got[0]), lateView(want[0])
	if !reflect.DeepEqual(g, w) {
		t.Errorf("record with a tomb:\n %+v\nwithout:\n %+v", g, w)
	}
	var kept []int
	for _, ic := range got[0].ICMP() {
		kept = append(kept, ic.Num())
		if ic.Type != 3 || ic.Code != 13 || !ic.FromClient {
			t.Errorf("ICMP error in frame %d: type %d code %d, quoting the client: %v; want 3/13 quoting the client", ic.Num(), ic.Type, ic.Code, ic.FromClient)
		}
	}
	if c := got[0]; c.ICMPCount() != len(icmpFrames) || !slices.Equal(kept, icmpFrames[:facts.MaxICMP]) {
		t.Errorf("ICMPCount %d, kept frames %v; want %d, %v", c.ICMPCount(), kept, len(icmpFrames), icmpFrames[:facts.MaxICMP])
	}
	const flood = 10000
	flooded, _, _ := run(tombGrace, flood)
	if n := flooded[0].ICMPCount(); len(flooded) != 1 || n != len(icmpFrames)+flood {
		t.Errorf("after a flood of %d: ICMPCount %d, want %d", flood, n, len(icmpFrames)+flood)
	}
}
