package wording

import (
	"strconv"
	"strings"

	"github.com/connscope/connscope/result"
)

// EmptyText is what a report says when the analysed ports held no connection: what was read,
// and what the capture holds elsewhere (the busiest ports, the servers that got SYNs) or that no
// SYN reached the capture point at all.
type EmptyText struct {
	Read    string     // "Read 72 frames (12345 bytes) of x.pcap (pcap)."
	Stopped string     // reading stopped early, or ""
	Outside string     // what the capture holds elsewhere
	Ports   [][]string // rows: port, SYNs, packets
	Hosts   [][]string // rows: server address, SYNs
	Hint    string     // how to analyse them, or ""
}

// Empty words what r read and what its capture holds outside the analysed ports and hosts.
func (w *Words) Empty(r *result.Result) EmptyText {
	in := &r.Input
	e := EmptyText{Read: w.Say("report.read", result.Int("frames", in.Frames), result.Int64("bytes", in.Bytes),
		result.File("file", OrDash(InputName(in))), result.Text("format", OrDash(in.Format)))}
	if !in.Complete {
		e.Stopped = w.Say("report.stopped-early")
	}
	o := &in.Outside
	switch {
	case o.TCPPackets == 0:
		e.Outside = w.Say("report.outside.none")
		return e
	case o.SYNs == 0:
		e.Outside = w.Say("report.outside.no-syn", result.Int("n", o.TCPPackets))
	default:
		e.Outside = w.Say("report.outside.ports", result.Int("n", o.TCPPackets), result.Int("syns", o.SYNs))
	}
	var hint []string
	for _, p := range o.Ports {
		e.Ports = append(e.Ports, []string{strconv.Itoa(p.Port), strconv.Itoa(p.SYNs), strconv.Itoa(p.Packets)})
		if len(hint) < maxHintPorts && (p.SYNs > 0 || o.SYNs == 0) {
			hint = append(hint, strconv.Itoa(p.Port))
		}
	}
	for _, h := range o.Hosts {
		e.Hosts = append(e.Hosts, []string{string(h.Host), strconv.Itoa(h.SYNs)})
	}
	if len(hint) > 0 {
		e.Hint = w.Say("report.outside.hint", result.Text("ports", strings.Join(hint, ",")))
	}
	return e
}
