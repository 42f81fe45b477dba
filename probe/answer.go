package probe

import (
	"errors"
	"io"
	"net"
	"time"

	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// answer is what a server sent back to one ClientHello, read without completing the handshake.
type answer struct {
	outcome string // result.ProbeAccepted, result.ProbeOtherVersion or an analyze verdict
	kind    string // what came back: result.ProbeVersion.Answer
	sh      *tls.ServerHello
	alert   tls.Alert
	notTLS  []byte
	cert    *tls.Certificate // the server's Certificate message, when asked for and sent in plaintext
	elapsed time.Duration    // from the ClientHello to the answer
	err     error
}

// maxAnswerBytes bounds what is read of one answer: a ServerHello and, when asked for, the
// Certificate message.
const maxAnswerBytes = 256 << 10

// exchange sends hello on conn and reads the answer with the tls package's Stream (records,
// messages, alerts): a ServerHello, an alert, a reset, a close or silence until the timeout.
// With wantCert it reads on past a TLS 1.2-or-lower ServerHello to the Certificate message.
// offered is the version the hello offers, to tell accepted from other-version.
func exchange(conn net.Conn, hello []byte, offered tls.Version, timeout time.Duration, wantCert bool) answer {
	start := time.Now()
	conn.SetDeadline(start.Add(timeout))
	var a answer
	if _, err := conn.Write(hello); err != nil {
		a.elapsed, a.err = time.Since(start), err
		a.outcome, a.kind = readFailure(err)
		return a
	}
	st := tls.NewStream(maxAnswerBytes)
	buf := make([]byte, 32<<10)
	for {
		n, err := conn.Read(buf)
		for _, ev := range st.Feed(buf[:n]) {
			if done := a.event(&ev, offered, wantCert); done {
				a.elapsed = time.Since(start)
				return a
			}
		}
		if err == nil && st.Done() {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			a.elapsed, a.err = time.Since(start), err
			if a.sh == nil {
				a.outcome, a.kind = readFailure(err)
			}
			return a
		}
	}
}

// event takes one event of the server's stream and reports whether the answer is complete.
func (a *answer) event(ev *tls.Event, offered tls.Version, wantCert bool) bool {
	switch ev.Kind {
	case tls.EventHandshake:
		switch {
		case ev.ServerHello != nil && a.sh == nil:
			a.sh, a.kind = ev.ServerHello, "server-hello"
			chosen := a.sh.ChosenVersion()
			if chosen == offered {
				a.outcome = result.ProbeAccepted
			} else {
				a.outcome = result.ProbeOtherVersion
			}
			return !wantCert || chosen.Rank() >= tls.VersionTLS13.Rank() || a.outcome != result.ProbeAccepted
		case ev.Certificate != nil:
			a.cert = ev.Certificate
			return true
		case ev.HandshakeType == tls.HandshakeServerHelloDone || ev.Encrypted:
			return true
		case ev.Err != nil && a.sh == nil:
			a.outcome, a.kind, a.err = string(result.VerdictNotTLS), "not-tls", ev.Err
			return true
		}
	case tls.EventAlert:
		if a.sh != nil {
			return true
		}
		a.alert, a.kind = ev.Alert, "alert"
		a.outcome = alertOutcome(ev.Alert)
		if ev.Encrypted {
			a.outcome, a.kind = string(result.VerdictTLSAlert), "encrypted-alert"
		}
		return true
	case tls.EventNotTLS:
		a.outcome, a.kind, a.notTLS = string(result.VerdictNotTLS), "not-tls", ev.Prefix
		return true
	case tls.EventError:
		if a.sh == nil {
			a.outcome, a.kind, a.err = string(result.VerdictNotTLS), "not-tls", ev.Err
		}
		return true
	case tls.EventApplicationData, tls.EventChangeCipherSpec:
		if a.sh == nil {
			a.outcome, a.kind = string(result.VerdictNotTLS), "not-tls"
		}
		return true
	}
	return false
}

// alertOutcome names an alert that came instead of a ServerHello with analyze's verdicts.
func alertOutcome(al tls.Alert) string {
	switch al.Description {
	case tls.AlertProtocolVersion:
		return string(result.VerdictTLSVersionMismatch)
	case tls.AlertHandshakeFailure, tls.AlertInsufficientSecurity:
		return string(result.VerdictTLSHandshakeFailure)
	case tls.AlertCloseNotify:
		return string(result.VerdictServerClosedAfterClientHello)
	}
	return string(result.VerdictTLSAlert)
}

// readFailure names a failed read or write after the ClientHello: a reset, a close, or silence
// (the verdict, and what came back).
func readFailure(err error) (string, string) {
	switch {
	case isReset(err):
		return string(result.VerdictServerResetAfterClientHello), "reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return string(result.VerdictServerClosedAfterClientHello), "close"
	case isTimeout(err):
		return string(result.VerdictNoServerHello), "silence"
	}
	return "error", ""
}
