package diagnose

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/connscope/connscope/tls"
)

// TestOriginBounded: ServerSeen.Hosts counts at most MaxServerHosts client addresses; a
// connection's origin words exactly how many of the server's handshakes come from its own host
// while that host is counted, and says it is not known when the host is past the bound and
// handshakes were left uncounted.
func TestOriginBounded(t *testing.T) {
	host := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}) }
	s := &ServerSeen{Accepted: map[tls.Version]int{}, Hosts: map[netip.Addr]int{}}
	for i := range MaxServerHosts + 2 { // two hosts past the bound
		s.Accepted[tls.VersionTLS12]++
		s.CountHost(host(i))
	}
	s.Accepted[tls.VersionTLS12]++
	s.CountHost(host(0)) // a counted host's second handshake is still counted
	if len(s.Hosts) != MaxServerHosts || s.HostsUncounted != 2 || s.Hosts[host(0)] != 2 {
		t.Fatalf("%d hosts counted, %d handshakes uncounted, %d from %v; want %d, 2, 2", len(s.Hosts), s.HostsUncounted, s.Hosts[host(0)], host(0), MaxServerHosts)
	}
	n := MaxServerHosts + 3
	cases := []struct {
		client netip.Addr
		want   string
	}{
		{host(0), fmt.Sprintf("2 of the %d from this client's host, 10.1.0.0, the others from other client hosts", n)},
		{host(MaxServerHosts), fmt.Sprintf("%d of the %d from other client hosts; the other 2 come from hosts past the first %d this report counts one by one, so how many of them are from 10.1.4.0 is not known", n-2, n, MaxServerHosts)},
		{netip.MustParseAddr("10.9.9.9"), fmt.Sprintf("%d of the %d from other client hosts; the other 2 come from hosts past the first %d this report counts one by one, so how many of them are from 10.9.9.9 is not known", n-2, n, MaxServerHosts)},
	}
	for _, c := range cases {
		if got := say(*s.origin("origin", c.client).Msg); got != c.want {
			t.Errorf("origin for %v:\n got %q\nwant %q", c.client, got, c.want)
		}
	}
	// Below the bound nothing is uncounted: a host with no handshake has none.
	small := &ServerSeen{Accepted: map[tls.Version]int{tls.VersionTLS12: 1}, Hosts: map[netip.Addr]int{}}
	small.CountHost(host(1))
	if got, want := say(*small.origin("origin", host(2)).Msg), "all from other client hosts, none from 10.1.0.2"; got != want {
		t.Errorf("origin below the bound: got %q, want %q", got, want)
	}
}
