package names

import (
	"net/netip"
	"testing"
)

// TestSweepBounded: a full table of a two-point capture is walked for answered queries when a new
// query comes; when every query in it is unanswered the walk frees nothing, and the next
// MaxPending/4 queries are turned away without another walk. A table with answered queries makes
// room at once.
func TestSweepBounded(t *testing.T) {
	d := &Table{several: true, pending: map[dnsQueryKey]dnsPending{}}
	client := netip.MustParseAddr("10.92.1.1")
	for i := range MaxPending {
		d.pending[dnsQueryKey{netip.AddrPortFrom(client, uint16(i)), client, uint16(i)}] = dnsPending{client: client}
	}
	for range MaxPending/4 + 1 {
		if d.sweep() {
			t.Fatal("sweep made room in a table of unanswered queries")
		}
	}
	if d.sweeps != 1 {
		t.Errorf("%d walks for %d queries turned away, want 1", d.sweeps, MaxPending/4+1)
	}
	if d.sweep() || d.sweeps != 2 {
		t.Errorf("after the wait: %d walks, want 2", d.sweeps)
	}
	k := dnsQueryKey{netip.AddrPortFrom(client, 7), client, 7}
	p := d.pending[k]
	p.answered = true
	d.pending[k] = p
	d.sweepWait = 0
	if !d.sweep() || len(d.pending) != MaxPending-1 {
		t.Errorf("an answered query in the table: %d pending after the sweep, want %d", len(d.pending), MaxPending-1)
	}
}
