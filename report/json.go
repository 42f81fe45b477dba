package report

import (
	"bytes"
	"io"
	"math"
	"runtime"
	"strings"
	"unsafe"

	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/report/valuecache"
	"github.com/connscope/connscope/result"
)

// writeJSON writes r as the connscope.result/v1 document into b (see streamJSON).
func writeJSON(b *bytes.Buffer, r *result.Result, o Options) error {
	return streamJSON(b, r, o)
}

// jsonFlush is how much JSON is buffered before it is written out.
const jsonFlush = 64 << 10

// streamJSON writes r as the connscope.result/v1 document (docs/json-schema.md): two-space
// indent, "&", "<" and ">" left as they are (Wireshark filters hold "&&"), every list written as
// [] rather than null (but for a ClientHello's supported_versions, whose null means the extension
// was absent), every time in UTC. Texts are worded as the report's language words them.
//
// It writes field by field with no reflection, and flow by flow as the flows are made, so that a
// result of a hundred thousand flows is never held in memory, nor as one huge buffer.
func streamJSON(out io.Writer, r *result.Result, o Options) error {
	wd := wordsFor(r, o.Lang)
	w := &jsonWriter{b: make([]byte, 0, jsonFlush+8<<10)}
	flush := func(force bool) error {
		if len(w.b) < jsonFlush && !force {
			return nil
		}
		_, err := out.Write(w.b)
		w.b = w.b[:0]
		return err
	}
	w.open('{')
	w.key("schema")
	schema := r.Schema
	if schema == "" {
		schema = result.SchemaVersion
	}
	w.str(schema)
	w.key("input")
	jsonInput(w, wd, &r.Input)
	w.key("options")
	jsonOptions(w, &r.Options)
	w.key("warnings")
	w.open('[')
	for i := range r.Warnings {
		w.elem()
		jsonWarning(w, wd, &r.Warnings[i])
	}
	w.close(']')
	w.key("flows")
	w.open('[')
	fb := findings.NewBuilder(r)
	if err := jsonFlows(w, wd, r.Flows, fb, flush); err != nil {
		return err
	}
	w.close(']')
	w.key("flows_not_listed")
	w.int(r.FlowsNotListed)
	w.key("summary")
	jsonSummary(w, wd, &r.Summary)
	w.key("findings")
	jsonFindings(w, wd.wording(), r, fb.Done())
	w.key("names")
	w.open('[')
	for i := range r.Names {
		w.elem()
		jsonName(w, wd, &r.Names[i])
	}
	w.close(']')
	w.key("verdict_info")
	w.open('[')
	for _, v := range wd.verdictInfo(r) {
		w.elem()
		w.open('{')
		w.key("verdict")
		w.str(string(v.Verdict))
		w.key("title")
		w.str(v.Title)
		w.key("explanation")
		w.str(v.Explanation)
		w.key("evidence_fields")
		w.strings(v.EvidenceFields)
		w.close('}')
	}
	w.close(']')
	w.close('}')
	w.b = append(w.b, '\n')
	return flush(true)
}

// jsonChunk is how many flows a worker makes and writes at a time: some 200 KB of JSON, so that
// the few buffers the chunks are written into, reused, stay in the CPUs' caches (at 128 flows,
// 800 KB each, the JSON phase took some 8% more CPU time).
const jsonChunk = 32

// jsonFlows writes every flow as an element of the open flows array, flushing as it goes. When
// the list allows it and there is more than one CPU, workers make and write chunks of flows in
// parallel, and the chunks are written out in order.
func jsonFlows(w *jsonWriter, wd *words, flows result.FlowList, fb *findings.Builder, flush func(bool) error) error {
	n := flows.Len()
	workers := runtime.GOMAXPROCS(0)
	if !flows.Concurrent() || workers < 2 || n < 4*jsonChunk {
		var f result.Flow
		for i := range n {
			flows.Fill(i, &f)
			fb.Add(i, &f)
			w.elem()
			jsonFlow(w, wd, &f)
			if err := flush(false); err != nil {
				return err
			}
		}
		return nil
	}
	depth, k := w.depth, len(w.n)-1
	// done is a chunk's JSON and what the findings need of its flows: each failing flow made
	// anew (the worker's is reused), and of the others whether they offered from a legacy
	// version field. The findings take them in order, in the writer below.
	type done struct {
		b      []byte
		failed map[int]*result.Flow
		legacy []bool
	}
	type chunk struct {
		start int
		out   chan done
	}
	// The chunks go to the workers and, in the same order, to the writer below, each with the
	// channel its bytes come back on.
	jobs, order := make(chan chunk, 2*workers), make(chan chunk, 2*workers)
	free := make(chan []byte, 4*workers) // chunk buffers written out, for reuse
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(jobs)
		defer close(order)
		for start := 0; start < n; start += jsonChunk {
			c := chunk{start, make(chan done, 1)}
			select {
			case order <- c:
			case <-stop:
				return
			}
			select {
			case jobs <- c:
			case <-stop:
				return
			}
		}
	}()
	for range workers {
		go func() {
			cw := &jsonWriter{}
			var f result.Flow
			var mem any // what f's flow was made into, reused for the next (FillOwn)
			for c := range jobs {
				select {
				case cw.b = <-free:
				default:
					cw.b = make([]byte, 0, 256<<10)
				}
				cw.depth = depth
				cw.n = append(cw.n[:0], make([]int, k+1)...)
				cw.n[k] = c.start // a separator before every flow but the first
				d := done{legacy: make([]bool, 0, jsonChunk)}
				for i := c.start; i < min(c.start+jsonChunk, n); i++ {
					fl := &f
					if b, ok := flows.Brief(i); ok && b.Failed {
						fl = new(result.Flow) // the findings keep it: made into memory of its own
						flows.Fill(i, fl)
					} else {
						flows.FillOwn(i, fl, &mem) // written and let go of
					}
					if fl.Failed {
						if d.failed == nil {
							d.failed = map[int]*result.Flow{}
						}
						if fl == &f { // no brief said so: made again, for the findings
							own := flows.At(i)
							fl = &own
						}
						d.failed[i] = fl
					}
					d.legacy = append(d.legacy, findings.OfferedLegacy(fl))
					cw.elem()
					jsonFlow(cw, wd, fl)
				}
				d.b = cw.b
				c.out <- d
			}
		}()
	}
	for c := range order {
		d := <-c.out
		for j, legacy := range d.legacy {
			if f := d.failed[c.start+j]; f != nil {
				fb.Add(c.start+j, f)
			} else {
				fb.AddWorked(legacy)
			}
		}
		// What is buffered goes out first, then the chunk's own buffer, uncopied, which then
		// goes back to the workers.
		if err := flush(true); err != nil {
			return err
		}
		own := w.b
		w.b = d.b
		err := flush(true)
		w.b = own
		if err != nil {
			return err
		}
		w.n[k] += min(jsonChunk, n-c.start)
		select {
		case free <- d.b[:0]:
		default:
		}
	}
	return nil
}

// msg writes a message worded: from the writer's cache when the same message was written
// before (the messages of the flows that worked mostly repeat).
func jsonMsg(w *jsonWriter, wd *words, m *result.Message) {
	if wd.red != nil || m.Key == "" {
		w.b = appendJSONString(w.b, wd.msg(*m))
		return
	}
	if v, ok := w.recentMsgs.Get(m); ok {
		w.b = append(w.b, v...)
		return
	}
	w.msgKey = valuecache.AppendMsg(w.msgKey[:0], m)
	if v, ok := w.msgs.Get(w.msgKey); ok {
		w.recentMsgs.Add(m, v) // it repeats
		w.b = append(w.b, v...)
		return
	}
	start := len(w.b)
	w.text = wd.appendMsg(w.text[:0], m)
	w.b = appendJSONString(w.b, unsafeString(w.text)) // only read during the call: not copied
	w.msgs.Put(w.msgKey, w.b[start:])
}

func jsonInput(w *jsonWriter, wd *words, in *result.Input) {
	w.open('{')
	w.key("file")
	w.str(string(in.File))
	w.key("format")
	w.str(in.Format)
	w.key("link_types")
	w.strings(in.LinkTypes)
	w.key("snaplen")
	w.int(in.Snaplen)
	w.key("frames")
	w.int(in.Frames)
	w.key("bytes")
	w.int64(in.Bytes)
	w.key("first")
	w.time(in.First)
	w.key("last")
	w.time(in.Last)
	w.key("complete")
	w.bool(in.Complete)
	if l := in.Live; l != nil {
		w.key("live")
		w.open('{')
		w.key("interface")
		w.str(string(l.Interface))
		w.key("method")
		w.str(l.Method)
		w.key("filter")
		w.str(l.Filter.String())
		w.key("kernel_received")
		w.uint64(l.KernelReceived)
		w.key("kernel_dropped")
		w.uint64(l.KernelDropped)
		w.key("seconds")
		w.float(l.Seconds)
		w.key("stopped_by")
		w.str(l.StoppedBy)
		w.close('}')
	}
	if g := in.Generator; g != nil {
		w.key("generator")
		w.open('{')
		w.key("name")
		w.str(g.Name)
		w.key("version")
		w.str(g.Version)
		if g.Revision != "" {
			w.key("revision")
			w.str(g.Revision)
		}
		if g.Modified {
			w.key("modified")
			w.bool(true)
		}
		w.key("go_version")
		w.str(g.GoVersion)
		w.close('}')
	}
	w.key("outside")
	jsonOutside(w, &in.Outside)
	if len(in.Points) > 0 {
		w.key("points")
		w.open('[')
		for i := range in.Points {
			pt := &in.Points[i]
			w.elem()
			w.open('{')
			w.key("name")
			w.str(string(pt.Name))
			w.key("files")
			w.open('[')
			for j := range pt.Files {
				f := &pt.Files[j]
				w.elem()
				w.open('{')
				w.key("name")
				w.str(string(f.Name))
				w.key("format")
				w.str(f.Format)
				w.key("link_types")
				w.strings(f.LinkTypes)
				w.key("snaplen")
				w.int(f.Snaplen)
				w.key("frames")
				w.int(f.Frames)
				w.key("bytes")
				w.int64(f.Bytes)
				w.key("snaplen_cut")
				w.int(f.SnaplenCut)
				w.key("first")
				w.time(f.First)
				w.key("last")
				w.time(f.Last)
				w.key("complete")
				w.bool(f.Complete)
				if f.Error != "" {
					w.key("error")
					w.str(string(f.Error))
				}
				w.close('}')
			}
			w.close(']')
			w.close('}')
		}
		w.close(']')
	}
	jsonInputVantages(w, wd, in)
	w.close('}')
}

func jsonOutside(w *jsonWriter, o *result.Outside) {
	w.open('{')
	w.key("tcp_packets")
	w.int(o.TCPPackets)
	w.key("syns")
	w.int(o.SYNs)
	w.key("ports")
	w.open('[')
	for _, p := range o.Ports {
		w.elem()
		w.open('{')
		w.key("port")
		w.int(p.Port)
		w.key("syns")
		w.int(p.SYNs)
		w.key("packets")
		w.int(p.Packets)
		w.close('}')
	}
	w.close(']')
	w.key("hosts")
	w.open('[')
	for _, h := range o.Hosts {
		w.elem()
		w.open('{')
		w.key("host")
		w.str(string(h.Host))
		w.key("syns")
		w.int(h.SYNs)
		w.close('}')
	}
	w.close(']')
	w.close('}')
}

func jsonOptions(w *jsonWriter, o *result.Options) {
	w.open('{')
	w.key("ports")
	w.ints(o.Ports)
	w.key("hosts")
	w.strings(result.Strings(o.Hosts))
	w.key("max_flows")
	w.int(o.MaxFlows)
	w.key("profile")
	w.str(o.Profile)
	w.key("agent_ports")
	w.ints(o.AgentPorts)
	w.key("check_url")
	w.str(o.CheckURL)
	w.key("server_names")
	w.strings(result.Strings(o.ServerNames))
	w.close('}')
}

func jsonWarning(w *jsonWriter, wd *words, x *result.Warning) {
	w.open('{')
	w.key("code")
	w.str(x.Code)
	w.key("message")
	jsonMsg(w, wd, &x.Message)
	if x.Offset != 0 {
		w.key("offset")
		w.int64(x.Offset)
	}
	if x.Frame != 0 {
		w.key("frame")
		w.int(x.Frame)
	}
	w.close('}')
}

func jsonRef(w *jsonWriter, p *result.PacketRef) {
	o := w.object(refKeys)
	w.field(&o, "from")
	w.str(p.From)
	w.field(&o, "frame")
	w.int(p.Frame)
	w.field(&o, "time")
	w.time(p.Time)
	w.close('}')
}

func jsonRefs(w *jsonWriter, ps []result.PacketRef) {
	w.open('[')
	for i := range ps {
		w.elem()
		jsonRef(w, &ps[i])
	}
	w.close(']')
}

func jsonEvidence(w *jsonWriter, wd *words, es []result.Evidence) {
	w.open('[')
	for i := range es {
		e := &es[i]
		w.elem()
		o := w.object(evidenceKeys)
		w.field(&o, "frame")
		w.int(e.Frame)
		w.field(&o, "time")
		w.time(e.Time)
		w.field(&o, "text")
		jsonMsg(w, wd, &e.Text)
		if e.Flow != 0 {
			w.key("flow")
			w.int(e.Flow)
		}
		if e.EvidenceAt != nil { // several vantages: which capture the frame is in
			w.key("vantage")
			w.int(e.Vantage)
			w.key("capture")
			jsonMsg(w, wd, &e.Name)
		}
		w.close('}')
	}
	w.close(']')
}

// The keys of the fields every flow's objects have (the rest are written with key).
var (
	flowKeys = newObjectKeys(
		"id", "client", "server", "roles_guessed", "start", "end", "duration_s", "tcp", "conn_state",
		"history", "tls", "offered_versions", "chosen_version", "alerts", "title", "next_steps", "http",
		"first_frame", "last_frame", "verdict", "failed", "reason", "next_step", "evidence",
		"wireshark_filter", "flags", "packets", "packets_omitted")
	tcpKeys = newObjectKeys(
		"syns", "syn_ack", "handshake_rtt_s", "fins", "rsts", "client_packets", "server_packets",
		"client_bytes", "server_bytes", "client_retransmissions", "server_retransmissions",
		"snaplen_cut", "client_ttl", "server_ttl")
	refKeys      = newObjectKeys("from", "frame", "time")
	evidenceKeys = newObjectKeys("frame", "time", "text")
	alertKeys    = newObjectKeys("from", "level", "description", "code", "frame", "time", "before_server_hello")
	httpKeys     = newObjectKeys(
		"method", "path", "host", "request_frame", "request_time", "status", "status_line",
		"response_frame", "response_time", "check_url")
	packetKeys = newObjectKeys("frame", "time", "from", "tcp_flags", "payload_len", "retransmission", "messages")
	tlsKeys    = newObjectKeys(
		"client_hello", "server_hello", "server_messages", "established", "client_app_data_records",
		"server_app_data_records", "server_certificates", "certificate_frame", "certificate_findings")
	helloKeys       = newObjectKeys("frame", "last_frame", "segments")
	serverHelloKeys = newObjectKeys("frame")
)

func jsonFlow(w *jsonWriter, wd *words, f *result.Flow) {
	title, steps, step := wd.flow(f)
	o := w.object(flowKeys)
	w.field(&o, "id")
	w.int(f.ID)
	w.field(&o, "client")
	w.str(string(f.Client))
	w.field(&o, "server")
	w.str(string(f.Server))
	w.field(&o, "roles_guessed")
	w.bool(f.RolesGuessed)
	w.field(&o, "start")
	w.time(f.Start)
	w.field(&o, "end")
	w.time(f.End)
	w.field(&o, "duration_s")
	w.float(f.Duration)
	w.field(&o, "tcp")
	jsonTCP(w, &f.TCP)
	w.field(&o, "conn_state")
	w.str(f.ConnState)
	w.field(&o, "history")
	w.str(f.History)
	w.field(&o, "tls")
	if f.TLS == nil {
		w.null()
	} else {
		jsonTLS(w, wd, f.TLS)
	}
	w.field(&o, "offered_versions")
	w.strings(f.OfferedVersions)
	w.field(&o, "chosen_version")
	if f.ChosenVersion == nil {
		w.null()
	} else {
		w.str(*f.ChosenVersion)
	}
	w.field(&o, "alerts")
	w.open('[')
	for i := range f.Alerts {
		a := &f.Alerts[i]
		w.elem()
		ao := w.object(alertKeys)
		w.field(&ao, "from")
		w.str(a.From)
		w.field(&ao, "level")
		w.str(a.Level)
		w.field(&ao, "description")
		w.str(a.Description)
		w.field(&ao, "code")
		w.int(a.Code)
		w.field(&ao, "frame")
		w.int(a.Frame)
		w.field(&ao, "time")
		w.time(a.Time)
		w.field(&ao, "before_server_hello")
		w.bool(a.BeforeServerHello)
		w.close('}')
	}
	w.close(']')
	if !f.NotTLS.IsZero() {
		w.key("not_tls")
		jsonMsg(w, wd, &f.NotTLS)
	}
	w.field(&o, "title")
	w.str(title)
	w.field(&o, "next_steps")
	w.strings(steps)
	if f.Role != "" {
		w.key("role")
		w.str(f.Role)
	}
	w.field(&o, "http")
	if h := f.HTTP; h == nil {
		w.null()
	} else {
		ho := w.object(httpKeys)
		w.field(&ho, "method")
		w.str(string(h.Method))
		w.field(&ho, "path")
		w.str(string(h.Path))
		w.field(&ho, "host")
		w.str(string(h.Host))
		w.field(&ho, "request_frame")
		w.int(h.RequestFrame)
		w.field(&ho, "request_time")
		w.time(h.RequestTime)
		w.field(&ho, "status")
		w.int(h.Status)
		w.field(&ho, "status_line")
		w.str(string(h.StatusLine))
		w.field(&ho, "response_frame")
		w.int(h.ResponseFrame)
		w.field(&ho, "response_time")
		w.time(h.ResponseTime)
		w.field(&ho, "check_url")
		w.bool(h.CheckURL)
		w.close('}')
	}
	w.field(&o, "first_frame")
	w.int(f.FirstFrame)
	w.field(&o, "last_frame")
	w.int(f.LastFrame)
	w.field(&o, "verdict")
	w.str(string(f.Verdict))
	w.field(&o, "failed")
	w.bool(f.Failed)
	w.field(&o, "reason")
	jsonMsg(w, wd, &f.Reason)
	w.field(&o, "next_step")
	w.str(step)
	w.field(&o, "evidence")
	jsonEvidence(w, wd, f.Evidence)
	w.field(&o, "wireshark_filter")
	w.text = f.AppendWiresharkFilter(w.text[:0])
	w.b = appendJSONString(w.b, unsafeString(w.text))
	w.field(&o, "flags")
	w.strings(f.Flags)
	w.field(&o, "packets")
	w.open('[')
	for i := range f.Packets {
		p := &f.Packets[i]
		w.elem()
		po := w.object(packetKeys)
		w.field(&po, "frame")
		w.int(p.Frame)
		w.field(&po, "time")
		w.time(p.Time)
		w.field(&po, "from")
		w.str(p.From)
		w.field(&po, "tcp_flags")
		w.str(p.TCPFlags)
		w.field(&po, "payload_len")
		w.int(p.PayloadLen)
		w.field(&po, "retransmission")
		w.bool(p.Retransmission)
		w.field(&po, "messages")
		w.strings(p.Messages)
		w.close('}')
	}
	w.close(']')
	w.field(&o, "packets_omitted")
	w.int(f.PacketsOmitted)
	if p := f.Path; p != nil {
		w.key("path")
		jsonPath(w, wd, p)
	}
	if v := f.Vantages; v != nil {
		w.key("vantages")
		jsonVantages(w, wd, v)
	}
	w.close('}')
}

func jsonTCP(w *jsonWriter, t *result.TCP) {
	o := w.object(tcpKeys)
	w.field(&o, "syns")
	jsonRefs(w, t.SYNs)
	w.field(&o, "syn_ack")
	if t.SYNACK == nil {
		w.null()
	} else {
		jsonRef(w, t.SYNACK)
	}
	w.field(&o, "handshake_rtt_s")
	w.float(t.HandshakeRTT)
	w.field(&o, "fins")
	jsonRefs(w, t.FINs)
	w.field(&o, "rsts")
	jsonRefs(w, t.RSTs)
	w.field(&o, "client_packets")
	w.int(t.ClientPackets)
	w.field(&o, "server_packets")
	w.int(t.ServerPackets)
	w.field(&o, "client_bytes")
	w.int64(t.ClientBytes)
	w.field(&o, "server_bytes")
	w.int64(t.ServerBytes)
	w.field(&o, "client_retransmissions")
	w.int(t.ClientRetrans)
	w.field(&o, "server_retransmissions")
	w.int(t.ServerRetrans)
	w.field(&o, "snaplen_cut")
	w.int(t.SnaplenCut)
	w.field(&o, "client_ttl")
	w.int(t.ClientTTL)
	w.field(&o, "server_ttl")
	w.int(t.ServerTTL)
	w.close('}')
}

func jsonTLS(w *jsonWriter, wd *words, t *result.TLS) {
	o := w.object(tlsKeys)
	w.field(&o, "client_hello")
	if ch := t.ClientHello; ch == nil {
		w.null()
	} else {
		co := w.object(helloKeys)
		w.field(&co, "frame")
		w.int(ch.Frame)
		w.field(&co, "last_frame")
		w.int(ch.LastFrame)
		w.field(&co, "segments")
		w.int(ch.Segments)
		// What every flow that sent the same ClientHello shares is written once.
		shape := helloShape(ch)
		fragment(w, &w.helloHeads, helloHeadKey{shape, refOf(ch.RecordVersion)}, func() {
			w.key("record_version")
			w.str(ch.RecordVersion)
			w.key("legacy_version")
			w.str(ch.LegacyVersion)
			w.key("sslv2_format")
			w.bool(ch.SSLv2Format)
			w.key("supported_versions")
			if ch.SupportedVersions == nil {
				w.null()
			} else {
				w.strings(ch.SupportedVersions)
			}
			w.key("offered_versions")
			w.strings(ch.OfferedVersions)
			w.key("offered_from_legacy_version")
			w.bool(ch.OfferedFromLegacy)
			w.key("highest_version")
			w.str(ch.Highest)
			w.key("cipher_suites")
			w.strings(ch.CipherSuites)
		})
		// So are the server name and the empty list of protocols of those that offer none, with
		// the rest.
		tail := helloTailKey{shape: shape, sni: string(ch.SNI), noALPN: len(ch.ALPN) == 0}
		if !tail.noALPN {
			w.key("sni")
			w.str(string(ch.SNI))
			w.key("alpn")
			w.strings(result.Strings(ch.ALPN))
			tail.sni = ""
		}
		fragment(w, &w.helloTails, tail, func() {
			if tail.noALPN {
				w.key("sni")
				w.str(string(ch.SNI))
				w.key("alpn")
				w.strings(nil)
			}
			w.key("supported_groups")
			w.strings(ch.SupportedGroups)
			w.key("extensions")
			w.strings(ch.Extensions)
			w.key("signature_algorithms")
			w.strings(ch.SignatureAlgorithms)
			w.key("ja3")
			w.str(ch.JA3)
			w.key("ja3_string")
			w.str(ch.JA3String)
			w.key("ja4")
			w.str(ch.JA4)
			w.key("ja4_r")
			w.str(ch.JA4R)
		})
		w.close('}')
	}
	w.field(&o, "server_hello")
	jsonServerHello(w, t.ServerHello)
	if t.HelloRetryRequest != nil {
		w.key("hello_retry_request")
		jsonServerHello(w, t.HelloRetryRequest)
	}
	w.field(&o, "server_messages")
	w.strings(t.ServerMessages)
	w.field(&o, "established")
	w.bool(t.Established)
	w.field(&o, "client_app_data_records")
	w.int(t.ClientAppData)
	w.field(&o, "server_app_data_records")
	w.int(t.ServerAppData)
	w.field(&o, "server_certificates")
	w.open('[')
	if len(t.ServerCertificates) > 0 {
		// A chain is shared by every flow that got it: written once.
		fragment(w, &w.chains, chainShape{unsafe.SliceData(t.ServerCertificates), len(t.ServerCertificates)}, func() { jsonChain(w, t.ServerCertificates) })
	}
	w.close(']')
	w.field(&o, "certificate_frame")
	w.int(t.CertificateFrame)
	w.field(&o, "certificate_findings")
	w.open('[')
	for i := range t.CertificateFindings {
		c := &t.CertificateFindings[i]
		w.elem()
		w.open('{')
		w.key("code")
		w.str(c.Code)
		w.key("text")
		jsonMsg(w, wd, &c.Text)
		w.close('}')
	}
	w.close(']')
	w.close('}')
}

// jsonChain writes the certificates of a chain, each an element of the open array.
func jsonChain(w *jsonWriter, certs []result.Certificate) {
	for i := range certs {
		c := &certs[i]
		w.elem()
		w.open('{')
		w.key("subject")
		w.str(string(c.Subject))
		w.key("issuer")
		w.str(string(c.Issuer))
		w.key("serial_number")
		w.str(string(c.SerialNumber))
		w.key("not_before")
		w.time(c.NotBefore)
		w.key("not_after")
		w.time(c.NotAfter)
		w.key("dns_names")
		w.strings(result.Strings(c.DNSNames))
		w.key("ip_addresses")
		w.strings(result.Strings(c.IPAddresses))
		w.key("key_type")
		w.str(c.KeyType)
		w.key("key_bits")
		w.int(c.KeyBits)
		w.key("signature_algorithm")
		w.str(c.SignatureAlgorithm)
		w.key("self_signed")
		w.bool(c.SelfSigned)
		w.key("is_ca")
		w.bool(c.IsCA)
		w.key("sha256")
		w.str(string(c.SHA256))
		if c.ParseError != "" {
			w.key("parse_error")
			w.str(string(c.ParseError))
		}
		w.close('}')
	}
}

// chainShape identifies a certificate chain shared by flows (the same described chain).
type chainShape struct {
	first *result.Certificate
	n     int
}

// helloShapeKey identifies what flows that sent the same ClientHello share in the result: the
// lists are the same arrays, the strings the same bytes (analyze makes one result form per
// distinct ClientHello).
type helloShapeKey struct {
	suites, groups, exts, sigs, offered, supported  *string
	nSuites, nGroups, nExts, nSigs, nOffered, nSupp int
	legacy, highest, ja3, ja4, ja3s, ja4r           strRef
	sslv2, fromLegacy, suppNil                      bool
}

// helloHeadKey identifies the head of a ClientHello's fields that flows share: from its record
// version to its cipher suites.
type helloHeadKey struct {
	shape  helloShapeKey
	record strRef
}

// helloTailKey identifies the tail of a ClientHello's fields that flows share: from its server
// name (noALPN: when it offers no protocols; else from its supported groups) to its JA4_r.
type helloTailKey struct {
	shape  helloShapeKey
	sni    string
	noALPN bool
}

// strRef identifies a string by where its bytes are, for a key that is cheap to hash: equal
// refs are equal strings (the bytes cannot change), while equal strings made apart have other
// refs (what they key is then written again, never shared wrongly).
type strRef struct {
	p *byte
	n int
}

func refOf(s string) strRef { return strRef{unsafe.StringData(s), len(s)} }

// helloShape is the key of what ch shares with other flows' ClientHellos.
func helloShape(ch *result.ClientHello) helloShapeKey {
	return helloShapeKey{
		suites: unsafe.SliceData(ch.CipherSuites), groups: unsafe.SliceData(ch.SupportedGroups), exts: unsafe.SliceData(ch.Extensions),
		sigs: unsafe.SliceData(ch.SignatureAlgorithms), offered: unsafe.SliceData(ch.OfferedVersions), supported: unsafe.SliceData(ch.SupportedVersions),
		nSuites: len(ch.CipherSuites), nGroups: len(ch.SupportedGroups), nExts: len(ch.Extensions), nSigs: len(ch.SignatureAlgorithms),
		nOffered: len(ch.OfferedVersions), nSupp: len(ch.SupportedVersions),
		legacy: refOf(ch.LegacyVersion), highest: refOf(ch.Highest), ja3: refOf(ch.JA3), ja4: refOf(ch.JA4), ja3s: refOf(ch.JA3String), ja4r: refOf(ch.JA4R),
		sslv2: ch.SSLv2Format, fromLegacy: ch.OfferedFromLegacy, suppNil: ch.SupportedVersions == nil,
	}
}

func jsonServerHello(w *jsonWriter, sh *result.ServerHello) {
	if sh == nil {
		w.null()
		return
	}
	o := w.object(serverHelloKeys)
	w.field(&o, "frame")
	w.int(sh.Frame)
	// The rest is shared by every flow whose server sent the same ServerHello: written once.
	key := serverHelloKey{refOf(sh.LegacyVersion), refOf(sh.ChosenVersion), refOf(sh.CipherSuite), refOf(sh.KeyShareGroup),
		refOf(string(sh.ALPN)), refOf(sh.JA3S), refOf(sh.JA3SString)}
	fragment(w, &w.serverHellos, key, func() {
		w.key("legacy_version")
		w.str(sh.LegacyVersion)
		w.key("chosen_version")
		w.str(sh.ChosenVersion)
		w.key("cipher_suite")
		w.str(sh.CipherSuite)
		if sh.KeyShareGroup != "" {
			w.key("key_share_group")
			w.str(sh.KeyShareGroup)
		}
		if sh.ALPN != "" {
			w.key("alpn")
			w.str(string(sh.ALPN))
		}
		w.key("ja3s")
		w.str(sh.JA3S)
		w.key("ja3s_string")
		w.str(sh.JA3SString)
	})
	w.close('}')
}

// serverHelloKey identifies the fields of a ServerHello that flows share: its strings, by where
// their bytes are (analyze makes one result form per distinct ServerHello).
type serverHelloKey struct{ legacy, chosen, cipher, group, alpn, ja3s, ja3sString strRef }

func jsonPath(w *jsonWriter, wd *words, p *result.Path) {
	if len(p.SYNIntervals) > 0 || len(p.ICMP) > 0 || wd.red != nil {
		writePath(w, wd, p)
		return
	}
	// Most flows' paths read the same: written once, by what they are written from; the one
	// last written so is compared first.
	pk := pathKey{p.Vantage, p.SYNSchedule, p.ClientHops, p.ServerHops, p.DupACKs, p.ZeroWindows, w.depth, math.Float64bits(p.SYNGiveUp)}
	if l := &w.lastPath; l.v != nil && l.key == pk && valuecache.Equal(&l.reason, &p.VantageReason) {
		w.b = append(w.b, l.v...)
		return
	}
	k := valuecache.AppendInt(append(w.valueKey[:0], 'p'), w.depth)
	k = valuecache.AppendString(k, p.Vantage)
	k = valuecache.AppendMsg(k, &p.VantageReason)
	k = valuecache.AppendInt(valuecache.AppendInt(k, p.ClientHops), p.ServerHops)
	k = valuecache.AppendString(k, p.SYNSchedule)
	k = valuecache.AppendFloat(k, p.SYNGiveUp)
	k = valuecache.AppendInt(valuecache.AppendInt(k, p.DupACKs), p.ZeroWindows)
	w.valueKey = k
	if v, ok := w.values.Get(k); ok {
		pk.vantage, pk.schedule = strings.Clone(pk.vantage), strings.Clone(pk.schedule)
		w.lastPath = lastPath{pk, valuecache.Clone(&p.VantageReason), v}
		w.b = append(w.b, v...)
		return
	}
	cachedValue(w, &w.values, k, func() { writePath(w, wd, p) })
}

// pathKey is what a path section is written from, besides its vantage's reason, and its depth.
type pathKey struct {
	vantage, schedule                                   string
	clientHops, serverHops, dupACKs, zeroWindows, depth int
	giveUp                                              uint64 // the bits: -0 is not 0
}

// lastPath is the path section jsonPath last found in its cache: what it was written from (the
// texts copied: a flow's memory is reused) and its bytes.
type lastPath struct {
	key    pathKey
	reason result.Message
	v      []byte
}

// writePath writes a flow's path section.
func writePath(w *jsonWriter, wd *words, p *result.Path) {
	w.open('{')
	w.key("vantage")
	w.str(p.Vantage)
	w.key("vantage_reason")
	jsonMsg(w, wd, &p.VantageReason)
	w.key("client_hops")
	w.int(p.ClientHops)
	w.key("server_hops")
	w.int(p.ServerHops)
	w.key("syn_intervals_s")
	w.open('[')
	for _, s := range p.SYNIntervals {
		w.elem()
		w.float(s)
	}
	w.close(']')
	w.key("syn_schedule")
	w.str(p.SYNSchedule)
	w.key("syn_give_up_s")
	w.float(p.SYNGiveUp)
	w.key("icmp")
	w.open('[')
	for i := range p.ICMP {
		ic := &p.ICMP[i]
		w.elem()
		w.open('{')
		w.key("frame")
		w.int(ic.Frame)
		w.key("time")
		w.time(ic.Time)
		w.key("from")
		w.str(string(ic.From))
		w.key("type")
		w.int(ic.Type)
		w.key("code")
		w.int(ic.Code)
		w.key("name")
		w.str(ic.Name)
		w.key("mtu")
		w.int(ic.MTU)
		w.key("quotes")
		w.str(ic.Quotes)
		w.close('}')
	}
	w.close(']')
	w.key("dup_acks")
	w.int(p.DupACKs)
	w.key("zero_windows")
	w.int(p.ZeroWindows)
	w.close('}')
}

func jsonVerdictCounts(w *jsonWriter, vs []result.VerdictCount) {
	w.open('[')
	for _, v := range vs {
		w.elem()
		w.open('{')
		w.key("verdict")
		w.str(string(v.Verdict))
		w.key("count")
		w.int(v.Count)
		w.close('}')
	}
	w.close(']')
}

func jsonVersionCounts(w *jsonWriter, vs []result.VersionCount) {
	w.open('[')
	for _, v := range vs {
		w.elem()
		w.open('{')
		w.key("version")
		w.str(v.Version)
		w.key("count")
		w.int(v.Count)
		w.close('}')
	}
	w.close(']')
}

func jsonSummary(w *jsonWriter, wd *words, s *result.Summary) {
	w.open('{')
	w.key("flows")
	w.int(s.Flows)
	w.key("failed")
	w.int(s.Failed)
	w.key("verdicts")
	jsonVerdictCounts(w, s.Verdicts)
	w.key("servers")
	w.open('[')
	for i := range s.Servers {
		sv := &s.Servers[i]
		w.elem()
		w.open('{')
		w.key("server")
		w.str(string(sv.Server))
		w.key("flows")
		w.int(sv.Flows)
		w.key("failed")
		w.int(sv.Failed)
		w.key("accepted_versions")
		w.strings(sv.AcceptedVersions)
		w.key("accepted_ciphers")
		w.strings(sv.AcceptedCiphers)
		w.key("verdicts")
		jsonVerdictCounts(w, sv.Verdicts)
		w.key("ok_handshakes")
		w.int(sv.OKHandshakes)
		w.key("ok_versions")
		jsonVersionCounts(w, sv.OKVersions)
		w.key("refused_highest_versions")
		jsonVersionCounts(w, sv.RefusedHighestVersions)
		w.key("policy")
		jsonMsg(w, wd, &sv.Policy)
		if rs := sv.NotListedResets; rs != nil {
			w.key("not_listed_middlebox_resets")
			w.open('{')
			w.key("in_name_of_client")
			w.int(rs.Client)
			w.key("in_name_of_server")
			w.int(rs.Server)
			w.close('}')
		}
		w.close('}')
	}
	w.close(']')
	w.key("names_failed")
	w.int(s.NamesFailed)
	w.key("agents")
	w.open('[')
	for i := range s.Agents {
		a := &s.Agents[i]
		w.elem()
		w.open('{')
		w.key("agent")
		w.str(string(a.Agent))
		w.key("flows")
		w.int(a.Flows)
		w.key("failed")
		w.int(a.Failed)
		w.key("offered_versions")
		w.strings(a.OfferedVersions)
		w.key("highest_version")
		w.str(a.HighestVersion)
		w.key("chosen_versions")
		w.strings(a.ChosenVersions)
		w.key("verdicts")
		jsonVerdictCounts(w, a.Verdicts)
		w.key("ja3")
		w.strings(a.JA3)
		w.key("ja4")
		w.strings(a.JA4)
		w.key("servers")
		w.strings(result.Strings(a.Servers))
		if a.Role != "" {
			w.key("role")
			w.str(a.Role)
		}
		w.close('}')
	}
	w.close(']')
	w.key("fingerprints")
	w.open('[')
	for i := range s.Fingerprints {
		g := &s.Fingerprints[i]
		w.elem()
		w.open('{')
		w.key("ja4")
		w.str(g.JA4)
		w.key("ja3")
		w.str(g.JA3)
		w.key("agent_count")
		w.int(g.AgentCount)
		w.key("agents")
		w.strings(result.Strings(g.Agents))
		w.key("flows")
		w.int(g.Flows)
		w.key("failed")
		w.int(g.Failed)
		w.key("highest_version")
		w.str(g.HighestVersion)
		if g.Role != "" {
			w.key("role")
			w.str(g.Role)
		}
		w.close('}')
	}
	w.close(']')
	w.key("fleet")
	w.open('[')
	for i := range s.Fleet {
		g := &s.Fleet[i]
		w.elem()
		w.open('{')
		w.key("server")
		w.str(string(g.Server))
		w.key("highest_version")
		w.str(g.HighestVersion)
		w.key("outcome")
		w.str(g.Outcome)
		w.key("agent_count")
		w.int(g.AgentCount)
		w.key("agents")
		w.strings(result.Strings(g.Agents))
		w.key("flows")
		w.int(g.Flows)
		w.key("failed")
		w.int(g.Failed)
		w.key("text")
		jsonMsg(w, wd, &g.Text)
		if g.Role != "" {
			w.key("role")
			w.str(g.Role)
		}
		w.close('}')
	}
	w.close(']')
	if len(s.Scans) > 0 {
		w.key("scans")
		jsonScans(w, wd, s.Scans)
	}
	if len(s.Sweeps) > 0 {
		w.key("sweeps")
		jsonSweeps(w, wd, s.Sweeps)
	}
	w.close('}')
}

// jsonAt writes the capture a scan's frame is in (several vantages; nil: nothing).
func jsonAt(w *jsonWriter, wd *words, key string, at *result.EvidenceAt) {
	if at == nil {
		return
	}
	w.key(key)
	w.open('{')
	w.key("vantage")
	w.int(at.Vantage)
	w.key("capture")
	jsonMsg(w, wd, &at.Name)
	w.close('}')
}

// jsonSweeps writes summary.sweeps.
func jsonSweeps(w *jsonWriter, wd *words, sweeps []result.Sweep) {
	w.open('[')
	for i := range sweeps {
		sw := &sweeps[i]
		w.elem()
		w.open('{')
		w.key("client")
		w.str(string(sw.Client))
		for _, f := range []struct {
			key string
			n   int
		}{{"port", sw.Port}, {"hosts", sw.Hosts}, {"open", sw.Open}, {"refused", sw.Refused}, {"silent", sw.Silent}, {"unreachable", sw.Unreachable},
			{"flows", sw.Flows},
			{"first_frame", sw.FirstFrame}, {"last_frame", sw.LastFrame}} {
			w.key(f.key)
			w.int(f.n)
		}
		w.key("start")
		w.time(sw.Start)
		w.key("end")
		w.time(sw.End)
		jsonAt(w, wd, "first_at", sw.FirstAt)
		jsonAt(w, wd, "last_at", sw.LastAt)
		w.close('}')
	}
	w.close(']')
}

// jsonScans writes summary.scans.
func jsonScans(w *jsonWriter, wd *words, scans []result.Scan) {
	w.open('[')
	for i := range scans {
		sc := &scans[i]
		w.elem()
		w.open('{')
		w.key("client")
		w.str(string(sc.Client))
		w.key("server")
		w.str(string(sc.Server))
		w.key("ports")
		w.int(sc.Ports)
		w.key("flows")
		w.int(sc.Flows)
		w.key("open")
		w.int(sc.Open)
		w.key("open_ports")
		w.ints(sc.OpenPorts)
		w.key("refused")
		w.int(sc.Refused)
		w.key("first_frame")
		w.int(sc.FirstFrame)
		w.key("last_frame")
		w.int(sc.LastFrame)
		w.key("start")
		w.time(sc.Start)
		w.key("end")
		w.time(sc.End)
		if sc.OutsidePorts > 0 {
			w.key("outside_ports")
			w.int(sc.OutsidePorts)
		}
		if sc.OutsideSYNs > 0 {
			w.key("outside_syns")
			w.int(sc.OutsideSYNs)
		}
		jsonAt(w, wd, "first_at", sc.FirstAt)
		jsonAt(w, wd, "last_at", sc.LastAt)
		w.close('}')
	}
	w.close(']')
}

func jsonName(w *jsonWriter, wd *words, n *result.Name) {
	title, steps, step := wd.name(n)
	w.open('{')
	w.key("name")
	w.str(string(n.Name))
	w.key("relation")
	w.str(n.Relation)
	w.key("outcome")
	w.str(n.Outcome)
	w.key("rcode")
	w.str(n.RCode)
	w.key("answers")
	w.strings(result.Strings(n.Answers))
	w.key("askers")
	w.strings(result.Strings(n.Askers))
	w.key("asker_count")
	w.int(n.AskerCount)
	w.key("dns_servers")
	w.strings(result.Strings(n.DNSServers))
	w.key("queries")
	w.int(n.Queries)
	w.key("responses")
	w.int(n.Responses)
	w.key("verdict")
	w.str(string(n.Verdict))
	w.key("title")
	w.str(title)
	w.key("failed")
	w.bool(n.Failed)
	w.key("reason")
	jsonMsg(w, wd, &n.Reason)
	w.key("next_step")
	w.str(step)
	w.key("next_steps")
	w.strings(steps)
	w.key("evidence")
	jsonEvidence(w, wd, n.Evidence)
	w.key("wireshark_filter")
	w.str(n.WiresharkFilter())
	w.close('}')
}
