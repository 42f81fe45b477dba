package unmatched

import (
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
)

// TestSwept: the SYNs a source sent to one port outside the filter are counted per host: the
// first attempt's source port and its first and last SYN (a retransmission from that port), the
// attempts (a new source port each), the SYNs, the answers (a SYN-ACK: open; a reset without
// one: refused) and the attempts that carried data (talked, once per attempt); another port and
// another vantage are apart; a pair of one host is forgotten when the pairs are full.
func TestSwept(t *testing.T) {
	src := netip.MustParseAddr("10.0.0.7")
	host := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 0, 1, byte(i)}) }
	s := skipper{t0: time.Unix(1700000000, 0)}
	s.skip(src, host(1), 40001, 4343, capture.FlagSYN)                                                                          // 1: host 1, attempt 1
	s.skip(src, host(2), 40002, 4343, capture.FlagSYN)                                                                          // 2: host 2
	s.skip(host(2), src, 4343, 40002, capture.FlagRST|capture.FlagACK)                                                          // 3: refused
	s.skip(src, host(1), 40001, 4343, capture.FlagSYN)                                                                          // 4: host 1's retransmission
	s.skip(src, host(3), 40003, 4343, capture.FlagSYN)                                                                          // 5: host 3
	s.skip(host(3), src, 4343, 40003, capture.FlagSYN|capture.FlagACK)                                                          // 6: open
	s.skip(src, host(3), 40003, 4343, capture.FlagACK)                                                                          // 7
	s.u.Skip(&capture.Packet{Kind: capture.KindTCP, Index: 8, Time: s.t0.Add(8 * time.Millisecond), SrcIP: src, DstIP: host(3), // 8: data
		TCP: capture.TCPHeader{SrcPort: 40003, DstPort: 4343, Flags: capture.FlagACK, PayloadLen: 100}})
	s.frame++
	s.skip(src, host(1), 40004, 4343, capture.FlagSYN) // 9: host 1, attempt 2
	s.skip(src, host(1), 40005, 8080, capture.FlagSYN) // 10: another port
	want := []SweptHost{
		{Addr: host(1), SrcPort: 40001, First: s.ref(1), Last: s.ref(4), LastAttempt: s.ref(9), Attempts: 2, SYNs: 3, lastPort: 40004},
		{Addr: host(2), SrcPort: 40002, First: s.ref(2), Last: s.ref(2), LastAttempt: s.ref(2), Attempts: 1, SYNs: 1, Refused: true, lastPort: 40002},
		{Addr: host(3), SrcPort: 40003, First: s.ref(5), Last: s.ref(5), LastAttempt: s.ref(5), Attempts: 1, SYNs: 1, Talked: 1, Open: true,
			lastPort: 40003, talkPort: 40003},
	}
	if got := s.u.Swept(0, src, 4343); !reflect.DeepEqual(got, want) {
		t.Errorf("swept\n%+v\nwant\n%+v", got, want)
	}
	if got := s.u.Swept(0, src, 8080); len(got) != 1 || got[0].Addr != host(1) {
		t.Errorf("port 8080: %+v, want host 1 only", got)
	}
	if got := s.u.Swept(1, src, 4343); got != nil {
		t.Errorf("vantage 1: %+v, want none", got)
	}
	for i := 0; i < maxSweepPairs+maxSweepPairs/4; i++ { // clients of one server each fill the pairs
		s.skip(netip.AddrFrom4([4]byte{10, 2, byte(i >> 8), byte(i)}), host(9), 50000, 443, capture.FlagSYN)
	}
	if got := s.u.Swept(0, src, 4343); len(got) != 3 {
		t.Errorf("after the purge: %d hosts of the sweep, want 3 (it stays)", len(got))
	}
	if got := s.u.Swept(0, src, 8080); got != nil {
		t.Errorf("after the purge: port 8080's one host %+v, want it forgotten", got)
	}
	if n := len(s.u.sweeps.pairs.index); n > maxSweepPairs {
		t.Errorf("%d pairs, want at most %d", n, maxSweepPairs)
	}
}

// TestSweptICMP: an ICMP error that quotes a source's SYN to a host of a pair marks that host
// ICMP (answered, as the whole capture's analysis counts it); one quoting another port, another
// vantage or a host the pair never reached marks none and adds none.
func TestSweptICMP(t *testing.T) {
	src, router := netip.MustParseAddr("10.0.0.7"), netip.MustParseAddr("10.0.0.254")
	host := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 0, 1, byte(i)}) }
	s := skipper{t0: time.Unix(1700000000, 0)}
	icmp := func(dst netip.Addr, sport, dport uint16, vantage uint16) {
		s.frame++
		s.u.ICMPError(&capture.Packet{Kind: capture.KindICMPError, Index: s.frame, Time: s.t0.Add(time.Duration(s.frame) * time.Millisecond),
			Vantage: vantage, SrcIP: router, DstIP: src, ICMP: capture.ICMPError{Type: 3, Code: 1, QuotedSrc: src, QuotedDst: dst,
				QuotedSrcPort: sport, QuotedDstPort: dport}})
	}
	icmp(host(1), 40001, 4343, 0) // before any SYN: nothing to mark
	s.skip(src, host(1), 40001, 4343, capture.FlagSYN)
	s.skip(src, host(2), 40002, 4343, capture.FlagSYN)
	icmp(host(1), 40001, 4343, 0) // host 1: host unreachable
	icmp(host(2), 40002, 8080, 0) // another port
	icmp(host(2), 40002, 4343, 1) // another vantage
	icmp(host(3), 40003, 4343, 0) // a host the pair never reached
	got := s.u.Swept(0, src, 4343)
	if len(got) != 2 || !got[0].ICMP || got[1].ICMP || got[0].Open || got[0].Refused {
		t.Errorf("swept %+v, want hosts 1 (ICMP only) and 2 (nothing)", got)
	}
}
