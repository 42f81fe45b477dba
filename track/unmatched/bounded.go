package unmatched

// bounded is a table of at most max values by key (max: add's), for what many keys show when
// few of them matter (a scanner among the clients of a capture): when it is full, the values that
// single reports (most: a client's one connection) are forgotten, at most once per max/4 new keys,
// and their slots go to new keys; with no slot to give, a new key is not counted. Slots are int32
// indexes into vals, stable while their key is held. The zero table is empty; its index is made
// on the first key. The source probes (probes.go) and the sweep pairs (sweeps.go) are two.
type bounded[K comparable, V any] struct {
	index      map[K]int32 // a key's slot
	keys       []K         // each slot's key (a forgotten key's, until its slot is reused)
	vals       []V         // each slot's value
	free       []int32     // slots of forgotten keys, to reuse
	sincePurge int         // new keys met since the last purge
}

// find returns k's slot; -1 if none.
func (t *bounded[K, V]) find(k K) int32 {
	if i, ok := t.index[k]; ok {
		return i
	}
	return -1
}

// add returns k's slot and whether it was made now (its value is then either new or a forgotten
// key's: the caller empties it); -1 if there is no room. When the table holds max slots and none
// is free, it first forgets the values single reports (see purge), at most once per max/4 new keys.
func (t *bounded[K, V]) add(k K, max int, single func(i int32, v *V) bool) (int32, bool) {
	if i, ok := t.index[k]; ok {
		return i, false
	}
	t.sincePurge++
	if len(t.free) == 0 && len(t.vals) >= max && t.sincePurge >= max/4 {
		t.purge(single)
	}
	var i int32
	switch {
	case len(t.free) > 0:
		i = t.free[len(t.free)-1]
		t.free = t.free[:len(t.free)-1]
		t.keys[i] = k
	case len(t.vals) < max:
		i = int32(len(t.vals))
		t.keys = append(t.keys, k)
		var zero V
		t.vals = append(t.vals, zero)
	default:
		return -1, false
	}
	if t.index == nil {
		t.index = make(map[K]int32)
	}
	t.index[k] = i
	return i, true
}

// purge forgets the keys whose values single reports (it may release what they hold; the value
// stays in its slot until the slot is reused). Every slot holds a key: add purges only when none
// is free.
func (t *bounded[K, V]) purge(single func(i int32, v *V) bool) {
	t.sincePurge = 0
	for i := range t.vals {
		if single(int32(i), &t.vals[i]) {
			delete(t.index, t.keys[i])
			t.free = append(t.free, int32(i))
		}
	}
}
