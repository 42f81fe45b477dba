package report

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/connscope/connscope/result"
)

// maxHintPorts is how many ports the hint for --port names.
const maxHintPorts = 3

// emptyText is what a report says when the analysed ports held no connection: what was read,
// and what the capture holds elsewhere (the busiest ports, the servers that got SYNs) or that no
// SYN reached the capture point at all.
type emptyText struct {
	Read    string     // "Read 72 frames (12345 bytes) of x.pcap (pcap)."
	Stopped string     // reading stopped early, or ""
	Outside string     // what the capture holds elsewhere
	Ports   [][]string // rows: port, SYNs, packets
	Hosts   [][]string // rows: server address, SYNs
	Hint    string     // how to analyse them, or ""
}

func (w *words) empty(r *result.Result) emptyText {
	in := &r.Input
	e := emptyText{Read: w.say("report.read", result.Int("frames", in.Frames), result.Int64("bytes", in.Bytes),
		result.File("file", orDash(baseName(in.File))), result.Text("format", orDash(in.Format)))}
	if !in.Complete {
		e.Stopped = w.say("report.stopped-early")
	}
	o := &in.Outside
	switch {
	case o.TCPPackets == 0:
		e.Outside = w.say("report.outside.none")
		return e
	case o.SYNs == 0:
		e.Outside = w.say("report.outside.no-syn", result.Int("n", o.TCPPackets))
	default:
		e.Outside = w.say("report.outside.ports", result.Int("n", o.TCPPackets), result.Int("syns", o.SYNs))
	}
	var hint []string
	for _, p := range o.Ports {
		e.Ports = append(e.Ports, []string{strconv.Itoa(p.Port), strconv.Itoa(p.SYNs), strconv.Itoa(p.Packets)})
		if len(hint) < maxHintPorts && (p.SYNs > 0 || o.SYNs == 0) {
			hint = append(hint, strconv.Itoa(p.Port))
		}
	}
	for _, h := range o.Hosts {
		e.Hosts = append(e.Hosts, []string{h.Host, strconv.Itoa(h.SYNs)})
	}
	if len(hint) > 0 {
		e.Hint = w.say("report.outside.hint", result.Text("ports", strings.Join(hint, ",")))
	}
	return e
}

// writeEmpty writes, in the table format, what was read and where the connections are.
func writeEmpty(b *bytes.Buffer, r *result.Result, wd *words) {
	e := wd.empty(r)
	for _, s := range []string{e.Read, e.Stopped, e.Outside} {
		if s != "" {
			wrap(b, clean(s), wrapWidth)
		}
	}
	if len(e.Ports) > 0 {
		g := newGrid(wd.cols("report.col.port", "report.col.syns", "report.col.packets"), true, true, true)
		g.rows = e.Ports
		g.render(b)
		if len(e.Hosts) > 0 {
			b.WriteByte('\n')
		}
	}
	if len(e.Hosts) > 0 {
		g := newGrid(wd.cols("report.col.host", "report.col.syns"), false, true)
		for _, h := range e.Hosts {
			g.row(clean(h[0]), h[1])
		}
		g.render(b)
	}
	if e.Hint != "" {
		wrap(b, clean(e.Hint), wrapWidth)
	}
	b.WriteByte('\n')
}
