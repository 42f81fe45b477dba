package valuecache

import (
	"strings"

	"github.com/connscope/connscope/result"
)

// Recent holds some of the messages whose values a Cache had, each with its value: a message
// is compared with the two held in its places before its key is made and hashed (the flows
// that worked repeat a few reasons and evidence texts). A message's places are told from its
// shape (shapeOf); one added goes in place of the one of the two found longest ago.
type Recent struct {
	e    [64]recent
	tick uint64
}

// recent is a message, copied whole (its text may be in memory its flow reuses), its value,
// and when it was last found (Recent.tick).
type recent struct {
	m     result.Message
	v     []byte
	found uint64
}

// places returns the two entries a message of shape h may be held in.
func (r *Recent) places(h uint) (*recent, *recent) {
	h *= 0x9e3779b97f4a7c15
	return &r.e[h>>58], &r.e[h>>52&63]
}

// Get returns the value held for a message equal to m.
func (r *Recent) Get(m *result.Message) ([]byte, bool) {
	a, b := r.places(shapeOf(m))
	for _, e := range [2]*recent{a, b} {
		if e.v != nil && Equal(&e.m, m) {
			r.tick++
			e.found = r.tick
			return e.v, true
		}
	}
	return nil, false
}

// Add holds v, which nobody changes, as m's value, in place of the message of its two places
// found longest ago.
func (r *Recent) Add(m *result.Message, v []byte) {
	a, b := r.places(shapeOf(m))
	if b.found < a.found {
		a = b
	}
	r.tick++
	*a = recent{m: Clone(m), v: v, found: r.tick}
}

// shapeOf mixes what tells most messages apart cheaply: the lengths and last bytes of their
// texts, their numbers and how they nest.
func shapeOf(m *result.Message) uint {
	h := text(uint(len(m.Args)), m.Key)
	for i := range m.Args {
		a := &m.Args[i]
		h = text(text(h*31+uint(a.Kind), a.Name), a.Text)*31 + uint(a.Int)
		if a.Msg != nil {
			h = h*31 + shapeOf(a.Msg)
		}
		for j := range a.List {
			h = h*31 + shapeOf(&a.List[j])
		}
	}
	return h
}

// text mixes s's length and last byte into h.
func text(h uint, s string) uint {
	h = h*31 + uint(len(s))
	if len(s) > 0 {
		h = h*31 + uint(s[len(s)-1])
	}
	return h
}

// Equal reports whether a and b are the same message: worded alike in any language.
func Equal(a, b *result.Message) bool {
	if a.Key != b.Key || len(a.Args) != len(b.Args) {
		return false
	}
	for i := range a.Args {
		x, y := &a.Args[i], &b.Args[i]
		if x.Name != y.Name || x.Kind != y.Kind || x.Text != y.Text || x.Int != y.Int || x.Quote != y.Quote ||
			(x.Msg == nil) != (y.Msg == nil) || len(x.List) != len(y.List) {
			return false
		}
		if x.Msg != nil && !Equal(x.Msg, y.Msg) {
			return false
		}
		for j := range x.List {
			if !Equal(&x.List[j], &y.List[j]) {
				return false
			}
		}
	}
	return true
}

// Clone copies m whole, its texts too.
func Clone(m *result.Message) result.Message {
	c := result.Message{Key: strings.Clone(m.Key)}
	if m.Args == nil {
		return c
	}
	c.Args = make([]result.Arg, len(m.Args))
	for i, a := range m.Args {
		a.Name, a.Text = strings.Clone(a.Name), strings.Clone(a.Text)
		if a.Msg != nil {
			sub := Clone(a.Msg)
			a.Msg = &sub
		}
		if a.List != nil {
			list := make([]result.Message, len(a.List))
			for j := range a.List {
				list[j] = Clone(&a.List[j])
			}
			a.List = list
		}
		c.Args[i] = a
	}
	return c
}
