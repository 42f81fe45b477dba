package analyze

import (
	"math"
	"strings"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// maxLadderMessages bounds the TLS messages noted on one packet of the ladder.
const maxLadderMessages = 8

// ladderPacket is one packet of a flow, kept for its ladder diagram. It is kept small (56 bytes)
// and free of pointers, so that the collector need not scan it: every open flow holds up to
// result.LadderHead+result.LadderTail of them. Its TLS messages are kept as codes (ladderCode)
// and named when the result is built.
type ladderPacket struct {
	unixNano   int64 // capture time
	frame      int32
	payloadLen int32
	from       uint8
	flags      uint8
	retrans    bool
	nMessages  uint8
	messages   [maxLadderMessages]ladderCode
}

// ladderCode is a TLS record as the ladder names it: the event kind in the top byte; for a
// plaintext handshake message its type, for a plaintext alert its level and description, in the
// low bytes; encryptedCode for an encrypted handshake record or alert. Two records have the same
// code exactly when ladderName names them alike.
type ladderCode uint32

const encryptedCode = 1 << 16

// ladderCodeOf returns the code of ev, and false for an event the ladder does not show.
func ladderCodeOf(ev *tls.Event) (ladderCode, bool) {
	c := ladderCode(ev.Kind) << 24
	switch ev.Kind {
	case tls.EventHandshake:
		if ev.Encrypted {
			return c | encryptedCode, true
		}
		return c | ladderCode(ev.HandshakeType), true
	case tls.EventAlert:
		if ev.Encrypted {
			return c | encryptedCode, true
		}
		return c | ladderCode(ev.Alert.Level)<<8 | ladderCode(ev.Alert.Description), true
	case tls.EventChangeCipherSpec, tls.EventApplicationData, tls.EventHeartbeat, tls.EventNotTLS:
		return c, true
	}
	return 0, false
}

// name returns what ladderName returns for the events with code c.
func (c ladderCode) name() string {
	ev := tls.Event{Kind: tls.EventKind(c >> 24), Encrypted: c&encryptedCode != 0}
	switch ev.Kind {
	case tls.EventHandshake:
		ev.HandshakeType = tls.HandshakeType(c)
	case tls.EventAlert:
		ev.Alert = tls.Alert{Level: tls.AlertLevel(c >> 8), Description: tls.AlertDescription(c)}
	}
	return ladderName(&ev)
}

// ladder keeps a bounded part of a flow's packets: the first result.LadderHead, and the last
// result.LadderTail in a ring. Its memory is fixed per flow, whatever the flow's length.
type ladder struct {
	head  []ladderPacket
	tail  []ladderPacket // ring of the last packets after head
	tailN int            // packets written to the ring, in total
}

// add notes one packet and returns it, so the caller can mark it later in the same packet.
func (l *ladder) add(d int, r ref, t *capture.TCPHeader, pool *ladderPool) *ladderPacket {
	p := ladderPacket{unixNano: r.unixNano(), frame: r.frame, from: uint8(d), flags: t.Flags,
		payloadLen: int32(min(t.PayloadLen, math.MaxInt32))}
	if l.head == nil {
		l.head = pool.head()
	}
	if len(l.head) < result.LadderHead {
		l.head = append(l.head, p)
		return &l.head[len(l.head)-1]
	}
	if l.tail == nil {
		l.tail = pool.tail()
	}
	i := l.tailN % result.LadderTail
	if len(l.tail) < result.LadderTail {
		l.tail = append(l.tail, p)
	} else {
		l.tail[i] = p
	}
	l.tailN++
	return &l.tail[i]
}

// find returns the kept packet with frame number frame, or nil. The packet a TLS record ends
// in is nearly always among the last few, so the search starts from the newest.
func (l *ladder) find(frame int) *ladderPacket {
	for i := range l.tail {
		if int(l.tail[i].frame) == frame {
			return &l.tail[i]
		}
	}
	for i := len(l.head) - 1; i >= 0; i-- {
		if int(l.head[i].frame) == frame {
			return &l.head[i]
		}
	}
	return nil
}

// note adds the name of the TLS record of ev to the packet with frame number frame. A repeat
// of the packet's last name (several application_data records in one segment) is dropped.
func (l *ladder) note(frame int, ev *tls.Event) {
	p := l.find(frame)
	if p == nil || p.nMessages >= maxLadderMessages {
		return
	}
	code, ok := ladderCodeOf(ev)
	if !ok || (p.nMessages > 0 && p.messages[p.nMessages-1] == code) {
		return
	}
	p.messages[p.nMessages] = code
	p.nMessages++
}

// ladderName names a TLS event as the ladder shows it; "" for events it does not show.
func ladderName(ev *tls.Event) string {
	switch ev.Kind {
	case tls.EventHandshake:
		if ev.Encrypted {
			return "encrypted_handshake"
		}
		return ev.HandshakeType.String()
	case tls.EventAlert:
		if ev.Encrypted {
			return "encrypted_alert"
		}
		return "alert " + ev.Alert.String()
	case tls.EventChangeCipherSpec:
		return "change_cipher_spec"
	case tls.EventApplicationData:
		return "application_data"
	case tls.EventHeartbeat:
		return "heartbeat"
	case tls.EventNotTLS:
		return "not_tls"
	}
	return ""
}

// packets returns the kept packets in capture order, and how many were left out between the
// head and the tail.
func (l *ladder) packets() ([]result.Packet, int) {
	out := make([]result.Packet, 0, len(l.head)+len(l.tail))
	for i := range l.head {
		out = append(out, l.head[i].result())
	}
	start := 0
	if l.tailN > result.LadderTail {
		start = l.tailN % result.LadderTail
	}
	for i := range l.tail {
		out = append(out, l.tail[(start+i)%len(l.tail)].result())
	}
	return out, max(0, l.tailN-len(l.tail))
}

func (p *ladderPacket) result() result.Packet {
	msgs := make([]string, p.nMessages)
	for i, c := range p.messages[:p.nMessages] {
		msgs[i] = c.name()
	}
	return result.Packet{Frame: int(p.frame), Time: time.Unix(0, p.unixNano).UTC(), From: sideName[p.from],
		TCPFlags: flagNames(p.flags), PayloadLen: int(p.payloadLen), Retransmission: p.retrans, Messages: msgs}
}

// flagOrder lists the TCP flags in the order Wireshark prints them: "[SYN, ACK]", "[FIN, PSH, ACK]",
// "[SYN, ECE, CWR]".
var flagOrder = []struct {
	bit  uint8
	name string
}{
	{capture.FlagFIN, "FIN"}, {capture.FlagSYN, "SYN"}, {capture.FlagRST, "RST"}, {capture.FlagPSH, "PSH"},
	{capture.FlagACK, "ACK"}, {capture.FlagURG, "URG"}, {capture.FlagECE, "ECE"}, {capture.FlagCWR, "CWR"},
}

// flagNamesOf holds flagNames of every flags byte, written once: every packet of a ladder needs
// its flags named.
var flagNamesOf = func() (t [256]string) {
	for i := range t {
		t[i] = joinFlagNames(uint8(i))
	}
	return t
}()

// flagNames writes the TCP flags as Wireshark does, e.g. "SYN, ACK"; "" for none.
func flagNames(flags uint8) string { return flagNamesOf[flags] }

func joinFlagNames(flags uint8) string {
	var names []string
	for _, f := range flagOrder {
		if flags&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	return strings.Join(names, ", ")
}
