package result

import "time"

// InputVantage is one place the packets were captured at: a capture point (a file, a rotated
// set, standard input, a --vantage label), or a part of one that saw its own copy of the
// traffic — a pcapng interface, or a link (a pair of MAC addresses) of a file that holds the
// same packets seen at two points. Input.Vantages lists them when there is more than one.
type InputVantage struct {
	Name  Message `json:"name"`  // e.g. "agent", "merged.pcapng interface 1"
	Point int     `json:"point"` // the capture point: an index into Input.Points (0 for one file)
	// Interface is the pcapng interface when the point's interfaces are told apart, else -1.
	Interface int `json:"interface"`
	// Link is the link's two MAC addresses when a file was split by link, else "".
	Link   Raw       `json:"link,omitempty"`
	Frames int       `json:"frames"` // frames captured at it
	First  time.Time `json:"first"`  // time of its first frame (zero when none)
	Last   time.Time `json:"last"`
}

// EvidenceAt names the vantage an evidence line's frame is in, for an input of several
// vantages. The evidence of one vantage may share one.
type EvidenceAt struct {
	Vantage int     `json:"vantage"` // index into Input.Vantages
	Name    Message `json:"capture"` // the vantage as Input.Vantages names it
}

// ClockOffset is the clock offset between two vantages, measured from the packets of the
// connections both saw: the far vantage's clock minus the near one's (near: nearer the clients).
type ClockOffset struct {
	Near        int     `json:"near"` // index into Input.Vantages
	Far         int     `json:"far"`
	OffsetMS    float64 `json:"offset_ms"`
	Connections int     `json:"connections"` // connections it was measured on (the median is given)
}

// Vantages is how one connection was seen at several vantages, or should have been: a view per
// vantage and, per direction, which packets left the sending side's vantage and reached the
// receiving side's — the JSON "vantages" section of a flow (docs/json-schema.md). The flow's other
// fields (frames, counts, ladder) come from Views[0]; each evidence line names its vantage
// (Evidence.EvidenceAt).
type Vantages struct {
	Views []VantageView `json:"views"`
	// Near and Far index Views: the view nearest the client and the one nearest the server;
	// the deliveries are counted between them.
	Near int `json:"near"`
	Far  int `json:"far"`
	// ClientToServer leaves at the near view and arrives at the far one; ServerToClient the
	// other way.
	ClientToServer Delivery `json:"client_to_server"`
	ServerToClient Delivery `json:"server_to_client"`
	// ClockOffsetMS is the far view's clock minus the near one's, in milliseconds, from packets
	// both saw in both directions; TransitMS the one-way time between them (with only one
	// direction matched, the offset is folded into it: ClockOffsetMS is then null). Null when
	// not measured.
	ClockOffsetMS *float64 `json:"clock_offset_ms"`
	TransitMS     *float64 `json:"transit_ms"`
	// NAT is true when the views saw different endpoints: an address translator between them.
	NAT bool `json:"nat"`
	// Ladder is the connection's packets as both views saw them: the first, the last, and those
	// around the first lost and the first injected packet of each direction; LadderOmitted
	// counts those left out (VantageStep.OmittedBefore says where).
	Ladder        []VantageStep `json:"ladder"`
	LadderOmitted int           `json:"ladder_omitted"`
}

// VantageView is one vantage's view of a connection.
type VantageView struct {
	Vantage int     `json:"vantage"` // index into Input.Vantages
	Name    Message `json:"name"`
	// Side is where on the path the vantage sits, from the TTLs it saw: "client", "server",
	// "between" (routers on both sides), "same-link", or "unknown" (also for a view not seen).
	Side string `json:"side"`
	// Seen is false for a vantage that should have seen the connection but holds none of its
	// packets; Expected says why it should have: "empty-capture" (its capture holds no packet
	// at all), "server-seen" or "client-seen" (it holds other packets of that server or
	// client at the time).
	Seen     bool   `json:"seen"`
	Expected string `json:"expected,omitempty"`
	// Client and Server are the endpoints as this vantage saw them ("" when not seen).
	Client        HostPort `json:"client"`
	Server        HostPort `json:"server"`
	ClientPackets int      `json:"client_packets"`
	ServerPackets int      `json:"server_packets"`
	// ClientHops and ServerHops are each side's routers to this vantage, from its TTL (-1: none).
	ClientHops int `json:"client_hops"`
	ServerHops int `json:"server_hops"`
	// First and Last are its first and last packet of the connection (nil when not seen).
	First *FrameAt `json:"first"`
	Last  *FrameAt `json:"last"`
}

// Delivery is what one direction's packets did between the near and the far view.
type Delivery struct {
	From int `json:"from"` // the view (index into Vantages.Views) where they leave
	To   int `json:"to"`   // the view where they should arrive
	// Sent counts the direction's packets at From; Arrived how many of them To holds; Lost the
	// rest; Injected the packets at To that From never saw sent (forged in the sender's name
	// between them).
	Sent     int `json:"sent"`
	Arrived  int `json:"arrived"`
	Lost     int `json:"lost"`
	Injected int `json:"injected"`
	// FirstLost is the first packet that did not arrive, in From's capture; FirstInjected the
	// first injected one, in To's; nil when none.
	FirstLost     *FrameAt `json:"first_lost"`
	FirstInjected *FrameAt `json:"first_injected"`
	// Partial is true when a view held more packets than connscope compares (the first 1024 per
	// direction): the counts cover those.
	Partial bool `json:"partial"`
}

// FrameAt is one packet of one vantage's capture: the file of its capture point that holds it
// and its frame number there, as Wireshark numbers it when it opens that file alone.
type FrameAt struct {
	Vantage int       `json:"vantage"`
	File    FileName  `json:"file"`
	Frame   int       `json:"frame"`
	Time    time.Time `json:"time"`
}

// VantageStep is one packet in a two-view ladder: who sent it, its flags and length, and where
// the near and the far view saw it (nil where not seen).
type VantageStep struct {
	From       string `json:"from"` // "client" or "server"
	TCPFlags   string `json:"tcp_flags"`
	PayloadLen int    `json:"payload_len"`
	// Fate is "arrived" (both views saw it), "lost" (only the sending side's) or "injected"
	// (only the receiving side's).
	Fate string   `json:"fate"`
	Near *FrameAt `json:"near"`
	Far  *FrameAt `json:"far"`
	// Messages are the TLS records it completed, as Packet.Messages names them, where the
	// flow's own view holds it; never nil.
	Messages []string `json:"messages"`
	// OmittedBefore counts the packets left out of the ladder just before this one.
	OmittedBefore int `json:"omitted_before"`
}
