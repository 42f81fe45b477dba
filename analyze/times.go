package analyze

import (
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/result"
)

// The times a report can write as a date: from the start of year 0 to the end of year 9999
// (RFC 3339 has four digits for the year). A frame stamped outside them (four damaged bytes of
// a pcapng timestamp are enough) is still analysed; the result warns about it, naming the frames.
var (
	earliestTime = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	latestTime   = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - 1
)

// maxOddTimeFrames is how many frames with a time out of range the warning names.
const maxOddTimeFrames = 5

// oddTimes counts the frames whose time a report cannot write as a date, and keeps the first.
type oddTimes struct {
	n      int
	frames []int
}

// note takes one packet's time.
func (o *oddTimes) note(p *capture.Packet) {
	if s := p.Time.Unix(); s >= earliestTime && s <= latestTime {
		return
	}
	o.n++
	if len(o.frames) < maxOddTimeFrames {
		o.frames = append(o.frames, p.Index)
	}
}

// warning is the result's warning about them; ok is false when there are none.
func (o *oddTimes) warning() (w result.Warning, ok bool) {
	if o.n == 0 {
		return w, false
	}
	frames := make([]result.Message, len(o.frames))
	for i, f := range o.frames {
		frames[i] = result.Msg("warning.frame", result.Int("frame", f))
	}
	list := result.Msg("warning.frames", result.Int("n", len(frames)), result.List("frames", frames))
	if o.n > len(frames) {
		list = result.Msg("warning.frames-more", result.List("frames", frames))
	}
	return warning("time-out-of-range", 0, o.frames[0], result.Int("n", o.n), result.Sub("frames", list)), true
}
