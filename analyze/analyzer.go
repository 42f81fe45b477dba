package analyze

import (
	"net/netip"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/connscope/connscope/analyze/filing"
	"github.com/connscope/connscope/analyze/forms"
	"github.com/connscope/connscope/analyze/inputwarn"
	"github.com/connscope/connscope/analyze/outside"
	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/correlate"
	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/diagnose/dns"
	"github.com/connscope/connscope/diagnose/param"
	"github.com/connscope/connscope/diagnose/views"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/fleet"
	"github.com/connscope/connscope/internal/inorder"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/track"
	dnsnames "github.com/connscope/connscope/track/names"
)

// Analyzer is the engine: it feeds packets to connection tracking (package track), files each
// finished connection's record with the cross-connection aggregates (package fleet), keeps the
// records the result lists, and at the end diagnoses them with the whole capture's context
// (package diagnose) into a result. It is not safe for concurrent use. Memory is bounded by
// Options.MaxActiveFlows connections in progress plus Options.MaxFlows records.
type Analyzer struct {
	opts     Options
	cfg      diagnose.Config
	tlsPorts [65536]bool
	tr       *track.Tracker
	agg      *fleet.Aggregate

	kept     store // the records the result lists
	warnings []result.Warning

	snis, hosts map[string]bool // the SNIs and HTTP hosts of the listed connections (tie)

	pipe *filing.Pipeline // files records on a goroutine of its own (package filing); nil: in line
	vp   *vantages        // a capture of several vantages (vantage.go); nil: one
	// describe gives the reader's vantages and capture points (readFrom); nil for a live capture.
	describe func() ([]pcapfile.Vantage, []pcapfile.Point)
	nat      natTwins // one vantage: connections seen twice through a translator (vantage.go)

	helloCuts     int // connections whose ClientHello the snaplen cut
	helloCutFrame int // the first such ClientHello's frame
	oddTimes      inputwarn.Times
	damaged       inputwarn.DamagedFlows // connections with packets that arrived damaged
	guessedAt     inputwarn.Frames       // where the connections whose roles were guessed start
	overruns      int                    // packets whose IP length claims more than their uncut frame holds
	overrunFrame  int                    // the first such packet's frame
	forms         forms.Cache
}

// New returns an Analyzer for the given options.
func New(opts Options) *Analyzer {
	opts = opts.withDefaults()
	a := &Analyzer{opts: opts, agg: fleet.New(opts.MaxAgentKeys), snis: map[string]bool{}, hosts: map[string]bool{}}
	a.kept.chunkSize, a.kept.spillAfter = opts.recordChunk, opts.spillAfter
	for _, p := range opts.TLSPorts {
		a.tlsPorts[p] = true
	}
	a.cfg = diagnose.Config{TLSPort: func(p uint16) bool { return a.tlsPorts[p] }, CheckURL: opts.Profile.CheckURL, AgentPorts: opts.AgentPorts}
	a.tr = trackerFor(a, a.finished)
	return a
}

// trackerFor is the tracker of a's options, handing records to sink.
func trackerFor(a *Analyzer, sink track.Sink) *track.Tracker {
	o := &a.opts
	return track.New(track.Config{Ports: o.Ports, Hosts: o.Hosts, TLSPorts: o.TLSPorts, StreamLimit: o.StreamLimit,
		IdleTimeout: o.IdleTimeout, ClosedLinger: o.ClosedLinger, MaxActiveFlows: o.MaxActiveFlows,
		LadderUnneeded: diagnose.CertainlyOK}, sink)
}

// Packet takes the next packet of the capture. p and its slices are only read during the call.
func (a *Analyzer) Packet(p *capture.Packet) {
	a.oddTimes.Note(p)
	a.tr.Packet(p)
}

// finished takes a connection's record as tracking finishes it: with several vantages it goes
// to the correlation, which files each connection once its views are related (file); else it
// is filed at once.
func (a *Analyzer) finished(c *facts.Conn) bool {
	if a.vp == nil && c.Vantage != 0 && a.describe != nil {
		a.startViews(int(c.Vantage) + 1) // an interface declared late in the file
	}
	if a.vp != nil {
		a.vp.observe(a, c)
		return false
	}
	return a.fileRecord(c, nil)
}

// keepsRecords reports whether finished keeps the record c (or pointers into it) past the call:
// the records of several vantages wait to be grouped. The other paths take what they need of a
// record by value (diagnosis, the fleet's and the path's aggregates, the store, which encodes
// it), so a record decoded into scratch memory can be filed.
func (a *Analyzer) keepsRecords(c *facts.Conn) bool {
	return a.vp != nil || c.Vantage != 0 && a.describe != nil
}

// file files a connection seen at several vantages (correlate.Group): its primary record, with
// its views.
func (a *Analyzer) file(g correlate.Group) { a.fileRecord(g.Primary, g.Views) }

// fileRecord files a connection's record: it is diagnosed on its own (and, for a live capture,
// with what the capture showed so far), filed with the aggregates, and kept if the result lists
// it, with its views w (nil: one view). It returns whether the record keeps its ladder: a listed
// connection that may have failed does.
func (a *Analyzer) fileRecord(c *facts.Conn, w *facts.Views) bool {
	return a.fileFirst(c, w, diagnose.FirstOf(c, &a.cfg))
}

// fileFirst is fileRecord with c's diagnosis on its own, d (diagnose.FirstOf).
func (a *Analyzer) fileFirst(c *facts.Conn, w *facts.Views, d diagnose.First) bool {
	if a.vp == nil {
		a.nat.note(c)
	}
	a.damaged.Note(c)
	if c.RolesGuessed {
		a.guessedAt.Add(c.First.Num())
	}
	if c.HelloCut {
		if a.helloCuts == 0 {
			a.helloCutFrame = c.Side[facts.Client].FirstPayload.Num()
		}
		a.helloCuts++
	}
	if x := c.X; x != nil && x.Overruns > 0 {
		if a.overruns == 0 || x.OverrunRef.Num() < a.overrunFrame {
			a.overrunFrame = x.OverrunRef.Num()
		}
		a.overruns += int(x.Overruns)
	}
	a.agg.Observe(c, &d)
	if a.opts.OnFlow != nil {
		live := diagnose.Conn(c, &a.cfg, a.agg.Context())
		var f result.Flow
		a.build(c, &live, &f)
		a.opts.OnFlow(f)
	}
	if a.kept.len() >= a.opts.MaxFlows {
		a.agg.Unlisted(c, &d)
		return false
	}
	mayFail := d.Verdict != result.VerdictOK || plainText(c) // reports draw ladders of the flows that did not work, and of plain text
	if w != nil {
		mayFail = mayFail || views.Verdict(d.Verdict, w) != d.Verdict
		a.vp.keepViews(c, w, mayFail)
	}
	if !mayFail {
		c.Ladder, c.LadderOmitted = nil, 0
	}
	a.tie(c)
	a.kept.add(c, d)
	return false // the store keeps what it needs of the ladder
}

// plainText reports whether the client spoke something other than TLS and no TLS followed.
func plainText(c *facts.Conn) bool {
	return c.TLS.R().NotTLS[facts.Client].Seen() && c.TLS.Hello == nil
}

// AddWarning adds a warning about the input to the result.
func (a *Analyzer) AddWarning(w result.Warning) { a.warnings = append(a.warnings, w) }

// OpenFlows is the number of connections not finished yet: in progress, or closed and kept a
// while for late packets.
func (a *Analyzer) OpenFlows() int { return a.tr.Open() }

// Finish finishes every connection still open, runs the cross-connection inference and returns
// the result. input describes what was read; warnings from reading come in through AddWarning.
func (a *Analyzer) Finish(input result.Input) *result.Result {
	a.spread()
	a.tr.Flush()
	a.settle()
	if a.vp != nil {
		a.vp.flush()
		a.vp.inputVantages(&input)
	}
	if a.helloCuts > 0 {
		a.warnings = append(a.warnings, warning("client-hello-cut", 0, a.helloCutFrame, result.Int("n", a.helloCuts), result.Int("frame", a.helloCutFrame)))
	}
	if w, ok := a.oddTimes.OutOfRange(); ok {
		a.warnings = append(a.warnings, w)
	}
	if w, ok := a.oddTimes.Spikes(); ok {
		a.warnings = append(a.warnings, w)
	}
	if w, ok := a.oddTimes.Back(); ok {
		a.warnings = append(a.warnings, w)
	}
	if w, ok := a.damaged.Warning(); ok {
		a.warnings = append(a.warnings, w)
	}
	if a.overruns > 0 {
		a.warnings = append(a.warnings, warning("ip-length-overrun", 0, a.overrunFrame, result.Int("n", a.overruns), result.Int("frame", a.overrunFrame)))
	}
	a.kept.sort()
	a.addOutsideProbes()
	input.Outside = outside.Summary(a.tr.Unmatched(result.MaxOutside))
	res := &result.Result{
		Schema:   result.SchemaVersion,
		Input:    input,
		Options:  a.resultOptions(),
		Warnings: append([]result.Warning{}, a.warnings...),
	}
	counts := map[result.Verdict]int{}
	perServer := map[netip.AddrPort]map[result.Verdict]int{}
	count := func(server netip.AddrPort, v result.Verdict, n int) {
		counts[v] += n
		if v == result.VerdictPortScan {
			return // the scan is named in the summary, not as hundreds of servers
		}
		if perServer[server] == nil {
			perServer[server] = map[result.Verdict]int{}
		}
		perServer[server][v] += n
	}
	guessed := 0
	ties := dns.Ties{Option: a.opts.ServerNames, SNI: a.snis, Host: a.hosts, ServerIPs: a.agg.ServerAddrs()}
	oneDir, oneDirFirst, oneDirWhat := 0, 0, -1
	// Neighbouring entries mostly share their server and verdict: they are counted by the run.
	var run struct {
		server uint32
		v      result.Verdict
		n      int
	}
	countRun := func() {
		if run.n > 0 {
			count(a.kept.servers[run.server], run.v, run.n)
			run.n = 0
		}
	}
	// The verdicts are worked out on every CPU, and counted here in the entries' order.
	scratch := sync.Pool{New: func() any { return new(recordScratch) }}
	final := func(i int) finalVerdict { return a.finalVerdict(i, &scratch) }
	inorder.Map(len(a.kept.entries), runtime.GOMAXPROCS(0), final, func(i int, f finalVerdict) {
		e, v := &a.kept.entries[i], f.v
		if f.settle {
			first := a.kept.firstOf(i)
			a.agg.Settle(a.kept.record(i), &first, v)
		}
		if v != run.v || e.server != run.server || run.n == 0 {
			countRun()
			run.server, run.v = e.server, v
		}
		run.n++
		a.kept.setVerdict(i, v)
		if e.rolesGuessed {
			guessed++
		}
		if e.missing > 0 {
			if oneDir == 0 {
				oneDirFirst, oneDirWhat = int(e.id), int(e.missing-1)
			}
			oneDir++
		}
		if v == result.VerdictOK && ties.OK == nil {
			a.tieOK(&ties, a.kept.record(i), a.context(e.vantage))
		}
	})
	countRun()
	// A flow is made from its record and the record let go of (build keeps nothing of it), so
	// without vantages the records are decoded into scratch memory, one per goroutine at a time.
	res.Flows = result.NewReusingFlowList(a.kept.len(), func(i int, into *result.Flow, mem *any) {
		if a.vp == nil {
			s := scratch.Get().(*recordScratch)
			c := a.kept.recordScratch(i, s)
			d := diagnose.Conn(c, &a.cfg, a.context(c.Vantage))
			a.buildInto(c, &d, into, mem)
			scratch.Put(s)
			return
		}
		c := a.kept.record(i)
		d := diagnose.Conn(c, &a.cfg, a.context(c.Vantage))
		var w *facts.Views
		if a.vp != nil {
			a.vp.cite(&d, c.Vantage)
			if w = a.vp.views[c.ID]; w != nil {
				diagnose.Views(&d, w, a.vp.names)
			}
		}
		a.build(c, &d, into)
		if w != nil {
			a.vp.buildViews(c, w, into)
		}
	}).WithBriefs(a.kept.brief) // the verdicts counted above: a report makes the failing flows only
	for v, byServer := range a.agg.Revised() {
		for s, n := range byServer {
			count(s, v, n)
			res.FlowsNotListed += n
		}
	}
	if res.FlowsNotListed > 0 {
		res.Warnings = append(res.Warnings, warning("flows-not-listed", 0, 0, result.Int("n", res.FlowsNotListed), result.Int("max", a.opts.MaxFlows)))
	}
	if oneDir > 0 {
		res.Warnings = append(res.Warnings, warning("one-direction", 0, 0, result.Int("n", oneDir), result.Int("flow", oneDirFirst),
			result.Sub("what", result.Msg("direction."+facts.SideName[oneDirWhat]))))
	}
	if guessed > 0 {
		// The frames where such flows start: a flow of one damaged packet (a port or address
		// changed) is one of them.
		slices.Sort(a.guessedAt.Kept())
		res.Warnings = append(res.Warnings, result.Warning{Code: "roles-guessed", Frame: a.guessedAt.Kept()[0],
			Message: result.Msg("warning.roles-guessed-at", result.Int("n", guessed), result.Sub("guessed", result.Msg("warning.roles-guessed", result.Int("n", guessed))),
				result.Sub("frames", a.guessedAt.Message()))})
	}
	if n := a.tr.EvictedEarly(); n > 0 {
		res.Warnings = append(res.Warnings, warning("flows-evicted", 0, 0, result.Int("max", a.opts.MaxActiveFlows), result.Int("n", n)))
	}
	res.Summary = a.summary(counts, perServer)
	if res.FlowsNotListed > 0 {
		resets := a.agg.RevisedResets()
		for i := range res.Summary.Servers {
			if ap, err := netip.ParseAddrPort(string(res.Summary.Servers[i].Server)); err == nil {
				res.Summary.Servers[i].NotListedResets = resets[ap]
			}
		}
	}
	var at func(uint16) *result.EvidenceAt
	if a.vp != nil && len(a.vp.ats) > 0 { // several vantages: a frame names its capture
		at = func(x uint16) *result.EvidenceAt { return a.vp.ats[min(int(x), len(a.vp.ats)-1)] }
	}
	res.Summary.Scans = a.agg.Scans(at)
	for i, sc := range res.Summary.Scans {
		if i == maxScanWarnings {
			break
		}
		w := warning("port-scan", 0, sc.FirstFrame, result.From("client", sc.Client), result.From("server", sc.Server),
			result.Int("ports", sc.Ports), result.Int("open", sc.Open), result.Int("flows", sc.Flows), result.Int("frame", sc.FirstFrame),
			result.Int("refused", sc.Refused), result.Int("silent", sc.Ports-sc.Open-sc.Refused))
		if sc.OutsidePorts > 0 { // narrowed: the scan's other ports were seen by their SYNs
			w.Message.Key = "warning.port-scan-narrowed"
			w.Message.Args = append(w.Message.Args, result.Int("outside", sc.OutsidePorts), result.Int("syns", sc.OutsideSYNs))
		}
		res.Warnings = append(res.Warnings, atCapture(w, sc.FirstAt))
	}
	res.Summary.Sweeps = a.agg.Sweeps(at)
	a.sweepWarnings(res, "port-sweep", res.Summary.Sweeps)
	// The attempts that make a sweep by their numbers but show no scanner keep their verdicts:
	// the warning names both candidates.
	a.sweepWarnings(res, "port-sweep-or-client", a.agg.UnsureSweeps(at))
	res.Warnings = append(res.Warnings, a.agg.ProbeWarnings(at)...)
	a.finishNames(res, &ties)
	a.agg.Fleet(&res.Summary)
	res.Warnings = append(res.Warnings, inputwarn.AgentPorts(a.opts.AgentPorts, a.opts.Profile.Ports, a.opts.Profile.Name, res.Summary.Agents)...)
	if n := a.agg.AgentsDropped(); n > 0 {
		res.Warnings = append(res.Warnings, warning("fleet-truncated", 0, 0, result.Int("max", a.opts.MaxAgentKeys), result.Int("n", n)))
	}
	return res
}

// finalVerdict is a kept entry's final verdict, and whether the fleet view must be told it
// (fleet.Aggregate.Settle).
type finalVerdict struct {
	v      result.Verdict
	settle bool
}

// finalVerdict is kept entry i's own verdict revised with the whole capture (and its views).
// It only reads: the entries are sorted, the aggregates complete (Finish). A record it reads is
// decoded into scratch memory from pool (recordScratch): nothing is allocated for it, which
// spares a collection before the one that follows the analysis.
func (a *Analyzer) finalVerdict(i int, pool *sync.Pool) finalVerdict {
	e, first := &a.kept.entries[i], a.kept.firstOf(i)
	ctx := a.context(e.vantage)
	v := first.Verdict
	var rec *facts.Conn
	if v == result.VerdictRefused || first.Probe {
		s := pool.Get().(*recordScratch)
		defer pool.Put(s)
		rec = a.kept.recordScratch(i, s)
		v = diagnose.Final(rec, first, ctx) // the forged-reset and scan checks read the record
	} else {
		v = diagnose.Revise(ctx, netip.Addr{}, a.kept.servers[e.server], first)
	}
	if a.vp != nil {
		if w := a.vp.views[e.id]; w != nil {
			v = views.Verdict(v, w)
		}
	}
	// The fleet view counts the verdict the flow lists, also where it is not the one the
	// aggregate's revision gives.
	client := netip.Addr{} // Revise reads the client for the probes only (scan checks)
	var refusal diagnose.Refusal
	if rec != nil {
		client, refusal = rec.Client.Addr(), diagnose.RefusalOf(rec, first)
	}
	return finalVerdict{v: v, settle: v != a.agg.Verdict(client, a.kept.servers[e.server], first, refusal)}
}

// addOutsideProbes adds to the probes counted for port scans what the SYNs outside the analysed
// ports and hosts showed (track.Tracker.ProbedOutside), and to the attempts counted for sweeps the
// hosts they reached there (track.Tracker.SweptOutside): an analysis narrowed to some ports or
// hosts of a scan or a sweep still sees it whole, and judges its analysed probes as port-scan.
func (a *Analyzer) addOutsideProbes() {
	if a.vp == nil {
		a.agg.AddOutsideProbes(outside.Probes(a.tr, 0))
		a.agg.AddOutsideSweeps(outside.Sweeps(a.tr, 0))
		return
	}
	for x, g := range a.vp.aggs { // each vantage's own, and every vantage's for the whole
		for _, agg := range []*fleet.Aggregate{g, a.agg} {
			agg.AddOutsideProbes(outside.Probes(a.tr, uint16(x)))
			agg.AddOutsideSweeps(outside.Sweeps(a.tr, uint16(x)))
		}
	}
}

// sweepWarnings adds a warning of code for each of sweeps, at most maxScanWarnings.
func (a *Analyzer) sweepWarnings(res *result.Result, code string, sweeps []result.Sweep) {
	for i, sw := range sweeps {
		if i == maxScanWarnings {
			break
		}
		w := warning(code, 0, sw.FirstFrame, result.From("client", sw.Client), result.Int("port", sw.Port), result.Int("hosts", sw.Hosts),
			result.Int("silent", sw.Silent-sw.Unreachable), result.Int("unreachable", sw.Unreachable), result.Int("refused", sw.Refused), result.Int("open", sw.Open), result.Int("flows", sw.Flows),
			result.Int("frame", sw.FirstFrame), result.Text("over", param.FmtDur(sw.End.Sub(sw.Start))))
		res.Warnings = append(res.Warnings, atCapture(w, sw.FirstAt))
	}
}

// maxScanWarnings bounds the port-scan warnings (summary.scans lists every scan), and the
// port-sweep warnings (summary.sweeps lists every sweep).
const maxScanWarnings = 8

// atCapture words a scan's warning with the capture its frame is in (its key + "-at"), when the
// input has several vantages (at is not nil): a frame number alone does not say which to open.
func atCapture(w result.Warning, at *result.EvidenceAt) result.Warning {
	if at != nil {
		w.Message.Key += "-at"
		w.Message.Args = append(w.Message.Args, result.Sub("capture", at.Name))
	}
	return w
}

// warning is a result warning whose message has the key "warning." + code.
func warning(code string, offset int64, frame int, args ...result.Arg) result.Warning {
	return inputwarn.New(code, offset, frame, args...)
}

// tie notes what ties DNS names to the servers in a listed connection: its SNI and its HTTP
// Host (the sets stay small: names repeat).
func (a *Analyzer) tie(c *facts.Conn) {
	if x := c.TLS; x != nil && x.Hello != nil && x.SNI != "" && len(a.snis) < maxTies {
		a.snis[lower(x.SNI)] = true
	}
	if h := c.HTTP(); h != nil && h.Host != "" && len(a.hosts) < maxTies {
		host := lower(h.Host)
		if hh, _, ok := cut(host, ':'); ok && (len(host) == 0 || host[0] != '[') {
			host = hh
		}
		a.hosts[host] = true
	}
}

// maxTies bounds the SNIs and HTTP hosts kept to tie DNS names to the servers.
const maxTies = 4096

// tieOK notes the first listed connection that worked (c): a name's diagnosis cites it.
func (a *Analyzer) tieOK(t *dns.Ties, c *facts.Conn, ctx *diagnose.Context) {
	d := diagnose.Conn(c, &a.cfg, ctx)
	ok := &dns.OKFlow{ID: int(c.ID), Client: result.HostPort(c.Client.String()), Server: result.HostPort(c.Server.String()), Start: c.First.Time(),
		Reason: d.Reason, Vantage: c.Vantage}
	if len(c.SYNs) > 0 {
		ok.Frame = c.SYNs[0].Num()
	} else if len(d.Evidence) > 0 {
		ok.Frame = d.Evidence[0].Frame
	}
	t.OK = ok
}

func (a *Analyzer) resultOptions() result.Options {
	o := result.Options{Ports: []int{}, Hosts: []result.IP{}, MaxFlows: a.opts.MaxFlows, Profile: a.opts.Profile.Name,
		AgentPorts: []int{}, CheckURL: a.opts.Profile.CheckURL, ServerNames: result.Typed[result.Host](a.opts.ServerNames)}
	for _, p := range a.opts.AgentPorts {
		o.AgentPorts = append(o.AgentPorts, int(p))
	}
	for _, p := range a.opts.Ports {
		o.Ports = append(o.Ports, int(p))
	}
	for _, h := range a.opts.Hosts {
		o.Hosts = append(o.Hosts, result.IP(h.String()))
	}
	return o
}

func (a *Analyzer) summary(counts map[result.Verdict]int, perServer map[netip.AddrPort]map[result.Verdict]int) result.Summary {
	sum := result.Summary{Verdicts: fleet.VerdictCounts(counts), Servers: []result.ServerSummary{}}
	for v, n := range counts {
		sum.Flows += n
		if v.Failed() {
			sum.Failed += n
		}
	}
	servers := make([]netip.AddrPort, 0, len(perServer))
	for s := range perServer {
		servers = append(servers, s)
	}
	slices.SortFunc(servers, func(x, y netip.AddrPort) int { return x.Compare(y) })
	for _, s := range servers {
		ss := result.ServerSummary{Server: result.HostPort(s.String()), Verdicts: fleet.VerdictCounts(perServer[s]), AcceptedVersions: []string{}, AcceptedCiphers: []string{}}
		for v, n := range perServer[s] {
			ss.Flows += n
			if v.Failed() {
				ss.Failed += n
			}
		}
		vs, cs := a.agg.Accepted(s)
		for _, v := range vs {
			ss.AcceptedVersions = append(ss.AcceptedVersions, v.String())
		}
		for _, c := range cs {
			ss.AcceptedCiphers = append(ss.AcceptedCiphers, c.String())
		}
		sum.Servers = append(sum.Servers, ss)
	}
	return sum
}

// finishNames diagnoses the DNS names tied to the analysed servers, and warns about failed
// lookups of other names.
func (a *Analyzer) finishNames(res *result.Result, t *dns.Ties) {
	for _, s := range res.Summary.Servers {
		if ap, err := netip.ParseAddrPort(string(s.Server)); err == nil && len(t.ServerList) < 4 {
			t.ServerList = append(t.ServerList, ap)
			if !slices.Contains(t.ServerAddrs, ap.Addr()) {
				t.ServerAddrs = append(t.ServerAddrs, ap.Addr())
			}
		}
		t.ServerCount++
	}
	if a.vp != nil {
		t.At = a.vp.ats // nil with one vantage
	}
	names, dropped := a.tr.Names()
	var otherCount int
	var others []result.Message
	// Each capture point's end (a live capture's: when it stopped, after its last packet).
	end := func(v uint16) time.Time {
		if e := a.tr.EndAt(v); !e.IsZero() {
			return e
		}
		return res.Input.Last
	}
	res.Names, otherCount, others = dns.NameResults(names, t, end)
	for _, n := range res.Names {
		if n.Failed {
			res.Summary.NamesFailed++
		}
	}
	if otherCount > 0 {
		res.Warnings = append(res.Warnings, warning("dns-other-failures", 0, 0, result.Int("n", otherCount), result.List("names", others)))
	}
	if dropped > 0 {
		res.Warnings = append(res.Warnings, warning("dns-not-followed", 0, 0, result.Int("n", dropped), result.Int("names", dnsnames.MaxNames),
			result.Int("pending", dnsnames.MaxPending)))
	}
}
