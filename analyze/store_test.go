package analyze

import (
	"testing"
	"unsafe"
)

// TestEntrySize keeps the entry the store keeps per listed connection, in memory whatever the
// records' spilling, at 28 bytes.
func TestEntrySize(t *testing.T) {
	if n := unsafe.Sizeof(entry{}); n > 28 {
		t.Errorf("entry is %d bytes; keep it within 28", n)
	}
}
