package ndjson

import "github.com/connscope/connscope/result"

// vantages writes a connection's views at several vantages as connscope.vantages: the vantages'
// names, and per direction what left one and what reached the other (docs/ndjson.md).
func vantages(l *line, v *result.Vantages, wd Words) {
	l.obj("vantages")
	near, far := &v.Views[v.Near], &v.Views[v.Far]
	l.str("near", wd.Msg(&near.Name))
	l.str("far", wd.Msg(&far.Name))
	l.bool("far_seen", far.Seen)
	for _, d := range []struct {
		key string
		del *result.Delivery
	}{{"client_to_server", &v.ClientToServer}, {"server_to_client", &v.ServerToClient}} {
		l.obj(d.key)
		l.int("sent", int64(d.del.Sent))
		l.int("arrived", int64(d.del.Arrived))
		l.int("lost", int64(d.del.Lost))
		l.int("injected", int64(d.del.Injected))
		if f := d.del.FirstLost; f != nil {
			l.int("first_lost_frame", int64(f.Frame))
			l.str("first_lost_file", string(f.File))
		}
		if f := d.del.FirstInjected; f != nil {
			l.int("first_injected_frame", int64(f.Frame))
			l.str("first_injected_file", string(f.File))
		}
		l.close()
	}
	if v.ClockOffsetMS != nil {
		l.float("clock_offset_ms", *v.ClockOffsetMS)
	}
	if v.TransitMS != nil {
		l.float("transit_ms", *v.TransitMS)
	}
	l.bool("nat", v.NAT)
	l.close()
}
