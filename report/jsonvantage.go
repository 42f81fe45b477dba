package report

import "github.com/connscope/connscope/result"

// jsonInputVantages writes the input's vantages and the clock offsets between them, when there
// is more than one vantage (docs/json-schema.md, input).
func jsonInputVantages(w *jsonWriter, wd *words, in *result.Input) {
	if len(in.Vantages) > 0 {
		w.key("vantages")
		w.open('[')
		for i := range in.Vantages {
			v := &in.Vantages[i]
			w.elem()
			w.open('{')
			w.key("name")
			jsonMsg(w, wd, &v.Name)
			w.key("point")
			w.int(v.Point)
			w.key("interface")
			w.int(v.Interface)
			if v.Link != "" {
				w.key("link")
				w.str(string(v.Link))
			}
			w.key("frames")
			w.int(v.Frames)
			w.key("first")
			w.time(v.First)
			w.key("last")
			w.time(v.Last)
			w.close('}')
		}
		w.close(']')
	}
	if len(in.ClockOffsets) > 0 {
		w.key("clock_offsets")
		w.open('[')
		for _, o := range in.ClockOffsets {
			w.elem()
			w.open('{')
			w.key("near")
			w.int(o.Near)
			w.key("far")
			w.int(o.Far)
			w.key("offset_ms")
			w.float(o.OffsetMS)
			w.key("connections")
			w.int(o.Connections)
			w.close('}')
		}
		w.close(']')
	}
}

// jsonVantages writes a flow's vantages section.
func jsonVantages(w *jsonWriter, wd *words, v *result.Vantages) {
	w.open('{')
	w.key("views")
	w.open('[')
	for i := range v.Views {
		x := &v.Views[i]
		w.elem()
		w.open('{')
		w.key("vantage")
		w.int(x.Vantage)
		w.key("name")
		jsonMsg(w, wd, &x.Name)
		w.key("side")
		w.str(x.Side)
		w.key("seen")
		w.bool(x.Seen)
		if x.Expected != "" {
			w.key("expected")
			w.str(x.Expected)
		}
		w.key("client")
		w.str(string(x.Client))
		w.key("server")
		w.str(string(x.Server))
		w.key("client_packets")
		w.int(x.ClientPackets)
		w.key("server_packets")
		w.int(x.ServerPackets)
		w.key("client_hops")
		w.int(x.ClientHops)
		w.key("server_hops")
		w.int(x.ServerHops)
		w.key("first")
		jsonFrameAt(w, x.First)
		w.key("last")
		jsonFrameAt(w, x.Last)
		w.close('}')
	}
	w.close(']')
	w.key("near")
	w.int(v.Near)
	w.key("far")
	w.int(v.Far)
	w.key("client_to_server")
	jsonDelivery(w, &v.ClientToServer)
	w.key("server_to_client")
	jsonDelivery(w, &v.ServerToClient)
	w.key("clock_offset_ms")
	jsonFloatPtr(w, v.ClockOffsetMS)
	w.key("transit_ms")
	jsonFloatPtr(w, v.TransitMS)
	w.key("nat")
	w.bool(v.NAT)
	w.key("ladder")
	w.open('[')
	for i := range v.Ladder {
		s := &v.Ladder[i]
		w.elem()
		w.open('{')
		w.key("from")
		w.str(s.From)
		w.key("tcp_flags")
		w.str(s.TCPFlags)
		w.key("payload_len")
		w.int(s.PayloadLen)
		w.key("fate")
		w.str(s.Fate)
		w.key("near")
		jsonFrameAt(w, s.Near)
		w.key("far")
		jsonFrameAt(w, s.Far)
		w.key("messages")
		w.strings(s.Messages)
		w.key("omitted_before")
		w.int(s.OmittedBefore)
		w.close('}')
	}
	w.close(']')
	w.key("ladder_omitted")
	w.int(v.LadderOmitted)
	w.close('}')
}

func jsonDelivery(w *jsonWriter, d *result.Delivery) {
	w.open('{')
	w.key("from")
	w.int(d.From)
	w.key("to")
	w.int(d.To)
	w.key("sent")
	w.int(d.Sent)
	w.key("arrived")
	w.int(d.Arrived)
	w.key("lost")
	w.int(d.Lost)
	w.key("injected")
	w.int(d.Injected)
	w.key("first_lost")
	jsonFrameAt(w, d.FirstLost)
	w.key("first_injected")
	jsonFrameAt(w, d.FirstInjected)
	w.key("partial")
	w.bool(d.Partial)
	w.close('}')
}

func jsonFrameAt(w *jsonWriter, f *result.FrameAt) {
	if f == nil {
		w.null()
		return
	}
	w.open('{')
	w.key("vantage")
	w.int(f.Vantage)
	w.key("file")
	w.str(string(f.File))
	w.key("frame")
	w.int(f.Frame)
	w.key("time")
	w.time(f.Time)
	w.close('}')
}

func jsonFloatPtr(w *jsonWriter, f *float64) {
	if f == nil {
		w.null()
		return
	}
	w.float(*f)
}
