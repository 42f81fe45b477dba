package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"
)

const tcpFastOpenConnect = 30 // TCP_FASTOPEN_CONNECT (Linux 4.11+)

// tfoClient makes -n TLS connections one after another over TCP Fast Open: with
// TCP_FASTOPEN_CONNECT, connect() returns at once and the first write (the ClientHello) rides in
// the SYN once the client holds a cookie from the server (the first connection asks for one).
// The client offers only X25519 so that its ClientHello fits one segment. The server's
// certificate is not verified (it names other addresses; the chain is not what these captures show).
func tfoClient(args []string) error {
	fs := flag.NewFlagSet("tfo-client", flag.ExitOnError)
	connect := fs.String("connect", "", "server host:port")
	n := fs.Int("n", 2, "connections")
	get := fs.String("get", "/", "path to GET in each connection")
	fs.Parse(args)
	d := net.Dialer{Control: func(network, address string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, tcpFastOpenConnect, 1)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	for i := 0; i < *n; i++ {
		raw, err := d.Dial("tcp", *connect)
		if err != nil {
			return err
		}
		tc := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, CurvePreferences: []tls.CurveID{tls.X25519}})
		if err := tc.Handshake(); err != nil {
			return err
		}
		fmt.Fprintf(tc, "GET %s HTTP/1.0\r\n\r\n", *get)
		b, _ := io.ReadAll(tc)
		fmt.Printf("connection %d: %s, %d bytes back\n", i+1, tls.VersionName(tc.ConnectionState().Version), len(b))
		tc.Close()
		time.Sleep(300 * time.Millisecond)
	}
	return nil
}

// abortClient starts a non-blocking connect() and, after -after, closes the socket with
// SO_LINGER 0 while it is still in SYN-SENT. Linux sends nothing then; when the server's (late)
// SYN-ACK arrives, the kernel finds no socket and answers with a RST: the client itself ended
// the attempt. It waits -wait before exiting so the RST is sent while the capture runs.
func abortClient(args []string) error {
	fs := flag.NewFlagSet("abort-client", flag.ExitOnError)
	connect := fs.String("connect", "", "server ip:port")
	after := fs.Duration("after", 300*time.Millisecond, "time in SYN-SENT before the close")
	wait := fs.Duration("wait", 3*time.Second, "time to stay alive after the close")
	fs.Parse(args)
	ap, err := net.ResolveTCPAddr("tcp4", *connect)
	if err != nil {
		return err
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK, 0)
	if err != nil {
		return err
	}
	sa := &syscall.SockaddrInet4{Port: ap.Port}
	copy(sa.Addr[:], ap.IP.To4())
	if err := syscall.Connect(fd, sa); err != nil && err != syscall.EINPROGRESS {
		return err
	}
	time.Sleep(*after)
	if err := syscall.SetsockoptLinger(fd, syscall.SOL_SOCKET, syscall.SO_LINGER, &syscall.Linger{Onoff: 1, Linger: 0}); err != nil {
		return err
	}
	syscall.Close(fd)
	fmt.Println("closed the socket in SYN-SENT")
	time.Sleep(*wait)
	return nil
}
