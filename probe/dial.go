package probe

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/connscope/connscope/result"
)

// tcpOutcome is how one TCP connect went.
type tcpOutcome struct {
	verdict string // result.Verdict* words: ok, refused, syn-timeout, unreachable; "error" otherwise
	elapsed time.Duration
	err     error
}

// dial opens a TCP connection to addr within the timeout and names the outcome as analyze
// names it: refused (the connect was answered by a RST, or by an ICMP port unreachable, which
// the operating system reports alike), syn-timeout (no answer), unreachable (an ICMP host or
// network unreachable the operating system reported).
func (p *prober) dial(ctx context.Context, addr string) (net.Conn, tcpOutcome) {
	p.connections++
	d := net.Dialer{Timeout: p.opts.Timeout}
	start := time.Now()
	conn, err := d.DialContext(ctx, "tcp", addr)
	out := tcpOutcome{elapsed: time.Since(start), err: err}
	switch {
	case err == nil:
		out.verdict = string(result.VerdictOK)
	case isRefused(err):
		out.verdict = string(result.VerdictRefused)
	case isUnreachable(err):
		out.verdict = string(result.VerdictUnreachable)
	case isTimeout(err):
		out.verdict = string(result.VerdictSYNTimeout)
	default:
		out.verdict = "error"
	}
	return conn, out
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() || isErrnoTimeout(err)
}
