package valuecache

import (
	"testing"
	"unsafe"

	"github.com/connscope/connscope/result"
)

// TestRecent checks that a held value is found for an equal message only: messages that
// differ in a nested text, a number, the quoting or their nesting are told apart; messages of
// one shape (the same two places) take turns in them; a message whose text is changed in
// place after it was added (its flow's memory reused) is not taken for the one added.
func TestRecent(t *testing.T) {
	ver := func(v string) result.Message { return result.Msg("version", result.Text("v", v)) }
	hello := func(sni string, vs ...string) result.Message {
		var list []result.Message
		for _, v := range vs {
			list = append(list, ver(v))
		}
		return result.Msg("evidence.client-hello", result.List("versions", list), result.Text("sni", sni))
	}
	a, b := hello("perf.test", "TLS 1.2", "TLS 1.3"), hello("perf.test", "TLS 1.2", "TLS 1.2")
	var r Recent
	r.Add(&a, []byte("A"))
	if v, ok := r.Get(&a); !ok || string(v) != "A" {
		t.Fatalf("a: %q %v", v, ok)
	}
	if shapeOf(&a) == shapeOf(&b) {
		t.Fatal("TLS 1.2, TLS 1.3 and TLS 1.2, TLS 1.2 share a place")
	}
	for _, m := range []result.Message{b, hello("perf.tesT", "TLS 1.2", "TLS 1.3"), hello("perf.test", "TLS 1.2"),
		result.Msg("evidence.client-hello", result.List("versions", []result.Message{ver("TLS 1.2"), ver("TLS 1.3")}), result.Int("sni", 0))} {
		if v, ok := r.Get(&m); ok {
			t.Errorf("%+v: got %q, held for another message", m, v)
		}
	}
	// Same shape, other text: two take turns in its two places, the one found longest ago
	// leaving for a third.
	c, e := hello("perf.tost", "TLS 1.2", "TLS 1.3"), hello("perf.tust", "TLS 1.2", "TLS 1.3")
	if shapeOf(&a) != shapeOf(&c) || shapeOf(&a) != shapeOf(&e) {
		t.Fatal("the test wants messages of one shape")
	}
	r.Add(&c, []byte("C"))
	if v, ok := r.Get(&c); !ok || string(v) != "C" {
		t.Fatalf("c: %q %v", v, ok)
	}
	if v, ok := r.Get(&a); !ok || string(v) != "A" {
		t.Fatalf("a after c: %q %v", v, ok)
	}
	r.Add(&e, []byte("E"))
	if _, ok := r.Get(&c); ok {
		t.Error("c, found longest ago, still held after e came")
	}
	for _, m := range []struct {
		m    result.Message
		want string
	}{{a, "A"}, {e, "E"}} {
		if v, ok := r.Get(&m.m); !ok || string(v) != m.want {
			t.Errorf("%s: got %q %v", m.want, v, ok)
		}
	}
	// Bytes changed under a message that was added: what was held is a copy.
	buf := []byte("host-1")
	d := result.Msg("k", result.Text("h", string(buf)))
	d.Args[0].Text = unsafeText(buf)
	r.Add(&d, []byte("D"))
	copy(buf, "hast") // the same shape: the same place
	if _, ok := r.Get(&d); ok {
		t.Error("a message found after its text changed in place")
	}
}

// unsafeText is b as a string without a copy, as a flow's reused memory may be.
func unsafeText(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
