package netpath

import (
	"math"
	"time"

	"github.com/connscope/connscope/diagnose/param"
	"github.com/connscope/connscope/facts"
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
	// giveUp is the time after the first SYN at which the client's next SYN was due
	// (nextTimeout): with none, the client gave up by then (at that moment when its stack's
	// retries ran out, sooner when its application timed out).
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
	s.name = classifyIntervals(s.intervals)
	s.giveUp = ts[len(ts)-1] - ts[0] + nextTimeout(s.intervals, s.name)
	return s
}

// linearIntervals is how many 1 s intervals Linux's linear schedule starts with (0, 1, 2, 3, 4,
// 5, 7, 11 s: ../shared/FIELD-NOTES.md) before its timeout doubles.
const linearIntervals = 5

// nextTimeout is the time after the last SYN at which schedule name would have sent the next
// one (or, its retries spent, failed the connect()): twice the last interval, as every schedule
// doubles, but for Linux's linear phase, where it is 1 s until linearIntervals, then 2 s.
func nextTimeout(iv []time.Duration, name string) time.Duration {
	last := iv[len(iv)-1]
	if name == scheduleLinuxLinear && near(last, time.Second) {
		if len(iv) < linearIntervals {
			return time.Second
		}
		return 2 * time.Second
	}
	return 2 * last
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

// describe says what the schedule suggests about the client.
func (s synSchedule) describe() result.Message {
	switch s.name {
	case scheduleLinuxLinear:
		return result.Msg("syn.schedule-linux-linear")
	case scheduleDoubling1s:
		if len(s.intervals) == 1 {
			return result.Msg("syn.schedule-1s")
		}
		return result.Msg("syn.schedule-doubling-1s")
	case scheduleWindows3s:
		return result.Msg("syn.schedule-windows-3s")
	case scheduleUnknown:
		return result.Msg("syn.schedule-unknown")
	}
	return result.Message{}
}

// intervalTexts lists the intervals in seconds: "1.0", "1.0", "2.0".
func (s synSchedule) intervalTexts() []string {
	parts := make([]string, len(s.intervals))
	for i, d := range s.intervals {
		parts[i] = param.FmtSecs(d)
	}
	return parts
}

// intervalSeconds returns the intervals in seconds, rounded to the millisecond, for the result.
func (s synSchedule) intervalSeconds() []float64 {
	out := make([]float64, len(s.intervals))
	for i, d := range s.intervals {
		out[i] = math.Round(d.Seconds()*1000) / 1000
	}
	return out
}

// synSchedule returns the schedule of this connection's SYNs (the first facts.MaxSYNs of them).
func (j *judge) synSchedule() synSchedule { return SYNSchedule(j.c) }

// SYNSchedule names the retransmission schedule of a connection's SYNs, with their intervals
// and when the client gives up.
func SYNSchedule(c *facts.Conn) synSchedule {
	if len(c.SYNs) < 2 { // no schedule, as matchSYNSchedule says: without making the times
		return synSchedule{}
	}
	ts := make([]time.Duration, len(c.SYNs))
	for i, r := range c.SYNs {
		ts[i] = r.Time().Sub(c.SYNs[0].Time())
	}
	return matchSYNSchedule(ts)
}

// Name is the schedule's name: "linux-linear", "doubling-1s", "windows-3s", "unknown", or ""
// with fewer than two SYNs.
func (s synSchedule) Name() string { return s.name }

// GiveUp is when, after the first SYN, the client abandons the attempt by its schedule.
func (s synSchedule) GiveUp() time.Duration { return s.giveUp }

// IntervalSeconds returns the intervals between SYNs in seconds, rounded to the millisecond.
func (s synSchedule) IntervalSeconds() []float64 { return s.intervalSeconds() }

// classifySYNTimeout: the client's SYNs got no answer at all (no SYN-ACK, RST or ICMP error).
// The reason gives the attempt's SYN times and intervals, the schedule they match, when the
// client gave up, and words what was seen for where the capture was taken.
func (j *judge) classifySYNTimeout(end time.Time) {
	c := j.c
	first, last := c.SYNs[0], c.SYNs[len(c.SYNs)-1]
	sch := j.synSchedule()
	times := make([]string, 0, len(c.SYNs))
	j.synEvidence()
	for _, r := range c.SYNs {
		times = append(times, param.FmtSecs(r.Time().Sub(first.Time())))
	}
	schedule := result.Message{}
	if len(sch.intervals) > 0 {
		schedule = result.Msg("syn.intervals", param.Texts("intervals", sch.intervalTexts()), result.Sub("schedule", sch.describe()))
	}
	gaveUp := result.Message{}
	switch {
	case sch.giveUp > 0 && end.Sub(first.Time()) >= sch.giveUp:
		gaveUp = result.Msg("syn.gave-up", param.Dur("give_up", sch.giveUp))
	case sch.giveUp > 0 && !end.After(last.Time()):
		gaveUp = result.Msg("syn.give-up-unknown", param.Dur("give_up", sch.giveUp))
	case sch.giveUp > 0:
		gaveUp = result.Msg("syn.capture-ended", param.Dur("after", end.Sub(last.Time())), param.Dur("give_up", sch.giveUp))
	}
	partial := result.Message{}
	if int(c.SYNCount) > len(c.SYNs) {
		partial = result.Msg("syn.schedule-partial", result.Int("n", len(c.SYNs)))
	}
	var where result.Message
	switch j.vp.where {
	case vantageClient:
		where = result.Msg("syn.where-client", result.Int("n", c.SYNCount))
	case vantageServer:
		where = result.Msg("syn.where-server", result.Int("n", c.SYNCount))
	case vantageBetween:
		where = result.Msg("syn.where-between", result.Int("n", c.SYNCount))
	default:
		where = result.Msg("syn.where-unknown")
	}
	if c.SYNCount == 1 {
		// One SYN: no span, no send times to give.
		j.verdict(result.VerdictSYNTimeout, "reason.syn-timeout-one", param.Endpoint("server", c.Server),
			result.Sub("gave_up", gaveUp), result.Sub("where", where))
		return
	}
	j.verdict(result.VerdictSYNTimeout, "reason.syn-timeout", result.Int("n", c.SYNCount), param.Endpoint("server", c.Server),
		param.Dur("over", last.Time().Sub(first.Time())), param.Texts("times", times), result.Sub("schedule", schedule),
		result.Sub("gave_up", gaveUp), result.Sub("partial", partial), result.Sub("where", where))
}
