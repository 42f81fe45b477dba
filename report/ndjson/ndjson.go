// Package ndjson writes a result as newline-delimited JSON for log pipelines (Filebeat,
// Logstash, Vector, Splunk, ClickHouse's JSONEachRow): one object per connection, one per DNS
// name tied to the servers, then one summary object, each on a line of its own. Field names
// follow the Elastic Common Schema where it has them (source.ip, destination.port, tls.version,
// tls.cipher, tls.client.ja3, event.outcome, ...); connscope's own are under connscope.*.
// docs/ndjson.md describes every field.
//
// It is written as the flows are made, one line at a time through a reused buffer: memory does
// not grow with the number of lines.
package ndjson

import (
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/connscope/connscope/report/findings"
	"github.com/connscope/connscope/result"
)

// Schema names the NDJSON format: it changes only when a field is renamed, removed or changes
// meaning; added fields keep it.
const Schema = "connscope.ndjson/v1"

// ECSVersion is the Elastic Common Schema version whose field names the lines use.
const ECSVersion = "8.11.0"

// The datasets (event.dataset) of the three kinds of line.
const (
	DatasetConnection = "connscope.connection"
	DatasetName       = "connscope.name"
	DatasetSummary    = "connscope.summary"
)

// Words words what the lines say in the report's language.
type Words interface {
	// Msg words a message.
	Msg(m *result.Message) string
	// Advice words a finding's title and next steps.
	Advice(v result.Verdict, a *result.Advice) (title string, steps []string)
	// Headline words a failing group in one sentence.
	Headline(g *findings.Group, fs *findings.Findings) string
	// Answer words the answer paragraph.
	Answer(r *result.Result, fs *findings.Findings) string
}

// flushAt is how much is buffered before it is written out.
const flushAt = 64 << 10

// Write writes r to w as NDJSON: a line per listed connection, in order, a line per DNS name
// tied to the servers, and a summary line. It returns the first write error.
func Write(w io.Writer, r *result.Result, wd Words) error {
	out := make([]byte, 0, flushAt+16<<10)
	flush := func(force bool) error {
		if len(out) < flushAt && !force {
			return nil
		}
		_, err := w.Write(out)
		out = out[:0]
		return err
	}
	capture := findings.FileName(string(r.Input.File))
	fb := findings.NewBuilder(r)
	var l line
	for i, f := range r.Flows.Ahead() { // made ahead on the other CPUs when the list allows it
		fb.Add(i, f)
		connection(&l, f, capture, wd)
		out = append(out, l.b...)
		if err := flush(false); err != nil {
			return err
		}
	}
	for i := range r.Names {
		name(&l, r, &r.Names[i], capture, wd)
		out = append(out, l.b...)
	}
	summary(&l, r, fb.Done(), capture, wd)
	out = append(out, l.b...)
	return flush(true)
}

// header writes the members every line starts with.
func header(l *line, t time.Time) {
	l.reset()
	l.time("@timestamp", t)
	l.obj("ecs")
	l.str("version", ECSVersion)
	l.close()
}

// event writes the event object's common members and leaves it open.
func event(l *line, typ, dataset string) {
	l.obj("event")
	l.str("kind", "event")
	l.strs("category", []string{"network"})
	l.strs("type", []string{typ})
	l.str("module", "connscope")
	l.str("dataset", dataset)
}

// outcome is ECS's event.outcome for a verdict.
func outcome(v result.Verdict) string {
	switch {
	case v.Failed():
		return "failure"
	case v == result.VerdictOK:
		return "success"
	}
	return "unknown"
}

func connection(l *line, f *result.Flow, capture string, wd Words) {
	header(l, f.Start)
	event(l, "connection", DatasetConnection)
	l.str("action", string(f.Verdict))
	l.str("outcome", outcome(f.Verdict))
	l.strOpt("reason", wd.Msg(&f.Reason))
	l.time("start", f.Start)
	l.time("end", f.End)
	l.int("duration", f.End.Sub(f.Start).Nanoseconds())
	l.close()
	c, s := endpoint(l, "source", string(f.Client), f.TCP.ClientPackets, f.TCP.ClientBytes), endpoint(l, "destination", string(f.Server), f.TCP.ServerPackets, f.TCP.ServerBytes)
	l.obj("network")
	l.str("transport", "tcp")
	switch {
	case c.Addr().Is4():
		l.str("type", "ipv4")
	case c.Addr().Is6():
		l.str("type", "ipv6")
	}
	switch {
	case f.TLS != nil:
		l.str("protocol", "tls")
	case f.HTTP != nil:
		l.str("protocol", "http")
	}
	l.int("packets", int64(f.TCP.ClientPackets+f.TCP.ServerPackets))
	l.int("bytes", f.TCP.ClientBytes+f.TCP.ServerBytes)
	l.close()
	related(l, c, s)
	if f.TLS != nil {
		tlsObject(l, f)
	}
	if h := f.HTTP; h != nil {
		l.obj("http")
		l.obj("request")
		l.strOpt("method", string(h.Method))
		l.close()
		if h.Status > 0 {
			l.obj("response")
			l.int("status_code", int64(h.Status))
			l.close()
		}
		l.close()
		l.obj("url")
		l.strOpt("path", string(h.Path))
		l.strOpt("domain", string(h.Host))
		l.close()
	}
	title, steps := wd.Advice(f.Verdict, &f.Advice)
	l.obj("connscope")
	l.strOpt("capture", capture)
	l.int("flow_id", int64(f.ID))
	l.str("verdict", string(f.Verdict))
	l.bool("failed", f.Failed)
	l.str("title", title)
	l.strs("next_steps", steps)
	l.str("conn_state", f.ConnState)
	l.str("history", f.History)
	l.strs("offered_versions", f.OfferedVersions)
	l.strOpt("chosen_version", findings.Chosen(f))
	l.strOpt("client_highest_version", findings.HighestOffered(f))
	if f.TLS != nil && f.TLS.ClientHello != nil {
		l.strOpt("ja4", f.TLS.ClientHello.JA4)
	}
	l.bool("roles_guessed", f.RolesGuessed)
	l.strOpt("role", f.Role)
	if !f.NotTLS.IsZero() {
		l.str("not_tls", wd.Msg(&f.NotTLS))
	}
	if f.HTTP != nil {
		l.bool("http_check_url", f.HTTP.CheckURL)
	}
	if f.TCP.HandshakeRTT > 0 {
		l.float("handshake_rtt_s", f.TCP.HandshakeRTT)
	}
	if f.Path != nil {
		l.str("vantage", f.Path.Vantage)
	}
	l.arr("alerts")
	for _, a := range f.Alerts {
		l.elemObj()
		l.str("from", a.From)
		l.str("level", a.Level)
		l.str("description", a.Description)
		l.int("frame", int64(a.Frame))
		l.close()
	}
	l.closeArr()
	evidence(l, f.Evidence, wd)
	l.str("wireshark_filter", f.WiresharkFilter())
	l.int("first_frame", int64(f.FirstFrame))
	l.int("last_frame", int64(f.LastFrame))
	l.strs("flags", f.Flags)
	if f.Vantages != nil {
		vantages(l, f.Vantages, wd)
	}
	l.close()
	l.end()
}

// endpoint writes source or destination from an "ip:port" endpoint and returns it.
func endpoint(l *line, key, ep string, packets int, bytes int64) netip.AddrPort {
	ap, _ := netip.ParseAddrPort(ep)
	l.obj(key)
	if ap.IsValid() {
		l.str("ip", ap.Addr().String())
		l.int("port", int64(ap.Port()))
	} else {
		l.strOpt("address", ep)
	}
	l.int("packets", int64(packets))
	l.int("bytes", bytes)
	l.close()
	return ap
}

// related writes related.ip, the addresses a line concerns, for pivoting.
func related(l *line, eps ...netip.AddrPort) {
	var ips []string
	for _, ep := range eps {
		if ep.IsValid() {
			if s := ep.Addr().String(); len(ips) == 0 || ips[len(ips)-1] != s {
				ips = append(ips, s)
			}
		}
	}
	l.obj("related")
	l.strs("ip", ips)
	l.close()
}

// tlsObject writes ECS's tls object: the version chosen, the cipher, the fingerprints, the SNI
// and the server's certificate.
func tlsObject(l *line, f *result.Flow) {
	t := f.TLS
	l.obj("tls")
	if v := findings.Chosen(f); v != "" {
		proto, num, ok := strings.Cut(v, " ")
		if ok {
			l.str("version", num)
			l.str("version_protocol", strings.ToLower(proto))
		}
	}
	if sh := t.ServerHello; sh != nil {
		l.strOpt("cipher", sh.CipherSuite)
		l.strOpt("next_protocol", string(sh.ALPN))
	}
	l.bool("established", t.Established)
	if ch := t.ClientHello; ch != nil {
		l.obj("client")
		l.strOpt("ja3", ch.JA3)
		l.strOpt("server_name", string(ch.SNI))
		l.strs("supported_ciphers", ch.CipherSuites)
		l.close()
	}
	if t.ServerHello != nil || len(t.ServerCertificates) > 0 {
		l.obj("server")
		if sh := t.ServerHello; sh != nil {
			l.strOpt("ja3s", sh.JA3S)
		}
		if len(t.ServerCertificates) > 0 {
			c := &t.ServerCertificates[0]
			l.strOpt("subject", string(c.Subject))
			l.strOpt("issuer", string(c.Issuer))
			if !c.NotBefore.IsZero() {
				l.time("not_before", c.NotBefore)
				l.time("not_after", c.NotAfter)
			}
			if c.SHA256 != "" {
				l.obj("hash")
				l.str("sha256", strings.ToUpper(string(c.SHA256)))
				l.close()
			}
		}
		l.close()
	}
	l.close()
}

func evidence(l *line, es []result.Evidence, wd Words) {
	l.arr("evidence")
	for i := range es {
		e := &es[i]
		l.elemObj()
		l.int("frame", int64(e.Frame))
		l.time("time", e.Time)
		l.str("text", wd.Msg(&e.Text))
		if e.Flow != 0 {
			l.int("flow", int64(e.Flow))
		}
		if e.EvidenceAt != nil { // several vantages: which capture the frame is in
			l.int("vantage", int64(e.Vantage))
			l.str("capture", wd.Msg(&e.Name))
		}
		l.close()
	}
	l.closeArr()
}

func name(l *line, r *result.Result, n *result.Name, capture string, wd Words) {
	t := r.Input.First
	if len(n.Evidence) > 0 {
		t = n.Evidence[0].Time
	}
	header(l, t)
	event(l, "protocol", DatasetName)
	l.str("action", string(n.Verdict))
	l.str("outcome", outcome(n.Verdict))
	l.strOpt("reason", wd.Msg(&n.Reason))
	l.close()
	l.obj("dns")
	l.obj("question")
	l.str("name", string(n.Name))
	l.close()
	l.strOpt("response_code", n.RCode)
	l.strs("resolved_ip", result.Strings(n.Answers))
	l.close()
	l.obj("network")
	l.str("transport", "udp")
	l.str("protocol", "dns")
	l.close()
	l.obj("related")
	l.strs("ip", append(append([]string{}, result.Strings(n.Askers)...), result.Strings(n.DNSServers)...))
	l.strs("hosts", []string{string(n.Name)})
	l.close()
	title, steps := wd.Advice(n.Verdict, &n.Advice)
	l.obj("connscope")
	l.strOpt("capture", capture)
	l.str("verdict", string(n.Verdict))
	l.bool("failed", n.Failed)
	l.str("title", title)
	l.strs("next_steps", steps)
	l.str("relation", n.Relation)
	l.str("outcome", n.Outcome)
	l.strs("askers", result.Strings(n.Askers))
	l.int("asker_count", int64(n.AskerCount))
	l.strs("dns_servers", result.Strings(n.DNSServers))
	l.int("queries", int64(n.Queries))
	l.int("responses", int64(n.Responses))
	evidence(l, n.Evidence, wd)
	l.str("wireshark_filter", n.WiresharkFilter())
	l.close()
	l.end()
}

func summary(l *line, r *result.Result, fs *findings.Findings, capture string, wd Words) {
	in := &r.Input
	header(l, in.Last)
	event(l, "info", DatasetSummary)
	switch {
	case fs.Failed > 0 || len(fs.Names) > 0:
		l.str("outcome", "failure")
	case fs.Flows > 0:
		l.str("outcome", "success")
	default:
		l.str("outcome", "unknown")
	}
	l.str("reason", wd.Answer(r, fs))
	if !in.First.IsZero() {
		l.time("start", in.First)
		l.time("end", in.Last)
	}
	l.close()
	l.obj("connscope")
	l.str("schema", Schema)
	l.strOpt("capture", capture)
	l.obj("input")
	l.str("file", string(in.File))
	l.str("format", in.Format)
	l.int("frames", int64(in.Frames))
	l.int("bytes", in.Bytes)
	l.bool("complete", in.Complete)
	l.obj("outside")
	l.int("tcp_packets", int64(in.Outside.TCPPackets))
	l.int("syns", int64(in.Outside.SYNs))
	l.arr("ports")
	for _, p := range in.Outside.Ports {
		l.elemObj()
		l.int("port", int64(p.Port))
		l.int("syns", int64(p.SYNs))
		l.int("packets", int64(p.Packets))
		l.close()
	}
	l.closeArr()
	l.arr("hosts")
	for _, h := range in.Outside.Hosts {
		l.elemObj()
		l.str("host", string(h.Host))
		l.int("syns", int64(h.SYNs))
		l.close()
	}
	l.closeArr()
	l.close()
	l.close()
	l.obj("options")
	l.ints("ports", r.Options.Ports)
	l.strs("hosts", result.Strings(r.Options.Hosts))
	l.str("profile", r.Options.Profile)
	l.int("max_flows", int64(r.Options.MaxFlows))
	l.close()
	l.int("connections", int64(fs.Flows))
	l.int("failed", int64(fs.Failed))
	l.int("not_listed", int64(fs.NotListed))
	l.int("names", int64(fs.NamesTotal))
	l.int("names_failed", int64(len(fs.Names)))
	l.arr("verdicts")
	for _, v := range r.Summary.Verdicts {
		l.elemObj()
		l.str("verdict", string(v.Verdict))
		l.int("count", int64(v.Count))
		l.close()
	}
	l.closeArr()
	l.arr("servers")
	for i := range fs.Servers {
		sv := &fs.Servers[i]
		l.elemObj()
		l.str("server", string(sv.Server))
		l.int("connections", int64(sv.Flows))
		l.int("failed", int64(sv.Failed))
		l.strs("accepted_versions", sv.AcceptedVersions)
		l.strOpt("policy", wd.Msg(&sv.Policy))
		l.close()
	}
	l.closeArr()
	l.arr("groups")
	for _, g := range fs.Groups {
		l.elemObj()
		l.str("verdict", string(g.Verdict))
		l.str("server", string(g.Server))
		l.bool("not_listed", g.Unlisted)
		l.int("connections", int64(g.Connections))
		if !g.Unlisted {
			l.strs("offered_versions", g.Offered)
			l.strOpt("chosen_version", g.Chosen)
			if g.HTTPStatus > 0 {
				l.int("http_status", int64(g.HTTPStatus))
			}
			l.int("agent_count", int64(g.AgentCount))
			l.strs("agents", result.Strings(g.Agents))
			l.ints("flow_ids", g.FlowIDs)
		}
		l.strOpt("role", g.Role)
		adv := g.Advice()
		title, steps := wd.Advice(g.Verdict, &adv)
		l.str("title", title)
		l.str("headline", wd.Headline(g, fs))
		l.strs("next_steps", steps)
		l.close()
	}
	l.closeArr()
	l.arr("warnings")
	for i := range r.Warnings {
		w := &r.Warnings[i]
		l.elemObj()
		l.str("code", w.Code)
		l.str("message", wd.Msg(&w.Message))
		if w.Frame > 0 {
			l.int("frame", int64(w.Frame))
		}
		l.close()
	}
	l.closeArr()
	l.close()
	l.end()
}
