// Package inputwarn collects, frame by frame and connection by connection, what the result warns
// about the input as a whole: frames whose time is out of range or jumps (a damaged timestamp),
// connections that carry damaged packets, and lists of frames a warning names.
package inputwarn

import (
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/diagnose/param"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/internal/stamp"
	"github.com/connscope/connscope/result"
)

// A frame stamped outside the years 0-9999 (facts.TimeInRange; four damaged bytes of a pcapng
// timestamp are enough) is still analysed; the result warns about it, naming the frames.

// maxOddTimeFrames is how many frames with a time out of range the warning names.
const maxOddTimeFrames = 5

// Times counts the frames whose time a report cannot write as a date, and keeps the first;
// and the frames whose time is far from those of the frames around them (spikes).
type Times struct {
	outOfRange Frames
	spikes     Frames
	// back: the frames stamped before the frame before them at the same vantage (a capture
	// point, or one of its interfaces or links); the first one's predecessor and how far back it
	// went. lastAt and lastFrame are the time and number of each vantage's last frame (0: none).
	back      Frames
	backPrev  int
	backBy    time.Duration
	lastAt    []time.Time
	lastFrame []int
	// The last two frames of the capture point being read (frame 0: none), for the spikes.
	point              int
	prev, prevprev     int
	prevAt, prevprevAt time.Time
	prevprevNear       bool // prevprev is at most spikeNear from the frame before it
}

// Spikes: a frame more than spikeJump from both the frame before it and the frame after it,
// which are at most spikeNear apart, holds a damaged time (a frame of a capture in time order
// cannot lie outside the span of its neighbours).
const (
	spikeJump = facts.TimeJump
	spikeNear = facts.TimeNear
)

// Note takes one packet's time (frames in file order, capture point by capture point).
func (o *Times) Note(p *capture.Packet) {
	if p.Point != o.point {
		o.endOfPoint()
		o.point, o.prev, o.prevprev = p.Point, 0, 0
	}
	// The gap between the two frames before, which both tests below read (a time.Time's Sub is
	// not cheap, and this runs for every frame).
	var gap time.Duration
	if o.prevprev != 0 {
		gap = absDur(stamp.Sub(o.prevAt, o.prevprevAt))
	}
	spike := false
	if o.prevprev != 0 && gap > spikeJump && far(p.Time, o.prevAt) && !far(p.Time, o.prevprevAt) &&
		absDur(stamp.Sub(p.Time, o.prevprevAt)) <= spikeNear {
		o.spikes.Add(o.prev)
		spike = true
		o.back.DropLast(o.prev) // a spike stamped early: time-jump says so
	}
	o.noteBack(p, spike)
	o.prevprevNear = o.prevprev != 0 && gap <= spikeNear
	o.prevprev, o.prevprevAt, o.prev, o.prevAt = o.prev, o.prevAt, p.Index, p.Time
	if !facts.TimeInRange(p.Time) {
		o.outOfRange.Add(p.Index)
	}
}

// BackTolerance is how far a frame may be stamped before the frame ahead of it without a
// time-back warning: tcpdump reading the queues of several CPUs writes frames out of time order
// by microseconds (0.2-84 µs in the shipped captures), which is usual and changes no duration a
// report quotes in milliseconds. A duration that does go back says so where it is quoted.
const BackTolerance = time.Millisecond

// noteBack counts p when it is stamped before the last frame of its vantage (a compare per frame),
// unless one of the two times is a damaged one that other warnings name: out of range, or the
// spike just found before p (afterSpike).
func (o *Times) noteBack(p *capture.Packet, afterSpike bool) {
	v := int(p.Vantage)
	if v >= len(o.lastAt) {
		o.lastAt = append(o.lastAt, make([]time.Time, v+1-len(o.lastAt))...)
		o.lastFrame = append(o.lastFrame, make([]int, v+1-len(o.lastFrame))...)
	}
	if p.Time.Before(o.lastAt[v]) && o.lastFrame[v] != 0 && !afterSpike && facts.TimeInRange(o.lastAt[v]) &&
		facts.TimeInRange(p.Time) && stamp.Sub(o.lastAt[v], p.Time) >= BackTolerance {
		if o.back.n == 0 {
			o.backPrev, o.backBy = o.lastFrame[v], stamp.Sub(o.lastAt[v], p.Time)
		}
		o.back.Add(p.Index)
	}
	o.lastAt[v], o.lastFrame[v] = p.Time, p.Index
}

// endOfPoint judges the last frame of the capture point read so far, which has no frame after
// it: stamped more than spikeJump before the frame ahead of it (time going back within one
// capture point), which is close to the one ahead of that, it holds a damaged time. A last frame
// stamped later than its neighbours cannot be told from a frame that came late, and is not
// judged.
func (o *Times) endOfPoint() {
	if o.prevprev != 0 && o.prevprevNear && o.prevAt.Before(o.prevprevAt.Add(-spikeJump)) {
		o.spikes.Add(o.prev)
		o.back.DropLast(o.prev) // time-jump says so
	}
}

// far reports whether a and b are more than spikeJump apart.
func far(a, b time.Time) bool { return absDur(stamp.Sub(a, b)) > spikeJump }

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// Frames counts frames and keeps the first maxOddTimeFrames.
type Frames struct {
	n      int
	frames []int
}

// Add counts frame, keeping it if fewer than maxOddTimeFrames are kept.
func (l *Frames) Add(frame int) {
	l.n++
	if len(l.frames) < maxOddTimeFrames {
		l.frames = append(l.frames, frame)
	}
}

// DropLast takes frame back out when it is the last one counted.
func (l *Frames) DropLast(frame int) {
	if l.n == 0 || len(l.frames) < l.n || l.frames[len(l.frames)-1] != frame {
		return
	}
	l.n--
	l.frames = l.frames[:len(l.frames)-1]
}

// Message lists the frames kept ("frames 3, 7", "frames 3, 7, ...").
func (l *Frames) Message() result.Message {
	frames := make([]result.Message, len(l.frames))
	for i, f := range l.frames {
		frames[i] = result.Msg("warning.frame", result.Int("frame", f))
	}
	if l.n > len(frames) {
		return result.Msg("warning.frames-more", result.List("frames", frames))
	}
	return result.Msg("warning.frames", result.Int("n", len(frames)), result.List("frames", frames))
}

// Spikes is the result's warning about the spikes; ok is false when there are none.
func (o *Times) Spikes() (w result.Warning, ok bool) {
	o.endOfPoint()
	o.prev, o.prevprev = 0, 0
	if o.spikes.n == 0 {
		return w, false
	}
	return New("time-jump", 0, o.spikes.frames[0], result.Int("n", o.spikes.n), result.Sub("frames", o.spikes.Message())), true
}

// Back is the result's warning about the frames stamped before the frame before them in the same
// capture point (time-back), naming the first ones, the first one's predecessor and how far back
// its time went; ok is false when there are none.
func (o *Times) Back() (w result.Warning, ok bool) {
	if o.back.n == 0 {
		return w, false
	}
	first, prev, by := result.Int("frame", o.back.frames[0]), result.Int("prev", o.backPrev), result.Text("by", param.FmtFineDur(o.backBy))
	if o.back.n == 1 {
		return result.Warning{Code: "time-back", Message: result.Msg("warning.time-back-one", first, prev, by), Frame: o.back.frames[0]}, true
	}
	return New("time-back", 0, o.back.frames[0], result.Int("n", o.back.n), result.Sub("frames", o.back.Message()), first, prev, by), true
}

// OutOfRange is the result's warning about the frames stamped out of range; ok is false when there
// are none.
func (o *Times) OutOfRange() (w result.Warning, ok bool) {
	if o.outOfRange.n == 0 {
		return w, false
	}
	return New("time-out-of-range", 0, o.outOfRange.frames[0], result.Int("n", o.outOfRange.n),
		result.Sub("frames", o.outOfRange.Message())), true
}

// maxDamagedFlows is how many connections with damaged packets the warning names.
const maxDamagedFlows = 5

// DamagedFlows counts the connections that carry packets that arrived damaged (facts.Damaged),
// and keeps the first ones and the first damaged frame of each.
type DamagedFlows struct {
	n      int
	ids    []int
	frames []int
}

// Note takes one finished connection.
func (d *DamagedFlows) Note(c *facts.Conn) {
	dm := c.Damaged()
	if dm == nil || len(dm.Frames) == 0 {
		return
	}
	d.n++
	if len(d.ids) < maxDamagedFlows {
		d.ids = append(d.ids, int(c.ID))
		d.frames = append(d.frames, dm.Frames[0].Num())
	}
}

// Warning is the result's warning about them; ok is false when there are none.
func (d *DamagedFlows) Warning() (w result.Warning, ok bool) {
	if d.n == 0 {
		return w, false
	}
	flows := make([]result.Message, len(d.ids))
	for i, id := range d.ids {
		flows[i] = result.Msg("warning.flow-frame", result.Int("id", id), result.Int("frame", d.frames[i]))
	}
	list := result.List("flows", flows)
	if d.n > len(flows) {
		flows = append(flows, result.Msg("more"))
		list = result.List("flows", flows)
	}
	return New("damaged-flows", 0, d.frames[0], result.Int("n", d.n), list), true
}

// New is a result warning whose message has the key "warning." + code, about the input at offset
// (bytes into the file; 0: none) and frame (0: none).
func New(code string, offset int64, frame int, args ...result.Arg) result.Warning {
	return result.Warning{Code: code, Message: result.Msg("warning."+code, args...), Offset: offset, Frame: frame}
}

// N is how many frames were counted.
func (l *Frames) N() int { return l.n }

// Kept is the frames kept, in the order they were counted: the slice is the list's own.
func (l *Frames) Kept() []int { return l.frames }
