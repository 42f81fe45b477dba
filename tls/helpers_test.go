package tls

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// capture is one TCP connection from testdata: the payload of each segment, per direction,
// in stream order.
type capture struct {
	client, server [][]byte
}

// loadCapture reads testdata/name.txt: "C hex" and "S hex" lines, one per TCP segment.
func loadCapture(t testing.TB, name string) capture {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var c capture
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		dir, h, ok := strings.Cut(line, " ")
		b, err := hex.DecodeString(h)
		if !ok || err != nil {
			t.Fatalf("%s: bad line %.40q", name, line)
		}
		switch dir {
		case "C":
			c.client = append(c.client, b)
		case "S":
			c.server = append(c.server, b)
		default:
			t.Fatalf("%s: bad direction %q", name, dir)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return c
}

// join concatenates segments into the whole stream.
func join(segs [][]byte) []byte {
	var b []byte
	for _, s := range segs {
		b = append(b, s...)
	}
	return b
}

// feedAll feeds segments in order to a new Stream and returns copies of all events.
func feedAll(limit int, segs [][]byte) ([]Event, *Stream) {
	s := NewStream(limit)
	var evs []Event
	for _, seg := range segs {
		evs = append(evs, s.Feed(seg)...)
	}
	return evs, s
}

// describe renders an event compactly for exact comparison in tables.
func describe(ev Event) string {
	var d string
	switch ev.Kind {
	case EventHandshake:
		if ev.Encrypted {
			d = fmt.Sprintf("handshake encrypted len=%d", ev.Length)
		} else {
			d = fmt.Sprintf("%v len=%d", ev.HandshakeType, ev.Length)
		}
		if ev.Err != nil {
			d += " err=" + ev.Err.Error()
		}
	case EventAlert:
		if ev.Encrypted {
			d = fmt.Sprintf("alert encrypted len=%d", ev.Length)
		} else {
			d = "alert " + ev.Alert.String()
		}
	case EventChangeCipherSpec:
		d = "change_cipher_spec"
	case EventApplicationData:
		d = fmt.Sprintf("application_data len=%d", ev.Length)
	case EventHeartbeat:
		d = fmt.Sprintf("heartbeat len=%d", ev.Length)
		if ev.Encrypted {
			d += " encrypted"
		}
	case EventNotTLS:
		d = fmt.Sprintf("not_tls %q", ev.Prefix)
	case EventError:
		d = "error " + ev.Err.Error()
	default:
		d = ev.Kind.String()
	}
	if ev.Kind != EventNotTLS && ev.Kind != EventError {
		d += " rec=" + ev.RecordVersion.String()
	}
	return fmt.Sprintf("%d-%d %s", ev.Start, ev.End, d)
}

func describeAll(evs []Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = describe(ev)
	}
	return out
}

// handshakeMessages returns the whole handshake messages of type typ, header included, that the
// handshake records of stream hold (messages that span records are left out).
func handshakeMessages(stream []byte, typ HandshakeType) [][]byte {
	var out [][]byte
	if len(stream) > 2 && stream[0]&0x80 != 0 { // an SSLv2-format first record
		stream = stream[min(len(stream), 2+(int(stream[0]&0x7f)<<8|int(stream[1]))):]
	}
	for len(stream) >= 5 {
		n := int(stream[3])<<8 | int(stream[4])
		if len(stream) < 5+n {
			break
		}
		for p := stream[5 : 5+n]; stream[0] == 22 && len(p) >= 4; {
			m := 4 + (int(p[1])<<16 | int(p[2])<<8 | int(p[3]))
			if m > len(p) {
				break
			}
			if HandshakeType(p[0]) == typ {
				out = append(out, p[:m])
			}
			p = p[m:]
		}
		stream = stream[5+n:]
	}
	return out
}

// mustHex decodes a hex constant of a test table.
func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
