package ticket

import (
	"fmt"
	"strings"
	"time"

	"github.com/connscope/connscope/report/wording"
	"github.com/connscope/connscope/result"
)

// The two-view ladder: one connection as two vantages saw it. The near vantage (the agent's
// side) is the left line, the far one (the server's side) the right, the path between them in
// the middle. A packet that both saw crosses from one line to the other; one lost on the way
// stops in the middle with a cross; one injected on the way starts there, dashed. Each side's
// column gives the frame in its own capture.
const (
	twoWidth   = 960
	twoNearX   = 250 // x of the near vantage's line
	twoFarX    = 710 // x of the far vantage's line
	twoMidX    = (twoNearX + twoFarX) / 2
	twoLeftX   = 8   // left edge of the near side's frame column
	twoRightX  = 952 // right edge of the far side's frame column
	twoTop     = 64  // y of the first arrow
	twoRow     = 34  // vertical distance between arrows
	twoText    = 12  // room for a second label line
	twoGapRow  = 34
	twoCrossSz = 6
)

type htmlTwoLadder struct {
	Labels            twoLabels
	Width, Height     int
	NearX, FarX, MidX int
	LeftX, RightX     int
	LineTop, LineBot  int
	Arrows            []htmlTwoArrow
}

type twoLabels struct {
	Near, Far, Path, Aria string
}

type htmlTwoArrow struct {
	Y          int
	OmittedY   int    // y of the "not shown" row before it
	Omitted    string // "… 18 packets not shown …", or ""
	X1, X2     int
	HeadPoints string
	Cross      string // the cross of a lost packet: an SVG path, or ""
	Dashed     bool   // injected on the way
	NearFrame  string // "frame 28 · +0.023 s", "" when the near side did not see it
	FarFrame   string
	Label      string
	LabelX     int // the middle of the line drawn
	Messages   string
	Fate       string // "lost", "injected", or "" for one that arrived
	Class      string
}

// buildTwoLadder draws the two-view ladder of a flow seen at two vantages.
func buildTwoLadder(f *wording.FlowView, wd *wording.Words) *htmlTwoLadder {
	v := f.Vantages
	near, far := wd.Msg(v.Views[v.Near].Name), wd.Msg(v.Views[v.Far].Name)
	l := &htmlTwoLadder{Width: twoWidth, NearX: twoNearX, FarX: twoFarX, MidX: twoMidX, LeftX: twoLeftX, RightX: twoRightX, LineTop: 40}
	l.Labels = twoLabels{Near: wording.Clean(near), Far: wording.Clean(far), Path: wd.Say("report.twoladder.path"),
		Aria: wording.Clean(wd.Say("report.twoladder.aria", result.Capture("near", near), result.Capture("far", far)))}
	noFlags := wd.Say("report.ladder.no-flags")
	var t0near, t0far int64
	for _, s := range v.Ladder {
		if s.Near != nil && t0near == 0 {
			t0near = s.Near.Time.UnixNano()
		}
		if s.Far != nil && t0far == 0 {
			t0far = s.Far.Time.UnixNano()
		}
	}
	y := twoTop
	for i, s := range v.Ladder {
		var a htmlTwoArrow
		if s.OmittedBefore > 0 {
			a.OmittedY = y - twoRow/2 + twoGapRow/2
			a.Omitted = wd.Say("report.ladder.omitted", result.Int("n", s.OmittedBefore))
			y += twoGapRow
		}
		if i > 0 && len(s.Messages) > 0 {
			y += twoText
		}
		a.Y, a.Messages = y, wording.Clean(strings.Join(s.Messages, ", "))
		if s.Near != nil {
			a.NearFrame = wd.Say("report.frame", result.Int("n", s.Near.Frame)) + " · " + relTime(time.Duration(s.Near.Time.UnixNano()-t0near))
		}
		if s.Far != nil {
			a.FarFrame = wd.Say("report.frame", result.Int("n", s.Far.Frame)) + " · " + relTime(time.Duration(s.Far.Time.UnixNano()-t0far))
		}
		fromNear := s.From == "client"
		x1, x2 := twoNearX, twoFarX
		if !fromNear {
			x1, x2 = twoFarX, twoNearX
		}
		switch s.Fate {
		case "lost":
			a.Fate = wd.Say("report.twoladder.lost")
			x2 = twoMidX
			a.Cross = fmt.Sprintf("M%d %d L%d %d M%d %d L%d %d", x2-twoCrossSz, y-twoCrossSz, x2+twoCrossSz, y+twoCrossSz,
				x2-twoCrossSz, y+twoCrossSz, x2+twoCrossSz, y-twoCrossSz)
		case "injected":
			a.Fate = wd.Say("report.twoladder.injected")
			x1 = twoMidX
			a.Dashed = true
		}
		a.X1, a.X2, a.LabelX = x1, x2, (x1+x2)/2
		label := s.TCPFlags
		if label == "" {
			label = noFlags
		}
		if s.PayloadLen > 0 {
			label += " · " + wd.Say("report.ladder.bytes", result.Int("n", s.PayloadLen))
		}
		if a.Fate != "" {
			label += " · " + a.Fate
		}
		a.Label = wording.Clean(label)
		a.Class = arrowClass(&result.Packet{TCPFlags: s.TCPFlags, PayloadLen: s.PayloadLen, Messages: s.Messages})
		if s.Fate != "arrived" {
			a.Class += " " + s.Fate
		}
		if s.Fate != "lost" {
			dir := 1
			if x2 < x1 {
				dir = -1
			}
			tip := x2 - dir*2
			a.HeadPoints = fmt.Sprintf("%d,%d %d,%d %d,%d", tip, y, tip-dir*10, y-5, tip-dir*10, y+5)
		}
		l.Arrows = append(l.Arrows, a)
		y += twoRow
		if len(s.Messages) > 0 {
			y += twoText
		}
	}
	last := l.Arrows[len(l.Arrows)-1].Y
	l.LineBot = last + 14
	l.Height = last + 28
	return l
}
