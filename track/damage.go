package track

import (
	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/facts"
)

// damageOf is how packet p arrived damaged: the checksums found wrong (capture.Packet.Corrupt)
// and a time outside the years 0-9999; 0 for an undamaged packet.
func damageOf(p *capture.Packet) facts.Damage {
	var d facts.Damage
	if p.Corrupt != 0 {
		for _, m := range [...]struct {
			c capture.Damage
			f facts.Damage
		}{{capture.DamageIPv4Header, facts.DamageIPv4}, {capture.DamageTCP, facts.DamageTCP},
			{capture.DamageUDP, facts.DamageUDP}, {capture.DamageICMP, facts.DamageICMP}} {
			if p.Corrupt&m.c != 0 {
				d |= m.f
			}
		}
	}
	if !facts.TimeInRange(p.Time) {
		d |= facts.DamageTime
	}
	return d
}

// noteDamage notes packet p (at r) of the flow when it arrived damaged.
func (f *flow) noteDamage(p *capture.Packet, r ref) {
	if d := damageOf(p); d != 0 {
		if f.damaged == nil {
			f.damaged = &facts.Damaged{}
		}
		f.damaged.Note(r, d)
	}
}

// noteLateDamage notes packet p (at r) of a tomb's record c when it arrived damaged.
func noteLateDamage(c *facts.Conn, p *capture.Packet, r ref) {
	if d := damageOf(p); d != 0 {
		x := c.Extra()
		if x.Damaged == nil {
			x.Damaged = &facts.Damaged{}
		}
		x.Damaged.Note(r, d)
	}
}

// damagedRecord is the flow's damaged packets as its record keeps them (a copy: the flow may be
// reused); nil when none.
func (f *flow) damagedRecord() *facts.Damaged {
	if f.damaged == nil {
		return nil
	}
	d := *f.damaged
	d.Frames = clipped(append([]ref(nil), d.Frames...))
	d.Kinds = clipped(append([]facts.Damage(nil), d.Kinds...))
	return &d
}

// damagedHello reports whether a stream's first bytes, which are no TLS record header, are a
// TLS record whose header is damaged: a ClientHello or ServerHello follows where the record's
// body begins (handshake type 1 or 2, a length below 64 KiB, version 3.x), which other
// protocols' first bytes are not.
func damagedHello(b []byte) bool {
	return len(b) >= 11 && (b[5] == 1 || b[5] == 2) && b[6] == 0 && b[9] == 3 && b[10] <= 4
}
