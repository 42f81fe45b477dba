package track

import (
	"reflect"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
)

// pointerPath returns the path to the first pointer in type t ("" when there is none): a
// pointer, slice, map, string, interface, channel or function, in t or in what it holds.
func pointerPath(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.String, reflect.Interface, reflect.Chan,
		reflect.Func, reflect.UnsafePointer:
		return t.String()
	case reflect.Array:
		if p := pointerPath(t.Elem()); p != "" {
			return t.String() + " of " + p
		}
	case reflect.Struct:
		for i := range t.NumField() {
			if p := pointerPath(t.Field(i).Type); p != "" {
				return t.Name() + "." + t.Field(i).Name + ": " + p
			}
		}
	}
	return ""
}

// TestTombsHoldNoPointers: nothing the tracker keeps per tomb (its slot, its entry in the table
// and in the queue; the record arena's chunks are bytes) holds a pointer for the garbage
// collector to scan.
func TestTombsHoldNoPointers(t *testing.T) {
	if p := pointerPath(reflect.TypeFor[*Tracker]()); p == "" {
		t.Fatalf("pointerPath finds no pointer in a *Tracker")
	}
	a := New(Config{}, nil)
	table, ok := reflect.TypeOf(*a.tombs).FieldByName("slots")
	if !ok || table.Type.Kind() != reflect.Slice {
		t.Fatalf("the tomb table has no slice of slots")
	}
	pages, ok := reflect.TypeOf(a.tombSlots).FieldByName("pages")
	if !ok || pages.Type.Kind() != reflect.Slice || pages.Type.Elem().Kind() != reflect.Slice {
		t.Fatalf("the tomb slab has no slice of pages")
	}
	queue, ok := reflect.TypeOf(a.tombQ).Elem().FieldByName("items")
	if !ok || queue.Type.Kind() != reflect.Slice {
		t.Fatalf("the tomb queue has no slice of items")
	}
	for _, typ := range []reflect.Type{
		reflect.TypeFor[tomb](),
		pages.Type.Elem().Elem(),
		table.Type.Elem(),
		queue.Type.Elem(),
	} {
		if p := pointerPath(typ); p != "" {
			t.Errorf("%v holds a pointer: %s", typ, p)
		}
	}
}

// TestTombMemoryFlat replays a capture of many connections 200 times, half a second apart and
// 20 times as fast, each time from other client ports (so that every replay's connections are
// new ones, and become tombs while the last replays' still linger): the tomb slots and record
// arena chunks in use stay those of the first replays, as the tombs that ended leave theirs to
// the next ones.
func TestTombMemoryFlat(t *testing.T) {
	const name, rounds = "many-agents.pcap", 200
	servers := map[uint16]bool{4343: true, 443: true, 8443: true, 4433: true, 80: true, 8080: true}
	cfg := Config{Ports: []uint16{4343, 443, 8443, 4433, 80, 8080}, StreamLimit: 1 << 16,
		IdleTimeout: 5 * time.Minute, ClosedLinger: 2 * time.Second, MaxActiveFlows: 100000}
	recs := 0
	a := New(cfg, func(c *facts.Conn) bool { recs++; return true })
	frames := countFrames(t, name)
	var slots, chunks [rounds]int
	buried := 0
	for round := range rounds {
		var first time.Time
		feedCapture(t, a, name, 0, time.Duration(round)*500*time.Millisecond, round*frames, func(p *capture.Packet) {
			if first.IsZero() {
				first = p.Time
			}
			p.Time = first.Add(p.Time.Sub(first) / 20)
			if p.Kind != capture.KindTCP {
				return
			}
			if servers[p.TCP.DstPort] {
				p.TCP.SrcPort += uint16(round)
			} else {
				p.TCP.DstPort += uint16(round)
			}
		})
		buried = max(buried, a.tombs.Len())
		slots[round], chunks[round] = a.tombSlots.Len(), a.tombRecs.Chunks()
	}
	perRound, reused := a.Seen()/rounds, a.tombRecs.Reused
	a.Flush()
	if recs != a.Seen() || perRound < 10 {
		t.Fatalf("%d records of %d connections (%d a replay)", recs, a.Seen(), perRound)
	}
	if buried < 2*perRound {
		t.Fatalf("at most %d tombs at once, for %d connections a replay: the replays show no tombs lingering", buried, perRound)
	}
	// A tomb lingers ClosedLinger and at most a second more, to the sweep after: 6 replays.
	if slots[rounds-1] != slots[rounds/10] || slots[rounds-1] > 7*perRound {
		t.Errorf("tomb slots after replay %d: %d, after the last: %d (%d connections a replay)",
			rounds/10, slots[rounds/10], slots[rounds-1], perRound)
	}
	if chunks[rounds-1] > chunks[rounds/10] || reused == 0 {
		t.Errorf("record arena chunks after replay %d: %d, after the last: %d, reused %d times",
			rounds/10, chunks[rounds/10], chunks[rounds-1], reused)
	}
}

// TestLateStateRoundTrip: a tomb's late state reads back as it was written, whatever its gaps
// (negative ones too: packets out of time order) and sequence numbers, with the Zeek state of
// a real connection's flow.
func TestLateStateRoundTrip(t *testing.T) {
	var saved []lateState
	a := New(Config{Ports: []uint16{4343}, StreamLimit: 1 << 16, IdleTimeout: time.Minute, ClosedLinger: time.Minute,
		MaxActiveFlows: 10}, func(*facts.Conn) bool { return true })
	feedCapture(t, a, "path-pmtud-ok-server.pcap", 0, 0, 0, func(p *capture.Packet) {
		for f := range a.flows.all() {
			saved = append(saved, lateState{zeek: f.zeek.Save()})
		}
	})
	if len(saved) < 10 {
		t.Fatalf("%d Zeek states from the capture", len(saved))
	}
	for i := range saved {
		s := &saved[i]
		s.lastGap, s.prevGap = time.Duration(i-5)*time.Hour/7, -time.Duration(i)*time.Nanosecond
		s.seqSet = [2]bool{i%2 == 0, i%3 == 0}
		s.seqMax = [2]uint32{uint32(i) * 0x9e3779b9, ^uint32(i)}
		if !s.seqSet[0] {
			s.seqMax[0] = 0 // not kept when not set
		}
		if !s.seqSet[1] {
			s.seqMax[1] = 0
		}
		b := s.append([]byte{})
		if got := parseLateState(b); got != *s {
			t.Fatalf("state %d (%d bytes) reads back as\n%+v\nwant\n%+v", i, len(b), got, *s)
		}
	}
}
