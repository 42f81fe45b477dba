package capture

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"net"
	"time"
)

// Vantage is one place where packets were captured: a capture point, or a part of one that saw
// its own copy of the traffic — a pcapng interface of the point's files (a router captured on two
// interfaces, a mergecap -I none of two captures), or, after SplitLinks, a link of a file that
// holds the same packets seen at two points (a mergecap of two captures into one interface).
// Packet.Vantage indexes Reader.Vantages. A capture point has at least one vantage, even when it
// holds no packet.
type Vantage struct {
	Point int // the capture point: an index into Reader.Points
	// Interface is the pcapng interface (numbered as in the point's files) when the point's
	// interfaces are told apart, -1 when the vantage is the whole point.
	Interface int
	// Link names the link after SplitLinks: its two MAC addresses, lower first, "a - b"; "" otherwise.
	Link   string
	Frames int // frames read at it
	// First and Last are the times of its first and last frame (zero when none).
	First, Last time.Time
}

// MaxVantages bounds the vantages a Reader tells apart: the frames of any more count for their
// capture point's first vantage.
const MaxVantages = 256

// vantageKey is what tells a point's vantages apart: the pcapng interface, and after SplitLinks
// the frame's two MAC addresses (the lower first).
type vantageKey struct {
	iface int
	link  [12]byte
}

// SplitLinks makes the reader tell apart, within each capture point, the Ethernet links its
// frames were captured on (each pair of MAC addresses is one vantage), for a file that holds
// the same packets seen at two points (a mergecap of two captures into one interface). Call it
// before the first Next. Frames of other link types count for their interface.
func (r *Reader) SplitLinks() {
	r.splitLinks = true
	r.vantaged = true
	for _, pt := range r.points {
		pt.vkeys = nil
	}
}

// Vantages describes the places the packets were captured at, as far as they have been read:
// one per capture point, and one more per further pcapng interface (declared before the first
// packet of a point's first file, or met while reading) or, with SplitLinks, per further link.
func (r *Reader) Vantages() []Vantage {
	out := append([]Vantage(nil), r.vantages...)
	if !r.vantaged {
		// One vantage per point, not counted packet by packet: the point's own counts.
		for _, pt := range r.points {
			v := &out[pt.base]
			v.Frames = pt.frames
			v.First, v.Last = pt.span()
		}
	}
	return out
}

// newVantage adds a vantage to the point for key k and returns its index; past MaxVantages it
// returns the point's first vantage.
func (pt *pointReader) newVantage(k vantageKey) int {
	r := pt.r
	if len(r.vantages) >= MaxVantages {
		return pt.base
	}
	v := Vantage{Point: pt.idx, Interface: k.iface}
	if !r.splitLinks && r.vantages[pt.base].Interface < 0 {
		r.vantages[pt.base].Interface = 0 // the point's interfaces are told apart: its first is 0
	}
	if r.splitLinks {
		v.Interface = -1
		if k.link != ([12]byte{}) {
			v.Link = linkName(k.link)
		}
	}
	i := len(r.vantages)
	r.vantages = append(r.vantages, v)
	pt.vkeys = append(pt.vkeys, vkeyed{k, i})
	if !r.vantaged {
		r.startCounting()
	}
	return i
}

// vkeyed is a vantage of a point with its key.
type vkeyed struct {
	k vantageKey
	v int
}

// startCounting switches the reader to counting frames per vantage, crediting each point's
// first vantage with what its point read so far.
func (r *Reader) startCounting() {
	r.vantaged = true
	for _, pt := range r.points {
		v := &r.vantages[pt.base]
		v.Frames = pt.frames
		v.First, v.Last = pt.span()
	}
}

// span is the time of the point's first and last frame read so far (zero when none).
func (pt *pointReader) span() (first, last time.Time) {
	for _, f := range pt.files {
		d := f.describe()
		if d.Frames == 0 {
			continue
		}
		if first.IsZero() {
			first = d.First
		}
		last = d.Last
	}
	return first, last
}

// vantageOf returns the vantage of the frame just read from fr (data: its bytes).
func (pt *pointReader) vantageOf(fr *fileReader, data []byte) int {
	k := vantageKey{iface: fr.raw.ci.InterfaceIndex}
	if pt.r.splitLinks && fr.link == linkEthernet && len(data) >= 12 {
		k.link = macPair(data)
	}
	return pt.vantageFor(k)
}

// vantageFor returns the point's vantage for key k, adding it when it is new.
func (pt *pointReader) vantageFor(k vantageKey) int {
	if k.iface == 0 && k.link == ([12]byte{}) {
		return pt.base
	}
	for _, e := range pt.vkeys {
		if e.k == k {
			return e.v
		}
	}
	if pt.r.splitLinks && !pt.baseLinked && k.iface == 0 {
		// The first link met takes the point's first vantage.
		pt.baseLinked = true
		pt.r.vantages[pt.base].Link = linkName(k.link)
		pt.vkeys = append(pt.vkeys, vkeyed{k, pt.base})
		return pt.base
	}
	return pt.newVantage(k)
}

// declareInterfaces adds a vantage for each of the first n interfaces of the point but the
// first (which is the point's own), unless links are split.
func (pt *pointReader) declareInterfaces(n int) {
	if pt.r.splitLinks {
		return
	}
	for i := 1; i < n; i++ {
		pt.vantageFor(vantageKey{iface: i})
	}
}

// count credits vantage v with a frame at t.
func (r *Reader) count(v int, t time.Time) {
	x := &r.vantages[v]
	if x.Frames == 0 {
		x.First = t
	}
	x.Frames++
	x.Last = t
}

// macPair is a frame's two MAC addresses (destination, source), the lower first.
func macPair(frame []byte) [12]byte {
	var k [12]byte
	a, b := frame[0:6], frame[6:12]
	if string(b) < string(a) {
		a, b = b, a
	}
	copy(k[:6], a)
	copy(k[6:], b)
	return k
}

// linkName words a MAC pair: "02:00:00:00:00:01 - 02:00:00:00:00:02".
func linkName(k [12]byte) string {
	return fmt.Sprintf("%s - %s", net.HardwareAddr(k[:6]), net.HardwareAddr(k[6:]))
}

// leadingInterfaces counts the interface description blocks among the pcapng blocks buffered in
// b before the first packet block (enhanced, simple or obsolete packet) or the next section
// header; it stops, without counting further, at a block it cannot see whole or whose length is
// impossible. bigEndian is the section's byte order.
func leadingInterfaces(b []byte, bigEndian bool) int {
	order := binary.ByteOrder(binary.LittleEndian)
	if bigEndian {
		order = binary.BigEndian
	}
	n := 0
	for len(b) >= 12 {
		typ, length := order.Uint32(b[0:4]), order.Uint32(b[4:8])
		if length < 12 || length%4 != 0 || uint64(length) > uint64(len(b)) {
			return n
		}
		switch typ {
		case ngInterface:
			n++
		case ngEnhancedPacket, ngSimplePacket, ngPacketObsolete, ngSectionHeader:
			return n
		}
		b = b[length:]
	}
	return n
}

// peekInterfaces counts the interfaces the pcapng file declares before its first packet: those
// the walker has passed and those buffered after it (a capture's interface blocks come first,
// as dumpcap and mergecap write them).
func peekInterfaces(w *ngWalker, br *bufio.Reader) int {
	skip := w.body + w.trailer     // what is left of the block being handed out
	b, _ := br.Peek(br.Buffered()) // never waits for more: standard input may be a live pipe
	if skip > len(b) {
		return len(w.linkTypes)
	}
	return len(w.linkTypes) + leadingInterfaces(b[skip:], w.bigEndian)
}
