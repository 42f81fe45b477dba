package spill

import (
	"bytes"
	"fmt"
	"testing"
)

// TestWriteRead writes chunks, reads records back from them in and out of order (more chunks
// than the cache holds, so that some are read from the file again), and checks every byte.
func TestWriteRead(t *testing.T) {
	var f File
	var chunks [][]byte
	var at []int64
	for i := range 9 {
		c := bytes.Repeat([]byte(fmt.Sprintf("chunk %d;", i)), 100+i*37)
		a, ok := f.Write(c)
		if !ok {
			t.Skipf("no temporary file here (Failed %v)", f.Failed())
		}
		chunks, at = append(chunks, c), append(at, a)
	}
	for _, i := range []int{0, 8, 1, 7, 2, 6, 3, 5, 4, 0, 4, 8} {
		c := chunks[i]
		for _, r := range [][2]uint32{{0, 9}, {5, 40}, {uint32(len(c)) - 13, 13}} {
			got := f.Read(at[i], r[0], r[1])
			if !bytes.Equal(got, c[r[0]:r[0]+r[1]]) {
				t.Fatalf("chunk %d bytes %d+%d: %q, want %q", i, r[0], r[1], got, c[r[0]:r[0]+r[1]])
			}
		}
	}
	if f.Failed() {
		t.Errorf("Failed after writes that succeeded")
	}
}
