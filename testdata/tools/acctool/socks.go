package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// socksProxy is a SOCKS4/4a/5 proxy (RFC 1928 CONNECT, no authentication; SOCKS4 CONNECT with
// an optional 4a host name) that serves -count clients one after another, each to its end.
func socksProxy(args []string) error {
	fs := flag.NewFlagSet("socks", flag.ExitOnError)
	listen := fs.String("listen", "", "address to listen on")
	count := fs.Int("count", 1, "connections to serve")
	fs.Parse(args)
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
		if err := socksServe(c); err != nil {
			fmt.Printf("connection %d: %v\n", i+1, err)
		}
	}
	return nil
}

func socksServe(c net.Conn) error {
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	ver, err := r.ReadByte()
	if err != nil {
		return err
	}
	var target string
	var reply func(ok bool)
	switch ver {
	case 4:
		// VN=4 CD=1 DSTPORT DSTIP USERID\0 [HOST\0 when DSTIP is 0.0.0.x]
		hdr := make([]byte, 7)
		if _, err := io.ReadFull(r, hdr); err != nil {
			return err
		}
		if hdr[0] != 1 {
			return fmt.Errorf("SOCKS4 command %d, only CONNECT (1)", hdr[0])
		}
		port := binary.BigEndian.Uint16(hdr[1:3])
		ip := net.IP(hdr[3:7])
		if _, err := r.ReadString(0); err != nil { // user id
			return err
		}
		host := ip.String()
		if ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0 {
			h, err := r.ReadString(0)
			if err != nil {
				return err
			}
			host = h[:len(h)-1]
		}
		target = net.JoinHostPort(host, strconv.Itoa(int(port)))
		reply = func(ok bool) {
			code := byte(90)
			if !ok {
				code = 91
			}
			c.Write([]byte{0, code, 0, 0, 0, 0, 0, 0})
		}
	case 5:
		n, err := r.ReadByte()
		if err != nil {
			return err
		}
		methods := make([]byte, n)
		if _, err := io.ReadFull(r, methods); err != nil {
			return err
		}
		c.Write([]byte{5, 0}) // no authentication
		req := make([]byte, 4)
		if _, err := io.ReadFull(r, req); err != nil {
			return err
		}
		if req[1] != 1 {
			return fmt.Errorf("SOCKS5 command %d, only CONNECT (1)", req[1])
		}
		var host string
		switch req[3] {
		case 1:
			b := make([]byte, 4)
			io.ReadFull(r, b)
			host = net.IP(b).String()
		case 4:
			b := make([]byte, 16)
			io.ReadFull(r, b)
			host = net.IP(b).String()
		case 3:
			l, _ := r.ReadByte()
			b := make([]byte, l)
			io.ReadFull(r, b)
			host = string(b)
		default:
			return fmt.Errorf("SOCKS5 address type %d", req[3])
		}
		p := make([]byte, 2)
		if _, err := io.ReadFull(r, p); err != nil {
			return err
		}
		target = net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(p))))
		reply = func(ok bool) {
			code := byte(0)
			if !ok {
				code = 5 // connection refused
			}
			c.Write([]byte{5, code, 0, 1, 0, 0, 0, 0, 0, 0})
		}
	default:
		return errors.New("not a SOCKS request")
	}
	up, err := net.DialTimeout("tcp", target, 5*time.Second)
	if err != nil {
		reply(false)
		return err
	}
	defer up.Close()
	reply(true)
	c.SetDeadline(time.Time{})
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, r); up.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
	go func() { io.Copy(c, up); c.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
	<-done
	<-done
	return nil
}
