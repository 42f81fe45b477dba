package capture

import "fmt"

// ReasonCode says why a frame could not be decoded, or what is wrong with a packet that was.
type ReasonCode uint8

// Reasons a frame is undecodable (Stats.Undecodable counts them), and damage found in a packet
// that was decoded (Packet.Corrupt). Value in Reason gives the number each one names.
const (
	// ReasonNone: nothing is wrong.
	ReasonNone ReasonCode = iota
	// ReasonLinkType: the file's link type (Value) is not one connscope decodes.
	ReasonLinkType
	// ReasonLinkHeader: the link-layer header (of link type Value) is cut short, e.g. a frame
	// shorter than an Ethernet header.
	ReasonLinkHeader
	// ReasonEtherType: the EtherType (Value) is neither one connscope decodes nor one known to
	// carry no IP (ARP, LLDP, ...): a protocol it cannot look into, or a type hit by corruption.
	ReasonEtherType
	// ReasonIPHeader: the IP header (IP version Value: 4 or 6) is broken or cut inside the
	// packet: a header length below the minimum, a total length shorter than the header.
	ReasonIPHeader
	// ReasonIPVersion: a header announced as IP (by EtherType, tunnel or link type) holds IP
	// version Value, neither 4 nor 6.
	ReasonIPVersion
	// ReasonIPv6Extension: an IPv6 extension header chain runs past the end of the packet
	// (Value: the extension headers read before it). Chains of any length are followed.
	ReasonIPv6Extension
	// ReasonTunnel: a tunnel header (Encap Value) is cut short or broken, so its inner packet
	// cannot be reached.
	ReasonTunnel
	// ReasonTunnelProtocol: a tunnel (GRE, Geneve, PPP) carries protocol Value, which connscope
	// does not decode (e.g. PPP's compressed or encrypted datagrams, NSH).
	ReasonTunnelProtocol
	// ReasonTunnelDepth: encapsulations are nested deeper than MaxEncapDepth (Value).
	ReasonTunnelDepth
	// ReasonLinkProtocol: a BSD loopback header names address family Value, not IPv4 or IPv6.
	ReasonLinkProtocol
	// ReasonTunnelFragment: a tunnel packet (Encap Value) was split into IP fragments, which
	// connscope does not reassemble; the packet inside cannot be reached.
	ReasonTunnelFragment
	// ReasonTCPHeader: a TCP header is broken: its data offset (Value, in bytes) is below the
	// 20 bytes of the fixed header or beyond the packet (a damaged packet; a header the
	// snaplen cut is read as cut, not broken).
	ReasonTCPHeader
	// ReasonLinkHeaderBroken: the link-layer header (of link type Value) holds a value no such
	// header has (a Linux cooked header's packet type or address length out of range, SLL2's
	// reserved bytes not zero): the
	// frames are likely of another link type than the file says.
	ReasonLinkHeaderBroken
	// ReasonInternal: decoding the frame failed in connscope itself (a bug: please report it
	// with the frame).
	ReasonInternal
	// ReasonMore: a Reader keeps maxTallies reasons apart; the frames of further ones are
	// counted together under this one.
	ReasonMore

	// ReasonIPv4Checksum: an IPv4 header checksum is wrong, and checksum offload does not
	// explain it (the packet is decoded; Packet.Corrupt says so).
	ReasonIPv4Checksum
	// ReasonTCPChecksum: a TCP checksum is wrong, and checksum offload does not explain it.
	ReasonTCPChecksum
	// ReasonUDPChecksum: a UDP checksum (of a DNS datagram) is wrong.
	ReasonUDPChecksum
	// ReasonICMPChecksum: an ICMP or ICMPv6 error's checksum is wrong.
	ReasonICMPChecksum
	numReasons
)

// Reason is why a frame was not decoded or what is wrong with it, with the number it names: the
// EtherType, the link type, the IP version, the tunnel (an Encap) or its protocol.
type Reason struct {
	Code  ReasonCode // what is wrong
	Value uint32     // the number Code names (see each ReasonCode), else 0
}

// Corrupt reports whether the reason is damage found in a decoded packet (a bad checksum) rather
// than a frame that could not be decoded.
func (r Reason) Corrupt() bool { return r.Code >= ReasonIPv4Checksum && r.Code < numReasons }

// String says the reason in a few words, e.g. "EtherType 0x88e7", "IPv4 header checksum".
func (r Reason) String() string {
	switch r.Code {
	case ReasonNone:
		return "none"
	case ReasonLinkType:
		return fmt.Sprintf("link type %d", r.Value)
	case ReasonLinkHeaderBroken:
		return fmt.Sprintf("broken link header (link type %d)", r.Value)
	case ReasonLinkHeader:
		return fmt.Sprintf("link header cut short (link type %d)", r.Value)
	case ReasonEtherType:
		return fmt.Sprintf("EtherType 0x%04x", r.Value)
	case ReasonIPHeader:
		return fmt.Sprintf("broken IPv%d header", r.Value)
	case ReasonIPVersion:
		return fmt.Sprintf("IP version %d", r.Value)
	case ReasonIPv6Extension:
		return fmt.Sprintf("IPv6 extension header cut inside the packet (after %d)", r.Value)
	case ReasonTunnel:
		return fmt.Sprintf("broken %s header", Encap(r.Value))
	case ReasonTunnelProtocol:
		return fmt.Sprintf("tunnel protocol 0x%04x", r.Value)
	case ReasonTunnelDepth:
		return fmt.Sprintf("encapsulations nested deeper than %d", r.Value)
	case ReasonLinkProtocol:
		return fmt.Sprintf("loopback address family %d", r.Value)
	case ReasonTunnelFragment:
		return fmt.Sprintf("%s packet in IP fragments", Encap(r.Value))
	case ReasonTCPHeader:
		return fmt.Sprintf("broken TCP header (data offset %d)", r.Value)
	case ReasonInternal:
		return "decoder failure"
	case ReasonMore:
		return "further reasons"
	case ReasonIPv4Checksum:
		return "IPv4 header checksum"
	case ReasonTCPChecksum:
		return "TCP checksum"
	case ReasonUDPChecksum:
		return "UDP checksum"
	case ReasonICMPChecksum:
		return "ICMP checksum"
	}
	return fmt.Sprintf("reason(%d, %d)", r.Code, r.Value)
}

// TallyFrames is how many frame numbers a Tally keeps.
const TallyFrames = 5

// maxTallies bounds the distinct reasons a reader keeps apart (a capture damaged by bit flips
// can hit hundreds of EtherTypes); the frames of further ones are counted under ReasonMore.
const maxTallies = 64

// Tally counts the frames of one Reason, and keeps the first few of them, so that a warning can
// name frames a user can look at.
type Tally struct {
	Reason Reason // why
	Frames int    // frames (or packets) with this reason
	// First holds the first TallyFrames of them (fewer when fewer occurred), in reading order.
	First []FrameRef
}

// FrameRef names one frame: its capture point (an index into Reader.Points) and its frame
// number there (Packet.Index).
type FrameRef struct {
	Point int // index into Reader.Points
	Frame int // Packet.Index
}

// tallies keeps a Tally per Reason in order of first occurrence. It allocates only when a reason
// first occurs, and holds at most maxTallies of them: a further reason is counted with the last.
type tallies []Tally

func (t *tallies) add(r Reason, at FrameRef) {
	ts := *t
	i := 0
	for i < len(ts) && ts[i].Reason != r {
		i++
	}
	if i == len(ts) {
		if len(ts) >= maxTallies {
			// a reason beyond the bound: counted under ReasonMore, the last tally, never lost
			r, i = Reason{Code: ReasonMore}, len(ts)-1
		}
		if i == len(ts) || ts[i].Reason != r {
			ts = append(ts, Tally{Reason: r, First: make([]FrameRef, 0, TallyFrames)})
			*t, i = ts, len(ts)-1
		}
	}
	ts[i].Frames++
	// A frame judged late (a source's first packet) goes where it stands in reading order.
	f := ts[i].First
	j := len(f)
	for j > 0 && (f[j-1].Point > at.Point || f[j-1].Point == at.Point && f[j-1].Frame > at.Frame) {
		j--
	}
	switch {
	case len(f) < TallyFrames:
		f = append(f, FrameRef{})
	case j == len(f):
		return
	}
	copy(f[j+1:], f[j:])
	f[j] = at
	ts[i].First = f
}

// copy returns a deep copy, which the caller may keep.
func (t tallies) copy() []Tally {
	out := make([]Tally, len(t))
	for i, x := range t {
		out[i] = Tally{Reason: x.Reason, Frames: x.Frames, First: append([]FrameRef(nil), x.First...)}
	}
	return out
}
