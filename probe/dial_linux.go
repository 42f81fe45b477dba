//go:build linux

package probe

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// icmpErrorsVisible: on Linux a socket with IP_RECVERR queues the ICMP error that ended its
// connect, with the router that sent it, so a RST is told from an ICMP port unreachable.
const icmpErrorsVisible = true

// connectTCP connects to addr within timeout with a socket that keeps ICMP errors (IP_RECVERR,
// IPV6_RECVERR; no privileges needed) and returns the connection, or the error and the ICMP
// error that caused it, if any.
func connectTCP(ctx context.Context, addr string, timeout time.Duration) (net.Conn, *icmpError, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, nil, err
	}
	ip := ap.Addr().Unmap()
	family, level, opt := unix.AF_INET, unix.SOL_IP, unix.IP_RECVERR
	var sa unix.Sockaddr
	if ip.Is6() {
		family, level, opt = unix.AF_INET6, unix.SOL_IPV6, unix.IPV6_RECVERR
		sa = &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ip.As16()}
	} else {
		sa = &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ip.As4()}
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, os.NewSyscallError("socket", err)
	}
	closeFd := true
	defer func() {
		if closeFd {
			unix.Close(fd)
		}
	}()
	if err := unix.SetsockoptInt(fd, level, opt, 1); err != nil {
		return nil, nil, os.NewSyscallError("setsockopt", err)
	}
	err = unix.Connect(fd, sa)
	if err != nil && !errors.Is(err, unix.EINPROGRESS) {
		return nil, readICMPError(fd), &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(ap), Err: os.NewSyscallError("connect", err)}
	}
	deadline := time.Now().Add(timeout)
	for {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return nil, nil, &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(ap), Err: os.ErrDeadlineExceeded}
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
		n, err := unix.Poll(fds, int(min(wait, 50*time.Millisecond)/time.Millisecond)+1)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return nil, nil, os.NewSyscallError("poll", err)
		}
		if n > 0 {
			break
		}
	}
	soErr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return nil, nil, os.NewSyscallError("getsockopt", err)
	}
	if soErr != 0 {
		return nil, readICMPError(fd), &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(ap), Err: os.NewSyscallError("connect", unix.Errno(soErr))}
	}
	f := os.NewFile(uintptr(fd), "tcp")
	closeFd = false
	conn, err := net.FileConn(f) // dups the descriptor
	f.Close()
	return conn, nil, err
}

// readICMPError reads the socket's error queue for the ICMP error that ended the connect.
func readICMPError(fd int) *icmpError {
	buf := make([]byte, 512)
	oob := make([]byte, 512)
	_, oobn, _, _, err := unix.Recvmsg(fd, buf, oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
	if err != nil {
		return nil
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil
	}
	for _, m := range msgs {
		isV4 := m.Header.Level == unix.SOL_IP && m.Header.Type == unix.IP_RECVERR
		isV6 := m.Header.Level == unix.SOL_IPV6 && m.Header.Type == unix.IPV6_RECVERR
		if !isV4 && !isV6 || len(m.Data) < 16 {
			continue
		}
		// struct sock_extended_err, then the offender's sockaddr (SO_EE_OFFENDER).
		origin, typ, code := m.Data[4], m.Data[5], m.Data[6]
		if origin != unix.SO_EE_ORIGIN_ICMP && origin != unix.SO_EE_ORIGIN_ICMP6 {
			continue
		}
		e := &icmpError{v6: origin == unix.SO_EE_ORIGIN_ICMP6, typ: typ, code: code}
		off := m.Data[16:]
		if len(off) >= 2 {
			switch binary.NativeEndian.Uint16(off) {
			case unix.AF_INET:
				if len(off) >= 8 {
					e.from = netip.AddrFrom4([4]byte(off[4:8]))
				}
			case unix.AF_INET6:
				if len(off) >= 24 {
					e.from = netip.AddrFrom16([16]byte(off[8:24]))
				}
			}
		}
		return e
	}
	return nil
}
