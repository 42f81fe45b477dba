package main

import (
	"bufio"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"
)

// loadCert reads a PEM certificate and key for a crypto/tls server.
func loadCert(cert, key string) (tls.Certificate, error) {
	c, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return c, fmt.Errorf("loading %s/%s: %w", cert, key, err)
	}
	return c, nil
}

// acceptOne listens on addr and returns the first connection.
func acceptOne(addr string) (net.Conn, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	return l.Accept()
}

// drain reads from c until the peer closes or d passes.
func drain(c net.Conn, d time.Duration) {
	c.SetReadDeadline(time.Now().Add(d))
	io.Copy(io.Discard, c)
}

// garbageServer completes a TLS 1.2 handshake, answers one HTTP request inside TLS, then writes
// bytes that are no TLS record on the bare TCP connection: the client meets records that do not
// parse after the handshake is long done (a late protocol error, not a certificate problem).
func garbageServer(args []string) error {
	fs := flag.NewFlagSet("garbage-server", flag.ExitOnError)
	listen := fs.String("listen", "", "address to listen on")
	certFile := fs.String("cert", "", "PEM certificate")
	keyFile := fs.String("key", "", "PEM key")
	fs.Parse(args)
	cert, err := loadCert(*certFile, *keyFile)
	if err != nil {
		return err
	}
	raw, err := acceptOne(*listen)
	if err != nil {
		return err
	}
	defer raw.Close()
	tc := tls.Server(raw, &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS12})
	if err := tc.Handshake(); err != nil {
		return err
	}
	line, err := bufio.NewReader(tc).ReadString('\n')
	if err != nil {
		return err
	}
	fmt.Printf("request: %q\n", strings.TrimSpace(line))
	body := "connscope test stand-in for OfcNTCer.dat\n"
	fmt.Fprintf(tc, "HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	time.Sleep(300 * time.Millisecond)
	// Not a record: a record header needs a content type of 20-24 and version 3.x.
	if _, err := raw.Write([]byte("\x00\x00GARBAGE-AFTER-FINISHED: not a TLS record\r\n")); err != nil {
		return err
	}
	drain(raw, 5*time.Second)
	return nil
}

// draftServer reads one ClientHello record and answers it with a ServerHello in the layout of the
// TLS 1.3 drafts before draft 22: server_version 0x7f1c in the version field, then random,
// cipher_suite and extensions, with no legacy_session_id_echo and no compression method. A
// parser for RFC 8446/5246 ServerHellos cannot read it. Then it waits for the client to close.
func draftServer(args []string) error {
	fs := flag.NewFlagSet("draft-server", flag.ExitOnError)
	listen := fs.String("listen", "", "address to listen on")
	version := fs.Uint("version", 0x7f1c, "the ServerHello's version field")
	fs.Parse(args)
	c, err := acceptOne(*listen)
	if err != nil {
		return err
	}
	defer c.Close()
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(c, hdr); err != nil {
		return err
	}
	if _, err := io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint16(hdr[3:]))); err != nil {
		return err
	}
	var body []byte
	body = binary.BigEndian.AppendUint16(body, uint16(*version))
	random := make([]byte, 32)
	rand.Read(random)
	body = append(body, random...)
	body = append(body, 0x13, 0x01) // TLS_AES_128_GCM_SHA256
	// extensions: key_share (code 40 in the drafts) with one x25519 share
	share := make([]byte, 32)
	rand.Read(share)
	var ext []byte
	ext = binary.BigEndian.AppendUint16(ext, 40)
	ext = binary.BigEndian.AppendUint16(ext, 2+2+32)
	ext = binary.BigEndian.AppendUint16(ext, 0x001d)
	ext = binary.BigEndian.AppendUint16(ext, 32)
	ext = append(ext, share...)
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)
	msg := []byte{2, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}
	msg = append(msg, body...)
	rec := []byte{0x16, 0x03, 0x03, byte(len(msg) >> 8), byte(len(msg))}
	rec = append(rec, msg...)
	if _, err := c.Write(rec); err != nil {
		return err
	}
	drain(c, 5*time.Second)
	return nil
}

// startTLSServer speaks just enough of SMTP, IMAP, POP3 or FTP for `openssl s_client -starttls`
// (greeting, capabilities, the STARTTLS/STLS/AUTH TLS command and its go-ahead), then runs a
// crypto/tls server on the same connection and answers one line with one line. With -plain a
// client that never asks for TLS gets its QUIT/LOGOUT answered in clear.
func startTLSServer(args []string) error {
	fs := flag.NewFlagSet("starttls", flag.ExitOnError)
	listen := fs.String("listen", "", "address to listen on")
	proto := fs.String("proto", "smtp", "smtp, imap, pop3 or ftp")
	certFile := fs.String("cert", "", "PEM certificate")
	keyFile := fs.String("key", "", "PEM key")
	count := fs.Int("count", 1, "connections to serve, one after another")
	maxV := fs.String("max", "1.3", "highest TLS version: 1.2 or 1.3")
	fs.Parse(args)
	cert, err := loadCert(*certFile, *keyFile)
	if err != nil {
		return err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS13}
	if *maxV == "1.2" {
		cfg.MaxVersion = tls.VersionTLS12
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	defer l.Close()
	for i := 0; i < *count; i++ {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		if err := serveText(c, *proto, cfg); err != nil {
			fmt.Printf("connection %d: %v\n", i+1, err)
		}
		c.Close()
	}
	return nil
}

// textDialogue is one protocol's lines: the greeting, the answer to each command (by its first
// word, upper-cased), the command that starts TLS and its go-ahead, and the goodbye.
type textDialogue struct {
	greeting string
	answers  map[string]string
	starttls string
	goAhead  string
	quit     string
	bye      string
}

var dialogues = map[string]textDialogue{
	"smtp": {
		greeting: "220 mail.connscope.test ESMTP connscope-test\r\n",
		answers: map[string]string{
			"EHLO": "250-mail.connscope.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n",
			"HELO": "250 mail.connscope.test\r\n",
			"NOOP": "250 OK\r\n",
		},
		starttls: "STARTTLS", goAhead: "220 2.0.0 Ready to start TLS\r\n",
		quit: "QUIT", bye: "221 2.0.0 Bye\r\n",
	},
	"imap": {
		greeting: "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] connscope-test ready\r\n",
		answers: map[string]string{
			"CAPABILITY": "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n%s OK CAPABILITY completed\r\n",
			"NOOP":       "%s OK NOOP completed\r\n",
		},
		starttls: "STARTTLS", goAhead: "%s OK Begin TLS negotiation now\r\n",
		quit: "LOGOUT", bye: "* BYE logging out\r\n%s OK LOGOUT completed\r\n",
	},
	"pop3": {
		greeting: "+OK connscope-test POP3 ready\r\n",
		answers: map[string]string{
			"CAPA": "+OK\r\nSTLS\r\nUSER\r\n.\r\n",
			"NOOP": "+OK\r\n",
		},
		starttls: "STLS", goAhead: "+OK Begin TLS negotiation\r\n",
		quit: "QUIT", bye: "+OK bye\r\n",
	},
	"ftp": {
		greeting: "220 connscope-test FTP ready\r\n",
		answers: map[string]string{
			"FEAT": "211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 End\r\n",
			"NOOP": "200 OK\r\n",
		},
		starttls: "AUTH", goAhead: "234 Proceed with negotiation.\r\n",
		quit: "QUIT", bye: "221 Goodbye.\r\n",
	},
}

func serveText(c net.Conn, proto string, cfg *tls.Config) error {
	d, ok := dialogues[proto]
	if !ok {
		return fmt.Errorf("unknown protocol %q", proto)
	}
	c.SetDeadline(time.Now().Add(15 * time.Second))
	r := bufio.NewReader(c)
	io.WriteString(c, d.greeting)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		tag, cmd := "", strings.ToUpper(fields[0])
		if proto == "imap" && len(fields) > 1 {
			tag, cmd = fields[0], strings.ToUpper(fields[1])
		}
		say := func(s string) {
			if strings.Contains(s, "%s") {
				s = fmt.Sprintf(s, tag)
			}
			io.WriteString(c, s)
		}
		switch {
		case cmd == d.starttls:
			say(d.goAhead)
			tc := tls.Server(c, cfg)
			if err := tc.Handshake(); err != nil {
				return err
			}
			// Inside TLS: answer each line until QUIT/LOGOUT, then close with close_notify.
			tr := bufio.NewReader(tc)
			for {
				l, err := tr.ReadString('\n')
				if err != nil {
					return nil
				}
				f := strings.Fields(l)
				if len(f) == 0 {
					continue
				}
				tag, cmd = "", strings.ToUpper(f[0])
				if proto == "imap" && len(f) > 1 {
					tag, cmd = f[0], strings.ToUpper(f[1])
				}
				c2 := func(s string) {
					if strings.Contains(s, "%s") {
						s = fmt.Sprintf(s, tag)
					}
					io.WriteString(tc, s)
				}
				if cmd == d.quit {
					// close_notify and FIN, then wait for the client's close_notify and FIN,
					// so that the connection ends in an orderly way on both sides (SF).
					c2(d.bye)
					tc.CloseWrite()
					c.(*net.TCPConn).CloseWrite()
					drain(c, 3*time.Second)
					return nil
				}
				if a, ok := d.answers[cmd]; ok {
					c2(a)
				} else if proto == "imap" {
					c2("%s BAD unknown command\r\n")
				} else {
					c2("500 unknown command\r\n")
				}
			}
		case cmd == d.quit:
			say(d.bye)
			return nil
		default:
			if a, ok := d.answers[cmd]; ok {
				say(a)
			} else if proto == "imap" {
				say("%s BAD unknown command\r\n")
			} else {
				say("500 unknown command\r\n")
			}
		}
	}
}

// closeResetServer reads lines on a plain TCP connection and echoes each back; after -lines lines
// it closes with SO_LINGER 0, so that the kernel ends the connection with a RST.
func closeResetServer(args []string) error {
	fs := flag.NewFlagSet("close-reset-server", flag.ExitOnError)
	listen := fs.String("listen", "", "address to listen on")
	lines := fs.Int("lines", 10, "lines to echo before the reset")
	fs.Parse(args)
	c, err := acceptOne(*listen)
	if err != nil {
		return err
	}
	r := bufio.NewReader(c)
	for i := 0; i < *lines; i++ {
		l, err := r.ReadString('\n')
		if err != nil {
			c.Close()
			return err
		}
		io.WriteString(c, "echo "+l)
	}
	if tc, ok := c.(*net.TCPConn); ok {
		raw, _ := tc.SyscallConn()
		raw.Control(func(fd uintptr) {
			syscall.SetsockoptLinger(int(fd), syscall.SOL_SOCKET, syscall.SO_LINGER, &syscall.Linger{Onoff: 1, Linger: 0})
		})
	}
	return c.Close()
}
