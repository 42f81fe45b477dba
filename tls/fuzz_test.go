package tls

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// Fuzz targets, seeded with the real handshakes of testdata. Run one with, for example,
//
//	go test -fuzz=FuzzStream -fuzztime=30s ./tls/

func FuzzClientHello(f *testing.F) {
	for _, name := range captureNames(f) {
		for _, m := range handshakeMessages(join(loadCapture(f, name).client), HandshakeClientHello) {
			f.Add(m)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m ClientHello
		if err := m.Parse(data); err != nil {
			checkHelloError(t, err, data, HandshakeClientHello)
			return
		}
		if m.Unmarshal(data[:len(data)-1]) {
			t.Fatal("a prefix parsed")
		}
		m.Unmarshal(data)
		checkOffered(t, &m)
	})
}

func FuzzServerHello(f *testing.F) {
	for _, name := range captureNames(f) {
		for _, m := range handshakeMessages(join(loadCapture(f, name).server), HandshakeServerHello) {
			f.Add(m)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m ServerHello
		if err := m.Parse(data); err != nil {
			checkHelloError(t, err, data, HandshakeServerHello)
			return
		}
		if m.Unmarshal(data[:len(data)-1]) {
			t.Fatal("a prefix parsed")
		}
		m.Unmarshal(data)
		if len(m.Random) != 32 || m.HelloRetryRequest != bytes.Equal(m.Random, helloRetryRequestRandom) {
			t.Fatalf("Random %x, HelloRetryRequest %v", m.Random, m.HelloRetryRequest)
		}
		if v := m.ChosenVersion(); v != m.SupportedVersion && v != m.LegacyVersion {
			t.Fatalf("ChosenVersion %v", v)
		}
	})
}

// checkHelloError checks what a hello that did not parse says of where it stopped: a
// *HelloError of the message's type naming a field and a problem, at an offset within the
// message, with lengths no larger than what the message could hold, and Unmarshal agreeing.
func checkHelloError(t *testing.T, err error, data []byte, typ HandshakeType) {
	t.Helper()
	var e *HelloError
	if !errors.As(err, &e) || !errors.Is(err, ErrMalformed) {
		t.Fatalf("%T %v", err, err)
	}
	if e.Message != typ || e.Field == FieldNone || e.Field > FieldExtensionData || e.Problem == ProblemNone ||
		e.Problem > ProblemDuplicate || e.Offset < 0 || e.Offset > len(data) || e.Declared < 0 ||
		e.Declared > 1<<24 || e.Available < 0 || e.Available > len(data) {
		t.Fatalf("%+v for %d bytes", *e, len(data))
	}
	if e.Field < FieldExtension && e.Extension != 0 {
		t.Fatalf("an extension type for field %v: %+v", e.Field, *e)
	}
	var ch ClientHello
	var sh ServerHello
	if typ == HandshakeClientHello && ch.Unmarshal(data) || typ == HandshakeServerHello && sh.Unmarshal(data) {
		t.Fatal("Unmarshal parsed what Parse did not")
	}
}

func FuzzSSLv2(f *testing.F) {
	f.Add(loadCapture(f, "ssl_v2").client[0])
	f.Add(loadCapture(f, "ssl_v2").server[0])
	f.Add(loadCapture(f, "lo_sslv2hello_tls12").client[0])
	f.Fuzz(func(t *testing.T, data []byte) {
		var ch ClientHello
		if ch.UnmarshalSSLv2(data) {
			if !ch.SSLv2 || len(ch.Random) < 16 || len(ch.Random) > 32 || ch.UnmarshalSSLv2(data[:len(data)-1]) {
				t.Fatalf("%+v", ch)
			}
			ch.UnmarshalSSLv2(data)
			checkOffered(t, &ch)
		}
		var sh ServerHello
		if sh.UnmarshalSSLv2(data) {
			if !sh.SSLv2 || len(sh.Random) < 16 || sh.UnmarshalSSLv2(data[:len(data)-1]) {
				t.Fatalf("%+v", sh)
			}
		}
	})
}

// checkOffered checks the OfferedVersions contract: no GREASE, no duplicates, ascending by
// Rank, HighestVersion its last element.
func checkOffered(t *testing.T, m *ClientHello) {
	vs := m.OfferedVersions()
	for i, v := range vs {
		if v.IsGREASE() || slices.Contains(vs[:i], v) || i > 0 && vs[i-1].Rank() > v.Rank() {
			t.Fatalf("OfferedVersions %v", vs)
		}
	}
	if h := m.HighestVersion(); len(vs) > 0 && h != vs[len(vs)-1] || len(vs) == 0 && h != 0 {
		t.Fatalf("HighestVersion %v of %v", h, vs)
	}
}

func FuzzStream(f *testing.F) {
	for _, name := range captureNames(f) {
		c := loadCapture(f, name)
		for _, dir := range [][][]byte{c.client, c.server} {
			// The first kilobyte holds the hellos; longer seeds make minimizing slow.
			if b := join(dir); len(b) > 0 {
				f.Add(b[:min(len(b), 1024)], uint64(len(b)))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		limit := 0
		if seed%3 == 0 {
			limit = int(seed>>8) % (len(data) + 1)
		}
		want := run(data, limit, whole)
		splits := []func([]byte) [][]byte{randomSplits(seed)}
		if len(data) < 512 {
			splits = append(splits, bytewise)
		}
		for _, split := range splits {
			if got := run(data, limit, split); !reflect.DeepEqual(got, want) {
				t.Fatalf("split changes the outcome:\n got %+v\nwant %+v", got, want)
			}
		}
		// Spans lie within what was fed, in stream order; buffers stay within their caps.
		s := NewStream(limit)
		r := rand.New(rand.NewPCG(seed, 1))
		var last int64
		for p := data; len(p) > 0; {
			n := min(len(p), 1+r.IntN(64))
			for _, ev := range s.Feed(p[:n]) {
				if ev.Start < 0 || ev.Start >= ev.End || ev.End > s.Offset() || ev.End < last {
					t.Fatalf("span %d-%d after %d, offset %d: %s", ev.Start, ev.End, last, s.Offset(), describe(ev))
				}
				last = ev.End
				if ev.Kind == EventError && !s.Done() {
					t.Fatal("not Done after an error")
				}
			}
			p = p[n:]
		}
		if cap(s.buf) > 2*(sslv2HeaderLen+0x7fff) || cap(s.hs) > 2*(handshakeHeaderLen+MaxHandshakeMessage) {
			t.Fatalf("buffers of %d and %d bytes", cap(s.buf), cap(s.hs))
		}
	})
}

// captureNames lists the testdata captures.
func captureNames(t testing.TB) []string {
	names := []string{}
	for name := range captureSet(t) {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// FuzzMessageCache: a message handed to a cache after another one gets the parse a Stream
// without a cache makes of it, but for what the cache's keys leave out on purpose (the random,
// the session ID and the server name, which each Event carries of its own): a cached parse
// never goes to a message that would not parse, or that parses otherwise. kind picks the
// message: a ClientHello, a ServerHello, a Certificate of TLS 1.2 or of TLS 1.3.
func FuzzMessageCache(f *testing.F) {
	for _, name := range captureNames(f) {
		c := loadCapture(f, name)
		for _, m := range handshakeMessages(join(c.client), HandshakeClientHello) {
			f.Add(m, otherRandom(m), uint8(0))
		}
		server := join(c.server)
		for _, m := range handshakeMessages(server, HandshakeServerHello) {
			f.Add(m, otherRandom(m), uint8(1))
		}
		for _, m := range handshakeMessages(server, HandshakeCertificate) {
			f.Add(m, bytes.Clone(m), uint8(2))
		}
	}
	f.Fuzz(func(t *testing.T, first, second []byte, kind uint8) {
		cache := NewMessageCache()
		switch kind % 4 {
		case 0:
			cache.clientHello(first)
			got, name, err := cache.clientHello(second)
			var want ClientHello
			if wantErr := want.Parse(bytes.Clone(second)); !reflect.DeepEqual(err, wantErr) {
				t.Fatalf("ClientHello parsed with error %v through the cache, %v without", err, wantErr)
			}
			if err != nil {
				return
			}
			if name != want.ServerName {
				t.Errorf("server name %q through the cache, %q without", name, want.ServerName)
			}
			g := *got
			g.Random, g.SessionID, g.ServerName = want.Random, want.SessionID, want.ServerName
			if !reflect.DeepEqual(g, want) {
				t.Errorf("ClientHello through the cache %+v, without %+v", g, want)
			}
		case 1:
			cache.serverHello(first)
			got, err := cache.serverHello(second)
			var want ServerHello
			if wantErr := want.Parse(bytes.Clone(second)); !reflect.DeepEqual(err, wantErr) {
				t.Fatalf("ServerHello parsed with error %v through the cache, %v without", err, wantErr)
			}
			if err != nil {
				return
			}
			g := *got
			g.Random, g.SessionID = want.Random, want.SessionID
			if !reflect.DeepEqual(g, want) {
				t.Errorf("ServerHello through the cache %+v, without %+v", g, want)
			}
		default:
			tls13 := kind%4 == 3
			cache.certificate(first, tls13)
			got, ok := cache.certificate(second, tls13)
			var want Certificate
			if wantOK := want.Unmarshal(bytes.Clone(second), tls13); ok != wantOK {
				t.Fatalf("Certificate parsed %v through the cache, %v without", ok, wantOK)
			}
			if ok && !reflect.DeepEqual(*got, want) {
				t.Errorf("Certificate through the cache %+v, without %+v", *got, want)
			}
		}
	})
}

// otherRandom returns a copy of a ClientHello or ServerHello message with another random: the
// same message as far as a cache's key goes.
func otherRandom(msg []byte) []byte {
	m := bytes.Clone(msg)
	if len(m) > 4+2+10 {
		m[4+2+10] ^= 0x5a // inside the random, before where a ServerHello's downgrade sentinel would be
	}
	return m
}
