package pcapfile

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/connscope/connscope/capture"
	"github.com/gopacket/gopacket/layers"
)

// FuzzReader feeds arbitrary files to the reader: it must never panic, number frames 1, 2, 3, ...,
// keep every payload within its stated length, and end with io.EOF or a FileError inside the file.
func FuzzReader(f *testing.F) {
	for _, name := range []string{"icmp-synth.pcap", "ipfrag.pcap", "cut-mid-block.pcapng", "corrupt-length.pcap", "encap/erspan-vxlan.pcap", "encap/gtpu.pcap"} {
		f.Add(mustRead(f, name))
	}
	ng := mustRead(f, "linktypes.pcapng")
	f.Add(ng[:min(len(ng), 2000)])
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		var p capture.Packet
		for i := 1; i <= 10000; i++ {
			err = r.Next(&p)
			if err != nil {
				break
			}
			checkPacket(t, &p)
			if p.Index != i {
				t.Fatalf("Index %d, want %d", p.Index, i)
			}
			if r.points[0].dec.Reason().Code == capture.ReasonInternal {
				t.Fatal("decoding panicked")
			}
		}
		var fe *FileError
		if err != nil && err != io.EOF && !errors.As(err, &fe) {
			t.Fatalf("Next returned %T %v", err, err)
		}
		if fe != nil && !strings.Contains(r.Format(), "gzip") && (fe.Offset < 0 || fe.Offset > int64(len(data))) {
			t.Fatalf("error offset %d outside the %d-byte file", fe.Offset, len(data))
		}
	})
}

// FuzzDecode feeds arbitrary frames of every link type to the decoder.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"icmp-synth.pcap", "ipfrag.pcap", "tls-snaplen96.pcap"} {
		b := mustRead(f, name)
		for _, off := range pcapRecordStarts(b)[:4] {
			l := int(b[off+8]) | int(b[off+9])<<8
			if off+16+l <= len(b) {
				f.Add(uint16(layers.LinkTypeEthernet), b[off+16:off+16+l])
				f.Add(uint16(layers.LinkTypeRaw), b[off+16+14:off+16+l])
			}
		}
	}
	// every encapsulation, around real frames (testdata/encap)
	for _, name := range []string{"mpls", "mpls-pw", "pppoe", "geneve", "gre", "pptp", "erspan2", "erspan3", "gtpu",
		"fabricpath", "vntag", "etag", "teredo", "ipip", "ip6ip6", "vxlan", "erspan-vxlan"} {
		b := mustRead(f, "encap/"+name+".pcap")
		for _, off := range pcapRecordStarts(b)[:2] {
			l := int(b[off+8]) | int(b[off+9])<<8
			f.Add(uint16(layers.LinkTypeEthernet), b[off+16:off+16+l])
		}
	}
	f.Fuzz(func(t *testing.T, lt uint16, frame []byte) {
		d := capture.NewDecoder()
		var p capture.Packet
		ok := d.Decode(frame, capture.LinkOf(layers.LinkType(lt)), &p)
		checkPacket(t, &p)
		if ok != (d.Reason() == capture.Reason{}) || (!ok && p.Kind != capture.KindOther) {
			t.Fatalf("decode %v with reason %v, Kind %d", ok, d.Reason(), p.Kind)
		}
		if d.Reason().Code == capture.ReasonInternal { // set only when decoding panicked
			t.Fatal("decoding panicked")
		}
	})
}

func checkPacket(t *testing.T, p *capture.Packet) {
	t.Helper()
	switch p.Kind {
	case capture.KindTCP:
		if len(p.TCP.Payload) > p.TCP.PayloadLen || p.TCP.PayloadLen < 0 || (len(p.TCP.Payload) < p.TCP.PayloadLen && !p.Truncated) {
			t.Fatalf("payload %d bytes of %d, Truncated %v", len(p.TCP.Payload), p.TCP.PayloadLen, p.Truncated)
		}
		if !p.SrcIP.IsValid() || !p.DstIP.IsValid() {
			t.Fatalf("TCP packet without addresses")
		}
	case capture.KindICMPError:
		if !p.ICMP.QuotedSrc.IsValid() || p.ICMP.QuotedSrc.Is4() == p.ICMP.V6 {
			t.Fatalf("ICMP error %+v", p.ICMP)
		}
	case capture.KindDNS:
		u := &p.UDP
		if len(u.Payload) > u.PayloadLen || (len(u.Payload) < u.PayloadLen && !p.Truncated) || (u.SrcPort != capture.DNSPort && u.DstPort != capture.DNSPort) {
			t.Fatalf("DNS datagram %+v, Truncated %v", u, p.Truncated)
		}
	}
}
