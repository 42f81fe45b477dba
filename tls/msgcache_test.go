package tls

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestMessageCacheSameParse: every stream of testdata, fed twice to Streams sharing a cache and
// once to a Stream without one, gives the same events: the second time from the cache.
func TestMessageCacheSameParse(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if len(files) < 10 {
		t.Fatalf("only %d test streams", len(files))
	}
	cache := NewMessageCache()
	hits := 0
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		c := loadCapture(t, name)
		for _, segs := range [][][]byte{c.client, c.server} {
			want, _ := feedAll(0, segs)
			for round := range 2 {
				s := NewStream(0)
				s.SetCache(cache)
				var got []Event
				for _, seg := range segs {
					got = append(got, s.Feed(seg)...)
				}
				if len(got) != len(want) {
					t.Fatalf("%s round %d: %d events, want %d", name, round, len(got), len(want))
				}
				for i := range got {
					g, w := got[i], want[i]
					if g.ClientHello != nil && w.ClientHello != nil {
						if g.ServerName != w.ClientHello.ServerName || g.ServerName != w.ServerName {
							t.Errorf("%s: server name %q, want %q", name, g.ServerName, w.ClientHello.ServerName)
						}
						gc, wc := *g.ClientHello, *w.ClientHello
						gc.Random, wc.Random, gc.SessionID, wc.SessionID, gc.ServerName, wc.ServerName = nil, nil, nil, nil, "", ""
						if !reflect.DeepEqual(gc, wc) {
							t.Errorf("%s: cached ClientHello %+v, want %+v", name, gc, wc)
						}
						if round == 1 && g.ClientHello == cache.hellos[func() msgKey { k, _, _ := cache.clientHelloKey(helloOf(t, segs)); return k }()] {
							hits++
						}
						g.ClientHello, w.ClientHello = nil, nil
					}
					if g.ServerHello != nil && w.ServerHello != nil {
						gs, ws := *g.ServerHello, *w.ServerHello
						gs.Random, ws.Random, gs.SessionID, ws.SessionID = nil, nil, nil, nil
						if !reflect.DeepEqual(gs, ws) {
							t.Errorf("%s: cached ServerHello %+v, want %+v", name, gs, ws)
						}
						g.ServerHello, w.ServerHello = nil, nil
					}
					if !reflect.DeepEqual(g, w) {
						t.Errorf("%s round %d event %d: %s, want %s", name, round, i, describe(g), describe(w))
					}
				}
			}
		}
	}
	if hits == 0 {
		t.Error("no ClientHello came from the cache")
	}
}

// helloOf returns the first client_hello message of a direction's segments.
func helloOf(t *testing.T, segs [][]byte) []byte {
	m := handshakeMessages(join(segs), HandshakeClientHello)
	if len(m) == 0 {
		return nil
	}
	return m[0]
}

// TestMessageCacheKeys: what each connection draws anew leaves the key alone; anything else
// changes it; and a message whose drawn-anew part does not parse is never served a cached parse.
func TestMessageCacheKeys(t *testing.T) {
	c := loadCapture(t, "lo_hrr")
	hellos := handshakeMessages(join(c.client), HandshakeClientHello)
	if len(hellos) == 0 {
		t.Fatal("no ClientHello in lo_hrr")
	}
	msg := hellos[0]
	var ch ClientHello
	if !ch.Unmarshal(append([]byte(nil), msg...)) || len(ch.KeyShareGroups) == 0 {
		t.Fatalf("the test hello does not parse or has no key share")
	}
	cache := NewMessageCache()
	base, _, ok := cache.clientHelloKey(msg)
	if !ok {
		t.Fatal("the test hello does not scan")
	}
	random := append([]byte(nil), msg...)
	random[10] ^= 0xff // inside the random (header 4, version 2, random 32)
	if k, _, _ := cache.clientHelloKey(random); k != base {
		t.Error("a different random changed the key")
	}
	suite := append([]byte(nil), msg...)
	off := 4 + 2 + 32
	off += 1 + int(suite[off]) + 2 // session id, then the cipher suites' length
	suite[off+1] ^= 0x01           // the first suite
	if k, _, _ := cache.clientHelloKey(suite); k == base {
		t.Error("a different cipher suite kept the key")
	}
	// A cached parse, then a message equal but for a server name that does not parse.
	if _, _, err := cache.clientHello(msg); err != nil {
		t.Fatalf("clientHello failed: %v", err)
	}
	bad := append([]byte(nil), msg...)
	if i := indexExtension(bad, uint16(ExtensionServerName)); i >= 0 {
		bad[i+4] ^= 0xff // the server name list's length
		if _, _, err := cache.clientHello(bad); err == nil {
			t.Error("a ClientHello with a broken server_name got a parse")
		}
	}
}

// indexExtension finds an extension's type in a ClientHello (a crude search: the tests' hellos
// hold the type where its bytes first occur past the cipher suites).
func indexExtension(msg []byte, typ uint16) int {
	for i := 4 + 2 + 32; i+4 < len(msg); i++ {
		if msg[i] == byte(typ>>8) && msg[i+1] == byte(typ) && msg[i+2] == 0 && msg[i+4] == 0 {
			return i
		}
	}
	return -1
}

// TestSharedRecordBuffers: every stream of testdata, cut into 97-byte segments so that its
// records span segments, gives the same events from Streams that share a cache (and so gather
// those records in the cache's reused buffers) as from Streams without one. The events are
// compared after every stream has run, so that a parse keeping bytes of a buffer that was
// reused since would show.
func TestSharedRecordBuffers(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if len(files) < 10 {
		t.Fatalf("only %d test streams", len(files))
	}
	cut := func(segs [][]byte) [][]byte {
		var out [][]byte
		for b := join(segs); len(b) > 0; {
			k := min(97, len(b))
			out, b = append(out, b[:k:k]), b[k:]
		}
		return out
	}
	type run struct {
		name      string
		got, want []Event
	}
	var runs []run
	cache := NewMessageCache()
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		c := loadCapture(t, name)
		for _, segs := range [][][]byte{cut(c.client), cut(c.server)} {
			want, _ := feedAll(0, segs)
			s := NewStream(0)
			s.SetCache(cache)
			var got []Event
			for _, seg := range segs {
				got = append(got, s.Feed(seg)...)
			}
			runs = append(runs, run{name, got, want})
		}
	}
	if len(cache.bufs) == 0 {
		t.Fatal("no record buffer went back to the cache: no record spanned segments")
	}
	for _, r := range runs {
		if len(r.got) != len(r.want) {
			t.Errorf("%s: %d events, want %d", r.name, len(r.got), len(r.want))
			continue
		}
		for i := range r.got {
			g, w := r.got[i], r.want[i]
			// A cached parse is the first equal message's: its random and session ID are that
			// one's, and it leaves the server name to the Event.
			for _, h := range []**ClientHello{&g.ClientHello, &w.ClientHello} {
				if *h != nil {
					c := **h
					c.Random, c.SessionID, c.ServerName = nil, nil, ""
					*h = &c
				}
			}
			for _, h := range []**ServerHello{&g.ServerHello, &w.ServerHello} {
				if *h != nil {
					c := **h
					c.Random, c.SessionID = nil, nil
					*h = &c
				}
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("%s event %d: %s, want %s", r.name, i, describe(g), describe(w))
			}
		}
	}
}
