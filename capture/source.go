package capture

import (
	"fmt"

	"github.com/gopacket/gopacket/layers"
)

// This file is what a packet source (capture files: pcapfile; a network interface: live) uses to
// decode its frames and count what it read.

// Decoder decodes frames into Packets without allocating (see Packet). One packet source keeps one
// Decoder for all its frames: it tells checksum offload from damage by the pattern of each
// source address's checksums across them.
type Decoder decoder

// NewDecoder returns a Decoder with its layers and parsers preallocated.
func NewDecoder() *Decoder { return (*Decoder)(newDecoder()) }

// Decode fills p's Kind, addresses and TCP, ICMP or UDP fields from a frame of the given link,
// taking off the tunnels it is in (p.Encap); it sets p.Truncated when an IP header says the packet
// goes on beyond the captured bytes and p.Corrupt when a checksum is damaged. The caller sets the
// fields of the frame itself (Index, Time, CapLen, WireLen, and Truncated when CapLen < WireLen)
// first. Decode reports false when the frame's link or network header, or a tunnel's, could not be
// decoded: Reason says why. p's slices borrow data.
func (d *Decoder) Decode(data []byte, link Link, p *Packet) bool {
	return (*decoder)(d).decode(data, link.kind, p)
}

// Late returns the earlier packets that the last Decode showed to be damaged (a source's first
// packet, judged by the source's later ones), to be counted as damaged though their Packet.Corrupt
// was 0; valid until the next Decode.
func (d *Decoder) Late() []LateDamage { return d.late }

// Reason says why the last Decode reported false; the zero Reason when it decoded the frame.
func (d *Decoder) Reason() Reason { return d.reason }

// Offloaded counts the packets whose wrong checksum was put down to checksum offload (see
// Stats.ChecksumOffload).
func (d *Decoder) Offloaded() int { return d.offloaded }

// Link is how a Decoder starts on the frames of one link type: LinkOf gives it.
type Link struct{ kind linkKind }

// LinkOf returns the Link of a link type (a pcap header's, a pcapng interface's, a live
// interface's); a link type connscope does not decode gives a Link whose frames are undecodable
// (ReasonLinkType).
func LinkOf(lt layers.LinkType) Link { return Link{linkKindOf(lt)} }

// LinkTypeName names a link type as Wireshark's users know it.
func LinkTypeName(lt layers.LinkType) string {
	switch lt {
	case layers.LinkTypeNull:
		return "BSD loopback (NULL)"
	case layers.LinkTypeEthernet:
		return "Ethernet"
	case layers.LinkTypeRaw, 12, 14:
		return "Raw IP"
	case layers.LinkTypeLoop:
		return "OpenBSD loopback (LOOP)"
	case layers.LinkTypeLinuxSLL:
		return "Linux SLL"
	case layers.LinkTypeLinuxSLL2:
		return "Linux SLL2"
	case layers.LinkTypeIPv4:
		return "Raw IPv4"
	case layers.LinkTypeIPv6:
		return "Raw IPv6"
	}
	return fmt.Sprintf("link type %d (not decoded)", uint16(lt))
}

// Tallies counts frames per Reason, in the order each reason first occurred, with the first few
// frames of each (Tally). It allocates only when a reason first occurs, and keeps a bounded number
// of reasons apart: the frames of further ones are counted under ReasonMore. The zero value is
// empty and ready to use.
type Tallies struct{ t tallies }

// Add counts the frame at with reason r.
func (t *Tallies) Add(r Reason, at FrameRef) { t.t.add(r, at) }

// Copy returns the tallies so far as a deep copy, which the caller may keep.
func (t *Tallies) Copy() []Tally { return t.t.copy() }

// Stats counts what a packet source has read so far.
type Stats struct {
	Frames      int   // frames read (TCP + ICMPErrors + DNS + Other)
	Bytes       int64 // captured bytes of those frames
	TCP         int   // KindTCP packets
	ICMPErrors  int   // KindICMPError packets
	DNS         int   // KindDNS datagrams
	Other       int   // KindOther frames, Undecodable ones included
	Truncated   int   // packets cut by the snaplen (Packet.Truncated)
	Undecodable int   // frames whose link, IP or tunnel header could not be decoded (see Tallies)
	// Encapsulated counts frames whose packet was found inside a tunnel (Packet.Encap != 0).
	Encapsulated int
	// Corrupt counts packets with a damaged checksum (Packet.Corrupt != 0; see Tallies).
	Corrupt int
	// ChecksumOffload counts wrong checksums put down to checksum offload on the capturing host
	// (or to a source whose checksums are all wrong): not damage, and not in Corrupt.
	ChecksumOffload int
}

// Count adds a decoded packet to the per-kind counts (not to Frames, Bytes or Undecodable, which
// the source counts).
func (s *Stats) Count(p *Packet) {
	switch p.Kind {
	case KindTCP:
		s.TCP++
	case KindICMPError:
		s.ICMPErrors++
	case KindDNS:
		s.DNS++
	default:
		s.Other++
	}
	if p.Truncated {
		s.Truncated++
	}
	if p.Encap != 0 {
		s.Encapsulated++
	}
	if p.Corrupt != 0 {
		s.Corrupt++
	}
}
