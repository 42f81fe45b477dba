package track

import (
	"errors"
	"time"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/tls"
)

// tlsState is what the TLS parsers of both directions found so far: the record's TLS facts, and
// the frame the server's flight ended in.
type tlsState struct {
	facts.TLS
	serverFlightEnd ref // last plaintext handshake record of the server
}

// tlsEvent records one event from direction d's TLS parser.
func (f *flow) tlsEvent(d int, ev *tls.Event) {
	x := &f.tls
	// Most records of a connection come after its handshake: count them without looking up the
	// frames that carried them, which only the first encrypted record needs.
	switch {
	case ev.Kind == tls.EventApplicationData && x.FirstEncrypted[d].Seen():
		x.AppData[d]++
		// The ladder still names the record on its packet (only within the stream limit).
		frame, t, ok := f.side[d].stream.frameAt(ev.End - 1)
		if ok {
			f.ladder.Note(frame, ev)
		}
		if d == fromServer && x.FirstEncrypted[fromClient].Seen() {
			f.answerToFlight(frame, t, ok, ev.Length)
		} else if d == fromClient && x.X != nil {
			f.replyToAnswer(frame, t, ok, ev.Length)
		}
		return
	case ev.Kind == tls.EventHandshake && ev.Encrypted && x.FirstEncrypted[d].Seen(),
		ev.Kind == tls.EventAlert && len(x.Alerts) >= facts.MaxAlerts,
		ev.Kind == tls.EventChangeCipherSpec && x.CCS[d].Seen():
		return
	}
	s := &f.side[d]
	first, firstTime, _ := s.stream.frameAt(ev.Start)
	lastFrame, lastTime, _ := s.stream.frameAt(ev.End - 1)
	at := facts.MakeRef(lastFrame, lastTime)
	f.ladder.Note(lastFrame, ev)
	switch ev.Kind {
	case tls.EventHandshake:
		if ev.Encrypted {
			f.encryptedRecord(d, at, ev.Length)
			return
		}
		if d == fromServer {
			if len(x.ServerMessages) < facts.MaxServerMessages {
				if x.ServerMessages == nil {
					// A TLS 1.2 server's first flight is four messages: one allocation, not three.
					x.ServerMessages = f.spare.msgs
					if f.spare.msgs = nil; x.ServerMessages == nil {
						x.ServerMessages = make([]tls.HandshakeType, 0, 4)
					}
				}
				x.ServerMessages = append(x.ServerMessages, ev.HandshakeType)
			}
			x.serverFlightEnd = at
		}
		if d == fromServer && ev.Certificate != nil && x.ServerCert == nil {
			x.ServerCert, x.CertRef = f.shared.certs.Intern(ev.Certificate), at
		}
		switch {
		case ev.HandshakeType == tls.HandshakeClientHello && d == fromClient && x.Hello == nil && x.R().HelloErr.Kind == facts.HelloErrNone:
			// The hello's first segment, with that segment's own time (a split hello's last
			// segment came later: HelloLast).
			x.HelloFirst = facts.MakeRef(first, firstTime)
			if first == 0 {
				x.HelloFirst = at
			}
			x.HelloLast = at
			if ev.ClientHello == nil {
				x.Rare().HelloErr = helloErr(ev)
				return
			}
			x.Hello = f.shared.fps.Hello(ev.ClientHello)
			x.SNI = f.shared.intern(ev.ServerName)
			if len(ev.ClientHello.ALPN) > 0 {
				x.ALPN = f.shared.alpn(ev.ClientHello.ALPN)
			}
			x.HelloSegments = int32(s.stream.segmentsBetween(ev.Start, ev.End))
			x.HelloRecord = ev.RecordVersion
		case ev.HandshakeType == tls.HandshakeServerHello && d == fromServer && ev.ServerHello == nil:
			if x.ServerHello == nil && !x.R().BadServerHello.Seen() {
				x.Rare().BadServerHello, x.Rare().BadSHVersion, x.Rare().BadSHErr = at, ev.HelloVersion, helloErr(ev)
			}
		case ev.HandshakeType == tls.HandshakeCertificate && d == fromClient && !x.R().ClientCert.Seen():
			x.Rare().ClientCert, x.Rare().ClientCerts = at, -1
			if ev.Certificate != nil {
				x.Rare().ClientCerts = int32(len(ev.Certificate.Chain) + ev.Certificate.Dropped)
			}
		case ev.HandshakeType == tls.HandshakeServerHello && d == fromServer && ev.ServerHello != nil:
			if ev.ServerHello.HelloRetryRequest {
				if x.R().HRR == nil {
					x.Rare().HRR, x.Rare().HRRRef = f.shared.fps.ServerHello(ev.ServerHello), at
				}
			} else if x.ServerHello == nil {
				x.ServerHello, x.SHRef = f.shared.fps.ServerHello(ev.ServerHello), at
			}
		}
	case tls.EventAlert:
		if len(x.Alerts) < facts.MaxAlerts {
			if x.Alerts == nil {
				x.Alerts, f.spare.alerts = f.spare.alerts, nil
			}
			x.Alerts = append(x.Alerts, facts.Alert{From: uint8(d), Ref: at, Level: ev.Alert.Level,
				Description: ev.Alert.Description, Encrypted: ev.Encrypted, BeforeServerHello: x.ServerHello == nil})
		}
	case tls.EventChangeCipherSpec:
		if !x.CCS[d].Seen() {
			x.CCS[d] = at
		}
	case tls.EventApplicationData:
		x.AppData[d]++
		f.encryptedRecord(d, at, ev.Length)
		if d == fromServer && x.FirstEncrypted[fromClient].Seen() {
			f.answerToFlight(lastFrame, lastTime, lastFrame != 0, ev.Length)
		}
	case tls.EventNotTLS:
		if !x.R().NotTLS[d].Seen() {
			x.Rare().NotTLS[d] = facts.NotTLS{Ref: facts.MakeRef(first, firstTime), Prefix: ev.Prefix}
			if first == 0 {
				x.Rare().NotTLS[d].Ref = s.firstPayload
			}
			if damagedHello(ev.Prefix) {
				if f.damaged == nil {
					f.damaged = &facts.Damaged{}
				}
				f.damaged.Note(x.R().NotTLS[d].Ref, facts.DamageRecord)
			}
		}
	case tls.EventHeartbeat:
		if !ev.Encrypted && !x.R().Heartbeat[d].Seen() {
			x.Rare().Heartbeat[d], x.Rare().HeartbeatLen[d] = at, int32(ev.Length)
		}
	case tls.EventError:
		if x.R().Errs[d].Kind == facts.RecordErrNone && ev.Err != nil {
			x.Rare().Errs[d], x.Rare().ErrRefs[d] = recordErr(ev.Err), at
		}
	}
}

// encryptedRecord notes an encrypted record from direction d.
func (f *flow) encryptedRecord(d int, at ref, length int) {
	x := &f.tls
	if !x.FirstEncrypted[d].Seen() {
		x.FirstEncrypted[d] = at
		x.FirstEncryptedLen[d] = int32(length)
	}
}

// answerToFlight notes a server application_data record of the given length that ended in frame
// (ok: the frame is known; a record beyond the analysed stream is not placed) once the client has
// sent its first encrypted record: one after that record is the server's answer to the client's
// (TLS 1.3: second) flight. The first answer is kept when it has the size of an encrypted alert.
func (f *flow) answerToFlight(frame int, t time.Time, ok bool, length int) {
	x := &f.tls
	if ok && frame <= x.FirstEncrypted[fromClient].Num() {
		return
	}
	x.ServerAfterFlight++
	if x.ServerAfterFlight == 1 && ok && length <= facts.EncryptedAlertMaxLen {
		x.Rare().ShortAnswer, x.Rare().ShortAnswerLen = facts.MakeRef(frame, t), int32(length)
	}
}

// replyToAnswer notes a client application_data record of the given length that ended in frame
// (ok: the frame is known): the first one after the server's short answer to the client's flight
// (ShortAnswer) is kept, as the client's reply to it.
func (f *flow) replyToAnswer(frame int, t time.Time, ok bool, length int) {
	r := f.tls.X
	if !ok || !r.ShortAnswer.Seen() || r.ClientReply.Seen() || frame <= r.ShortAnswer.Num() {
		return
	}
	r.ClientReply, r.ClientReplyLen = facts.MakeRef(frame, t), int32(length)
}

// tlsRecord is the record's TLS facts: nil when neither side spoke TLS nor showed anything the
// diagnosis reads of TLS (a side that turned out not to speak it, an error, an alert).
func (f *flow) tlsRecord() *facts.TLS {
	if !f.hasTLSRecord() {
		return nil
	}
	out := f.tls.TLS
	return &out
}

// hasTLSRecord reports whether the record has TLS facts (tlsRecord is not nil).
func (f *flow) hasTLSRecord() bool {
	x := &f.tls.TLS
	return x.IsTLS() || len(x.Alerts) > 0 || x.X != nil || x.AppData[0] != 0 || x.AppData[1] != 0
}

// helloErr keeps why a ClientHello or ServerHello did not parse as codes (and the message's
// length when it was too long to parse, or the field where it stopped when it was malformed),
// for a report to word in its own language.
func helloErr(ev *tls.Event) facts.HelloErr {
	if errors.Is(ev.Err, tls.ErrMessageTooLarge) {
		return facts.HelloErr{Kind: facts.HelloErrTooLarge, Length: int32(ev.Length)} // a 24-bit length
	}
	e := facts.HelloErr{Kind: facts.HelloErrMalformed}
	var he *tls.HelloError
	if errors.As(ev.Err, &he) {
		// Offsets and lengths lie within a message of at most tls.MaxHandshakeMessage bytes.
		e.Field, e.Problem, e.Extension = he.Field, he.Problem, he.Extension
		e.Offset, e.Declared, e.Available = int32(he.Offset), int32(he.Declared), int32(he.Available)
	}
	return e
}

// recordErr keeps a TLS record error as its kind and numbers (tls.RecordError), for a report to
// word in its own language.
func recordErr(err error) facts.RecordErr {
	var re *tls.RecordError
	if !errors.As(err, &re) {
		return facts.RecordErr{Kind: facts.RecordErrOther}
	}
	e := facts.RecordErr{Kind: facts.RecordErrOther, Value: int32(re.Value), Offset: re.Offset}
	switch re.Kind {
	case tls.ErrContentType:
		e.Kind = facts.RecordErrContentType
	case tls.ErrRecordVersion:
		e.Kind = facts.RecordErrVersion
	case tls.ErrRecordOverflow:
		e.Kind = facts.RecordErrLength
	}
	return e
}
