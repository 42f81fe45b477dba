package valuecache

import (
	"strings"

	"github.com/connscope/connscope/result"
)

// Recent holds some of the messages whose values a Cache had, each with its value: a message
// is compared with the one held in its place before its key is made and hashed (the flows that
// worked repeat a few reasons and evidence texts). A message's place is told from its shape
// (shapeOf): messages that share one take turns in it.
type Recent struct {
	e [64]recent
}

// recent is a message, copied whole (its text may be in memory its flow reuses), and its value.
type recent struct {
	m result.Message
	v []byte
}

// Get returns the value held for a message equal to m.
func (r *Recent) Get(m *result.Message) ([]byte, bool) {
	if e := &r.e[shapeOf(m)%uint(len(r.e))]; e.v != nil && equal(&e.m, m) {
		return e.v, true
	}
	return nil, false
}

// Add holds v, which nobody changes, as m's value, in place of the message held in its place.
func (r *Recent) Add(m *result.Message, v []byte) {
	r.e[shapeOf(m)%uint(len(r.e))] = recent{m: clone(m), v: v}
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
	return h ^ h>>17
}

// text mixes s's length and last byte into h.
func text(h uint, s string) uint {
	h = h*31 + uint(len(s))
	if len(s) > 0 {
		h = h*31 + uint(s[len(s)-1])
	}
	return h
}

// equal reports whether a and b are the same message: worded alike in any language.
func equal(a, b *result.Message) bool {
	if a.Key != b.Key || len(a.Args) != len(b.Args) {
		return false
	}
	for i := range a.Args {
		x, y := &a.Args[i], &b.Args[i]
		if x.Name != y.Name || x.Kind != y.Kind || x.Text != y.Text || x.Int != y.Int || x.Quote != y.Quote ||
			(x.Msg == nil) != (y.Msg == nil) || len(x.List) != len(y.List) {
			return false
		}
		if x.Msg != nil && !equal(x.Msg, y.Msg) {
			return false
		}
		for j := range x.List {
			if !equal(&x.List[j], &y.List[j]) {
				return false
			}
		}
	}
	return true
}

// clone copies m whole, its texts too.
func clone(m *result.Message) result.Message {
	c := result.Message{Key: strings.Clone(m.Key)}
	if m.Args == nil {
		return c
	}
	c.Args = make([]result.Arg, len(m.Args))
	for i, a := range m.Args {
		a.Name, a.Text = strings.Clone(a.Name), strings.Clone(a.Text)
		if a.Msg != nil {
			sub := clone(a.Msg)
			a.Msg = &sub
		}
		if a.List != nil {
			list := make([]result.Message, len(a.List))
			for j := range a.List {
				list[j] = clone(&a.List[j])
			}
			a.List = list
		}
		c.Args[i] = a
	}
	return c
}
