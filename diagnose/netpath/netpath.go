// Package netpath judges what the network path did to one connection, from its record of facts
// alone: where the capture was taken (the vantage), one direction missing from the capture, a
// SYN-ACK never acknowledged, a reset a device in the path forged or an idle timeout caused,
// data a blackhole swallowed, SYNs answered by ICMP errors or by nothing (and the
// retransmission schedule their times match). It gives verdict codes, reasons, evidence and
// flags as messages (package result) that package diagnose takes into a connection's diagnosis.
package netpath

import (
	"time"

	"github.com/connscope/connscope/diagnose/param"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// Finding is what the path rules found on a connection: flags and evidence lines in the order
// they were found, and the verdict with its reason when a rule gave one.
type Finding struct {
	Verdict  result.Verdict // "" when no rule gave one
	Reason   result.Message
	Evidence []result.Evidence
	Flags    []string
}

// judge applies the path rules to one connection.
type judge struct {
	c           *facts.Conn
	established bool    // the TLS handshake completed, as far as packets show
	vp          Vantage // where the capture was taken, as this connection's packets tell
	d           Finding
}

// evidence adds a packet to the evidence, unless the ref is unset.
func (j *judge) evidence(r facts.Ref, key string, args ...result.Arg) {
	if r.Seen() {
		j.d.Evidence = append(j.d.Evidence, result.Evidence{Frame: r.Num(), Time: r.Time(), Text: result.Msg(key, args...)})
	}
}

// synEvidence cites each of the client's SYNs: the first as itself, every later one with its
// time after the first.
func (j *judge) synEvidence() {
	first := j.c.SYNs[0]
	for i, r := range j.c.SYNs {
		if i == 0 {
			j.evidence(r, "ev.syn")
			continue
		}
		j.evidence(r, "ev.syn-after-first", param.Dur("after", r.Time().Sub(first.Time())))
	}
}

// verdict sets the verdict and its reason.
func (j *judge) verdict(v result.Verdict, key string, args ...result.Arg) {
	j.d.Verdict = v
	j.d.Reason = result.Msg(key, args...)
}

// Classify applies the path rules that override the TCP/TLS verdicts to connection c, whose
// capture ended at end (established: its TLS handshake completed). It returns the path flags
// and evidence, the verdict when a rule decided it (decided), and where the capture was taken.
func Classify(c *facts.Conn, end time.Time, established bool) (f Finding, v Vantage, decided bool) {
	j := judge{c: c, established: established}
	decided = j.classifyPath(end)
	return j.d, j.vp, decided
}

// ICMPErrors is the verdict of a connection whose SYNs got no SYN-ACK, and at least one ICMP
// error that quotes them.
func ICMPErrors(c *facts.Conn) Finding {
	j := judge{c: c}
	j.classifyICMP()
	return j.d
}

// SYNTimeout is the verdict of a connection whose SYNs got no answer at all (no SYN-ACK, reset
// or ICMP error): v is where the capture was taken (Classify), end when the capture ended.
func SYNTimeout(c *facts.Conn, v Vantage, end time.Time) Finding {
	j := judge{c: c, vp: v}
	j.classifySYNTimeout(end)
	return j.d
}
