package synth

import (
	"bytes"
	"testing"
	"time"

	"github.com/gopacket/gopacket/pcapgo"
)

// TestWrite checks that the generator writes at least the packets asked for, in time order, each
// copy with its own client address.
func TestWrite(t *testing.T) {
	var buf bytes.Buffer
	n, copies, err := Write(&buf, []string{"../../../shared/captures/zeek/tls1.2.pcap"}, 1000, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if n < 1000 || n%22 != 0 {
		t.Fatalf("wrote %d packets, want a whole number of 22-frame copies >= 1000", n)
	}
	r, err := pcapgo.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var last time.Time
	clients := map[[4]byte]bool{}
	for i := 0; i < n; i++ {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		if ci.Timestamp.Before(last) {
			t.Fatalf("packet %d goes back in time", i)
		}
		last = ci.Timestamp
		var ip [4]byte
		copy(ip[:], data[14+12:14+16])
		clients[ip] = true
	}
	if copies != n/22 {
		t.Errorf("%d copies, want %d", copies, n/22)
	}
	if want := n/22 + 1; len(clients) != want {
		t.Errorf("%d distinct source addresses, want %d (one per copy plus the server)", len(clients), want)
	}
}

// Every copy of a large capture has its own client address (copies 256 apart once shared one).
func TestCopyClientDistinct(t *testing.T) {
	seen := map[[4]byte]int{}
	for n := range 400000 {
		ip := CopyClient(n)
		if m, ok := seen[ip]; ok {
			t.Fatalf("copies %d and %d share client %v", m, n, ip)
		}
		if ip == [4]byte{10, 77, 1, 2} {
			t.Fatalf("copy %d has the templates' server address", n)
		}
		seen[ip] = n
	}
}
