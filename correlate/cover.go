package correlate

import (
	"cmp"
	"slices"

	"github.com/connscope/connscope/facts"
)

// The sending host's capture shows the segments its stack handed to the NIC: with TSO or GSO
// on, one segment of several MSS (2896 bytes, IP ID 0x30a4) that leaves the host cut into MSS
// pieces (1448 bytes, IP IDs 0x30a4 and 0x30a5); a receiving host with GRO shows pieces merged.
// So the segments with payload that match no packet alike at the other view are compared by
// the bytes they carry: one is delivered when the union of the other view's unmatched segments
// covers its sequence range.

// seqRange is a segment's payload, as sequence numbers relative to a base (no wrap within the
// sightings kept).
type seqRange struct {
	start, end int64
	i          int // the segment's index in its view's sightings
}

// rangesOf lists the ranges of the segments with payload that are not matched yet, by start.
func rangesOf(ss []facts.Sighting, matched func(i int) bool, base uint32) []seqRange {
	var out []seqRange
	for i := range ss {
		if ss[i].Len == 0 || ss[i].Flags&flagSYN != 0 || matched(i) {
			continue
		}
		s := int64(int32(ss[i].Seq - base))
		out = append(out, seqRange{s, s + int64(ss[i].Len), i})
	}
	slices.SortFunc(out, func(a, b seqRange) int { return cmp.Compare(a.start, b.start) })
	return out
}

// covering returns the ranges of rs (sorted by start) that together cover r, or nil when
// their union leaves a byte of r out.
func covering(r seqRange, rs []seqRange) []seqRange {
	var out []seqRange
	at := r.start
	for _, x := range rs {
		if x.start > at {
			break
		}
		if x.end <= at {
			continue
		}
		out = append(out, x)
		at = x.end
		if at >= r.end {
			return out
		}
	}
	return nil
}

// matchRanges matches the unmatched segments with payload of sent against those of got by
// their bytes (match: sent to got, -1 none, filled in; used: got already matched, filled in):
// a sent segment covered by got segments is matched to the first of them and they are used; a
// got segment covered by sent segments (pieces of one that was only partly delivered) is used,
// not injected. It returns, per sent segment matched here, the largest piece that arrived.
func matchRanges(sent, got []facts.Sighting, match []int, used []bool) map[int]uint32 {
	if len(sent) == 0 || len(got) == 0 {
		return nil
	}
	base := sent[0].Seq
	rs := rangesOf(sent, func(i int) bool { return match[i] >= 0 }, base)
	rg := rangesOf(got, func(j int) bool { return used[j] }, base)
	if len(rs) == 0 || len(rg) == 0 {
		return nil
	}
	var largest map[int]uint32
	for _, r := range rs {
		pieces := covering(r, rg)
		if pieces == nil {
			continue
		}
		if largest == nil {
			largest = map[int]uint32{}
		}
		match[r.i] = pieces[0].i
		for _, p := range pieces {
			used[p.i] = true
			largest[r.i] = max(largest[r.i], got[p.i].Len)
		}
	}
	for _, g := range rg {
		if !used[g.i] && covering(g, rs) != nil {
			used[g.i] = true
		}
	}
	return largest
}
