package analyze

import (
	"github.com/connscope/connscope/tls"
)

// tlsFacts is what the TLS parsers of both directions found in a flow, tied to frames.
type tlsFacts struct {
	ch         *tls.ClientHello
	chFrame    int // frame with the ClientHello's first byte
	chLast     ref // frame that completed it
	chSegments int
	chRecord   tls.Version
	chErr      string // the ClientHello did not parse

	sh      *tls.ServerHello
	shRef   ref
	hrr     *tls.ServerHello
	hrrRef  ref
	alerts  []alertFact
	ccs     [2]ref
	appData [2]int
	// firstEncrypted is each side's first encrypted record (application data, or an encrypted
	// handshake record) after the ServerHello, with its length.
	firstEncrypted    [2]ref
	firstEncryptedLen [2]int
	serverMsgs        []string
	serverFlightEnd   ref              // last plaintext handshake record of the server
	serverCert        *tls.Certificate // the server's first plaintext Certificate message
	serverCertRef     ref
	certs             *certCheck    // serverCert inspected (certCheck), on first use
	fp                *fingerprints // of ch, from the Analyzer's fingerprintCache
	notTLS            [2]notTLSFact
	errs              [2]string
	starttls          bool // TLS began after a plain-text exchange
}

type alertFact struct {
	from int
	ref
	alert             tls.Alert
	encrypted         bool
	beforeServerHello bool
}

type notTLSFact struct {
	ref
	prefix []byte
}

const (
	maxAlerts     = 8
	maxServerMsgs = 16
)

// tlsEvent records one event from direction d's TLS parser.
func (f *flow) tlsEvent(d int, ev *tls.Event) {
	x := &f.tls
	// Most records of a connection come after its handshake: count them without looking up the
	// frames that carried them, which only the first encrypted record needs.
	switch {
	case ev.Kind == tls.EventApplicationData && x.firstEncrypted[d].seen():
		x.appData[d]++
		// The ladder still names the record on its packet (only within the stream limit).
		if frame, _, ok := f.side[d].stream.frameAt(ev.End - 1); ok {
			f.ladder.note(frame, ev)
		}
		return
	case ev.Kind == tls.EventHandshake && ev.Encrypted && x.firstEncrypted[d].seen(),
		ev.Kind == tls.EventAlert && len(x.alerts) >= maxAlerts,
		ev.Kind == tls.EventChangeCipherSpec && x.ccs[d].seen():
		return
	}
	s := &f.side[d]
	first, _, _ := s.stream.frameAt(ev.Start)
	lastFrame, lastTime, _ := s.stream.frameAt(ev.End - 1)
	at := mkRef(lastFrame, lastTime)
	f.ladder.note(lastFrame, ev)
	switch ev.Kind {
	case tls.EventHandshake:
		if ev.Encrypted {
			f.encryptedRecord(d, at, ev.Length)
			return
		}
		if d == fromServer {
			if len(x.serverMsgs) < maxServerMsgs {
				if x.serverMsgs == nil {
					// A TLS 1.2 server's first flight is four messages: one allocation, not three.
					x.serverMsgs = make([]string, 0, 4)
				}
				x.serverMsgs = append(x.serverMsgs, ev.HandshakeType.String())
			}
			x.serverFlightEnd = at
		}
		if d == fromServer && ev.Certificate != nil && x.serverCert == nil {
			x.serverCert, x.serverCertRef = f.shared.certs.intern(ev.Certificate), at
		}
		switch {
		case ev.HandshakeType == tls.HandshakeClientHello && d == fromClient && x.ch == nil && x.chErr == "":
			if ev.ClientHello == nil {
				x.chErr = "malformed ClientHello"
				if ev.Err != nil {
					x.chErr = ev.Err.Error()
				}
				x.chFrame = first
				x.chLast = at
				return
			}
			x.ch = ev.ClientHello
			x.fp = f.shared.fps.get(x.ch)
			x.chFrame = first
			x.chLast = at
			x.chSegments = s.stream.segmentsBetween(ev.Start, ev.End)
			x.chRecord = ev.RecordVersion
		case ev.HandshakeType == tls.HandshakeServerHello && d == fromServer && ev.ServerHello != nil:
			if ev.ServerHello.HelloRetryRequest {
				if x.hrr == nil {
					x.hrr, x.hrrRef = ev.ServerHello, at
				}
			} else if x.sh == nil {
				x.sh, x.shRef = ev.ServerHello, at
			}
		}
	case tls.EventAlert:
		if len(x.alerts) < maxAlerts {
			x.alerts = append(x.alerts, alertFact{from: d, ref: at, alert: ev.Alert, encrypted: ev.Encrypted,
				beforeServerHello: x.sh == nil})
		}
	case tls.EventChangeCipherSpec:
		if !x.ccs[d].seen() {
			x.ccs[d] = at
		}
	case tls.EventApplicationData:
		x.appData[d]++
		f.encryptedRecord(d, at, ev.Length)
	case tls.EventNotTLS:
		if !x.notTLS[d].seen() {
			x.notTLS[d] = notTLSFact{ref: mkRef(first, s.firstPayload.time()), prefix: ev.Prefix}
			if first == 0 {
				x.notTLS[d].ref = s.firstPayload
			}
		}
	case tls.EventError:
		if x.errs[d] == "" && ev.Err != nil {
			x.errs[d] = ev.Err.Error()
		}
	}
}

// encryptedRecord notes an encrypted record from direction d.
func (f *flow) encryptedRecord(d int, at ref, length int) {
	x := &f.tls
	if !x.firstEncrypted[d].seen() {
		x.firstEncrypted[d] = at
		x.firstEncryptedLen[d] = length
	}
}

// isTLS reports whether either side spoke TLS.
func (x *tlsFacts) isTLS() bool {
	return x.ch != nil || x.sh != nil || x.hrr != nil || x.chErr != ""
}

// fatalAlert returns the first fatal (or, lacking one, the first non-close_notify) plaintext
// alert, if any.
func (x *tlsFacts) fatalAlert() (alertFact, bool) {
	for _, a := range x.alerts {
		if !a.encrypted && a.alert.Level == 2 {
			return a, true
		}
	}
	for _, a := range x.alerts {
		if !a.encrypted && a.alert.Description != tls.AlertCloseNotify {
			return a, true
		}
	}
	return alertFact{}, false
}

// closeNotify returns the first plaintext close_notify sent before the handshake finished.
func (x *tlsFacts) earlyCloseNotify() (alertFact, bool) {
	for _, a := range x.alerts {
		if !a.encrypted && a.alert.Description == tls.AlertCloseNotify && a.beforeServerHello {
			return a, true
		}
	}
	return alertFact{}, false
}
