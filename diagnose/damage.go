package diagnose

import (
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// damage says so when packets of the connection arrived damaged (a checksum that checksum
// offload does not explain, a time outside the years 0-9999): a flag with their count, an
// evidence line for each one named, and in the reason, that the verdict rests on them when its
// evidence cites one, else that they may have changed what the connection shows.
func (j *judge) damage() {
	dm := j.c.Damaged()
	if dm == nil || dm.Count == 0 {
		return
	}
	j.d.Flags = append(j.d.Flags, "damaged-packets:"+itoa(int(dm.Count)))
	cited := false
	for _, e := range j.d.Evidence {
		cited = cited || (e.Flow == 0 && dm.Has(e.Frame))
	}
	// The damaged packets join the connection's own evidence in capture order; what other
	// connections show stays last.
	own := len(j.d.Evidence)
	for own > 0 && j.d.Evidence[own-1].Flow != 0 {
		own--
	}
	others := append([]result.Evidence(nil), j.d.Evidence[own:]...)
	j.d.Evidence = j.d.Evidence[:own]
	frames := make([]result.Message, len(dm.Frames))
	for i, r := range dm.Frames {
		frames[i] = result.Msg("warning.frame", result.Int("frame", r.Num()))
		j.evidence(r, "ev.damaged", result.List("what", damageWords(dm.Kinds[i])))
	}
	j.sortEvidence()
	j.d.Evidence = append(j.d.Evidence, others...)
	list := result.Msg("warning.frames", result.Int("n", len(frames)), result.List("frames", frames))
	if int(dm.Count) > len(frames) {
		list = result.Msg("warning.frames-more", result.List("frames", frames))
	}
	key := "damage.may-change"
	if cited {
		key = "damage.rests-on"
	}
	j.d.Reason = result.Msg("concat", result.Sub("a", j.d.Reason),
		result.Sub("b", result.Msg(key, result.Sub("frames", list), result.List("what", damageWords(dm.What)))))
}

// damageWords names the ways a packet was damaged, as phrases.
func damageWords(d facts.Damage) []result.Message {
	var out []result.Message
	for _, k := range [...]struct {
		bit facts.Damage
		key string
	}{{facts.DamageIPv4, "damage.ipv4"}, {facts.DamageTCP, "damage.tcp"}, {facts.DamageUDP, "damage.udp"},
		{facts.DamageICMP, "damage.icmp"}, {facts.DamageTime, "damage.time"}, {facts.DamageRecord, "damage.record"}} {
		if d&k.bit != 0 {
			out = append(out, result.Msg(k.key))
		}
	}
	return out
}
