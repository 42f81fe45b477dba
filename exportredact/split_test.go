package exportredact_test

import (
	"bytes"
	"encoding/hex"
	"io"
	"net"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/exportredact"
	"github.com/connscope/connscope/redact"
)

// clientHello returns the first TCP payload of a capture that starts a TLS handshake record.
func clientHello(t *testing.T, name string) []byte {
	t.Helper()
	r, err := pcapfile.Open(filepath.Join(captures, name))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var p capture.Packet
	for {
		if err := r.Next(&p); err == io.EOF {
			t.Fatalf("%s: no ClientHello", name)
		} else if err != nil {
			t.Fatal(err)
		}
		if p.Kind == capture.KindTCP && len(p.TCP.Payload) > 5 && p.TCP.Payload[0] == 22 && p.TCP.Payload[5] == 1 {
			return bytes.Clone(p.TCP.Payload)
		}
	}
}

// tcpFrame builds an Ethernet/IPv4/TCP frame from 10.0.0.1:40000 to 10.0.0.2:4343.
func tcpFrame(t *testing.T, seq uint32, syn bool, payload []byte) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{0, 0x11, 0x22, 0x33, 0x44, 0x55}, DstMAC: net.HardwareAddr{0, 0x11, 0x22, 0x33, 0x44, 0x66}, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: net.IP{10, 0, 0, 1}, DstIP: net.IP{10, 0, 0, 2}}
	tcp := &layers.TCP{SrcPort: 40000, DstPort: 4343, Seq: seq, SYN: syn, ACK: !syn, Window: 1000}
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		t.Fatal(err)
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip, tcp, gopacket.Payload(payload)); err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(buf.Bytes())
}

// TestServerNameInPieces: a ClientHello sent a few bytes per segment, with every segment sent
// twice (a retransmission), still has its server name replaced, in every copy, and nothing
// else of it changed; the server name is the only difference.
func TestServerNameInPieces(t *testing.T) {
	hello := clientHello(t, "dns-ok-by-name.pcap")
	const sni = "apexone.connscope.test"
	at := bytes.Index(hello, []byte(sni))
	if at < 0 {
		t.Fatalf("no %q in the ClientHello", sni)
	}
	for _, size := range []int{1, 3, 7, 100, len(hello)} {
		w := exportredact.New(redact.New())
		if out, _ := w.Frame(tcpFrame(t, 1000, true, nil), layers.LinkTypeEthernet, 0); out == nil {
			t.Fatal("the SYN was dropped")
		}
		var got []byte
		for off := 0; off < len(hello); off += size {
			piece := hello[off:min(off+size, len(hello))]
			for copyNo := range 2 {
				frame := tcpFrame(t, 1001+uint32(off), false, piece)
				out, wire := w.Frame(frame, layers.LinkTypeEthernet, len(frame))
				if wire != len(frame) || len(out) != len(frame) {
					t.Fatalf("size %d, offset %d: the frame was cut (%d of %d bytes)", size, off, len(out), len(frame))
				}
				payload := out[54 : 54+len(piece)] // after the Ethernet, IPv4 and TCP headers
				if copyNo == 0 {
					got = append(got, payload...)
				} else if !bytes.Equal(payload, got[off:]) {
					t.Errorf("size %d, offset %d: the retransmission differs", size, off)
				}
			}
		}
		if bytes.Contains(got, []byte(sni)) || !bytes.Equal(got[:at], hello[:at]) || !bytes.Equal(got[at+len(sni):], hello[at+len(sni):]) {
			t.Errorf("size %d: the ClientHello came out as %q", size, got)
		}
		if stand := string(got[at : at+len(sni)]); stand != "xxxxxxxxxxxxxxxxxxxxxx" {
			t.Errorf("size %d: server name %q (this Redactor saw no result: all x)", size, stand)
		}
	}
}

// TestSecondClientHello: after a HelloRetryRequest the client sends a second ClientHello, in
// TLS 1.3's compatibility mode after a change_cipher_spec record; its server name is replaced
// too, and so is that of a ClientHello sent by a server (a notification to an agent).
func TestSecondClientHello(t *testing.T) {
	hello := clientHello(t, "dns-ok-by-name.pcap")
	ccs := []byte{20, 3, 3, 0, 1, 1}
	stream := append(append(append([]byte(nil), hello...), ccs...), hello...)
	w := exportredact.New(redact.New())
	w.Frame(tcpFrame(t, 5000, true, nil), layers.LinkTypeEthernet, 0)
	var got []byte
	for off := 0; off < len(stream); off += 50 {
		piece := stream[off:min(off+50, len(stream))]
		frame := tcpFrame(t, 5001+uint32(off), false, piece)
		out, _ := w.Frame(frame, layers.LinkTypeEthernet, len(frame))
		got = append(got, out[54:54+len(piece)]...)
	}
	if n := bytes.Count(got, []byte("xxxxxxxxxxxxxxxxxxxxxx")); n != 2 || bytes.Contains(got, []byte("apexone")) || len(got) != len(stream) {
		t.Errorf("%d of 2 server names replaced, %d of %d bytes kept: %q", n, len(got), len(stream), got)
	}
}

// TestSSLv2Hello: an SSLv2 CLIENT-HELLO (Zeek's ssl-v2.pcap) holds no names and is kept whole,
// and so are the TLS records after it.
func TestSSLv2Hello(t *testing.T) {
	v2, err := hex.DecodeString("802e0100020015000000100700c00500800300800100800600400400800200801c30e2b12f4c04525476f280c07abee5")
	if err != nil {
		t.Fatal(err)
	}
	alert := []byte{21, 3, 1, 0, 2, 2, 40}
	stream := append(append([]byte(nil), v2...), alert...)
	w := exportredact.New(redact.New())
	w.Frame(tcpFrame(t, 7000, true, nil), layers.LinkTypeEthernet, 0)
	frame := tcpFrame(t, 7001, false, stream)
	out, _ := w.Frame(frame, layers.LinkTypeEthernet, len(frame))
	if !bytes.Equal(out[54:], stream) {
		t.Errorf("the SSLv2 hello and the alert after it came out as % x", out[54:])
	}
}
