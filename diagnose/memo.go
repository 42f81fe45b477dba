package diagnose

import (
	"sync"
	"sync/atomic"
)

// maxMemos bounds what a Config's memos keep: their keys come from the capture (names asked
// for, server addresses), and a live capture's analysis runs for good. A capture's connections
// share a few hellos, chains and names; those past the bound are worked out per connection.
const maxMemos = 256

// memos are what the diagnosis of one analysis works out once and shares between connections:
// a hello's evidence parameters, a certificate chain's findings under a name. Values are
// shared, and read only. It is safe for concurrent use (a report makes flows on several
// goroutines).
type memos struct {
	m sync.Map // key -> value
	n atomic.Int32
}

// memo returns the value kept under k in cfg's memos, else made by mk and kept while there is
// room. A nil cfg keeps nothing.
func memo[K comparable, V any](cfg *Config, k K, mk func() V) V {
	if cfg == nil {
		return mk()
	}
	ms := &cfg.memos
	if v, ok := ms.m.Load(k); ok {
		return v.(V)
	}
	v := mk()
	if ms.n.Load() < maxMemos && ms.n.Add(1) <= maxMemos { // no count past the bound: it cannot wrap
		got, _ := ms.m.LoadOrStore(k, v)
		return got.(V)
	}
	return v
}
