package facts

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/connscope/connscope/tls"
)

// Codec writes records (Conn) compactly and reads them back: varints, refs relative to the
// connection's first packet, and what connections share (hellos, certificate chains, strings)
// as indexes into the Codec's tables. A typical TLS connection takes 150-250 bytes, where the
// Conn and its TLS facts take about a kilobyte of memory. A record must be read back by the
// Codec that wrote it. One goroutine may write (Encode) while others read (Decode) the records
// it wrote before, handed over by a channel or a lock: the tables only grow, and a value once in
// them never moves. Encode is not safe for concurrent use.
type Codec struct {
	hellos  table[*Hello]
	servers table[*ServerHello]
	chains  table[*Chain]
	strs    table[string] // strings many records share: conn states, histories, SNIs, methods
}

// table interns values as indexes. Values sit in chunks that never move, under a directory that
// is replaced, not changed, when it grows: a reader sees the values written before the record
// that names them was handed over.
type table[T comparable] struct {
	dir atomic.Pointer[[]*[tableChunk]T]
	n   atomic.Uint32 // values written
	idx map[T]uint32  // the writer's
}

// tableChunk is the number of values in a chunk.
const tableChunk = 256

// put returns the index of v + 1 (0 stands for the zero value).
func (t *table[T]) put(v T) uint64 {
	var zero T
	if v == zero {
		return 0
	}
	if i, ok := t.idx[v]; ok {
		return uint64(i) + 1
	}
	if t.idx == nil {
		t.idx = map[T]uint32{}
	}
	n := t.n.Load()
	var dir []*[tableChunk]T
	if d := t.dir.Load(); d != nil {
		dir = *d
	}
	if int(n/tableChunk) == len(dir) {
		grown := append(dir[:len(dir):len(dir)], new([tableChunk]T))
		t.dir.Store(&grown)
		dir = grown
	}
	dir[n/tableChunk][n%tableChunk] = v
	t.idx[v] = n
	t.n.Store(n + 1)
	return uint64(n) + 1
}

func (t *table[T]) get(i uint64) (T, error) {
	var zero T
	if i == 0 {
		return zero, nil
	}
	if i > uint64(t.n.Load()) {
		return zero, errCorrupt
	}
	i--
	return (*t.dir.Load())[i/tableChunk][i%tableChunk], nil
}

var errCorrupt = errors.New("facts: a record does not decode (written by another Codec?)")

// encoder appends a record.
type encoder struct {
	b    []byte
	base Ref // the connection's first packet: other refs are relative to it
}

// uvarint writes v as binary.AppendUvarint does. Most values of a record are under 128: their
// byte is written inline.
func (e *encoder) uvarint(v uint64) {
	if v < 0x80 {
		e.b = append(e.b, byte(v))
		return
	}
	e.b = binary.AppendUvarint(e.b, v)
}

// varint writes v as binary.AppendVarint does: zig-zag, then as uvarint.
func (e *encoder) varint(v int64) { e.uvarint(zig(v)) }
func (e *encoder) byte1(v byte)   { e.b = append(e.b, v) }
func (e *encoder) u32(v uint32)   { e.b = binary.BigEndian.AppendUint32(e.b, v) }
func (e *encoder) bools(vs ...bool) {
	var x byte
	for i, v := range vs {
		if v {
			x |= 1 << i
		}
	}
	e.b = append(e.b, x)
}

// ref writes a ref relative to the base: frame 0 (unset) stays 0. The unset refs, many of a
// record's, are written inline.
func (e *encoder) ref(r Ref) {
	if r == (Ref{}) {
		e.b = append(e.b, 0)
		return
	}
	e.refSet(r)
}

// refSet is ref of a ref that is set.
func (e *encoder) refSet(r Ref) {
	// The frame's offset from the base, and one bit: whether the time is written as nanoseconds
	// from the base's (one number, for the usual times within about 136 years of it), or as
	// seconds and nanoseconds apart (a damaged timestamp, years away: nanoseconds would overflow).
	sec := r.Sec - e.base.Sec
	wide := sec < -1<<32 || sec > 1<<32
	z := zig(int64(r.Frame)-int64(e.base.Frame)) << 1
	if wide {
		e.uvarint(1 + (z | 1))
		e.varint(sec)
		e.uvarint(uint64(uint32(r.Nsec)))
		return
	}
	e.uvarint(1 + z)
	e.varint(sec*1e9 + int64(r.Nsec-e.base.Nsec))
}

func zig(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

func (e *encoder) bytes(b []byte) {
	e.uvarint(uint64(len(b)))
	e.b = append(e.b, b...)
}

// nilableBytes writes b and whether it is nil (an empty slice is not nil).
func (e *encoder) nilableBytes(b []byte) {
	e.bytes(b)
	e.bools(b == nil)
}

func (e *encoder) addrPort(ap netip.AddrPort) {
	a := ap.Addr()
	switch {
	case a.Is4():
		e.byte1(4)
		v := a.As4()
		e.b = append(e.b, v[:]...)
	case a.IsValid():
		e.byte1(6)
		v := a.As16()
		e.b = append(e.b, v[:]...)
	default:
		e.byte1(0)
	}
	e.b = binary.BigEndian.AppendUint16(e.b, ap.Port())
}

// Encode appends the record c to dst and returns the extended slice.
func (k *Codec) Encode(dst []byte, c *Conn) []byte {
	e := encoder{b: dst, base: c.First}
	e.addrPort(c.Client)
	e.addrPort(c.Server)
	e.uvarint(uint64(uint32(c.First.Frame)))
	e.varint(c.First.Sec)
	e.uvarint(uint64(uint32(c.First.Nsec)))
	e.ref(c.Last)
	e.ref(c.End)
	for d := range c.Side {
		s := &c.Side[d]
		e.uvarint(uint64(s.Bytes))
		e.uvarint(uint64(uint32(s.Packets)))
		e.uvarint(uint64(uint32(s.Retrans)))
		e.u32(s.SYNSeq)
		e.byte1(s.TTL)
		e.bools(s.SYNSeen)
		e.ref(s.FIN)
		e.ref(s.FirstPayload)
		e.ref(s.LastPayload)
	}
	e.uvarint(uint64(len(c.SYNs)))
	for _, r := range c.SYNs {
		e.ref(r)
	}
	e.ref(c.SYNAck)
	e.uvarint(uint64(len(c.RSTs)))
	for _, r := range c.RSTs {
		e.ref(r.Ref)
		e.varint(int64(r.Idle))
		e.b = append(e.b, r.From, r.TTL, byte(r.IPID>>8), byte(r.IPID), byte(r.SideIPID>>8), byte(r.SideIPID))
		e.bools(r.SideIPIDSet)
		for d := range r.Bytes { // what came after the reset, mostly nothing: one byte each
			e.varint(c.Side[d].Bytes - r.Bytes[d])
			e.varint(int64(c.Side[d].Retrans) - int64(r.Retrans[d]))
		}
	}
	k.encodeTLS(&e, c.TLS)
	for d := range c.Path.Side {
		k.encodePathSide(&e, &c.Path.Side[d])
	}
	e.ref(c.Path.HandshakeAck)
	e.uvarint(uint64(uint32(c.Path.SYNAcks)))
	e.uvarint(uint64(len(c.Ladder)))
	for i := range c.Ladder {
		p := &c.Ladder[i]
		e.ref(p.At)
		e.uvarint(uint64(uint32(p.PayloadLen)))
		e.b = append(e.b, p.From, p.Flags)
		e.bools(p.Retrans)
		e.byte1(p.NMessages)
		for _, m := range p.Messages[:p.NMessages] {
			e.u32(uint32(m))
		}
	}
	e.uvarint(k.strs.put(c.ConnState))
	e.uvarint(k.strs.put(c.History))
	k.encodeExtra(&e, c.X)
	for _, v := range []int32{c.ID, c.SYNCount, c.RSTCount, c.SnaplenCut, c.LadderOmitted} {
		e.uvarint(uint64(uint32(v)))
	}
	e.bools(c.RolesGuessed, c.HelloCut)
	e.uvarint(uint64(c.Vantage))
	return e.b
}

func (k *Codec) encodeTLS(e *encoder, x *TLS) {
	if x == nil {
		e.byte1(0)
		return
	}
	e.byte1(1)
	e.uvarint(k.hellos.put(x.Hello))
	e.uvarint(k.strs.put(x.SNI))
	e.uvarint(uint64(len(x.ALPN)))
	for _, p := range x.ALPN {
		e.uvarint(k.strs.put(p))
	}
	e.ref(x.HelloLast)
	e.uvarint(k.servers.put(x.ServerHello))
	e.ref(x.SHRef)
	e.uvarint(uint64(len(x.Alerts)))
	for _, a := range x.Alerts {
		e.ref(a.Ref)
		e.b = append(e.b, a.From, byte(a.Level), byte(a.Description))
		e.bools(a.Encrypted, a.BeforeServerHello)
	}
	for d := range 2 {
		e.ref(x.CCS[d])
		e.ref(x.FirstEncrypted[d])
		e.uvarint(uint64(uint32(x.AppData[d])))
		e.uvarint(uint64(uint32(x.FirstEncryptedLen[d])))
	}
	e.bools(x.ServerMessages == nil)
	e.uvarint(uint64(len(x.ServerMessages)))
	for _, m := range x.ServerMessages {
		e.byte1(byte(m))
	}
	e.uvarint(k.chains.put(x.ServerCert))
	e.ref(x.CertRef)
	e.ref(x.HelloFirst)
	e.uvarint(uint64(uint32(x.HelloSegments)))
	e.uvarint(uint64(x.HelloRecord))
	e.uvarint(uint64(uint32(x.ServerAfterFlight)))
	e.bools(x.STARTTLS, x.X != nil)
	if r := x.X; r != nil {
		e.helloErr(r.HelloErr)
		e.uvarint(k.servers.put(r.HRR))
		e.ref(r.HRRRef)
		for d := range 2 {
			e.ref(r.NotTLS[d].Ref)
			e.nilableBytes(r.NotTLS[d].Prefix)
			e.byte1(byte(r.Errs[d].Kind))
			e.uvarint(uint64(uint32(r.Errs[d].Value)))
			e.uvarint(uint64(r.Errs[d].Offset))
			e.ref(r.ErrRefs[d])
		}
		e.ref(r.ClientCert)
		e.uvarint(uint64(uint32(r.ClientCerts)))
		e.ref(r.BadServerHello)
		e.uvarint(uint64(r.BadSHVersion))
		e.helloErr(r.BadSHErr)
		e.ref(r.ShortAnswer)
		e.uvarint(uint64(uint32(r.ShortAnswerLen)))
		e.ref(r.ClientReply)
		e.uvarint(uint64(uint32(r.ClientReplyLen)))
		for d := range 2 {
			e.ref(r.Heartbeat[d])
			e.uvarint(uint64(uint32(r.HeartbeatLen[d])))
			e.ref(r.Cut[d].Ref)
			e.uvarint(uint64(uint32(r.Cut[d].Captured)))
			e.uvarint(uint64(uint32(r.Cut[d].Wire)))
			e.nilableBytes(r.Cut[d].Prefix)
		}
	}
}

// helloErr writes a hello error: its kind alone when there is none.
func (e *encoder) helloErr(h HelloErr) {
	e.byte1(byte(h.Kind))
	if h.Kind == HelloErrNone {
		return
	}
	e.uvarint(uint64(uint32(h.Length)))
	e.b = append(e.b, byte(h.Field), byte(h.Problem), byte(h.Extension>>8), byte(h.Extension))
	for _, v := range []int32{h.Offset, h.Declared, h.Available} {
		e.uvarint(uint64(uint32(v)))
	}
}

func (k *Codec) encodePathSide(e *encoder, s *PathSide) {
	e.ref(s.TTLRef)
	e.u32(s.AckMax)
	for _, v := range []int32{s.DupMax, s.DupRuns, s.ZeroWin, s.OutOfOrder} {
		e.uvarint(uint64(uint32(v)))
	}
	e.b = append(e.b, byte(s.IPID>>8), byte(s.IPID), s.TTL)
	e.bools(s.TTLSet, s.IPIDSet, s.AckSet, s.InZero, s.Rare != nil)
	if r := s.Rare; r != nil {
		e.ref(r.DupRef)
		e.ref(r.ZeroRef)
		e.ref(r.ZeroStart)
		e.varint(int64(r.ZeroMax))
		e.bools(r.Loss != nil)
		if l := r.Loss; l != nil {
			e.uvarint(uint64(len(l.Out)))
			for _, o := range l.Out {
				e.u32(o.Seq)
				e.u32(o.End)
				e.uvarint(uint64(o.Len))
				e.uvarint(uint64(o.Sends))
				e.ref(o.First)
				e.ref(o.Last)
			}
			e.uvarint(uint64(l.MaxAcked))
			e.bools(l.Hole, l.HoleFilled)
			e.u32(l.HoleStart)
			e.u32(l.HoleEnd)
			e.ref(l.HoleAfter)
			e.uvarint(uint64(l.HoleAfterLen))
			e.ref(l.Last)
			e.ref(l.PeerLast)
		}
	}
}

func (k *Codec) encodeExtra(e *encoder, x *Extra) {
	if x == nil {
		e.byte1(0)
		return
	}
	e.byte1(1)
	e.uvarint(uint64(len(x.ICMP)))
	for _, ic := range x.ICMP {
		e.ref(ic.Ref)
		e.bools(ic.V6, ic.FromClient)
		e.b = append(e.b, ic.Type, ic.Code, ic.TTL)
		e.addrPort(netip.AddrPortFrom(ic.Router, 0))
		e.u32(ic.MTU)
	}
	e.uvarint(uint64(uint32(x.ICMPCount)))
	e.bools(x.HTTP != nil, x.HelloPartial != nil)
	if h := x.HTTP; h != nil {
		e.ref(h.Request)
		e.uvarint(k.strs.put(h.Method))
		e.bytes([]byte(h.Path))
		e.bytes([]byte(h.Host))
		e.ref(h.Response)
		e.uvarint(uint64(h.Status))
		e.bytes([]byte(h.Line))
	}
	if p := x.HelloPartial; p != nil {
		e.uvarint(uint64(p.Have))
		e.uvarint(uint64(p.Want))
	}
	e.uvarint(uint64(len(x.SYNAcks)))
	for _, r := range x.SYNAcks {
		e.ref(r)
	}
	if dm := x.Damaged; dm != nil {
		e.uvarint(uint64(len(dm.Frames)) + 1)
		e.uvarint(uint64(uint32(dm.Count)))
		e.byte1(byte(dm.What))
		for i, r := range dm.Frames {
			e.ref(r)
			e.byte1(byte(dm.Kinds[i]))
		}
	} else {
		e.uvarint(0)
	}
	e.uvarint(uint64(uint32(x.Overruns)))
	e.ref(x.OverrunRef)
	e.ref(x.HelloConflict)
}

// decoder reads a record.
type decoder struct {
	b    []byte
	err  error
	base Ref
}

// uvarint reads what encoder.uvarint wrote: a byte under 128 inline, longer ones in
// uvarintLong.
func (d *decoder) uvarint() uint64 {
	if b := d.b; len(b) > 0 && b[0] < 0x80 {
		d.b = b[1:]
		return uint64(b[0])
	}
	return d.uvarintLong()
}

func (d *decoder) uvarintLong() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err, d.b = errCorrupt, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

// varint reads what encoder.varint wrote, as binary.Varint does.
func (d *decoder) varint() int64 { return unzig(d.uvarint()) }

func (d *decoder) take(n int) []byte {
	if len(d.b) < n {
		d.err, d.b = errCorrupt, nil
		return make([]byte, n)
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *decoder) byte1() byte { return d.take(1)[0] }
func (d *decoder) u32() uint32 { return binary.BigEndian.Uint32(d.take(4)) }
func (d *decoder) u16() uint16 { return binary.BigEndian.Uint16(d.take(2)) }
func (d *decoder) i32() int32  { return int32(uint32(d.uvarint())) }

func (d *decoder) bools(out ...*bool) {
	x := d.byte1()
	for i, p := range out {
		*p = x&(1<<i) != 0
	}
}

// ref reads what encoder.ref wrote: an unset ref inline.
func (d *decoder) ref() Ref {
	if b := d.b; len(b) > 0 && b[0] == 0 {
		d.b = b[1:]
		return Ref{}
	}
	return d.refSet()
}

// refSet is ref of a ref that is set (or a corrupt record).
func (d *decoder) refSet() Ref {
	// The two numbers read from a local slice, d.b set once: a ref is most of a record's numbers.
	b := d.b
	f, n := binary.Uvarint(b)
	if n <= 0 {
		d.err, d.b = errCorrupt, nil
		return Ref{}
	}
	b = b[n:]
	if f == 0 {
		d.b = b
		return Ref{}
	}
	fz := (f - 1) >> 1
	frame := int64(fz>>1) ^ -int64(fz&1) + int64(d.base.Frame)
	if (f-1)&1 == 1 { // wide: seconds and nanoseconds apart
		d.b = b
		sec := d.varint() + d.base.Sec
		return Ref{Frame: int32(frame), Sec: sec, Nsec: int32(d.uvarint())}
	}
	z, m := binary.Uvarint(b)
	if m <= 0 {
		d.err, d.b = errCorrupt, nil
		return Ref{Frame: int32(frame), Sec: d.base.Sec}
	}
	d.b = b[m:]
	ns := unzig(z) + int64(d.base.Nsec)
	q := floorDiv(ns, 1e9)
	return Ref{Frame: int32(frame), Sec: d.base.Sec + q, Nsec: int32(ns - q*1e9)}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func unzig(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// nilableBytes reads what encoder.nilableBytes wrote.
func (d *decoder) nilableBytes() []byte {
	b := d.bytes()
	var isNil bool
	d.bools(&isNil)
	if isNil {
		return nil
	}
	return b
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.err, d.b = errCorrupt, nil
		return nil
	}
	return append([]byte(nil), d.take(int(n))...)
}

func (d *decoder) addrPort() netip.AddrPort {
	var a netip.Addr
	switch d.byte1() {
	case 4:
		a = netip.AddrFrom4([4]byte(d.take(4)))
	case 6:
		a = netip.AddrFrom16([16]byte(d.take(16)))
	}
	return netip.AddrPortFrom(a, d.u16())
}

func get[T comparable](d *decoder, t *table[T]) T {
	v, err := t.get(d.uvarint())
	if err != nil {
		d.err = err
	}
	return v
}

// Decode reads back a record that Encode wrote.
func (k *Codec) Decode(b []byte) (*Conn, error) {
	c := &Conn{}
	if err := k.decode(b, c, nil); err != nil {
		return nil, err
	}
	return c, nil
}

// Scratch is the memory of one record at a time, for a reader that decodes many in turn and
// lets go of each before the next (Codec.DecodeScratch): the record and its TLS facts, the
// allocations every record costs. A Scratch is for one goroutine.
type Scratch struct {
	conn Conn
	tls  TLS
}

// DecodeScratch is Decode into s: the record it returns is overwritten by the next one decoded
// into s, so nothing may keep a pointer to it, nor to its TLS facts, past that. (Its slices,
// ladder and extra facts are its own, as Decode's are.)
func (k *Codec) DecodeScratch(b []byte, s *Scratch) (*Conn, error) {
	s.conn = Conn{}
	if err := k.decode(b, &s.conn, &s.tls); err != nil {
		return nil, err
	}
	return &s.conn, nil
}

// decode reads a record into the zero Conn c; its TLS facts, if any, go to tlsInto when that is
// set (and to a new TLS when not).
func (k *Codec) decode(b []byte, c *Conn, tlsInto *TLS) error {
	d := decoder{b: b}
	c.Client = d.addrPort()
	c.Server = d.addrPort()
	c.First.Frame = int32(uint32(d.uvarint()))
	c.First.Sec = d.varint()
	c.First.Nsec = int32(uint32(d.uvarint()))
	d.base = c.First
	c.Last = d.ref()
	c.End = d.ref()
	for i := range c.Side {
		s := &c.Side[i]
		s.Bytes = int64(d.uvarint())
		s.Packets = d.i32()
		s.Retrans = d.i32()
		s.SYNSeq = d.u32()
		s.TTL = d.byte1()
		d.bools(&s.SYNSeen)
		s.FIN = d.ref()
		s.FirstPayload = d.ref()
		s.LastPayload = d.ref()
	}
	if n := d.uvarint(); n > 0 && n <= MaxSYNs {
		c.SYNs = make([]Ref, n)
		for i := range c.SYNs {
			c.SYNs[i] = d.ref()
		}
	}
	c.SYNAck = d.ref()
	if n := d.uvarint(); n > 0 && n <= MaxRSTs {
		c.RSTs = make([]RST, n)
		for i := range c.RSTs {
			r := &c.RSTs[i]
			r.Ref = d.ref()
			r.Idle = time.Duration(d.varint())
			v := d.take(6)
			r.From, r.TTL, r.IPID, r.SideIPID = v[0], v[1], uint16(v[2])<<8|uint16(v[3]), uint16(v[4])<<8|uint16(v[5])
			d.bools(&r.SideIPIDSet)
			for i := range r.Bytes {
				r.Bytes[i] = c.Side[i].Bytes - d.varint()
				r.Retrans[i] = int32(int64(c.Side[i].Retrans) - d.varint())
			}
		}
	}
	c.TLS = k.decodeTLS(&d, tlsInto)
	for i := range c.Path.Side {
		k.decodePathSide(&d, &c.Path.Side[i])
	}
	c.Path.HandshakeAck = d.ref()
	c.Path.SYNAcks = d.i32()
	if n := d.uvarint(); n > 0 && n <= 64 {
		c.Ladder = make([]LadderPacket, n)
		for i := range c.Ladder {
			p := &c.Ladder[i]
			p.At = d.ref()
			p.PayloadLen = d.i32()
			v := d.take(2)
			p.From, p.Flags = v[0], v[1]
			d.bools(&p.Retrans)
			p.NMessages = min(d.byte1(), MaxLadderMessages)
			for m := range p.NMessages {
				p.Messages[m] = LadderCode(d.u32())
			}
		}
	}
	c.ConnState = get(&d, &k.strs)
	c.History = get(&d, &k.strs)
	c.X = k.decodeExtra(&d)
	c.ID, c.SYNCount, c.RSTCount, c.SnaplenCut, c.LadderOmitted = d.i32(), d.i32(), d.i32(), d.i32(), d.i32()
	d.bools(&c.RolesGuessed, &c.HelloCut)
	c.Vantage = uint16(d.uvarint())
	return d.err
}

// decodeTLS reads a record's TLS facts, into x when it is set (overwriting all of it).
func (k *Codec) decodeTLS(d *decoder, x *TLS) *TLS {
	if d.byte1() == 0 {
		return nil
	}
	if x == nil {
		x = &TLS{}
	} else {
		*x = TLS{}
	}
	x.Hello = get(d, &k.hellos)
	x.SNI = get(d, &k.strs)
	if n := d.uvarint(); n > 0 && n <= uint64(len(d.b)) {
		x.ALPN = make([]string, n)
		for i := range x.ALPN {
			x.ALPN[i] = get(d, &k.strs)
		}
	}
	x.HelloLast = d.ref()
	x.ServerHello = get(d, &k.servers)
	x.SHRef = d.ref()
	if n := d.uvarint(); n > 0 && n <= MaxAlerts {
		x.Alerts = make([]Alert, n)
		for i := range x.Alerts {
			a := &x.Alerts[i]
			a.Ref = d.ref()
			v := d.take(3)
			a.From, a.Level, a.Description = v[0], tls.AlertLevel(v[1]), tls.AlertDescription(v[2])
			d.bools(&a.Encrypted, &a.BeforeServerHello)
		}
	}
	for i := range 2 {
		x.CCS[i] = d.ref()
		x.FirstEncrypted[i] = d.ref()
		x.AppData[i] = d.i32()
		x.FirstEncryptedLen[i] = d.i32()
	}
	var msgsNil bool
	d.bools(&msgsNil)
	if n := d.uvarint(); n <= uint64(len(d.b)) && !msgsNil {
		x.ServerMessages = make([]tls.HandshakeType, n)
		for i := range x.ServerMessages {
			x.ServerMessages[i] = tls.HandshakeType(d.byte1())
		}
	}
	x.ServerCert = get(d, &k.chains)
	x.CertRef = d.ref()
	x.HelloFirst = d.ref()
	x.HelloSegments = d.i32()
	x.HelloRecord = tls.Version(d.uvarint())
	x.ServerAfterFlight = d.i32()
	var rare bool
	d.bools(&x.STARTTLS, &rare)
	if rare {
		r := &TLSRare{}
		r.HelloErr = d.helloErr()
		r.HRR = get(d, &k.servers)
		r.HRRRef = d.ref()
		for i := range 2 {
			r.NotTLS[i].Ref = d.ref()
			r.NotTLS[i].Prefix = d.nilableBytes()
			r.Errs[i].Kind = RecordErrKind(d.byte1())
			r.Errs[i].Value = d.i32()
			r.Errs[i].Offset = int64(d.uvarint())
			r.ErrRefs[i] = d.ref()
		}
		r.ClientCert = d.ref()
		r.ClientCerts = d.i32()
		r.BadServerHello = d.ref()
		r.BadSHVersion = tls.Version(d.uvarint())
		r.BadSHErr = d.helloErr()
		r.ShortAnswer = d.ref()
		r.ShortAnswerLen = d.i32()
		r.ClientReply = d.ref()
		r.ClientReplyLen = d.i32()
		for i := range 2 {
			r.Heartbeat[i] = d.ref()
			r.HeartbeatLen[i] = d.i32()
			r.Cut[i].Ref = d.ref()
			r.Cut[i].Captured = d.i32()
			r.Cut[i].Wire = d.i32()
			r.Cut[i].Prefix = d.nilableBytes()
		}
		x.X = r
	}
	return x
}

// helloErr reads what encoder.helloErr wrote.
func (d *decoder) helloErr() HelloErr {
	h := HelloErr{Kind: HelloErrKind(d.byte1())}
	if h.Kind == HelloErrNone {
		return h
	}
	h.Length = d.i32()
	v := d.take(4)
	h.Field, h.Problem, h.Extension = tls.HelloField(v[0]), tls.HelloProblem(v[1]), tls.ExtensionType(v[2])<<8|tls.ExtensionType(v[3])
	h.Offset, h.Declared, h.Available = d.i32(), d.i32(), d.i32()
	return h
}

func (k *Codec) decodePathSide(d *decoder, s *PathSide) {
	s.TTLRef = d.ref()
	s.AckMax = d.u32()
	s.DupMax, s.DupRuns, s.ZeroWin, s.OutOfOrder = d.i32(), d.i32(), d.i32(), d.i32()
	v := d.take(3)
	s.IPID, s.TTL = uint16(v[0])<<8|uint16(v[1]), v[2]
	var rare bool
	d.bools(&s.TTLSet, &s.IPIDSet, &s.AckSet, &s.InZero, &rare)
	if !rare {
		return
	}
	r := &PathRare{DupRef: d.ref(), ZeroRef: d.ref(), ZeroStart: d.ref(), ZeroMax: time.Duration(d.varint())}
	var loss bool
	d.bools(&loss)
	if loss {
		l := &Loss{}
		if n := d.uvarint(); n > 0 && n <= MaxOutstanding {
			l.Out = make([]Segment, n)
			for i := range l.Out {
				o := &l.Out[i]
				o.Seq, o.End = d.u32(), d.u32()
				o.Len, o.Sends = int(d.uvarint()), int(d.uvarint())
				o.First, o.Last = d.ref(), d.ref()
			}
		}
		l.MaxAcked = int(d.uvarint())
		d.bools(&l.Hole, &l.HoleFilled)
		l.HoleStart, l.HoleEnd = d.u32(), d.u32()
		l.HoleAfter = d.ref()
		l.HoleAfterLen = int(d.uvarint())
		l.Last, l.PeerLast = d.ref(), d.ref()
		r.Loss = l
	}
	s.Rare = r
}

func (k *Codec) decodeExtra(d *decoder) *Extra {
	if d.byte1() == 0 {
		return nil
	}
	x := &Extra{}
	if n := d.uvarint(); n > 0 && n <= MaxICMP {
		x.ICMP = make([]ICMP, n)
		for i := range x.ICMP {
			ic := &x.ICMP[i]
			ic.Ref = d.ref()
			d.bools(&ic.V6, &ic.FromClient)
			v := d.take(3)
			ic.Type, ic.Code, ic.TTL = v[0], v[1], v[2]
			ic.Router = d.addrPort().Addr()
			ic.MTU = d.u32()
		}
	}
	x.ICMPCount = d.i32()
	var http, partial bool
	d.bools(&http, &partial)
	if http {
		h := &HTTP{}
		h.Request = d.ref()
		h.Method = get(d, &k.strs)
		h.Path, h.Host = string(d.bytes()), string(d.bytes())
		h.Response = d.ref()
		h.Status = int(d.uvarint())
		h.Line = string(d.bytes())
		x.HTTP = h
	}
	if partial {
		x.HelloPartial = &Partial{Have: int(d.uvarint()), Want: int(d.uvarint())}
	}
	if n := d.uvarint(); n > 0 && n <= MaxSYNAcks {
		x.SYNAcks = make([]Ref, n)
		for i := range x.SYNAcks {
			x.SYNAcks[i] = d.ref()
		}
	}
	if n := d.uvarint(); n > 0 && n <= MaxDamaged+1 {
		dm := &Damaged{Count: d.i32(), What: Damage(d.byte1())}
		if n > 1 {
			dm.Frames, dm.Kinds = make([]Ref, n-1), make([]Damage, n-1)
			for i := range dm.Frames {
				dm.Frames[i], dm.Kinds[i] = d.ref(), Damage(d.byte1())
			}
		}
		x.Damaged = dm
	}
	x.Overruns = d.i32()
	x.OverrunRef = d.ref()
	x.HelloConflict = d.ref()
	return x
}
