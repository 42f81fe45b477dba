package probe

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/connscope/connscope/result"
)

// lookup resolves name with the system resolver, then with each DNS server of the options, and
// returns each one's answer, the system's first.
func (p *prober) lookup(ctx context.Context, name string) []result.ProbeLookup {
	out := []result.ProbeLookup{resolveWith(ctx, "system", net.DefaultResolver, name, p.opts.Timeout)}
	for _, server := range p.opts.Resolvers {
		server := server
		r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{Timeout: p.opts.Timeout}).DialContext(ctx, network, server)
		}}
		out = append(out, resolveWith(ctx, server, r, name, p.opts.Timeout))
	}
	return out
}

func resolveWith(ctx context.Context, label string, r *net.Resolver, name string, timeout time.Duration) result.ProbeLookup {
	l := result.ProbeLookup{Resolver: label, Addresses: []string{}}
	ctx, cancel := context.WithTimeout(ctx, 2*timeout)
	defer cancel()
	start := time.Now()
	addrs, err := r.LookupNetIP(ctx, "ip", name)
	l.Seconds = time.Since(start).Seconds()
	for _, a := range addrs {
		l.Addresses = append(l.Addresses, a.Unmap().String())
	}
	var de *net.DNSError
	switch {
	case err == nil && len(addrs) > 0:
		l.Outcome = "ok"
	case err == nil:
		l.Outcome = "no-address"
	case errors.As(err, &de) && de.IsNotFound:
		l.Outcome, l.Error = "nxdomain", err.Error()
	case errors.As(err, &de) && de.IsTimeout, errors.Is(err, context.DeadlineExceeded):
		l.Outcome, l.Error = "timeout", err.Error()
	default:
		l.Outcome, l.Error = "error", err.Error()
	}
	return l
}

// systemResolvers reads the DNS servers of /etc/resolv.conf ("ip:53"); none on systems
// without it (Windows), where only the system resolver is asked.
func systemResolvers() []string {
	if runtime.GOOS == "windows" {
		return []string{}
	}
	f, err := os.Open("/etc/resolv.conf")
	if err != nil {
		return []string{}
	}
	defer f.Close()
	out := []string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "nameserver" {
			if a, err := netip.ParseAddr(fields[1]); err == nil {
				out = append(out, netip.AddrPortFrom(a, 53).String())
			}
		}
	}
	return out
}
