// Package synth builds large captures for benchmarks by repeating the connections of real
// captures: each copy gets its own client address and port and a later start time, so that the
// analyzer sees many distinct connections made of real TCP/TLS bytes. Only Ethernet/IPv4 template
// frames are used; checksums are left as they were (connscope does not check them).
package synth

import (
	"container/heap"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

type frame struct {
	offset time.Duration // since the template's first frame
	data   []byte
	fromA  bool // sent by the template's first sender (the client side)
}

// template is one real capture's Ethernet/IPv4 TCP frames.
type template struct {
	frames   []frame
	duration time.Duration
	clientIP [4]byte
}

// loadTemplate reads the Ethernet/IPv4 TCP frames of a pcap file.
func loadTemplate(path string) (*template, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.LinkType() != layers.LinkTypeEthernet {
		return nil, fmt.Errorf("%s: link type %v, want Ethernet", path, r.LinkType())
	}
	t := &template{}
	var first time.Time
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(data) < 14+20+20 || binary.BigEndian.Uint16(data[12:14]) != 0x0800 || data[14+9] != 6 {
			continue
		}
		if len(t.frames) == 0 {
			first = ci.Timestamp
			copy(t.clientIP[:], data[14+12:14+16])
		}
		var src [4]byte
		copy(src[:], data[14+12:14+16])
		off := ci.Timestamp.Sub(first)
		t.frames = append(t.frames, frame{offset: off, data: data, fromA: src == t.clientIP})
		t.duration = off
	}
	if len(t.frames) == 0 {
		return nil, fmt.Errorf("%s: no Ethernet/IPv4 TCP frames", path)
	}
	return t, nil
}

// Write writes a pcap of at least minPackets packets to w, made by repeating the templates'
// connections, copies overlapping in time (a new copy starts every interval). Copy n (from 0)
// repeats template CopyTemplate(n, len(templates)) from client CopyClient(n), port CopyPort(n).
// It returns the number of packets and of copies written.
func Write(w io.Writer, templates []string, minPackets int, interval time.Duration) (packets, copies int, err error) {
	var ts []*template
	for _, p := range templates {
		t, err := loadTemplate(p)
		if err != nil {
			return 0, 0, err
		}
		ts = append(ts, t)
	}
	if len(ts) == 0 {
		return 0, 0, fmt.Errorf("no templates")
	}
	pw := pcapgo.NewWriterNanos(w)
	if err := pw.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		return 0, 0, err
	}
	// Copies are interleaved by time, so the flow table holds many connections at once, as in
	// a real capture: a heap of the copies' next frames.
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := &copyHeap{}
	written, n := 0, 0
	buf := make([]byte, 0, 65536)
	for written < minPackets || h.Len() > 0 {
		start := base.Add(time.Duration(n) * interval)
		if written < minPackets {
			c := &copyState{t: ts[CopyTemplate(n, len(ts))], start: start, ip: CopyClient(n), port: CopyPort(n)}
			heap.Push(h, c)
			n++
		}
		// Emit every frame due before the next copy starts (all of them once enough are out).
		for h.Len() > 0 {
			c := (*h)[0]
			if written < minPackets && c.at().After(start) {
				break
			}
			fr := c.t.frames[c.next]
			buf = append(buf[:0], fr.data...)
			rewrite(buf, fr.fromA, c.ip, c.port)
			ci := gopacket.CaptureInfo{Timestamp: c.at(), CaptureLength: len(buf), Length: len(buf)}
			if err := pw.WritePacket(ci, buf); err != nil {
				return written, n, err
			}
			written++
			c.next++
			if c.next == len(c.t.frames) {
				heap.Pop(h)
			} else {
				heap.Fix(h, 0)
			}
		}
	}
	return written, n, nil
}

// CopyClient is the client address of copy n (0-based): 10.100.0.0 + n, distinct for the first
// 4,194,304 copies (up to 10.163.255.255; the templates' server addresses are kept, so they must
// lie outside that range).
func CopyClient(n int) [4]byte {
	return [4]byte{10, byte(100 + (n>>16)&0x3f), byte(n >> 8), byte(n)}
}

// CopyPort is the client port of copy n: 1024 + n mod 60000.
func CopyPort(n int) uint16 { return uint16(1024 + n%60000) }

// CopyTemplate is the index of the template that copy n repeats: copies cycle through the
// templates in the order given to Write.
func CopyTemplate(n, templates int) int { return n % templates }

type copyState struct {
	t     *template
	start time.Time
	next  int
	ip    [4]byte
	port  uint16
}

func (c *copyState) at() time.Time { return c.start.Add(c.t.frames[c.next].offset) }

type copyHeap []*copyState

func (h copyHeap) Len() int           { return len(h) }
func (h copyHeap) Less(i, j int) bool { return h[i].at().Before(h[j].at()) }
func (h copyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *copyHeap) Push(x any)        { *h = append(*h, x.(*copyState)) }
func (h *copyHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// rewrite gives a frame the copy's client address and port.
func rewrite(b []byte, fromClient bool, ip [4]byte, port uint16) {
	ihl := int(b[14]&0x0f) * 4
	tcp := 14 + ihl
	if len(b) < tcp+4 {
		return
	}
	if fromClient {
		copy(b[14+12:14+16], ip[:])
		binary.BigEndian.PutUint16(b[tcp:], port)
	} else {
		copy(b[14+16:14+20], ip[:])
		binary.BigEndian.PutUint16(b[tcp+2:], port)
	}
}
