// tcpscript writes a pcap of TLS connections whose TCP packets follow a script, around a real
// TLS 1.2 ClientHello and server flight that Go's crypto/tls makes for it (a fresh ECDSA
// certificate each run): for endings no stack makes on demand (a FIN answered by a RST in the
// middle of a handshake, a FIN carrying data, a server flight the capture lost).
//
//	go run ./testdata/captures/scripted/tcpscript < SCRIPT > OUT.pcap
//
// Script lines ('#' starts a comment):
//
//	conn <cport> [v6] [port=N]
//	                     start a connection: client 10.0.0.1:cport (2001:db8::1), server
//	                     10.0.0.2:443 (2001:db8::2), or the server on port N
//	<dt_ms> <c|s> <FLAGS> [payload] [ipid=N] [ttl=N] [win=N] [ack=N] [rtx]
//	                     a packet dt_ms after the one before, from the client or the server
//
// FLAGS: letters S A F R P ('-' for none), or GAP: the packet is not written, but its sequence
// numbers are spent (a segment the capture lost). payload: CH, CH1, CH2 (the ClientHello, its
// halves), SF (the server flight), SH (its ServerHello record), REST (the rest of the flight),
// app:N (an application-data record of N bytes), raw:N (N zero bytes). rtx resends the side's last
// payload. TTLs are 64 (client) and 60 (server); IP IDs count up from 100 and 5000; the window is
// 65535 unless win=N. A packet acknowledges everything the peer sent before it, unless ack=N: then
// its acknowledgement number is the peer's N-th byte in relative sequence numbers (as Wireshark
// shows them; 1 is the byte after the peer's SYN), to leave the peer's data unacknowledged. Raw
// data on port 443 reads as a client that does not speak TLS: a script about plain TCP chooses
// another port.
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

func flights() (ch []byte, sf []byte) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "srv.example.com"},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC), DNSNames: []string{"srv.example.com"}}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	a, b := net.Pipe()
	chc := make(chan []byte, 1)
	go func() {
		buf := make([]byte, 65536)
		n, _ := b.Read(buf) // client hello (go writes it in one write)
		chc <- append([]byte(nil), buf[:n]...)
	}()
	cli := tls.Client(a, &tls.Config{ServerName: "srv.example.com", InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})
	go cli.Handshake()
	ch = <-chc
	// server: feed ch, read its flight
	a2, b2 := net.Pipe()
	srv := tls.Server(b2, &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS12})
	go srv.Handshake()
	go a2.Write(ch)
	a2.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 65536)
	for {
		n, err := a2.Read(buf)
		sf = append(sf, buf[:n]...)
		if err != nil {
			break
		}
		a2.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	}
	return
}

// The sides' SYN sequence numbers.
const clientISN, serverISN = 1000, 5000

func main() {
	ch, sf := flights()
	shLen := 5 + (int(sf[3])<<8 | int(sf[4])) // the ServerHello record
	w := pcapgo.NewWriter(os.Stdout)
	w.WriteFileHeader(65535, layers.LinkTypeEthernet)
	t := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	var cseq, sseq uint32
	var cport layers.TCPPort
	sport := layers.TCPPort(443)
	v6 := false
	var lastPayload [2][]byte
	var lastSeq [2]uint32
	ipid := [2]uint16{100, 5000}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if f[0] == "conn" {
			p, _ := strconv.Atoi(f[1])
			cport = layers.TCPPort(p)
			cseq, sseq = clientISN, serverISN
			v6, sport = false, 443
			for _, a := range f[2:] {
				switch {
				case a == "v6":
					v6 = true
				case strings.HasPrefix(a, "port="):
					n, _ := strconv.Atoi(a[5:])
					sport = layers.TCPPort(n)
				}
			}
			continue
		}
		dt, _ := strconv.ParseFloat(f[0], 64)
		t = t.Add(time.Duration(dt * float64(time.Millisecond)))
		fromClient := f[1] == "c"
		d := 1
		if fromClient {
			d = 0
		}
		tcp := &layers.TCP{SrcPort: cport, DstPort: sport, Window: 65535}
		for _, c := range f[2] {
			switch c {
			case 'S':
				tcp.SYN = true
			case 'A':
				tcp.ACK = true
			case 'F':
				tcp.FIN = true
			case 'R':
				tcp.RST = true
			case 'P':
				tcp.PSH = true
			}
		}
		var payload []byte
		ttl := uint8(64)
		if !fromClient {
			ttl = 60
		}
		rtx := false
		setid := -1
		ack := int64(-1)
		for _, a := range f[3:] {
			switch {
			case a == "CH":
				payload = ch
			case a == "CH1":
				payload = ch[:len(ch)/2]
			case a == "CH2":
				payload = ch[len(ch)/2:]
			case a == "SF":
				payload = sf
			case a == "SH":
				payload = sf[:shLen]
			case a == "REST":
				payload = sf[shLen:]
			case strings.HasPrefix(a, "app:"):
				n, _ := strconv.Atoi(a[4:])
				payload = append([]byte{0x17, 3, 3, byte(n >> 8), byte(n)}, make([]byte, n)...)
			case strings.HasPrefix(a, "raw:"):
				n, _ := strconv.Atoi(a[4:])
				payload = make([]byte, n)
			case strings.HasPrefix(a, "ipid="):
				n, _ := strconv.Atoi(a[5:])
				setid = n
			case strings.HasPrefix(a, "ttl="):
				n, _ := strconv.Atoi(a[4:])
				ttl = uint8(n)
			case strings.HasPrefix(a, "win="):
				n, _ := strconv.Atoi(a[4:])
				tcp.Window = uint16(n)
			case strings.HasPrefix(a, "ack="):
				n, _ := strconv.ParseInt(a[4:], 10, 64)
				ack = n
			case a == "rtx":
				rtx = true
			}
		}
		if rtx {
			payload = lastPayload[d]
		}
		if fromClient {
			tcp.Seq, tcp.Ack = cseq, sseq
			if rtx {
				tcp.Seq = lastSeq[d]
			}
		} else {
			tcp.SrcPort, tcp.DstPort = sport, cport
			tcp.Seq, tcp.Ack = sseq, cseq
			if rtx {
				tcp.Seq = lastSeq[d]
			}
		}
		if ack >= 0 {
			isn := uint32(clientISN) // the peer's SYN sequence number
			if fromClient {
				isn = serverISN
			}
			tcp.Ack = isn + uint32(ack)
		}
		if !tcp.ACK {
			tcp.Ack = 0
		}
		if setid >= 0 {
			ipid[d] = uint16(setid)
		}
		var layersOut []gopacket.SerializableLayer
		if v6 {
			eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv6}
			ip := &layers.IPv6{Version: 6, HopLimit: ttl, NextHeader: layers.IPProtocolTCP, SrcIP: net.ParseIP("2001:db8::1"), DstIP: net.ParseIP("2001:db8::2")}
			if !fromClient {
				ip.SrcIP, ip.DstIP = ip.DstIP, ip.SrcIP
			}
			tcp.SetNetworkLayerForChecksum(ip)
			layersOut = []gopacket.SerializableLayer{eth, ip, tcp, gopacket.Payload(payload)}
		} else {
			eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
			ip := &layers.IPv4{Version: 4, TTL: ttl, Protocol: layers.IPProtocolTCP, SrcIP: net.IPv4(10, 0, 0, 1).To4(), DstIP: net.IPv4(10, 0, 0, 2).To4(), Id: ipid[d]}
			if !fromClient {
				ip.SrcIP, ip.DstIP = ip.DstIP, ip.SrcIP
			}
			tcp.SetNetworkLayerForChecksum(ip)
			layersOut = []gopacket.SerializableLayer{eth, ip, tcp, gopacket.Payload(payload)}
		}
		ipid[d]++
		if f[2] == "GAP" {
			if fromClient {
				cseq += uint32(len(payload))
			} else {
				sseq += uint32(len(payload))
			}
			continue
		}
		sb := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(sb, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, layersOut...); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		data := sb.Bytes()
		w.WritePacket(gopacket.CaptureInfo{Timestamp: t, CaptureLength: len(data), Length: len(data)}, data)
		if !rtx {
			adv := uint32(len(payload))
			if tcp.SYN || tcp.FIN {
				adv++
			}
			if len(payload) > 0 {
				lastPayload[d], lastSeq[d] = payload, tcp.Seq
			}
			if fromClient {
				cseq += adv
			} else {
				sseq += adv
			}
		}
	}
}
