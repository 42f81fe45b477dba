package pcapfile

import (
	"fmt"
	"net"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// Vantage is one place where packets were captured: a capture point, or, after SplitLinks, a
// part of one that saw its own copy of the traffic — a pcapng interface of the point's files (a
// router captured on two interfaces, a mergecap -I none of two captures) or an Ethernet link of
// one (a mergecap of two captures into one interface). capture.Packet.Vantage indexes
// Reader.Vantages. A capture point has at least one vantage, even when it holds no packet.
type Vantage struct {
	Point int // the capture point: an index into Reader.Points
	// Interface is the pcapng interface (numbered as in the point's files) after SplitLinks,
	// -1 when the vantage is the whole point.
	Interface int
	// Link names the Ethernet link after SplitLinks: its two MAC addresses, lower first,
	// "a - b"; "" for frames of other link types, and without SplitLinks.
	Link   string
	Frames int // frames read at it
	// First and Last are the times of its first and last frame (zero when none).
	First, Last time.Time
}

// MaxVantages bounds the vantages a Reader tells apart: the frames of any more count for their
// capture point's first vantage.
const MaxVantages = 256

// vantageKey is what tells a point's vantages apart after SplitLinks: the pcapng interface and
// the frame's two MAC addresses (the lower first).
type vantageKey struct {
	iface int
	link  [12]byte
}

// SplitLinks makes the reader tell apart, within each capture point, the pcapng interfaces and
// the Ethernet links its frames were captured on (each interface, and each pair of MAC addresses
// on it, is one vantage), for a capture that holds the same packets seen at two points (a
// mergecap of two captures, dumpcap on a router's two interfaces). Call it before the first
// Next. Frames of other link types count for their interface.
func (r *Reader) SplitLinks() {
	r.splitLinks = true
	r.vantaged = true
}

// SplittingLinks reports whether SplitLinks was called: the reader may find several vantages
// while it reads, though it knows one before.
func (r *Reader) SplittingLinks() bool { return r.splitLinks }

// Vantages describes the places the packets were captured at, as far as they have been read:
// one per capture point and, with SplitLinks, one more per further interface or link met.
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
	if k.link != ([12]byte{}) {
		v.Link = linkName(k.link)
	}
	i := len(r.vantages)
	r.vantages = append(r.vantages, v)
	pt.vkeys = append(pt.vkeys, vkeyed{k, i})
	return i
}

// vkeyed is a vantage of a point with its key.
type vkeyed struct {
	k vantageKey
	v int
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

// vantageOf returns the vantage of the frame just read from fr (data: its bytes), after
// SplitLinks: the first met takes the point's first vantage.
func (pt *pointReader) vantageOf(fr *fileReader, data []byte) int {
	k := vantageKey{iface: fr.raw.ci.InterfaceIndex}
	if fr.raw.lt == layers.LinkTypeEthernet && len(data) >= 12 {
		k.link = macPair(data)
	}
	for _, e := range pt.vkeys {
		if e.k == k {
			return e.v
		}
	}
	if !pt.baseKeyed {
		pt.baseKeyed = true
		v := &pt.r.vantages[pt.base]
		v.Interface = k.iface
		if k.link != ([12]byte{}) {
			v.Link = linkName(k.link)
		}
		pt.vkeys = append(pt.vkeys, vkeyed{k, pt.base})
		return pt.base
	}
	return pt.newVantage(k)
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
