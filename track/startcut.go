package track

import (
	"time"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/tls"
)

// cut takes the segment the snaplen cut where the side's stream stopped with a gap (deliverer;
// once per stream, never on the per-packet path). When nothing of the side's stream could be
// read before the hole (no record, no message, not another protocol's bytes), the record keeps
// where the cut was and the side's first bytes (facts.TLSRare.Cut): what was hidden could have
// been TLS, and the diagnosis must not judge the connection as if it were not. A client whose
// first bytes begin a TLS handshake record had its ClientHello cut (facts.Conn.HelloCut).
func (s *side) cut(rel int64, captured []byte, wire int, frame int, t time.Time) {
	f, d := s.owner, int(s.dir)
	if s.scanning || s.tlsBase != 0 || f.tls.SideRead(d) {
		return
	}
	c := &f.tls.Rare().Cut[d]
	if c.Seen() {
		return
	}
	c.Ref = facts.MakeRef(frame, t)
	c.Captured, c.Wire = int32(len(captured)), int32(wire)
	if rel == 0 {
		c.Prefix = append([]byte{}, captured[:min(len(captured), facts.MaxCutPrefix)]...)
	}
	if d == fromClient && len(c.Prefix) >= 2 && tls.ContentType(c.Prefix[0]) == tls.ContentHandshake && c.Prefix[1] == 3 {
		f.clientHelloCut = true
	}
}
