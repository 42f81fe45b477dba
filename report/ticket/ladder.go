package ticket

import (
	"fmt"
	"strings"
	"time"

	"github.com/connscope/connscope/report/wording"
	"github.com/connscope/connscope/result"
)

// The ladder (sequence) diagram: the client's line on the left, the server's on the right, one
// arrow per packet, top to bottom in capture order.
const (
	ladderWidth   = 960
	ladderTimeX   = 8   // left edge of the time column
	ladderClientX = 210 // x of the client's line
	ladderServerX = 820 // x of the server's line
	ladderTop     = 58  // y of the first arrow
	ladderRow     = 34  // vertical distance between arrows with one label line each
	ladderText    = 12  // more room for a second label line (TLS messages above the arrow)
	ladderGap     = 34  // height of the "packets not shown" row
)

type htmlLadder struct {
	Labels           ladderLabels
	Width, Height    int
	ClientX, ServerX int // x of the two lines
	MidX, TimeX      int // x of the labels and of the time column
	LineTop, LineBot int
	Client, Server   string
	Arrows           []htmlArrow
	OmittedY         int    // y of the "not shown" row
	Omitted          string // "… 18 packets not shown …", or ""
}

type htmlArrow struct {
	Y          int
	X1, X2     int // from, to
	HeadPoints string
	Time       string // seconds since the flow's first packet, "+0.000123 s"
	Frame      string // "frame 62"
	Label      string // "PSH, ACK · 104 bytes"
	Messages   string // "client_hello", "alert fatal protocol_version"
	Class      string // colour class: "rst", "alert", "hello", "fin", "syn", "data"
	FromClient bool
}

// ladderLabels are the words of a ladder diagram.
type ladderLabels struct {
	TimeFrame, Client, Server, Aria string
}

func buildLadder(f *wording.FlowView, wd *wording.Words) *htmlLadder {
	l := &htmlLadder{Width: ladderWidth, ClientX: ladderClientX, ServerX: ladderServerX, TimeX: ladderTimeX,
		MidX: (ladderClientX + ladderServerX) / 2, Client: wording.Clean(f.Client), Server: wording.Clean(f.Server), LineTop: 34}
	l.Labels = ladderLabels{TimeFrame: wd.Say("report.ladder.time-frame"), Aria: wd.Say("report.ladder.aria"),
		Client: wording.Clean(wd.Say("report.ladder.client", result.From("client", f.Client))),
		Server: wording.Clean(wd.Say("report.ladder.server", result.From("server", f.Server)))}
	noFlags, retrans := wd.Say("report.ladder.no-flags"), wd.Say("report.ladder.retransmission")
	t0 := f.Packets[0].Time
	y := ladderTop
	head := min(len(f.Packets), result.LadderHead)
	for i, pk := range f.Packets {
		if i == head && f.PacketsOmitted > 0 {
			l.OmittedY = y - ladderRow/2 + ladderGap/2
			l.Omitted = wd.Say("report.ladder.omitted", result.Int("n", f.PacketsOmitted))
			y += ladderGap
		}
		if i > 0 && len(pk.Messages) > 0 {
			y += ladderText // the messages above the arrow
		}
		a := htmlArrow{Y: y, Time: relTime(pk.Time.Sub(t0)), Frame: wd.Say("report.frame", result.Int("n", pk.Frame)),
			Messages: wording.Clean(strings.Join(pk.Messages, ", ")), FromClient: pk.From == "client"}
		a.X1, a.X2 = ladderServerX, ladderClientX
		if a.FromClient {
			a.X1, a.X2 = ladderClientX, ladderServerX
		}
		label := pk.TCPFlags
		if label == "" {
			label = noFlags
		}
		if pk.PayloadLen > 0 {
			label += " · " + wd.Say("report.ladder.bytes", result.Int("n", pk.PayloadLen))
		}
		if pk.Retransmission {
			label += " · " + retrans
		}
		a.Label = wording.Clean(label)
		a.Class = arrowClass(&pk)
		dir := 1
		if !a.FromClient {
			dir = -1
		}
		tip := a.X2 - dir*2
		a.HeadPoints = fmt.Sprintf("%d,%d %d,%d %d,%d", tip, y, tip-dir*10, y-5, tip-dir*10, y+5)
		l.Arrows = append(l.Arrows, a)
		y += ladderRow
		if len(pk.Messages) > 0 {
			y += ladderText // the flags below the arrow
		}
	}
	last := l.Arrows[len(l.Arrows)-1].Y
	l.LineBot = last + 14
	l.Height = last + 28
	return l
}

// arrowClass picks the colour of a packet's arrow: resets and alerts red, hellos blue, FINs
// grey, the rest neutral.
func arrowClass(p *result.Packet) string {
	for _, m := range p.Messages {
		if strings.HasPrefix(m, "alert ") || m == "not_tls" {
			return "alert"
		}
	}
	switch {
	case strings.Contains(p.TCPFlags, "RST"):
		return "rst"
	case len(p.Messages) > 0 && (strings.HasSuffix(p.Messages[0], "_hello") || p.Messages[0] == "certificate"):
		return "hello"
	case strings.Contains(p.TCPFlags, "SYN"):
		return "syn"
	case strings.Contains(p.TCPFlags, "FIN"):
		return "fin"
	case len(p.Messages) > 0 || p.PayloadLen > 0:
		return "data"
	}
	return "ack"
}

// relTime writes a time since the flow's first packet: "+0.000140 s", "+1.002 s".
func relTime(d time.Duration) string {
	s := d.Seconds()
	if s < 1 {
		return fmt.Sprintf("+%.6f s", s)
	}
	return fmt.Sprintf("+%.3f s", s)
}
