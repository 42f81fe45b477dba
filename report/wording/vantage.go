package wording

import (
	"path/filepath"
	"strconv"

	"github.com/connscope/connscope/result"
)

// VantageLines words a flow's vantages, for the text formats: which vantages saw it (seen), a
// line per direction with what left one vantage and what reached the other (lines, each with
// its label), then the clocks and any address translation. All empty for a flow seen at one.
func (w *Words) VantageLines(f *result.Flow) (seen string, lines []Labelled) {
	v := f.Vantages
	if v == nil {
		return "", nil
	}
	views := make([]result.Message, len(v.Views))
	for i := range v.Views {
		views[i] = viewMsg(&v.Views[i])
	}
	seen = w.Msg(result.Msg("report.vantage.views", result.List("views", views)))
	for _, d := range []struct {
		dir string
		del *result.Delivery
	}{{"client", &v.ClientToServer}, {"server", &v.ServerToClient}} {
		lines = append(lines, Labelled{Label: w.Say("report.vantage.dir-label", result.Sub("dir", result.Msg("direction."+d.dir))),
			Text: w.Msg(w.delivery(v, d.del))})
	}
	near, far := v.Views[v.Near].Name, v.Views[v.Far].Name
	switch {
	case v.ClockOffsetMS != nil:
		lines = append(lines, Labelled{Label: w.Say("report.vantage.clock-label"), Text: w.Say("report.vantage.clock",
			result.Sub("near", near), result.Sub("far", far), result.Text("offset", ms(*v.ClockOffsetMS)), result.Text("transit", ms(*v.TransitMS)))})
	case v.TransitMS != nil:
		lines = append(lines, Labelled{Label: w.Say("report.vantage.clock-label"), Text: w.Say("report.vantage.transit",
			result.Sub("near", near), result.Sub("far", far), result.Text("transit", ms(*v.TransitMS)))})
	}
	if v.NAT {
		nv, fv := &v.Views[v.Near], &v.Views[v.Far]
		lines = append(lines, Labelled{Label: w.Say("report.vantage.nat-label"), Text: w.Say("report.vantage.nat",
			result.Sub("near", near), result.Sub("far", far), result.From("near_client", nv.Client), result.From("far_client", fv.Client),
			result.From("near_server", nv.Server), result.From("far_server", fv.Server))})
	}
	return seen, lines
}

// Labelled is a line of text with its label.
type Labelled struct{ Label, Text string }

// viewMsg words one view: its name, its side and its packets, or why it should have seen them.
func viewMsg(x *result.VantageView) result.Message {
	if !x.Seen {
		return result.Msg("report.vantage.view-unseen", result.Sub("name", x.Name), result.Sub("why", result.Msg("report.vantage.why."+orUnknown(x.Expected))))
	}
	return result.Msg("report.vantage.view", result.Sub("name", x.Name), result.Sub("side", result.Msg("report.vantage.side."+x.Side)),
		result.Int("client", x.ClientPackets), result.Int("server", x.ServerPackets))
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// delivery words one direction: "27 sent at agent, 9 arrived at server, 18 lost between them
// (the first: frame 28 of a.pcap)".
func (w *Words) delivery(v *result.Vantages, d *result.Delivery) result.Message {
	lost, injected, partial := result.Msg("report.vantage.none-lost"), result.Msg("vantage.nothing"), result.Msg("vantage.nothing")
	if d.Lost > 0 {
		lost = result.Msg("report.vantage.lost", result.Int("n", d.Lost), result.Sub("at", frameMsg(d.FirstLost)))
	}
	if d.Injected > 0 {
		injected = result.Msg("report.vantage.injected", result.Int("n", d.Injected), result.Sub("at", frameMsg(d.FirstInjected)))
	}
	if d.Partial {
		partial = result.Msg("report.vantage.partial")
	}
	return result.Msg("report.vantage.delivery", result.Int("sent", d.Sent), result.Sub("from", v.Views[d.From].Name),
		result.Int("arrived", d.Arrived), result.Sub("to", v.Views[d.To].Name), result.Sub("lost", lost), result.Sub("injected", injected),
		result.Sub("partial", partial))
}

// frameMsg words a packet of one vantage's capture: "frame 28 of agent.pcap", "frame 28" when
// the input is one file.
func frameMsg(f *result.FrameAt) result.Message {
	if f == nil {
		return result.Msg("vantage.nothing")
	}
	if f.File == "" {
		return result.Msg("report.frame", result.Int("n", f.Frame))
	}
	return result.Msg("report.vantage.frame-of", result.Int("frame", f.Frame), result.File("file", filepath.Base(string(f.File))))
}

// VantageCell is a flow's vantages as a listing's cell: "→ 9/27, ← 44/44 +2 injected" (what
// arrived of what was sent, each way); "-" for a flow seen at one vantage.
func (w *Words) VantageCell(f *result.Flow) string {
	v := f.Vantages
	if v == nil {
		return "-"
	}
	dir := func(d *result.Delivery) result.Message {
		m := result.Msg("report.vantage.cell-dir", result.Int("arrived", d.Arrived), result.Int("sent", d.Sent))
		if d.Injected > 0 {
			m = result.Msg("report.vantage.cell-injected", result.Sub("dir", m), result.Int("n", d.Injected))
		}
		return m
	}
	return w.Say("report.vantage.cell", result.Sub("c2s", dir(&v.ClientToServer)), result.Sub("s2c", dir(&v.ServerToClient)))
}

// InputVantages words the input's vantages and the clock offsets between them: "agent (73
// frames), server (53 frames)" and a line per offset; empty with one vantage.
func (w *Words) InputVantages(in *result.Input) (list string, offsets []string) {
	if len(in.Vantages) == 0 {
		return "", nil
	}
	items := make([]result.Message, len(in.Vantages))
	for i := range in.Vantages {
		items[i] = result.Msg("report.vantage.input", result.Sub("name", in.Vantages[i].Name), result.Int("frames", in.Vantages[i].Frames))
	}
	list = w.Msg(result.Msg("report.vantage.inputs", result.List("vantages", items)))
	for _, o := range in.ClockOffsets {
		if o.Near >= len(in.Vantages) || o.Far >= len(in.Vantages) {
			continue
		}
		offsets = append(offsets, w.Say("report.vantage.offset", result.Sub("near", in.Vantages[o.Near].Name),
			result.Sub("far", in.Vantages[o.Far].Name), result.Text("offset", ms(o.OffsetMS)), result.Int("n", o.Connections)))
	}
	return list, offsets
}

// ms writes milliseconds to the microsecond: "-0.008".
func ms(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
