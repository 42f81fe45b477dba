package pcapfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/connscope/connscope/capture"
)

// tsharkRow is one frame as tshark 4.0 dissected it (make-captures.sh writes FILE.tshark.tsv with
// reassembly off). Fields that occur more than once (the IP header quoted in an ICMP error) hold
// every occurrence, outermost first.
type tsharkRow map[string][]string

func (r tsharkRow) first(f string) string {
	if v := r[f]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (r tsharkRow) last(f string) string {
	if v := r[f]; len(v) > 0 {
		return v[len(v)-1]
	}
	return ""
}

func readTshark(t *testing.T, path string) []tsharkRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("tshark's reading of the capture is missing (make-captures.sh writes it): %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var head []string
	var rows []tsharkRow
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if head == nil {
			head = cols
			continue
		}
		row := tsharkRow{}
		for i, c := range cols {
			if c != "" && i < len(head) {
				row[head[i]] = strings.Split(c, ";")
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func num(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		t.Fatalf("tshark field %q: %v", s, err)
	}
	return v
}

// TestAgainstTshark reads every capture in testdata and compares each frame with tshark's
// dissection of it: timestamps, lengths, addresses, TTL, IP ID, every TCP header field, the payload
// length on the wire, and the ICMP errors with the TCP packet they quote.
func TestAgainstTshark(t *testing.T) {
	goldens, err := filepath.Glob("../testdata/*.tshark.tsv")
	if err != nil || len(goldens) < 20 {
		t.Fatalf("found %d tshark files in testdata (%v): run testdata/make-captures.sh", len(goldens), err)
	}
	for _, golden := range goldens {
		capFile := strings.TrimSuffix(golden, ".tshark.tsv")
		t.Run(filepath.Base(capFile), func(t *testing.T) {
			rows := readTshark(t, golden)
			r, err := Open(capFile)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var p capture.Packet
			n := 0
			for {
				err := r.Next(&p)
				if err == io.EOF {
					break
				}
				var fe *FileError
				if errors.As(err, &fe) {
					break // the file tests check where; tshark stops at the same record
				}
				if err != nil {
					t.Fatal(err)
				}
				if n >= len(rows) {
					t.Fatalf("frame %d: tshark saw only %d frames", p.Index, len(rows))
				}
				if msg := compareFrame(t, &p, rows[n]); msg != "" {
					t.Errorf("frame %d: %s\n  we read %+v", p.Index, msg, p)
				}
				n++
			}
			if n != len(rows) {
				t.Errorf("read %d frames, tshark %d", n, len(rows))
			}
		})
	}
}

func compareFrame(t *testing.T, p *capture.Packet, row tsharkRow) string {
	var diffs []string
	check := func(what string, got, want any) {
		if fmt.Sprint(got) != fmt.Sprint(want) {
			diffs = append(diffs, fmt.Sprintf("%s = %v, tshark %v", what, got, want))
		}
	}
	check("Index", p.Index, row.first("frame.number"))
	check("Time", fmt.Sprintf("%d.%09d", p.Time.Unix(), p.Time.Nanosecond()), row.first("frame.time_epoch"))
	check("WireLen", p.WireLen, row.first("frame.len"))
	check("CapLen", p.CapLen, row.first("frame.cap_len"))

	src, dst, ttl := row.first("ip.src"), row.first("ip.dst"), row.first("ip.ttl")
	if src == "" {
		src, dst, ttl = row.first("ipv6.src"), row.first("ipv6.dst"), row.first("ipv6.hlim")
	}
	if src != "" {
		check("SrcIP", p.SrcIP, netip.MustParseAddr(src))
		check("DstIP", p.DstIP, netip.MustParseAddr(dst))
		check("TTL", p.TTL, ttl)
	}
	if id := row.first("ip.id"); id != "" {
		check("IPID", p.IPID, num(t, id))
	}

	icmpType, icmpCode, mtu := row.first("icmp.type"), row.first("icmp.code"), row.first("icmp.mtu")
	v6 := false
	if icmpType == "" {
		icmpType, icmpCode, mtu = row.first("icmpv6.type"), row.first("icmpv6.code"), row.first("icmpv6.mtu")
		v6 = icmpType != ""
	}
	hasTCP := row.first("tcp.srcport") != ""
	switch {
	case icmpType != "" && hasTCP:
		check("Kind", p.Kind, capture.KindICMPError)
		check("ICMP.V6", p.ICMP.V6, v6)
		check("ICMP.Type", p.ICMP.Type, icmpType)
		check("ICMP.Code", p.ICMP.Code, icmpCode)
		if mtu == "" {
			mtu = "0"
		}
		check("ICMP.MTU", p.ICMP.MTU, mtu)
		qsrc, qdst := row.last("ip.src"), row.last("ip.dst")
		if v6 {
			qsrc, qdst = row.last("ipv6.src"), row.last("ipv6.dst")
		}
		check("ICMP.QuotedSrc", p.ICMP.QuotedSrc, netip.MustParseAddr(qsrc))
		check("ICMP.QuotedDst", p.ICMP.QuotedDst, netip.MustParseAddr(qdst))
		check("ICMP.QuotedSrcPort", p.ICMP.QuotedSrcPort, row.first("tcp.srcport"))
		check("ICMP.QuotedDstPort", p.ICMP.QuotedDstPort, row.first("tcp.dstport"))
		if seq := row.first("tcp.seq_raw"); seq != "" {
			check("ICMP.QuotedSeq", p.ICMP.QuotedSeq, seq)
			check("ICMP.QuotedHasSeq", p.ICMP.QuotedHasSeq, true)
		}
	case hasTCP:
		check("Kind", p.Kind, capture.KindTCP)
		check("SrcPort", p.TCP.SrcPort, row.first("tcp.srcport"))
		check("DstPort", p.TCP.DstPort, row.first("tcp.dstport"))
		check("Seq", p.TCP.Seq, row.first("tcp.seq_raw"))
		check("Ack", p.TCP.Ack, row.first("tcp.ack_raw"))
		check("Flags", p.TCP.Flags, num(t, row.first("tcp.flags"))&0xff)
		check("Window", p.TCP.Window, row.first("tcp.window_size_value"))
		if l := row.first("tcp.len"); l != "" {
			check("PayloadLen", p.TCP.PayloadLen, l)
		}
		if len(p.TCP.Payload) > p.TCP.PayloadLen || (len(p.TCP.Payload) < p.TCP.PayloadLen && !p.Truncated) {
			diffs = append(diffs, fmt.Sprintf("captured payload %d bytes of %d, Truncated %v", len(p.TCP.Payload), p.TCP.PayloadLen, p.Truncated))
		}
	default:
		check("Kind", p.Kind, capture.KindOther)
	}
	return strings.Join(diffs, "; ")
}
