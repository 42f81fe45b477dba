package track

import (
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/facts"
)

// feedCapture gives a the frames of a testdata capture from frame from on, their times moved by
// shift and their frame numbers by renumber; edit, if set, may change each packet first. It
// returns the time of the last frame fed.
func feedCapture(t *testing.T, a *Tracker, name string, from int, shift time.Duration, renumber int, edit func(*capture.Packet)) time.Time {
	t.Helper()
	r, err := pcapfile.Open(filepath.Join("..", "testdata", "captures", name))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var p capture.Packet
	var last time.Time
	for {
		err := r.Next(&p)
		if errors.Is(err, io.EOF) {
			return last
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Index < from {
			continue
		}
		p.Time = p.Time.Add(shift)
		p.Index += renumber
		if edit != nil {
			edit(&p)
		}
		a.Packet(&p)
		last = p.Time
	}
}

// countFrames is the number of frames in a testdata capture.
func countFrames(t *testing.T, name string) int {
	t.Helper()
	r, err := pcapfile.Open(filepath.Join("..", "testdata", "captures", name))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var p capture.Packet
	n := 0
	for r.Next(&p) == nil {
		n++
	}
	return n
}

// lateFacts is what a late packet changes in a record, as tomb documents it.
type lateFacts struct {
	ID                          int32
	Last, End, SYNAck           facts.Ref
	SYNCount, RSTCount, Snaplen int32
	SYNs                        []facts.Ref
	RSTs                        []facts.RST
	Side                        [2]facts.Side
	ConnState, History          string
	Ladder                      []facts.LadderPacket
	LadderOmitted, SYNAcks      int32
	IPID                        [2]uint16
	AckMax                      [2]uint32
	Hello, ServerHello          facts.Ref
	ICMP                        []facts.ICMP
	ICMPCount                   int
	LossLast                    [2][2]facts.Ref // per side with a loss: its latest packet and its peer's
}

func lateView(c *facts.Conn) lateFacts {
	v := lateFacts{ID: c.ID, Last: c.Last, End: c.End, SYNAck: c.SYNAck, SYNCount: c.SYNCount, RSTCount: c.RSTCount,
		Snaplen: c.SnaplenCut, SYNs: c.SYNs, RSTs: c.RSTs, Side: c.Side, ConnState: c.ConnState, History: c.History,
		Ladder: c.Ladder, LadderOmitted: c.LadderOmitted, SYNAcks: c.Path.SYNAcks, ICMP: c.ICMP()}
	v.ICMPCount = c.ICMPCount()
	for d := range 2 {
		v.IPID[d], v.AckMax[d] = c.Path.Side[d].IPID, c.Path.Side[d].AckMax
		if l := c.Path.Side[d].R().Loss; l != nil {
			v.LossLast[d] = [2]facts.Ref{l.Last, l.PeerLast}
		}
	}
	if c.TLS != nil {
		v.Hello, v.ServerHello = c.TLS.HelloLast, c.TLS.SHRef
	}
	return v
}

// TestTombLatePackets replays the last packets of real connections 2 s after they closed (so
// that they are tombs by then), the last one turned into a reset, and checks that the records
// come out as they do when the connections stay whole flows until ClosedLinger.
func TestTombLatePackets(t *testing.T) {
	for _, tc := range []struct {
		capture string
		late    int // the frame from which the capture's packets come again, late
	}{
		{"tls12-ok.pcap", 17},
		{"tls13-ok.pcap", 15},
		{"seed-reset-lone.pcap", 1},
		{"closed-port.pcap", 1},
		{"plain-tcp-ok.pcap", 8},
		{"path-pmtud-ok-server.pcap", 8}, // an ICMP error, retransmitted data, a SACK, late
	} {
		t.Run(tc.capture, func(t *testing.T) {
			frames := countFrames(t, tc.capture)
			run := func(grace time.Duration) (recs []*facts.Conn, buried int) {
				cfg := Config{Ports: []uint16{4343, 443, 8443, 4433, 80, 8080}, StreamLimit: 1 << 16,
					IdleTimeout: 5 * time.Minute, ClosedLinger: 10 * time.Second, MaxActiveFlows: 1000}
				a := New(cfg, func(c *facts.Conn) bool { recs = append(recs, c); return true })
				a.grace = grace
				last := feedCapture(t, a, tc.capture, 0, 0, 0, nil)
				a.Tick(last.Add(1500 * time.Millisecond))
				buried = a.tombs.Len()
				feedCapture(t, a, tc.capture, tc.late, 2*time.Second, 1000, func(p *capture.Packet) {
					if p.Index == frames+1000 && p.Kind == capture.KindTCP {
						p.TCP.Flags = capture.FlagRST | capture.FlagACK
						p.TCP.Payload, p.TCP.PayloadLen = nil, 0
					}
				})
				a.Flush()
				return recs, buried
			}
			want, buried := run(time.Hour)
			if buried != 0 {
				t.Fatalf("a grace of an hour buried %d connections", buried)
			}
			got, buried := run(tombGrace)
			if buried == 0 {
				t.Fatalf("no connection of %s was a tomb 1.5 s after the capture ended", tc.capture)
			}
			if len(got) != len(want) {
				t.Fatalf("%d records with tombs, %d without", len(got), len(want))
			}
			late := 0
			for i := range want {
				g, w := lateView(got[i]), lateView(want[i])
				if !reflect.DeepEqual(g, w) {
					t.Errorf("record %d with tombs:\n %+v\nwithout:\n %+v", i, g, w)
				}
				if want[i].Last.Frame > 1000 {
					late++
				}
			}
			if late == 0 {
				t.Errorf("no record took a late packet")
			}
		})
	}
}

// TestTombLadderUnneeded: a connection that is certainly ok when it becomes a tomb
// (Config.LadderUnneeded, here diagnose's own test) keeps no ladder, late packets included, and
// every other fact as before; one that may have failed keeps its ladder whole.
func TestTombLadderUnneeded(t *testing.T) {
	for _, tc := range []struct {
		capture  string
		late     int
		noLadder bool
	}{
		{"tls12-ok.pcap", 17, true},
		{"tls13-ok.pcap", 15, true},
		{"seed-reset-lone.pcap", 1, false},
		{"plain-tcp-ok.pcap", 8, false}, // not TLS: reports draw plain-text connections
	} {
		t.Run(tc.capture, func(t *testing.T) {
			run := func(unneeded func(*facts.Conn) bool) (recs []*facts.Conn) {
				cfg := Config{Ports: []uint16{4343, 443, 8443, 4433, 80, 8080}, StreamLimit: 1 << 16,
					IdleTimeout: 5 * time.Minute, ClosedLinger: 10 * time.Second, MaxActiveFlows: 1000,
					LadderUnneeded: unneeded}
				a := New(cfg, func(c *facts.Conn) bool { recs = append(recs, c); return true })
				last := feedCapture(t, a, tc.capture, 0, 0, 0, nil)
				a.Tick(last.Add(1500 * time.Millisecond))
				if a.tombs.Len() == 0 {
					t.Fatalf("no connection of %s was a tomb 1.5 s after the capture ended", tc.capture)
				}
				feedCapture(t, a, tc.capture, tc.late, 2*time.Second, 1000, nil)
				a.Flush()
				return recs
			}
			want, got := run(nil), run(diagnose.CertainlyOK)
			if len(got) != len(want) || len(want) == 0 {
				t.Fatalf("%d records with LadderUnneeded, %d without", len(got), len(want))
			}
			for i := range want {
				if len(want[i].Ladder) == 0 {
					t.Fatalf("record %d has no ladder without LadderUnneeded", i)
				}
				g, w := lateView(got[i]), lateView(want[i])
				if tc.noLadder {
					if g.Ladder != nil || g.LadderOmitted != 0 {
						t.Errorf("record %d keeps a ladder of %d packets (%d omitted)", i, len(g.Ladder), g.LadderOmitted)
					}
					g.Ladder, g.LadderOmitted = w.Ladder, w.LadderOmitted
				}
				if !reflect.DeepEqual(g, w) {
					t.Errorf("record %d with LadderUnneeded:\n %+v\nwithout:\n %+v", i, g, w)
				}
			}
		})
	}
}
