package exportredact_test

import (
	"encoding/binary"
	"io"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/exportredact"
	"github.com/connscope/connscope/redact"
)

// fuzzLinkTypes are the link types a fuzz input's first byte picks from.
var fuzzLinkTypes = []layers.LinkType{layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL, layers.LinkTypeLinuxSLL2,
	layers.LinkTypeRaw, layers.LinkTypeNull, layers.LinkTypeLoop, layers.LinkTypeIPv4, layers.LinkTypeIPv6, 147}

// FuzzFrame feeds one Rewriter a sequence of frames (a link type byte, then frames each
// prefixed by a 2-byte length), seeded with whole connections from real captures: it must not
// panic, must not lengthen a frame, and must keep the length on the wire it is given.
func FuzzFrame(f *testing.F) {
	for _, name := range []string{"seed-reset-fleet.pcap", "sll2-tls12-ok.pcap", "ipv6-tls12-ok.pcap", "path-port-unreachable.pcap", "dns-ok-by-name.pcap", "plain-http-to-tls.pcap"} {
		f.Add(fuzzSeed(f, name))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 1 {
			return
		}
		lt := fuzzLinkTypes[int(in[0])%len(fuzzLinkTypes)]
		w := exportredact.New(redact.New())
		for in = in[1:]; len(in) >= 2; {
			n := min(int(binary.BigEndian.Uint16(in)), len(in)-2)
			frame := append([]byte(nil), in[2:2+n]...)
			in = in[2+n:]
			out, wire := w.Frame(frame, lt, n+7)
			if out != nil && (len(out) > n || wire != n+7) {
				t.Fatalf("a %d-byte frame came out as %d bytes, %d on the wire", n, len(out), wire)
			}
		}
	})
}

// fuzzSeed encodes the first 40 frames of a capture as a fuzz input.
func fuzzSeed(f *testing.F, name string) []byte {
	r, err := pcapfile.Open(filepath.Join(captures, name))
	if err != nil {
		f.Fatal(err)
	}
	defer r.Close()
	var seed []byte
	var p capture.Packet
	for i := 0; i < 40; i++ {
		if err := r.Next(&p); err == io.EOF {
			break
		} else if err != nil {
			f.Fatal(err)
		}
		data, _, lt := r.Raw()
		if seed == nil {
			for k, l := range fuzzLinkTypes {
				if l == lt {
					seed = append(seed, byte(k))
				}
			}
		}
		seed = binary.BigEndian.AppendUint16(seed, uint16(len(data)))
		seed = append(seed, data...)
	}
	return seed
}
