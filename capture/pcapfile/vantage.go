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
// on it that a frame carrying an IP packet to one station names, is one vantage), for a capture
// that holds the same packets seen at two points (a mergecap of two captures, dumpcap on a
// router's two interfaces). Call it before the first Next. Frames of other link types count for
// their interface; frames that carry no IP packet, or go to a broadcast or multicast address,
// count for their sender's link (vantageOf).
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
// SplitLinks: the first met takes the point's first vantage. Only a frame that carries an IP
// packet (ip) to one station founds a vantage for its link: one that carries none (ARP, LLDP,
// spanning tree) or is sent to a group address (a broadcast) is counted with the link its sender
// is on, on its interface, else with the interface's first link; on an interface with none yet, it
// founds a vantage of the interface that the first IP frame's link then takes over. A point
// is never invented from frames that hold no traffic its packets could be compared on.
func (pt *pointReader) vantageOf(fr *fileReader, data []byte, ip bool) int {
	k := vantageKey{iface: fr.raw.ci.InterfaceIndex}
	if fr.raw.lt == layers.LinkTypeEthernet && len(data) >= 12 {
		k.link = macPair(data)
	}
	for _, e := range pt.vkeys {
		if e.k == k {
			return e.v
		}
	}
	if k.link != ([12]byte{}) {
		if !ip || data[0]&1 != 0 {
			return pt.linkOf(k.iface, data[6:12])
		}
		// an IP frame of a new link: it takes over the interface's vantage that frames of no
		// IP founded, if any
		for i, e := range pt.vkeys {
			if e.k == (vantageKey{iface: k.iface}) {
				pt.vkeys[i].k = k
				pt.r.vantages[e.v].Link = linkName(k.link)
				return e.v
			}
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

// linkOf returns the vantage of interface iface of the point whose link has the station mac, else
// its first vantage of iface; on an interface with no vantage yet, it makes one for the
// interface itself (no link).
func (pt *pointReader) linkOf(iface int, mac []byte) int {
	first := -1
	for _, e := range pt.vkeys {
		if e.k.iface != iface {
			continue
		}
		if string(e.k.link[:6]) == string(mac) || string(e.k.link[6:]) == string(mac) {
			return e.v
		}
		if first < 0 {
			first = e.v
		}
	}
	if first >= 0 {
		return first
	}
	k := vantageKey{iface: iface}
	if !pt.baseKeyed {
		pt.baseKeyed = true
		pt.r.vantages[pt.base].Interface = iface
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
