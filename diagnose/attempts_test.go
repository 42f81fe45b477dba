package diagnose

import (
	"slices"
	"testing"
)

// TestAttemptsAdd: Attempts counts every attempt and keeps the lowest MaxAttempts IDs in order,
// whatever order the records come in (tracking finishes connections out of ID order).
func TestAttemptsAdd(t *testing.T) {
	cases := []struct {
		name string
		ids  []int32
		want []int32
	}{
		{"in order", []int32{1, 2, 3}, []int32{1, 2, 3}},
		{"out of order", []int32{3, 1, 2}, []int32{1, 2, 3}},
		{"a repeated ID counts once in the list", []int32{5, 5}, []int32{5}},
		{"past the bound, the lowest stay", []int32{40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21},
			[]int32{21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36}},
		{"a higher ID past the bound is counted, not kept", []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 99},
			[]int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
	}
	for _, tc := range cases {
		var a Attempts
		for _, id := range tc.ids {
			a.Add(id)
		}
		if a.N != len(tc.ids) || !slices.Equal(a.IDs, tc.want) {
			t.Errorf("%s: N %d, IDs %v; want N %d, IDs %v", tc.name, a.N, a.IDs, len(tc.ids), tc.want)
		}
	}
}
