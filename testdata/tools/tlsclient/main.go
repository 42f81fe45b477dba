// Command tlsclient is a small Go crypto/tls client for connscope's test captures: it connects,
// handshakes, optionally sends one HTTP GET and prints the response, then closes.
//
// Left at their defaults, the flags give crypto/tls's default client configuration (TLS 1.2 and
// 1.3 offered, X25519MLKEM768 and X25519 key shares, so a ~1.5 kB ClientHello).
//
//	tlsclient -connect 10.77.1.2:4343 -cafile ca.pem -get /
//	tlsclient -connect 10.77.1.2:4343 -local 10.77.1.4 -min 1.0 -max 1.0 -cafile ca.pem
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

var versions = map[string]uint16{
	"1.0": tls.VersionTLS10, "1.1": tls.VersionTLS11, "1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13,
}

func main() {
	connect := flag.String("connect", "", "server host:port (required)")
	local := flag.String("local", "", "local IP address to connect from (default: the route's source)")
	minV := flag.String("min", "", "lowest TLS version to offer: 1.0, 1.1, 1.2 or 1.3 (default: crypto/tls's)")
	maxV := flag.String("max", "", "highest TLS version to offer (default: crypto/tls's)")
	caFile := flag.String("cafile", "", "PEM file of the CAs to trust (default: the system's)")
	serverName := flag.String("servername", "", "name to verify and send as SNI (default: the host of -connect)")
	get := flag.String("get", "", "after the handshake, send GET for this path and print the response")
	certFile := flag.String("cert", "", "PEM file of a client certificate to present (with -key)")
	keyFile := flag.String("key", "", "PEM file of -cert's private key")
	wait := flag.Bool("wait", false, "after the handshake, send nothing and read until the server ends the session, then close (crypto/tls sends its close_notify)")
	flag.Parse()
	if *connect == "" {
		fmt.Fprintln(os.Stderr, "tlsclient: error: -connect is required")
		os.Exit(2)
	}
	config := &tls.Config{ServerName: *serverName}
	for _, v := range []struct {
		name string
		dst  *uint16
	}{{*minV, &config.MinVersion}, {*maxV, &config.MaxVersion}} {
		if v.name == "" {
			continue
		}
		n, ok := versions[v.name]
		if !ok {
			fmt.Fprintf(os.Stderr, "tlsclient: error: unknown TLS version %q\n", v.name)
			os.Exit(2)
		}
		*v.dst = n
	}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			fail(err)
		}
		config.RootCAs = x509.NewCertPool()
		if !config.RootCAs.AppendCertsFromPEM(pem) {
			fail(fmt.Errorf("no certificate in %s", *caFile))
		}
	}
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			fail(err)
		}
		config.Certificates = []tls.Certificate{cert}
	}
	if config.ServerName == "" {
		host, _, err := net.SplitHostPort(*connect)
		if err != nil {
			fail(err)
		}
		config.ServerName = host
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if *local != "" {
		ip := net.ParseIP(*local)
		if ip == nil {
			fail(fmt.Errorf("bad -local address %q", *local))
		}
		dialer.LocalAddr = &net.TCPAddr{IP: ip}
	}
	conn, err := tls.DialWithDialer(dialer, "tcp", *connect, config)
	if err != nil {
		fail(err)
	}
	defer conn.Close()
	st := conn.ConnectionState()
	fmt.Fprintf(os.Stderr, "tlsclient: %s -> %s: %s %s\n", conn.LocalAddr(), conn.RemoteAddr(),
		tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
	if *wait {
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		_, err := io.Copy(io.Discard, conn)
		fmt.Fprintf(os.Stderr, "tlsclient: the session ended: %v\n", err)
		return // the deferred Close
	}
	if *get == "" {
		return
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: connscope-tlsclient\r\nConnection: close\r\n\r\n", *get, *connect)
	if _, err := io.Copy(os.Stdout, conn); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "tlsclient: error: %v\n", err)
	os.Exit(1)
}
