package diagnose

import (
	"github.com/connscope/connscope/diagnose/prefix"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// classifyCutClientHello: the capture's snaplen cut the ClientHello, so what TLS did is unknown;
// the TCP outcome is reported, but the verdict cannot be more than incomplete.
func (j *judge) classifyCutClientHello() {
	c := j.c
	cs, ss := &c.Side[facts.Client], &c.Side[facts.Server]
	if !j.cutEvidence(facts.Client) {
		j.evidence(cs.FirstPayload, "ev.hello-cut")
	}
	j.verdict(result.VerdictIncomplete, "reason.hello-cut", result.Int64("client_bytes", cs.Bytes), result.Int64("server_bytes", ss.Bytes),
		result.Sub("tcp", j.cutTCPEnd()))
}

// classifyStartCut: the capture's snaplen cut side d's first data before anything in it could be
// read (facts.StreamCut), and what was hidden could have been TLS: whether the connection worked
// cannot be told, whatever TCP did (a plain-TCP "closed normally" would be a guess).
func (j *judge) classifyStartCut(d int) {
	c := j.c
	cut := j.tlsOf().R().Cut[d]
	j.cutEvidence(d)
	args := []result.Arg{side("side", d), result.Int("captured", int(cut.Captured)), result.Int("wire", int(cut.Wire)),
		result.Int64("client_bytes", c.Side[facts.Client].Bytes), result.Int64("server_bytes", c.Side[facts.Server].Bytes),
		result.Sub("tcp", j.cutTCPEnd())}
	if _, ok := prefix.RecordStart(cut.Prefix); ok {
		j.verdict(result.VerdictIncomplete, "reason.start-cut-tls", append(args, result.Sub("what", prefix.Cut(cut.Prefix, int(cut.Captured))))...)
		return
	}
	j.verdict(result.VerdictIncomplete, "reason.start-cut", append(args, result.Sub("candidates", result.Msg("phrase.cut-candidates-"+facts.SideName[d])))...)
}

// cutEvidence cites the frame where the snaplen cut side d's first data, with its bytes in the
// capture and on the wire and what the bytes held look like; false when the record has none.
func (j *judge) cutEvidence(d int) bool {
	cut := j.tlsOf().R().Cut[d]
	if !cut.Seen() {
		return false
	}
	j.evidence(cut.Ref, "ev.first-data-cut", side("side", d), result.Int("captured", int(cut.Captured)), result.Int("wire", int(cut.Wire)),
		result.Sub("what", prefix.Cut(cut.Prefix, int(cut.Captured))))
	return true
}

// cutTCPEnd is how TCP ended a connection whose data the snaplen cut, with the reset in the
// evidence: reset by a side, closed normally (a FIN from both sides and no reset), or still open.
func (j *judge) cutTCPEnd() result.Message {
	c := j.c
	switch rst, hasRST := c.FirstRST(); {
	case hasRST:
		j.evidence(rst.Ref, "ev.rst", side("side", int(rst.From)))
		return result.Msg("phrase.side-reset", side("side", int(rst.From)))
	case c.Side[facts.Client].FIN.Seen() && c.Side[facts.Server].FIN.Seen():
		return result.Msg("phrase.closed-normally")
	case c.Side[facts.Client].FIN.Seen() || c.Side[facts.Server].FIN.Seen():
		d, _, _ := firstFIN(c)
		return result.Msg("phrase.side-closed", side("side", d))
	}
	return result.Msg("phrase.open-at-end")
}
