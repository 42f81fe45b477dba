package zeek

import "testing"

// A counted event adds its letter to the history at the 1st, 10th, 100th, ... occurrence, as
// Zeek's ScaledHistoryEntry does.
func TestScaledHistory(t *testing.T) {
	var z Conn
	var n int32
	var at []int
	for i := 1; i <= 100000; i++ {
		before := len(z.hist)
		z.scaled(server, &n, 'T')
		if len(z.hist) != before {
			at = append(at, i)
		}
	}
	if got, want := string(z.hist), "tttttt"; got != want {
		t.Errorf("history %q, want %q", got, want)
	}
	want := []int{1, 10, 100, 1000, 10000, 100000}
	if len(at) != len(want) {
		t.Fatalf("letters at %v, want %v", at, want)
	}
	for i := range want {
		if at[i] != want[i] {
			t.Fatalf("letters at %v, want %v", at, want)
		}
	}
}
