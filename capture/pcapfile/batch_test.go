package pcapfile

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"
)

// batchesInFlight is how many batches TestReadBatchHolds keeps unreleased while it reads on: more
// than analyze's read-ahead keeps.
const batchesInFlight = 8

// A batch's payloads stay as they were read while the reader reads on, until the batch is released
// (pcap: slices of the chunks the file is read into; pcapng: copies in such chunks), for one file
// of either format, gzip-compressed, a rotated set and two capture points merged; the chunks are
// reused, their number bounded by the batches unreleased. The chunks are 4 KiB, so that each is
// reused many times over.
func TestReadBatchHolds(t *testing.T) {
	withChunkBytes(t, 4096)
	pcap := repeated(t, "tls-veth-nano.pcap", 3000)
	ng := repeatPcapng(t, mustRead(t, "dumpcap-3if.pcapng"), 30)
	parts := splitPcap(pcap, 1, 900, 2000)
	dir := writeFiles(t, map[string][]byte{"x.pcap": parts[0], "x.pcap1": parts[1], "x.pcap2": parts[2], "a.pcap": pcap, "b.pcapng": ng})
	p := func(n string) string { return filepath.Join(dir, n) }
	for _, tc := range []struct {
		name string
		open func() (*Reader, error)
		pool func(r *Reader) *chunkPool // the pool of its file; nil: not counted
	}{
		{"pcap", func() (*Reader, error) { return NewReader(bytes.NewReader(pcap), "x.pcap") }, func(r *Reader) *chunkPool { return r.one.files[0].fr.pcap.pool }},
		{"pcap gzip", func() (*Reader, error) { return NewReader(bytes.NewReader(gz(t, pcap)), "x.pcap.gz") }, func(r *Reader) *chunkPool { return r.one.files[0].fr.pcap.pool }},
		{"pcapng", func() (*Reader, error) { return NewReader(bytes.NewReader(ng), "x.pcapng") }, func(r *Reader) *chunkPool { return r.one.files[0].fr.ngPool }},
		{"rotated set", func() (*Reader, error) {
			return OpenInputs([]Input{{Path: p("x.pcap")}, {Path: p("x.pcap1")}, {Path: p("x.pcap2")}}, nil)
		}, nil},
		{"two capture points", func() (*Reader, error) {
			return OpenInputs([]Input{{Path: p("a.pcap"), Point: "a"}, {Path: p("b.pcapng"), Point: "b"}}, nil)
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref, err := tc.open()
			if err != nil {
				t.Fatal(err)
			}
			want, err := readAll(t, ref)
			ref.Close()
			if err != nil {
				t.Fatal(err)
			}
			r, err := tc.open()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var pool *chunkPool
			if tc.pool != nil {
				pool = tc.pool(r)
			}
			var held []*Batch
			n, payloads := 0, 0
			check := func(b *Batch) {
				for i := range b.Packets {
					got, w := &b.Packets[i], &want[n]
					if got.Index != w.Index || got.Point != w.Point || got.Kind != w.Kind ||
						!bytes.Equal(got.TCP.Payload, w.TCP.Payload) || !bytes.Equal(got.UDP.Payload, w.UDP.Payload) {
						t.Fatalf("packet %d (frame %d of point %d) changed before its batch was released: payload %q, read as %q",
							n+1, w.Index, w.Point, got.TCP.Payload, w.TCP.Payload)
					}
					if len(w.TCP.Payload) > 0 {
						payloads++
					}
					n++
				}
				b.Release()
			}
			for err == nil {
				var b *Batch
				if len(held) == batchesInFlight {
					b = held[0]
					check(b)
					held = held[1:]
				} else {
					b = &Batch{}
				}
				err = r.ReadBatch(b, 16)
				held = append(held, b)
			}
			if err != io.EOF {
				t.Fatal(err)
			}
			for _, b := range held {
				check(b)
			}
			if n != len(want) || payloads < len(want)/4 {
				t.Fatalf("%d packets (%d with a TCP payload) read in batches, %d by Next", n, payloads, len(want))
			}
			if pool != nil {
				// each batch holds at most batchChunks, the reader one, and one more is being filled
				if made, most := pool.made, batchesInFlight*batchChunks+2; made > most {
					t.Errorf("%d chunks made, want at most %d", made, most)
				} else if made < 2 {
					t.Errorf("%d chunks made: the batches held none", made)
				}
			}
		})
	}
}

// A batch ends early when its frames span batchChunks chunks, so that long frames cannot make
// the batches hold more memory than that.
func TestReadBatchBounded(t *testing.T) {
	withChunkBytes(t, 4096)
	r, err := NewReader(bytes.NewReader(repeated(t, "tls-veth-nano.pcap", 2000)), "x.pcap")
	if err != nil {
		t.Fatal(err)
	}
	pool := r.one.files[0].fr.pcap.pool
	var b Batch
	sizes := map[int]int{}
	for err = r.ReadBatch(&b, 256); err == nil; err = r.ReadBatch(&b, 256) {
		sizes[len(b.Packets)]++
		if len(b.held) > batchChunks {
			t.Fatalf("a batch of %d packets holds %d chunks", len(b.Packets), len(b.held))
		}
	}
	if err != io.EOF || sizes[256] > 0 || len(sizes) < 2 {
		t.Fatalf("batch sizes %v, then %v", sizes, err)
	}
	b.Release()
	if made := pool.made; made > batchChunks+2 {
		t.Errorf("%d chunks made for one batch at a time", made)
	}
	t.Logf("batch sizes %v", sizes)
}

// Reading in batches allocates nothing per packet once the chunks and batches exist.
func TestReadBatchNoAllocations(t *testing.T) {
	r, err := NewReader(bytes.NewReader(repeated(t, "tls-veth.pcap", 40000)), "x.pcap")
	if err != nil {
		t.Fatal(err)
	}
	bs := make([]Batch, 4)
	i := 0
	next := func() {
		b := &bs[i%len(bs)]
		i++
		if err := r.ReadBatch(b, 256); err != nil {
			t.Fatal(err)
		}
	}
	for range 20 {
		next()
	}
	if allocs := testing.AllocsPerRun(20, next); allocs > 0 {
		t.Errorf("%.1f allocations per batch of 256 packets", allocs)
	}
}
