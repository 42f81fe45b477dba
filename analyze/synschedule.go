package analyze

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/connscope/connscope/result"
)

// SYN retransmission schedules that the intervals between a client's SYNs can match
// (../shared/FIELD-NOTES.md, measured on real stacks).
const (
	// scheduleLinuxLinear: Linux 6.x with tcp_syn_linear_timeouts (default 4): SYNs 1 s apart
	// (up to five intervals), then the timeout doubles (0, 1, 2, 3, 4, 5, 7, 11 s).
	scheduleLinuxLinear = "linux-linear"
	// scheduleDoubling1s: the classic RFC 6298 doubling from a 1 s initial timeout (Linux before
	// the linear timeouts, or with tcp_syn_linear_timeouts=0; macOS and BSD alike): 0, 1, 3, 7, 15 s.
	scheduleDoubling1s = "doubling-1s"
	// scheduleWindows3s: Windows (7 / 2008 R2 measured) doubling from a 3 s initial timeout, two
	// retransmissions: 0, 3, 9 s, connect() failing at 21 s.
	scheduleWindows3s = "windows-3s"
	// scheduleUnknown: intervals that match none of the above.
	scheduleUnknown = "unknown"
)

// synSchedule is what the times of one connection attempt's SYNs say.
type synSchedule struct {
	intervals []time.Duration // between successive SYNs
	name      string          // one of the schedule constants; "" with fewer than two SYNs
	// giveUp is the expected time after the first SYN at which the client abandons the
	// attempt: the next timeout after its last SYN, which every schedule above doubles.
	giveUp time.Duration
}

// near reports whether d is within 25% (and at least 150 ms) of want.
func near(d, want time.Duration) bool {
	tol := max(want/4, 150*time.Millisecond)
	return d >= want-tol && d <= want+tol
}

// matchSYNSchedule names the retransmission schedule of SYNs sent at times ts (first at ts[0]).
func matchSYNSchedule(ts []time.Duration) synSchedule {
	var s synSchedule
	if len(ts) < 2 {
		return s
	}
	for i := 1; i < len(ts); i++ {
		s.intervals = append(s.intervals, ts[i]-ts[i-1])
	}
	last := s.intervals[len(s.intervals)-1]
	s.giveUp = ts[len(ts)-1] - ts[0] + 2*last
	s.name = classifyIntervals(s.intervals)
	return s
}

// classifyIntervals matches intervals against the known schedules.
func classifyIntervals(iv []time.Duration) string {
	// Leading run of 1 s intervals.
	ones := 0
	for ones < len(iv) && near(iv[ones], time.Second) {
		ones++
	}
	doublesFrom := func(start int, first time.Duration) bool {
		want := first
		for i := start; i < len(iv); i++ {
			if !near(iv[i], want) {
				return false
			}
			want *= 2
		}
		return true
	}
	switch {
	case ones >= 2 && ones <= 5 && doublesFrom(ones, 2*time.Second):
		return scheduleLinuxLinear
	case ones >= 1 && doublesFrom(0, time.Second):
		return scheduleDoubling1s
	case doublesFrom(0, 3*time.Second):
		return scheduleWindows3s
	}
	return scheduleUnknown
}

// describe says in words what the schedule suggests about the client.
func (s synSchedule) describe() string {
	switch s.name {
	case scheduleLinuxLinear:
		return "Linux 6.x's schedule (a SYN every second, then doubling: tcp_syn_linear_timeouts)"
	case scheduleDoubling1s:
		if len(s.intervals) == 1 {
			return "a 1 s initial retransmission timeout (Linux, macOS, BSD)"
		}
		return "the classic doubling from 1 s (Linux before 6.x or with tcp_syn_linear_timeouts=0, macOS, BSD)"
	case scheduleWindows3s:
		return "Windows' schedule (3 s initial timeout, doubling: SYNs at 0, 3, 9 s)"
	case scheduleUnknown:
		return "no schedule known here"
	}
	return ""
}

// intervalsText lists the intervals in seconds: "1.0, 1.0, 2.0".
func (s synSchedule) intervalsText() string {
	parts := make([]string, len(s.intervals))
	for i, d := range s.intervals {
		parts[i] = fmtSecs(d)
	}
	return strings.Join(parts, ", ")
}

// intervalSeconds returns the intervals in seconds, rounded to the millisecond, for the result.
func (s synSchedule) intervalSeconds() []float64 {
	out := make([]float64, len(s.intervals))
	for i, d := range s.intervals {
		out[i] = math.Round(d.Seconds()*1000) / 1000
	}
	return out
}

// synSchedule returns the schedule of this flow's SYNs (the first maxSYNRefs of them).
func (f *flow) synSchedule() synSchedule {
	if len(f.syns) == 0 {
		return synSchedule{}
	}
	ts := make([]time.Duration, len(f.syns))
	for i, r := range f.syns {
		ts[i] = r.time().Sub(f.syns[0].time())
	}
	return matchSYNSchedule(ts)
}

// classifySYNTimeout: the client's SYNs got no answer at all (no SYN-ACK, RST or ICMP error).
// The reason gives the attempt's SYN times and intervals, the schedule they match, when the
// client gave up, and words what was seen for where the capture was taken.
func (f *flow) classifySYNTimeout(end time.Time) {
	first, last := f.syns[0], f.syns[len(f.syns)-1]
	sch := f.synSchedule()
	var times []string
	for _, r := range f.syns {
		f.addEvidence(r, "SYN from the client (%s after the first)", since(first.time(), r.time()))
		times = append(times, fmtSecs(r.time().Sub(first.time())))
	}
	what := fmt.Sprintf("%d SYN(s) to %s over %s were never answered (sent at %s s", f.synCount, f.shared.serverText(f.server), fmtDur(last.time().Sub(first.time())), strings.Join(times, ", "))
	if len(sch.intervals) > 0 {
		what += fmt.Sprintf("; intervals %s s: %s", sch.intervalsText(), sch.describe())
	}
	what += ")"
	switch {
	case sch.giveUp > 0 && end.Sub(first.time()) >= sch.giveUp:
		what += fmt.Sprintf("; no SYN followed the last one: the client gave up ~%s after the first SYN", fmtDur(sch.giveUp))
	case sch.giveUp > 0 && !end.After(last.time()):
		what += fmt.Sprintf("; the capture holds no later packet, so it cannot show when the client gave up (by its schedule, ~%s after the first SYN)", fmtDur(sch.giveUp))
	case sch.giveUp > 0:
		what += fmt.Sprintf("; the capture ended %s after the last SYN, before the client's next timeout (~%s after the first SYN)", fmtDur(end.Sub(last.time())), fmtDur(sch.giveUp))
	}
	if f.synCount > len(f.syns) {
		what += fmt.Sprintf(" (schedule from the first %d SYNs)", len(f.syns))
	}
	var where string
	switch f.path.vantage.where {
	case vantageClient:
		where = "the SYNs left the client and no answer came back: a firewall on the way drops them (or the answers), or the server is down"
	case vantageServer:
		where = "the SYNs reached the server's side of the path (captured there) and it never answered: a host firewall on the server drops them, or the service cannot accept"
	case vantageBetween:
		where = "the SYNs passed the capture point and no answer came back through it: whatever drops them is beyond this point, towards the server"
	default:
		where = "dropped by a firewall, or the host is down"
	}
	f.verdict(result.VerdictSYNTimeout, "%s; %s", what, where)
	f.addRSTEvidence()
}
