package arena

import (
	"bytes"
	"fmt"
	"testing"
)

// str is the i-th test string: its length varies from 1 to 400 bytes, its bytes tell it apart.
func str(i int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("%07d|", i)), 1+i%50)
}

// TestStringsRoundTrip adds strings, frees every third, and checks that every string not freed
// reads back as it was added, across chunks.
func TestStringsRoundTrip(t *testing.T) {
	var a Arena
	const n = 5000
	refs := make([]Ref, n)
	for i := range n {
		refs[i] = a.Add(str(i))
		if i%3 == 0 {
			a.Free(refs[i])
		}
	}
	if a.Chunks() < 5 {
		t.Fatalf("%d chunks: the strings should span several", a.Chunks())
	}
	for i := range n {
		if i%3 == 0 {
			continue
		}
		if got := a.Bytes(refs[i]); !bytes.Equal(got, str(i)) || refs[i].Len() != len(str(i)) {
			t.Fatalf("string %d reads back as %q (%d bytes), want %q", i, got, refs[i].Len(), str(i))
		}
	}
}

// TestChunksReusedInOrder keeps about 2,000 strings alive at once, ending them in the order they
// were added, over 100 times as many: the chunks in use stay those 2,000 strings fill (plus the
// one being filled and the one emptying), and the strings read back right after their chunks
// were reused. With NoReuse, no chunk is reused.
func TestChunksReusedInOrder(t *testing.T) {
	for _, noReuse := range []bool{false, true} {
		a := Arena{NoReuse: noReuse}
		const alive, total = 2000, 200000
		var refs []Ref
		size, most := 0, 0
		for i := range total {
			refs = append(refs, a.Add(str(i)))
			size += len(str(i))
			if i >= alive {
				j := i - alive
				if got := a.Bytes(refs[j]); !bytes.Equal(got, str(j)) {
					t.Fatalf("noReuse %v: string %d reads back as %q, want %q", noReuse, j, got, str(j))
				}
				a.Free(refs[j])
				size -= len(str(j))
			}
			most = max(most, a.Chunks())
		}
		if limit := size/ChunkSize + 3; most > limit {
			t.Errorf("noReuse %v: %d chunks at most for %d bytes alive: want at most %d", noReuse, most, size, limit)
		}
		if noReuse && a.Reused != 0 || !noReuse && a.Reused < total/alive {
			t.Errorf("noReuse %v: chunks reused %d times", noReuse, a.Reused)
		}
	}
}

// TestLongString: a string longer than ChunkSize gets a chunk of its own, dropped when it ends,
// and the chunk being filled goes on after it.
func TestLongString(t *testing.T) {
	var a Arena
	small := a.Add([]byte("before"))
	long := bytes.Repeat([]byte{'x'}, ChunkSize+1)
	r := a.Add(long)
	after := a.Add([]byte("after"))
	if a.Chunks() != 2 || after.chunk != small.chunk {
		t.Fatalf("%d chunks, the small strings in chunks %d and %d: want 2, the same", a.Chunks(), small.chunk, after.chunk)
	}
	if !bytes.Equal(a.Bytes(r), long) {
		t.Fatalf("the long string reads back wrong")
	}
	a.Free(r)
	if a.Chunks() != 1 || string(a.Bytes(small)) != "before" || string(a.Bytes(after)) != "after" {
		t.Fatalf("after the long string ended: %d chunks, strings %q %q", a.Chunks(), a.Bytes(small), a.Bytes(after))
	}
	a.Reset()
	if a.Chunks() != 0 {
		t.Fatalf("%d chunks after Reset", a.Chunks())
	}
}
