package diagnose

import "testing"

// TestMemoBounded: a Config's memos keep at most maxMemos values, hand back what they keep, make
// anew what they do not (the right value either way), stop counting at the bound, and a nil
// Config keeps nothing.
func TestMemoBounded(t *testing.T) {
	cfg := &Config{}
	made := 0
	mk := func(i int) func() int { return func() int { made++; return 3 * i } }
	for round := range 2 {
		for i := range maxMemos + 100 {
			if got := memo(cfg, i, mk(i)); got != 3*i {
				t.Fatalf("round %d: memo(%d) = %d, want %d", round, i, got, 3*i)
			}
		}
	}
	if want := maxMemos + 2*100; made != want {
		t.Errorf("made %d values, want %d (the kept ones once, the others every time)", made, want)
	}
	kept := 0
	cfg.memos.m.Range(func(_, _ any) bool { kept++; return true })
	if kept != maxMemos || cfg.memos.n.Load() != maxMemos {
		t.Errorf("kept %d values, counted %d; want %d", kept, cfg.memos.n.Load(), maxMemos)
	}
	made = 0
	for range 3 {
		if got := memo(nil, 7, mk(7)); got != 21 {
			t.Fatalf("memo without a Config = %d, want 21", got)
		}
	}
	if made != 3 {
		t.Errorf("without a Config: made %d values, want 3", made)
	}
}
