package analyze

import (
	"net/netip"
	"testing"
)

// TestHostOf checks hostOf against netip.Addr.String for the forms AddrPort.String writes.
func TestHostOf(t *testing.T) {
	for _, s := range []string{"192.0.2.1:443", "[2001:db8::1]:4343", "[::ffff:192.0.2.1]:80", "[fe80::1%eth0]:8080", "[::]:1"} {
		ap := netip.MustParseAddrPort(s)
		if got, want := hostOf(ap.String(), ap.Addr()), ap.Addr().String(); got != want {
			t.Errorf("hostOf(%q) = %q, want %q", s, got, want)
		}
	}
	if got, want := hostOf(netip.AddrPort{}.String(), netip.Addr{}), (netip.Addr{}).String(); got != want {
		t.Errorf("hostOf of the zero AddrPort = %q, want %q", got, want)
	}
}
