// Package result holds what an analysis found, as plain data: the flows, their verdicts and
// evidence, warnings about the input and a summary. It is the contract between analyze (which
// fills it) and report (which renders it); it knows nothing of packets.
//
// The JSON encoding of Result is a versioned schema (see SchemaVersion and docs/json-schema.md):
// fields are only ever added within one schema version, never renamed or removed.
package result

import (
	"strings"
	"time"
)

// SchemaVersion names the JSON schema of Result. It changes only when a field is renamed,
// removed or changes meaning; added fields keep the version.
const SchemaVersion = "connscope.result/v1"

// Result is the outcome of analysing one capture.
type Result struct {
	Schema   string    `json:"schema"`   // always SchemaVersion
	Input    Input     `json:"input"`    // what was read
	Options  Options   `json:"options"`  // how it was analysed
	Warnings []Warning `json:"warnings"` // problems with the input, never nil
	Flows    FlowList  `json:"flows"`    // one per TCP connection, in order of first packet
	// FlowsNotListed counts flows that were analysed and counted in Summary but left out of Flows
	// because more than Options.MaxFlows flows were seen.
	FlowsNotListed int     `json:"flows_not_listed"`
	Summary        Summary `json:"summary"`
	// Names are the DNS names tied to the analysed servers that the capture shows being looked
	// up, with how each lookup went; never nil. See Name.
	Names []Name `json:"names"`
	// VerdictInfo explains each verdict that occurs in Flows or Names, in the order of
	// AllVerdicts, as the profile in Options.Profile words it; never nil.
	VerdictInfo []VerdictInfo `json:"verdict_info"`
}

// Input describes the capture that was read.
type Input struct {
	File      FileName  `json:"file"`
	Format    string    `json:"format"`     // e.g. "pcapng", "pcap (nanosecond, gzip)"
	LinkTypes []string  `json:"link_types"` // e.g. ["Ethernet", "Linux SLL2"]
	Snaplen   int       `json:"snaplen"`    // 0 when unknown
	Frames    int       `json:"frames"`     // frames read
	Bytes     int64     `json:"bytes"`      // captured bytes read
	First     time.Time `json:"first"`      // time of the first frame (zero when none)
	Last      time.Time `json:"last"`       // time of the last frame
	// Complete is false when reading stopped early (a truncated or corrupt file); Warnings say where.
	Complete bool `json:"complete"`
	// Live describes a live capture (connscope capture); absent for a file.
	Live *LiveCapture `json:"live,omitempty"`
	// Generator names the program that wrote the report (the connscope command sets it);
	// absent when the result was made by a program that does not say.
	Generator *Generator `json:"generator,omitempty"`
	// Outside is what the capture holds outside the analysed ports and hosts.
	Outside Outside `json:"outside"`
	// Points describes the capture points read and their files, when the input was more than
	// one file (a rotated set, a folder) or was labelled (--vantage NAME=FILE); absent for a
	// single file. File then names the first point, and the fields above sum up all files.
	Points []InputPoint `json:"points,omitempty"`
	// Vantages are the places the packets were captured at, when there is more than one: each
	// capture point, each pcapng interface of a point that has several, or each link of a file
	// that holds the same packets seen at two points. Flow.Vantages refers to them by index.
	Vantages []InputVantage `json:"vantages,omitempty"`
	// ClockOffsets are the clock offsets between vantages that saw the same connections.
	ClockOffsets []ClockOffset `json:"clock_offsets,omitempty"`
}

// Generator names the build of connscope that made a result, as the Go toolchain recorded it in
// the binary (runtime/debug.ReadBuildInfo).
type Generator struct {
	Name string `json:"name"` // "connscope"
	// Version is the module version: a release ("v1.2.0"), a pseudo-version naming the commit
	// ("v0.0.0-20260101120000-1f8cd3328b58", "+dirty" when the checkout had changes), or
	// "(devel)" when the build recorded none.
	Version string `json:"version"`
	// Revision is the version-control commit the binary was built from, when recorded.
	Revision string `json:"revision,omitempty"`
	// Modified is true when the checkout had uncommitted changes at build time.
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"go_version"` // the Go toolchain that built it, e.g. "go1.26.8"
}

// String names the build for people: "connscope v1.2.0", "connscope (devel) 1f8cd3328b58+dirty".
func (g *Generator) String() string {
	if g == nil {
		return "connscope"
	}
	s := g.Name
	if s == "" {
		s = "connscope"
	}
	if g.Version != "" {
		s += " " + g.Version
	}
	if g.Revision != "" && !strings.Contains(g.Version, shortRevision(g.Revision)) {
		s += " " + shortRevision(g.Revision)
		if g.Modified {
			s += "+dirty"
		}
	}
	return s
}

// shortRevision is the first 12 hex digits of a commit, as Go's pseudo-versions name it.
func shortRevision(r string) string {
	if len(r) > 12 {
		return r[:12]
	}
	return r
}

// InputPoint is one capture point of the input: one file, the files of a rotated set read as
// one, or standard input.
type InputPoint struct {
	Name  FileName    `json:"name"`  // the --vantage label, or the name of its first file
	Files []InputFile `json:"files"` // in the order they were read
}

// InputFile is what was read of one file of a capture point.
type InputFile struct {
	Name       FileName  `json:"name"`        // the file's name as given ("-" for standard input)
	Format     string    `json:"format"`      // as Input.Format
	LinkTypes  []string  `json:"link_types"`  // as Input.LinkTypes
	Snaplen    int       `json:"snaplen"`     // 0 when unknown
	Frames     int       `json:"frames"`      // frames read
	Bytes      int64     `json:"bytes"`       // captured bytes read
	SnaplenCut int       `json:"snaplen_cut"` // of its frames, packets cut by the snaplen
	First      time.Time `json:"first"`       // time of its first frame (zero when none)
	Last       time.Time `json:"last"`        // time of its last frame
	// Complete is false when reading the file stopped before its end; Error says why.
	Complete bool `json:"complete"`
	Error    Raw  `json:"error,omitempty"`
}

// LiveCapture describes a live capture: where and how it ran, the kernel's counts, and why it stopped.
type LiveCapture struct {
	Interface Raw    `json:"interface"` // e.g. "eth0", or with Npcap "\Device\NPF_{GUID}"
	Method    string `json:"method"`    // e.g. "Linux AF_PACKET (TPACKET_V3 ring), kernel BPF filter"
	Filter    Filter `json:"filter"`    // the capture filter in pcap-filter syntax
	// KernelReceived and KernelDropped are the kernel's (Npcap's) counts of packets that passed
	// the filter, and of those dropped because the capture could not keep up.
	KernelReceived uint64  `json:"kernel_received"`
	KernelDropped  uint64  `json:"kernel_dropped"`
	Seconds        float64 `json:"seconds"`    // how long it ran
	StoppedBy      string  `json:"stopped_by"` // "interrupted", "duration", "count" or "capture error"
}

// Options records the analysis settings that shaped the result.
type Options struct {
	Ports    []int `json:"ports"`     // server ports analysed; empty means every TCP port
	Hosts    []IP  `json:"hosts"`     // server addresses analysed; empty means every address
	MaxFlows int   `json:"max_flows"` // most flows listed individually
	// Profile names the knowledge profile that worded titles and next steps ("generic",
	// "apexone", ...).
	Profile string `json:"profile"`
	// AgentPorts are the agents' listener ports: connections to them are the server notifying
	// an agent (Flow.Role "agent-listener"). Empty when none were given.
	AgentPorts []int `json:"agent_ports"`
	// CheckURL is the path clients fetch to check the server (from the profile); "" for none.
	CheckURL string `json:"check_url"`
	// ServerNames are DNS names given as the server's (--server-name), besides those the
	// capture ties to the servers itself.
	ServerNames []Host `json:"server_names"`
}

// Warning is a problem with the input that limits what the analysis can say.
type Warning struct {
	// Code is a stable identifier: "truncated-file", "corrupt-file", "unreadable-file", "snaplen-cut",
	// "client-hello-cut", "roles-guessed", "flows-not-listed", "undecodable-frames", "fleet-truncated",
	// "dns-other-failures", "dns-not-followed", "one-direction", "kernel-drops", "capture-error",
	// "time-out-of-range", "time-jump", "time-back", "record-damaged", "damaged-flows",
	// "two-points-split", "two-points-unsplit", "port-scan", "port-sweep", "port-sweep-or-client",
	// "heartbleed-probe".
	Code    string  `json:"code"`
	Message Message `json:"message"` // one sentence that says what happened and what to do
	Offset  int64   `json:"offset,omitempty"`
	Frame   int     `json:"frame,omitempty"` // frame number it concerns, when one does
}

// Flow is one TCP connection: its endpoints, how TCP went, what TLS showed, and the verdict.
type Flow struct {
	ID     int      `json:"id"`     // 1-based, in order of the flow's first frame
	Client HostPort `json:"client"` // "ip:port"; IPv6 as "[addr]:port"
	Server HostPort `json:"server"`
	// RolesGuessed is true when no SYN was captured and the client was taken to be the side not on
	// an analysed server port.
	RolesGuessed bool `json:"roles_guessed"`

	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Duration float64   `json:"duration_s"`

	TCP TCP `json:"tcp"`
	// ConnState and History are computed as Zeek's conn.log defines them.
	ConnState string `json:"conn_state"`
	History   string `json:"history"`

	TLS *TLS `json:"tls"` // nil when no TLS was seen from either side
	// OfferedVersions is every version the client offered, lowest first (copied from TLS for
	// convenience; empty when no ClientHello was seen).
	OfferedVersions []string `json:"offered_versions"`
	ChosenVersion   *string  `json:"chosen_version"` // version the server chose, or null
	Alerts          []Alert  `json:"alerts"`         // plaintext alerts in order; never nil
	// NotTLS describes what the client sent instead of TLS, when Verdict is not-tls.
	NotTLS Message `json:"not_tls,omitempty"`

	// Advice selects and fills the knowledge entry that words the verdict's title and next steps
	// (JSON "title", "next_steps" and "next_step"): a report resolves it in the profile that
	// Options.Profile names, in its own language.
	Advice Advice `json:"-"`
	// Role is "agent-listener" for a connection to an agents' listener port (Options.AgentPorts):
	// the server notifying an agent, so Client is the server and Server the agent. Empty
	// otherwise.
	Role string `json:"role,omitempty"`
	// HTTP is what a plain-HTTP connection showed: the first request and its response; nil when
	// the client did not speak HTTP in clear.
	HTTP *HTTP `json:"http"`
	// FirstFrame and LastFrame are the frame numbers of the flow's first and last packet, in file
	// order (packets of one flow may come from several interfaces, out of time order).
	FirstFrame int `json:"first_frame"`
	LastFrame  int `json:"last_frame"`

	Verdict  Verdict    `json:"verdict"`
	Failed   bool       `json:"failed"`   // the verdict is a failure (see Verdict.Failed)
	Reason   Message    `json:"reason"`   // one line that says what happened
	Evidence []Evidence `json:"evidence"` // the packets that prove it; never nil
	// Flags are extra observations, e.g. "snaplen-cut"; never nil. (JSON "wireshark_filter",
	// the Wireshark display filter that selects this flow's packets, is WiresharkFilter.)
	Flags []string `json:"flags"`

	// Packets are the flow's packets for a ladder diagram: the first LadderHead and the last
	// LadderTail, in capture order; empty for a flow whose verdict is ok (to keep memory low
	// with many flows); never nil.
	Packets []Packet `json:"packets"`
	// PacketsOmitted counts the packets between those that Packets leaves out.
	PacketsOmitted int `json:"packets_omitted"`
	// Path is what the packets show about the network between client and server: where the
	// capture was taken, hop counts, the SYN retry schedule, ICMP errors, duplicate ACKs.
	Path *Path `json:"path,omitempty"`
	// Vantages is how the connection was seen at several vantages (or should have been): absent
	// when the capture has one, or when no other vantage saw it or should have.
	Vantages *Vantages `json:"vantages,omitempty"`
}

// Path is what a flow's packets show about the network path and the capture's vantage point.
type Path struct {
	// Vantage is where the capture was taken, as far as TTLs and handshake timing tell:
	// "client" (on the client host or its link), "server", "between" (routers on both sides),
	// "same-link" (no router between them and no timing to tell) or "unknown".
	Vantage string `json:"vantage"`
	// VantageReason says what the vantage was inferred from.
	VantageReason Message `json:"vantage_reason"`
	// ClientHops and ServerHops are the routers between each side and the capture point: the
	// usual initial TTL (64, 128 or 255) minus the TTL seen; -1 when that side sent no packet.
	ClientHops int `json:"client_hops"`
	ServerHops int `json:"server_hops"`
	// SYNIntervals are the seconds between the client's successive SYNs (retransmissions).
	SYNIntervals []float64 `json:"syn_intervals_s"`
	// SYNSchedule names the retransmission schedule those intervals match: "linux-linear",
	// "doubling-1s", "windows-3s", "unknown", or "" with fewer than two SYNs.
	SYNSchedule string `json:"syn_schedule"`
	// SYNGiveUp is, for a syn-timeout, the expected time in seconds after the first SYN at which
	// the client gives up (the next timeout after its last SYN); else 0.
	SYNGiveUp float64 `json:"syn_give_up_s"`
	// ICMP lists the ICMP errors that quote this flow's packets.
	ICMP []ICMPError `json:"icmp"`
	// DupACKs is the longest run of duplicate ACKs from either side; ZeroWindows counts
	// zero-window advertisements.
	DupACKs     int `json:"dup_acks"`
	ZeroWindows int `json:"zero_windows"`
}

// ICMPError is one ICMP/ICMPv6 error that quotes a packet of the flow.
type ICMPError struct {
	Frame  int       `json:"frame"`
	Time   time.Time `json:"time"`
	From   IP        `json:"from"` // the address that sent it: a router, or one of the hosts
	Type   int       `json:"type"`
	Code   int       `json:"code"`
	Name   string    `json:"name"`   // e.g. "ICMP communication administratively prohibited"
	MTU    int       `json:"mtu"`    // next-hop MTU of fragmentation needed / packet too big, else 0
	Quotes string    `json:"quotes"` // whose packet it quotes: "client" or "server"
}

// TCP is what the TCP headers of a flow showed.
type TCP struct {
	SYNs   []PacketRef `json:"syns"`    // client SYNs (retransmissions included)
	SYNACK *PacketRef  `json:"syn_ack"` // first SYN-ACK from the server
	// HandshakeRTT is the time from the last SYN before the SYN-ACK to the SYN-ACK, in seconds
	// (0 when no SYN-ACK was seen).
	HandshakeRTT  float64     `json:"handshake_rtt_s"`
	FINs          []PacketRef `json:"fins"` // first FIN from each side
	RSTs          []PacketRef `json:"rsts"` // resets, in order (at most a few kept)
	ClientPackets int         `json:"client_packets"`
	ServerPackets int         `json:"server_packets"`
	ClientBytes   int64       `json:"client_bytes"` // payload bytes, on the wire
	ServerBytes   int64       `json:"server_bytes"`
	ClientRetrans int         `json:"client_retransmissions"`
	ServerRetrans int         `json:"server_retransmissions"`
	SnaplenCut    int         `json:"snaplen_cut"` // packets of this flow cut by the snaplen
	ClientTTL     int         `json:"client_ttl"`  // IP TTL / hop limit of the client's first packet
	ServerTTL     int         `json:"server_ttl"`  // of the server's first packet (0 if none)
}

// PacketRef points at one packet of the capture.
type PacketRef struct {
	From  string    `json:"from"`  // "client" or "server"
	Frame int       `json:"frame"` // frame number, as Wireshark numbers it
	Time  time.Time `json:"time"`
}

// TLS is what the TLS handshake showed.
type TLS struct {
	ClientHello *ClientHello `json:"client_hello"`
	ServerHello *ServerHello `json:"server_hello"`
	// HelloRetryRequest is set when the server asked for another key share first.
	HelloRetryRequest *ServerHello `json:"hello_retry_request,omitempty"`
	// ServerMessages lists the handshake messages the server sent in plaintext, in order.
	ServerMessages []string `json:"server_messages"`
	// Established is true when both sides sent their Finished (TLS <= 1.2: a ChangeCipherSpec
	// each way; TLS 1.3: client application data or Finished after the server's flight, unless
	// the server answered that flight with one alert-sized record and closed: it refused it).
	Established bool `json:"established"`
	// ApplicationData counts application_data records per side after the handshake.
	ClientAppData int `json:"client_app_data_records"`
	ServerAppData int `json:"server_app_data_records"`
	// ServerCertificates is the chain the server sent in plaintext (TLS 1.2 and before), its own
	// certificate first; empty when none was seen (TLS 1.3 encrypts it).
	ServerCertificates []Certificate `json:"server_certificates"`
	// CertificateFrame is the frame that completed the server's Certificate message; 0 when none.
	CertificateFrame int `json:"certificate_frame"`
	// CertificateFindings are the problems found in that chain, judged at the capture's own time.
	CertificateFindings []CertificateFinding `json:"certificate_findings"`
}

// ClientHello is what the client offered.
type ClientHello struct {
	Frame         int    `json:"frame"` // frame holding the ClientHello's first byte
	LastFrame     int    `json:"last_frame"`
	Segments      int    `json:"segments"` // TCP segments it spanned
	RecordVersion string `json:"record_version"`
	LegacyVersion string `json:"legacy_version"`
	SSLv2Format   bool   `json:"sslv2_format"`
	// SupportedVersions is the supported_versions extension as sent (GREASE removed); null when
	// the extension was absent.
	SupportedVersions []string `json:"supported_versions"`
	// OfferedVersions is every version offered, lowest first. Without supported_versions only the
	// highest is on the wire; the range below it is assumed to start at TLS 1.0 and
	// OfferedFromLegacy says so.
	OfferedVersions   []string `json:"offered_versions"`
	OfferedFromLegacy bool     `json:"offered_from_legacy_version"`
	Highest           string   `json:"highest_version"`
	CipherSuites      []string `json:"cipher_suites"`
	SNI               Host     `json:"sni"`
	ALPN              []Raw    `json:"alpn"`
	SupportedGroups   []string `json:"supported_groups"`
	Extensions        []string `json:"extensions"`
	// SignatureAlgorithms is the signature_algorithms extension, in the order sent.
	SignatureAlgorithms []string `json:"signature_algorithms"`
	// JA3 is the client's JA3 fingerprint (MD5 of JA3String, Salesforce's spec, GREASE removed);
	// JA4 its JA4 fingerprint and JA4R JA4's raw (unhashed, sorted) form (FoxIO's JA4 spec).
	// All are "" for an SSLv2-format hello.
	JA3       string `json:"ja3"`
	JA3String string `json:"ja3_string"`
	JA4       string `json:"ja4"`
	JA4R      string `json:"ja4_r"`
}

// ServerHello is what the server chose.
type ServerHello struct {
	Frame         int    `json:"frame"`
	LegacyVersion string `json:"legacy_version"`
	ChosenVersion string `json:"chosen_version"`
	CipherSuite   string `json:"cipher_suite"`
	KeyShareGroup string `json:"key_share_group,omitempty"`
	ALPN          Raw    `json:"alpn,omitempty"`
	// JA3S is the server's JA3S fingerprint (MD5 of JA3SString); "" for SSLv2.
	JA3S       string `json:"ja3s"`
	JA3SString string `json:"ja3s_string"`
}

// Alert is one plaintext TLS alert.
type Alert struct {
	From        string    `json:"from"`  // "client" or "server"
	Level       string    `json:"level"` // "warning", "fatal"
	Description string    `json:"description"`
	Code        int       `json:"code"`
	Frame       int       `json:"frame"`
	Time        time.Time `json:"time"`
	// BeforeServerHello is true when the alert came before any ServerHello was seen.
	BeforeServerHello bool `json:"before_server_hello"`
}

// Evidence is one packet-level fact that supports the verdict.
type Evidence struct {
	Frame int       `json:"frame"`
	Time  time.Time `json:"time"`
	Text  Message   `json:"text"`
	// Flow is the ID of another flow this evidence comes from (e.g. a ServerHello that shows what
	// the server accepts); 0 (left out) when it is the flow's own packet.
	Flow int `json:"flow,omitempty"`
	// EvidenceAt is the vantage whose capture holds Frame, when the input has several
	// (Input.Vantages): a frame number alone does not say which capture to open. Nil with one
	// vantage. Its keys are the evidence's own in JSON, as encoding/json inlines them.
	*EvidenceAt
}

// Summary aggregates the flows (all of them, listed or not).
type Summary struct {
	Flows    int             `json:"flows"`
	Failed   int             `json:"failed"`
	Verdicts []VerdictCount  `json:"verdicts"` // in the order of AllVerdicts, only those seen
	Servers  []ServerSummary `json:"servers"`
	// NamesFailed counts the entries of Result.Names whose verdict is a failure.
	NamesFailed int `json:"names_failed"`
	// Agents is every client address (the first MaxAgents, sorted), Fingerprints the clients
	// grouped by JA4/JA3, Fleet each server's agents grouped by highest offered version and outcome.
	Agents       []AgentSummary     `json:"agents"`
	Fingerprints []FingerprintGroup `json:"fingerprints"`
	Fleet        []FleetGroup       `json:"fleet"`
	// Scans are the port scans: addresses that probed many ports of one host without sending
	// data (their flows have the verdict port-scan and count in no server's row). Absent when
	// there is none.
	Scans []Scan `json:"scans,omitempty"`
	// Sweeps are the sweeps of one port across hosts (horizontal scans): addresses that failed
	// to reach many hosts on one port without sending data, with probes that show a scanner
	// (their flows have the verdict port-scan too). Absent when there is none.
	Sweeps []Sweep `json:"sweeps,omitempty"`
}

// Sweep is one address's sweep of one port across hosts.
type Sweep struct {
	Client IP  `json:"client"` // the sweeping address
	Port   int `json:"port"`   // the port probed
	Hosts  int `json:"hosts"`  // distinct hosts probed
	// Open counts the hosts that answered with a SYN-ACK, Refused those that answered with a
	// RST only, Silent the others (no answer from the host: none at all, or an ICMP error from
	// the path); Unreachable those of Silent for which the path answered with an ICMP error.
	Open        int       `json:"open"`
	Refused     int       `json:"refused"`
	Silent      int       `json:"silent"`
	Unreachable int       `json:"unreachable"`
	Flows       int       `json:"flows"` // probes
	FirstFrame  int       `json:"first_frame"`
	LastFrame   int       `json:"last_frame"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	// FirstAt and LastAt name the captures FirstFrame and LastFrame are in, when the input has
	// several vantages; nil (left out) with one.
	FirstAt *EvidenceAt `json:"first_at,omitempty"`
	LastAt  *EvidenceAt `json:"last_at,omitempty"`
}

// Scan is one address's port scan of one host.
type Scan struct {
	Client IP  `json:"client"` // the scanning address
	Server IP  `json:"server"` // the host scanned
	Ports  int `json:"ports"`  // distinct ports probed
	Flows  int `json:"flows"`  // probes
	Open   int `json:"open"`   // distinct ports that answered with a SYN-ACK
	// OpenPorts are the ports that answered, lowest first (at most MaxScanOpenPorts).
	OpenPorts []int `json:"open_ports"`
	// Refused counts the distinct ports whose analysed probes got a RST and none a SYN-ACK; the
	// rest of Ports never answered.
	Refused    int       `json:"refused"`
	FirstFrame int       `json:"first_frame"`
	LastFrame  int       `json:"last_frame"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	// OutsidePorts counts, of Ports, those probed only outside the analysed ports and hosts (an
	// analysis narrowed with --port or --host): tracking skipped those connections but counted
	// their OutsideSYNs SYNs (and the SYN-ACKs, in Open). Both 0 (and left out) when every port
	// probed was analysed.
	OutsidePorts int `json:"outside_ports,omitempty"`
	OutsideSYNs  int `json:"outside_syns,omitempty"`
	// FirstAt and LastAt name the captures FirstFrame and LastFrame are in, when the input has
	// several vantages; nil (left out) with one.
	FirstAt *EvidenceAt `json:"first_at,omitempty"`
	LastAt  *EvidenceAt `json:"last_at,omitempty"`
}

// MaxScanOpenPorts is the most open ports a Scan lists.
const MaxScanOpenPorts = 64

// MaxAgents is the most agents Summary.Agents lists.
const MaxAgents = 1000

// VerdictCount is how many flows got one verdict.
type VerdictCount struct {
	Verdict Verdict `json:"verdict"`
	Count   int     `json:"count"`
}

// ServerSummary is what one server:port was seen to do.
type ServerSummary struct {
	Server HostPort `json:"server"`
	Flows  int      `json:"flows"`
	Failed int      `json:"failed"`
	// AcceptedVersions are the TLS versions it chose in handshakes that got a ServerHello.
	AcceptedVersions []string `json:"accepted_versions"`
	// AcceptedCiphers are the cipher suites it chose.
	AcceptedCiphers []string       `json:"accepted_ciphers"`
	Verdicts        []VerdictCount `json:"verdicts"`
	// OKHandshakes counts the flows whose TLS handshake completed (a version chosen, and verdict
	// ok or both sides' handshake finished before a later failure), per chosen version in
	// OKVersions.
	OKHandshakes int            `json:"ok_handshakes"`
	OKVersions   []VersionCount `json:"ok_versions"`
	// RefusedHighestVersions counts the ClientHellos it refused (alert, reset or close, no
	// ServerHello) by the highest version each offered.
	RefusedHighestVersions []VersionCount `json:"refused_highest_versions"`
	// Policy says in one sentence what the capture shows of its versions, and no more (a capture
	// sees only what the server chose from what clients offered), e.g. "accepted TLS 1.2 (chosen
	// in 212 completed handshakes); refused 14 ClientHellos offering at most TLS 1.0 (14 agents);
	// TLS 1.1 and TLS 1.3 not tested by any client".
	Policy Message `json:"policy"`
	// NotListedResets counts, of its middlebox-reset connections past the listing limit, those
	// whose forged reset carried the client's address and those that carried the server's (a
	// refusal forged in the server's name counts there): what names the side in their next
	// step. Nil when none is past the limit.
	NotListedResets *ResetSides `json:"not_listed_middlebox_resets,omitempty"`
}

// ResetSides counts forged resets by the side whose address they carried.
type ResetSides struct {
	Client int `json:"in_name_of_client"`
	Server int `json:"in_name_of_server"`
}
