package report

import (
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/connscope/connscope/result"
)

// The fixtures are result values as analyze would fill them for an Apex One agent talking to
// its server on port 4343. Times are built in JST so that every output must convert to UTC.

var jst = time.FixedZone("JST", 9*60*60)

// t0 is 2025-03-14 09:26:53.589793 UTC.
var t0 = time.Date(2025, 3, 14, 18, 26, 53, 589793000, jst)

func at(ms float64) time.Time { return t0.Add(time.Duration(ms * float64(time.Millisecond))) }

func ptr[T any](v T) *T { return &v }

func ref(from string, frame int, ms float64) result.PacketRef {
	return result.PacketRef{From: from, Frame: frame, Time: at(ms)}
}

// okFlow: a TLS 1.2 handshake that completed.
func okFlow(id int) result.Flow {
	return result.Flow{
		ID: id, Client: "10.0.0.5:50418", Server: "10.0.0.1:4343",
		Start: at(0), End: at(2100), Duration: 2.1,
		TCP: result.TCP{
			SYNs: []result.PacketRef{ref("client", 1, 0)}, SYNACK: ptr(ref("server", 2, 0.4)),
			HandshakeRTT: 0.0004, FINs: []result.PacketRef{ref("client", 14, 2100), ref("server", 15, 2100.2)},
			RSTs: []result.PacketRef{}, ClientPackets: 8, ServerPackets: 7, ClientBytes: 1210, ServerBytes: 4388,
			ClientTTL: 128, ServerTTL: 127,
		},
		ConnState: "SF", History: "ShADadFf",
		TLS: &result.TLS{
			ClientHello: &result.ClientHello{
				Frame: 4, LastFrame: 4, Segments: 1, RecordVersion: "TLS 1.0", LegacyVersion: "TLS 1.2",
				SupportedVersions: []string{"TLS 1.2", "TLS 1.1", "TLS 1.0"},
				OfferedVersions:   []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"},
				Highest:           "TLS 1.2",
				CipherSuites:      []string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
				SNI:               "apexone.example.com",
				ALPN:              []result.Raw{"http/1.1"}, SupportedGroups: []string{"x25519", "secp256r1"},
				Extensions: []string{"server_name", "supported_groups", "signature_algorithms", "supported_versions"},
			},
			ServerHello: &result.ServerHello{
				Frame: 6, LegacyVersion: "TLS 1.2", ChosenVersion: "TLS 1.2",
				CipherSuite: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
			},
			ServerMessages: []string{"ServerHello", "Certificate", "ServerKeyExchange", "ServerHelloDone"},
			Established:    true, ClientAppData: 2, ServerAppData: 2,
		},
		OfferedVersions: []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"},
		ChosenVersion:   ptr("TLS 1.2"),
		Alerts:          []result.Alert{},
		Verdict:         result.VerdictOK,
		Reason:          lit("TLS 1.2 handshake completed with TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
		Evidence: []result.Evidence{
			{Frame: 6, Time: at(1.2), Text: lit("ServerHello chose TLS 1.2, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")},
		},
		Flags: []string{},
	}
}

// mismatchFlow: the client offers TLS 1.0 and 1.1; the server wants 1.2 and says so with an
// alert.
func mismatchFlow(id int) result.Flow {
	return result.Flow{
		ID: id, Client: "10.0.0.6:50420", Server: "10.0.0.1:4343",
		Start: at(310.5), End: at(312.25), Duration: 0.00175,
		TCP: result.TCP{
			SYNs: []result.PacketRef{ref("client", 16, 310.5)}, SYNACK: ptr(ref("server", 17, 310.9)),
			HandshakeRTT: 0.0004, FINs: []result.PacketRef{}, RSTs: []result.PacketRef{ref("server", 21, 312.25)},
			ClientPackets: 3, ServerPackets: 3, ClientBytes: 181, ServerBytes: 7, ClientTTL: 128, ServerTTL: 127,
		},
		ConnState: "RSTR", History: "ShADdr",
		TLS: &result.TLS{
			ClientHello: &result.ClientHello{
				Frame: 19, LastFrame: 19, Segments: 1, RecordVersion: "TLS 1.0", LegacyVersion: "TLS 1.1",
				SupportedVersions: []string{"TLS 1.1", "TLS 1.0"},
				OfferedVersions:   []string{"TLS 1.0", "TLS 1.1"},
				Highest:           "TLS 1.1",
				CipherSuites:      []string{"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"},
				SNI:               "apexone.example.com",
				ALPN:              nil, // no ALPN extension: encoded as []
				SupportedGroups:   []string{"secp256r1", "secp384r1"},
				Extensions:        []string{"server_name", "supported_groups", "supported_versions"},
			},
			ServerMessages: nil, // none: encoded as []
		},
		OfferedVersions: []string{"TLS 1.0", "TLS 1.1"},
		ChosenVersion:   nil,
		Alerts: []result.Alert{{
			From: "server", Level: "fatal", Description: "protocol_version", Code: 70, Frame: 20,
			Time: at(311.8), BeforeServerHello: true,
		}},
		Verdict: result.VerdictTLSVersionMismatch,
		Failed:  true,
		Reason:  lit("the client offered TLS 1.0–1.1; the server answered with a protocol_version alert (it chose TLS 1.2 for other clients)"),
		Evidence: []result.Evidence{
			{Frame: 19, Time: at(311.1), Text: lit("ClientHello offers TLS 1.0, TLS 1.1 (highest TLS 1.1), SNI apexone.example.com")},
			{Frame: 20, Time: at(311.8), Text: lit("server sent fatal alert protocol_version (70)")},
			{Frame: 21, Time: at(312.25), Text: lit("server reset the connection")},
		},
		Flags: nil, // encoded as []
		Packets: []result.Packet{
			{Frame: 16, Time: at(310.5), From: "client", TCPFlags: "SYN"},
			{Frame: 17, Time: at(310.9), From: "server", TCPFlags: "SYN, ACK"},
			{Frame: 18, Time: at(311), From: "client", TCPFlags: "ACK"},
			{Frame: 19, Time: at(311.1), From: "client", TCPFlags: "PSH, ACK", PayloadLen: 181, Messages: []string{"client_hello"}},
			{Frame: 20, Time: at(311.8), From: "server", TCPFlags: "PSH, ACK", PayloadLen: 7, Messages: []string{"alert fatal protocol_version"}},
			{Frame: 21, Time: at(312.25), From: "server", TCPFlags: "RST, ACK"},
		},
	}
}

// refusedFlow: nothing listens on the port. Every list that can be nil is nil.
func refusedFlow(id int) result.Flow {
	return result.Flow{
		ID: id, Client: "10.0.0.7:50422", Server: "10.0.0.2:4343",
		Start: at(1000), End: at(1000.3), Duration: 0.0003,
		TCP: result.TCP{
			SYNs: []result.PacketRef{ref("client", 22, 1000)}, RSTs: []result.PacketRef{ref("server", 23, 1000.3)},
			ClientPackets: 1, ServerPackets: 1, ClientTTL: 128, ServerTTL: 127,
		},
		ConnState: "REJ", History: "Sr",
		Verdict: result.VerdictRefused,
		Failed:  true,
		Reason:  lit("the server answered the SYN with a reset: nothing listens on 10.0.0.2:4343"),
		Evidence: []result.Evidence{
			{Frame: 22, Time: at(1000), Text: lit("client SYN")},
			{Frame: 23, Time: at(1000.3), Text: lit("server RST, ACK")},
		},
	}
}

// ipv6Flow: a TLS 1.3 handshake over IPv6.
func ipv6Flow(id int) result.Flow {
	return result.Flow{
		ID: id, Client: "[fd00::5]:50424", Server: "[fd00::1]:4343",
		Start: at(1500), End: at(1620), Duration: 0.12,
		TCP: result.TCP{
			SYNs: []result.PacketRef{ref("client", 24, 1500)}, SYNACK: ptr(ref("server", 25, 1500.2)),
			HandshakeRTT: 0.0002, FINs: []result.PacketRef{ref("client", 33, 1620)},
			ClientPackets: 6, ServerPackets: 5, ClientBytes: 1906, ServerBytes: 5120, ClientTTL: 64, ServerTTL: 64,
		},
		ConnState: "SF", History: "ShADadFf",
		TLS: &result.TLS{
			ClientHello: &result.ClientHello{
				Frame: 27, LastFrame: 27, Segments: 1, RecordVersion: "TLS 1.0", LegacyVersion: "TLS 1.2",
				SupportedVersions: []string{"TLS 1.3", "TLS 1.2"},
				OfferedVersions:   []string{"TLS 1.2", "TLS 1.3"},
				Highest:           "TLS 1.3",
				CipherSuites:      []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"},
				SNI:               "apexone.example.com",
			},
			ServerHello: &result.ServerHello{
				Frame: 28, LegacyVersion: "TLS 1.2", ChosenVersion: "TLS 1.3",
				CipherSuite: "TLS_AES_128_GCM_SHA256", KeyShareGroup: "x25519",
			},
			ServerMessages: []string{"ServerHello"},
			Established:    true, ClientAppData: 3, ServerAppData: 2,
		},
		OfferedVersions: []string{"TLS 1.2", "TLS 1.3"},
		ChosenVersion:   ptr("TLS 1.3"),
		Verdict:         result.VerdictOK,
		Reason:          lit("TLS 1.3 handshake completed with TLS_AES_128_GCM_SHA256"),
		Evidence:        []result.Evidence{{Frame: 28, Time: at(1501), Text: lit("ServerHello chose TLS 1.3")}},
	}
}

// japaneseFlow: a certificate rejection where the server name is Japanese, so that text of
// display width 2 reaches the table (SNI) and the detail block.
func japaneseFlow(id int) result.Flow {
	return result.Flow{
		ID: id, Client: "10.0.0.8:50426", Server: "10.0.0.3:4343",
		Start: at(2000), End: at(2003), Duration: 0.003,
		TCP: result.TCP{
			SYNs: []result.PacketRef{ref("client", 34, 2000)}, SYNACK: ptr(ref("server", 35, 2000.3)),
			HandshakeRTT: 0.0003, RSTs: []result.PacketRef{ref("client", 41, 2003)},
			ClientPackets: 4, ServerPackets: 3, ClientBytes: 1317, ServerBytes: 3890, ClientTTL: 128, ServerTTL: 127,
		},
		ConnState: "RSTO", History: "ShADdR",
		TLS: &result.TLS{
			ClientHello: &result.ClientHello{
				Frame: 37, LastFrame: 37, Segments: 1, RecordVersion: "TLS 1.0", LegacyVersion: "TLS 1.2",
				OfferedVersions: []string{"TLS 1.2"}, Highest: "TLS 1.2",
				CipherSuites: []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
				SNI:          "サーバー.example",
			},
			ServerHello: &result.ServerHello{
				Frame: 38, LegacyVersion: "TLS 1.2", ChosenVersion: "TLS 1.2",
				CipherSuite: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
			},
			ServerMessages: []string{"ServerHello", "Certificate", "ServerKeyExchange", "ServerHelloDone"},
		},
		OfferedVersions: []string{"TLS 1.2"},
		ChosenVersion:   ptr("TLS 1.2"),
		Alerts: []result.Alert{{
			From: "client", Level: "fatal", Description: "unknown_ca", Code: 48, Frame: 40, Time: at(2002.5),
		}},
		Verdict: result.VerdictTLSCertificateRejected,
		Failed:  true,
		Reason:  lit("the client rejected the certificate of サーバー.example with unknown_ca (48)"),
		Evidence: []result.Evidence{
			{Frame: 37, Time: at(2001), Text: lit("ClientHello SNI サーバー.example, offers TLS 1.2")},
			{Frame: 40, Time: at(2002.5), Text: lit("client sent fatal alert unknown_ca (48)")},
			{Frame: 41, Time: at(2003), Text: lit("client reset the connection")},
		},
		Flags: []string{},
	}
}

// legacyFlow: a ClientHello without supported_versions (only TLS 1.1 on the wire), reset by
// the server.
func legacyFlow(id int) result.Flow {
	return result.Flow{
		ID: id, Client: "10.0.0.9:50428", Server: "10.0.0.1:4343",
		Start: at(2500), End: at(2501), Duration: 0.001,
		TCP: result.TCP{
			SYNs: []result.PacketRef{ref("client", 42, 2500)}, SYNACK: ptr(ref("server", 43, 2500.3)),
			HandshakeRTT: 0.0003, RSTs: []result.PacketRef{ref("server", 46, 2501)},
			ClientPackets: 3, ServerPackets: 2, ClientBytes: 142, ClientTTL: 128, ServerTTL: 127,
		},
		ConnState: "RSTR", History: "ShADr",
		TLS: &result.TLS{
			ClientHello: &result.ClientHello{
				Frame: 45, LastFrame: 45, Segments: 1, RecordVersion: "TLS 1.0", LegacyVersion: "TLS 1.1",
				SupportedVersions: nil, // absent: stays null in JSON
				OfferedVersions:   []string{"TLS 1.0", "TLS 1.1"}, OfferedFromLegacy: true,
				Highest:      "TLS 1.1",
				CipherSuites: []string{"TLS_RSA_WITH_AES_128_CBC_SHA"},
				SNI:          "apexone.example.com",
			},
		},
		OfferedVersions: []string{"TLS 1.0", "TLS 1.1"},
		Verdict:         result.VerdictTLSVersionMismatch,
		Failed:          true,
		Reason:          lit("the server reset the connection right after a ClientHello whose highest version is TLS 1.1; it chose TLS 1.2 for other clients"),
		Evidence: []result.Evidence{
			{Frame: 45, Time: at(2500.6), Text: lit("ClientHello legacy_version TLS 1.1, no supported_versions extension")},
			{Frame: 46, Time: at(2501), Text: lit("server reset the connection, no alert")},
		},
	}
}

// build returns a result holding flows, with the summary computed from them as analyze does.
func build(flows ...result.Flow) *result.Result {
	for i := range flows {
		advise(&flows[i])
	}
	r := &result.Result{
		Schema: result.SchemaVersion,
		Input: result.Input{
			File: "apexone-4343.pcapng", Format: "pcapng", LinkTypes: []string{"Ethernet"},
			Snaplen: 262144, Frames: 48, Bytes: 21873, First: at(0), Last: at(2600), Complete: true,
		},
		Options:  result.Options{Ports: []int{4343}, Hosts: []result.IP{}, MaxFlows: 1000},
		Warnings: []result.Warning{},
		Flows:    result.FlowsOf(flows),
	}
	r.Summary = summarize(flows)
	return r
}

func summarize(flows []result.Flow) result.Summary {
	s := result.Summary{Flows: len(flows), Verdicts: []result.VerdictCount{}, Servers: []result.ServerSummary{}}
	counts := map[result.Verdict]int{}
	for _, f := range flows {
		counts[f.Verdict]++
		if f.Failed {
			s.Failed++
		}
		i := slices.IndexFunc(s.Servers, func(sv result.ServerSummary) bool { return sv.Server == f.Server })
		if i < 0 {
			s.Servers = append(s.Servers, result.ServerSummary{
				Server: f.Server, AcceptedVersions: []string{}, AcceptedCiphers: []string{},
			})
			i = len(s.Servers) - 1
		}
		sv := &s.Servers[i]
		sv.Flows++
		if f.Failed {
			sv.Failed++
		}
		if f.TLS != nil && f.TLS.ServerHello != nil {
			if v := f.TLS.ServerHello.ChosenVersion; !slices.Contains(sv.AcceptedVersions, v) {
				sv.AcceptedVersions = append(sv.AcceptedVersions, v)
			}
			if c := f.TLS.ServerHello.CipherSuite; !slices.Contains(sv.AcceptedCiphers, c) {
				sv.AcceptedCiphers = append(sv.AcceptedCiphers, c)
			}
		}
		j := slices.IndexFunc(sv.Verdicts, func(vc result.VerdictCount) bool { return vc.Verdict == f.Verdict })
		if j < 0 {
			sv.Verdicts = append(sv.Verdicts, result.VerdictCount{Verdict: f.Verdict})
			j = len(sv.Verdicts) - 1
		}
		sv.Verdicts[j].Count++
	}
	for _, v := range result.AllVerdicts {
		if counts[v] > 0 {
			s.Verdicts = append(s.Verdicts, result.VerdictCount{Verdict: v, Count: counts[v]})
		}
	}
	return s
}

// tableCases are the table-format golden cases; the golden file is testdata/table-<name>.golden.
var tableCases = []struct {
	name string
	r    func() *result.Result
	o    Options
}{
	{"ok-tls12", func() *result.Result { return build(okFlow(1)) }, Options{}},
	{"version-mismatch", func() *result.Result { return build(okFlow(1), mismatchFlow(2)) }, Options{}},
	{"refused", func() *result.Result { return build(refusedFlow(1)) }, Options{}},
	{"ipv6", func() *result.Result { return build(ipv6Flow(1)) }, Options{}},
	{"japanese-sni", func() *result.Result { return build(okFlow(1), japaneseFlow(2)) }, Options{}},
	{"legacy-offered", func() *result.Result { return build(okFlow(1), legacyFlow(2)) }, Options{}},
	{"empty", func() *result.Result {
		r := build()
		r.Input.Frames, r.Input.Bytes = 312, 40960
		return r
	}, Options{}},
	{"empty-truncated", func() *result.Result {
		r := build()
		r.Input.File, r.Input.Format, r.Input.Complete = "cut.pcap", "pcap (nanosecond, gzip)", false
		r.Options.Ports, r.Options.Hosts = nil, []result.IP{"10.0.0.1"}
		r.Warnings = []result.Warning{{
			Code: "truncated-file", Offset: 40960, Frame: 48,
			Message: lit("the file ends in the middle of frame 48: it was cut while being copied; copy it again"),
		}}
		return r
	}, Options{}},
	{"warnings", func() *result.Result {
		r := build(okFlow(1))
		r.Input.Complete = false
		r.Warnings = []result.Warning{
			{Code: "snaplen-cut", Frame: 6, Message: lit("3 packets were cut by the snaplen of 96 bytes: capture again with -s 0")},
			{Code: "roles-guessed", Message: lit("1 flow had no SYN captured: its client and server were guessed from the ports")},
		}
		return r
	}, Options{}},
	{"flows-not-listed", flowsNotListed, Options{}},
	{"all", all, Options{}},
	{"all-verbose", all, Options{Verbose: true}},
	{"color", func() *result.Result { return build(okFlow(1), mismatchFlow(2), japaneseFlow(3)) }, Options{Color: true}},
}

// flowsNotListed: five flows of which only the first three are listed.
func flowsNotListed() *result.Result {
	r := build(okFlow(1), mismatchFlow(2), refusedFlow(3), ipv6Flow(4), legacyFlow(5))
	r.Options.MaxFlows = 3
	r.Flows = result.FlowsOf(r.Flows.Slice()[:3])
	r.FlowsNotListed = 2
	return r
}

func all() *result.Result {
	r := build(okFlow(1), mismatchFlow(2), refusedFlow(3), ipv6Flow(4), japaneseFlow(5), legacyFlow(6))
	r.Warnings = []result.Warning{{
		Code: "roles-guessed", Message: lit("1 flow had no SYN captured: its client and server were guessed from the ports"),
	}}
	flows := r.Flows.Slice()
	flows[3].RolesGuessed = true
	flows[3].Flags = []string{"roles-guessed"}
	r.Flows = result.FlowsOf(flows)
	return r
}

// advise gives a fixture flow the knowledge placeholders' values that the analysis gives a real
// one: its endpoints, and the highest version its client offered.
func advise(f *result.Flow) {
	if f.Advice.Params != nil {
		return
	}
	c, _ := netip.ParseAddrPort(string(f.Client))
	s, _ := netip.ParseAddrPort(string(f.Server))
	f.Advice.Params = []result.Arg{result.Endpoint("server", string(f.Server)), result.Addr("server_ip", s.Addr().String()),
		result.Text("port", strconv.Itoa(int(s.Port()))), result.Endpoint("client", string(f.Client)), result.Addr("client_ip", c.Addr().String())}
	if n := len(f.OfferedVersions); n > 0 {
		f.Advice.Params = append(f.Advice.Params, result.Text("client_highest", f.OfferedVersions[n-1]))
	}
	f.Advice.NoSteps = f.Verdict == result.VerdictOK
}
