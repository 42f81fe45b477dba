//go:build !linux

package probe

import (
	"context"
	"net"
	"time"
)

// icmpErrorsVisible: elsewhere the operating system reports an ICMP port unreachable as it
// reports a RST (connection refused), without the ICMP error.
const icmpErrorsVisible = false

// connectTCP connects to addr within timeout.
func connectTCP(ctx context.Context, addr string, timeout time.Duration) (net.Conn, *icmpError, error) {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	return conn, nil, err
}
