// Command resetserver imitates a Windows (SChannel) management server that allows only
// TLS 1.2 and drops older clients without a TLS alert, for connscope's test captures.
//
// For each connection it reads the first TLS record, which must hold the ClientHello, and finds
// the highest version the client offers: the highest entry of the supported_versions extension
// when present (GREASE values ignored), otherwise the ClientHello's legacy_version. When that is
// below TLS 1.2 it aborts the connection without any TLS bytes: with -mode rst it sets SO_LINGER
// to 0 and closes, so the kernel sends a TCP RST; with -mode fin it closes normally (FIN). Other
// clients get a crypto/tls TLS 1.2 handshake and one HTTP response.
//
// It uses the standard library only and exits after -count connections (0 = never).
//
//	resetserver -listen 10.77.1.2:4343 -cert server.pem -key server.key -mode rst -count 5
package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

func main() {
	listen := flag.String("listen", ":4343", "TCP address to listen on")
	certFile := flag.String("cert", "server.pem", "PEM certificate chain")
	keyFile := flag.String("key", "server.key", "PEM private key")
	mode := flag.String("mode", "rst", "how to drop a client below TLS 1.2: rst (TCP reset) or fin (normal close)")
	count := flag.Int("count", 0, "exit after this many connections have been handled (0 = run until killed)")
	flag.Parse()
	if *mode != "rst" && *mode != "fin" {
		log.Fatalf("resetserver: -mode must be rst or fin, not %q", *mode)
	}
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatalf("resetserver: %v", err)
	}
	config := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   tls.VersionTLS12,
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("resetserver: %v", err)
	}
	log.Printf("resetserver: listening on %s (mode %s)", ln.Addr(), *mode)
	var wg sync.WaitGroup
	for n := 0; *count == 0 || n < *count; n++ {
		c, err := ln.Accept()
		if err != nil {
			log.Fatalf("resetserver: %v", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			handle(c.(*net.TCPConn), config, *mode)
		}()
	}
	wg.Wait()
	ln.Close()
}

func handle(c *net.TCPConn, config *tls.Config, mode string) {
	peer := c.RemoteAddr()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	record, err := readRecord(c)
	if err != nil {
		log.Printf("%s: reading the ClientHello: %v", peer, err)
		c.Close()
		return
	}
	highest, err := highestOfferedVersion(record)
	if err != nil {
		log.Printf("%s: %v", peer, err)
		c.Close()
		return
	}
	if highest < tls.VersionTLS12 {
		log.Printf("%s: client offers at most %s: dropping it (%s)", peer, tls.VersionName(highest), mode)
		if mode == "rst" {
			c.SetLinger(0)
		}
		c.Close()
		return
	}
	log.Printf("%s: client offers up to %s: handshaking", peer, tls.VersionName(highest))
	tc := tls.Server(&prefixConn{Conn: c, prefix: bytes.NewReader(record)}, config)
	defer c.Close()
	if err := tc.Handshake(); err != nil {
		log.Printf("%s: handshake: %v", peer, err)
		return
	}
	req, err := http.ReadRequest(bufio.NewReader(tc))
	if err != nil {
		log.Printf("%s: reading the request: %v", peer, err)
		return
	}
	body := "connscope resetserver: TLS 1.2 ok\n"
	fmt.Fprintf(tc, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	log.Printf("%s: %s %s answered", peer, req.Method, req.URL)
	// Close gracefully, so that the capture ends the same way every time: close_notify and FIN,
	// then read whatever the client still sends (its close_notify) until its FIN. Closing at once
	// would race the client's close_notify and answer it with a RST.
	tc.CloseWrite()
	c.CloseWrite()
	io.Copy(io.Discard, c)
}

// readRecord reads one whole TLS record (header included) from r.
func readRecord(r io.Reader) ([]byte, error) {
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, err
	}
	if hdr[0] != 22 {
		return nil, fmt.Errorf("first record has content type %d, not handshake (22)", hdr[0])
	}
	n := int(binary.BigEndian.Uint16(hdr[3:5]))
	if n > 16384+2048 {
		return nil, fmt.Errorf("record length %d is too long", n)
	}
	rec := make([]byte, 5+n)
	copy(rec, hdr)
	if _, err := io.ReadFull(r, rec[5:]); err != nil {
		return nil, err
	}
	return rec, nil
}

var errShort = errors.New("ClientHello is truncated or not in the first record")

// highestOfferedVersion returns the highest version a ClientHello record offers.
func highestOfferedVersion(rec []byte) (uint16, error) {
	b := rec[5:]
	// handshake header: type(1) length(3)
	if len(b) < 4 || b[0] != 1 {
		return 0, errors.New("first handshake message is not a ClientHello")
	}
	msgLen := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	if len(b) < 4+msgLen {
		return 0, errShort
	}
	b = b[4 : 4+msgLen]
	if len(b) < 2+32+1 {
		return 0, errShort
	}
	legacy := binary.BigEndian.Uint16(b)
	b = b[2+32:]
	skip := func(lenBytes int) bool { // skips a length-prefixed vector
		if len(b) < lenBytes {
			return false
		}
		n := 0
		for i := 0; i < lenBytes; i++ {
			n = n<<8 | int(b[i])
		}
		if len(b) < lenBytes+n {
			return false
		}
		b = b[lenBytes+n:]
		return true
	}
	if !skip(1) || !skip(2) || !skip(1) { // session_id, cipher_suites, compression_methods
		return 0, errShort
	}
	if len(b) < 2 { // no extensions
		return legacy, nil
	}
	exts := b[2:]
	if int(binary.BigEndian.Uint16(b)) != len(exts) {
		return 0, errors.New("ClientHello extensions length mismatch")
	}
	for len(exts) >= 4 {
		typ := binary.BigEndian.Uint16(exts)
		n := int(binary.BigEndian.Uint16(exts[2:]))
		if len(exts) < 4+n {
			return 0, errShort
		}
		data := exts[4 : 4+n]
		exts = exts[4+n:]
		if typ != 43 { // supported_versions
			continue
		}
		if len(data) < 1 || int(data[0]) != len(data)-1 || len(data)%2 != 1 {
			return 0, errors.New("malformed supported_versions extension")
		}
		var highest uint16
		for i := 1; i+1 < len(data); i += 2 {
			v := binary.BigEndian.Uint16(data[i:])
			if v&0x0f0f == 0x0a0a { // GREASE
				continue
			}
			if v > highest {
				highest = v
			}
		}
		return highest, nil
	}
	return legacy, nil
}

// prefixConn is a net.Conn whose first reads return bytes already read from it.
type prefixConn struct {
	net.Conn
	prefix *bytes.Reader
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if p.prefix.Len() > 0 {
		return p.prefix.Read(b)
	}
	return p.Conn.Read(b)
}

func init() { log.SetOutput(os.Stderr); log.SetFlags(log.Ltime | log.Lmicroseconds) }
