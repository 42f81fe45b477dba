package track

import (
	"testing"
	"unsafe"

	"github.com/connscope/connscope/facts"
)

// TestFlowSize keeps the flow, allocated for every connection, within the allocator's 2688-byte
// size class, and the ref it keeps ~18 of free of pointers.
func TestFlowSize(t *testing.T) {
	if n := unsafe.Sizeof(flow{}); n > 2688 {
		t.Errorf("flow is %d bytes; keep it within the 2688-byte size class (it was 2464)", n)
	}
	if n := unsafe.Sizeof(ref{}); n != 16 {
		t.Errorf("ref is %d bytes, want 16", n)
	}
}

// TestRecordSize keeps the record every finished connection leaves behind small: the engine
// keeps one per listed connection.
func TestRecordSize(t *testing.T) {
	if n := unsafe.Sizeof(facts.Conn{}); n > 640 {
		t.Errorf("facts.Conn is %d bytes; keep it within 640", n)
	}
}
