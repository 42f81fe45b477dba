package facts

import "github.com/connscope/connscope/tls"

// MaxLadderMessages bounds the TLS records noted on one packet of a ladder.
const MaxLadderMessages = 8

// LadderPacket is one packet of a connection, kept for its ladder diagram, with the TLS records
// it completed as codes (LadderCode). It holds no pointer.
type LadderPacket struct {
	At         Ref // its frame number and time
	PayloadLen int32
	From       uint8
	Flags      uint8 // TCP flags (capture.Flag*)
	Retrans    bool
	NMessages  uint8
	Messages   [MaxLadderMessages]LadderCode
}

// LadderCode is a TLS record as a ladder names it: the event kind in the top byte; for a
// plaintext handshake message its type, for a plaintext alert its level and description, in the
// low bytes; EncryptedCode for an encrypted handshake record or alert.
type LadderCode uint32

// EncryptedCode marks an encrypted handshake record or alert in a LadderCode.
const EncryptedCode = 1 << 16

// LadderCodeOf returns the code of ev, and false for an event a ladder does not show.
func LadderCodeOf(ev *tls.Event) (LadderCode, bool) {
	c := LadderCode(ev.Kind) << 24
	switch ev.Kind {
	case tls.EventHandshake:
		if ev.Encrypted {
			return c | EncryptedCode, true
		}
		return c | LadderCode(ev.HandshakeType), true
	case tls.EventAlert:
		if ev.Encrypted {
			return c | EncryptedCode, true
		}
		return c | LadderCode(ev.Alert.Level)<<8 | LadderCode(ev.Alert.Description), true
	case tls.EventChangeCipherSpec, tls.EventApplicationData, tls.EventHeartbeat, tls.EventNotTLS:
		return c, true
	}
	return 0, false
}

// Name names the records with code c: "ClientHello", "alert fatal protocol_version",
// "encrypted_handshake", "application_data".
func (c LadderCode) Name() string {
	ev := tls.Event{Kind: tls.EventKind(c >> 24), Encrypted: c&EncryptedCode != 0}
	switch ev.Kind {
	case tls.EventHandshake:
		ev.HandshakeType = tls.HandshakeType(c)
	case tls.EventAlert:
		ev.Alert = tls.Alert{Level: tls.AlertLevel(c >> 8), Description: tls.AlertDescription(c)}
	}
	return EventName(&ev)
}

// EventName names a TLS event as a ladder shows it; "" for events it does not show.
func EventName(ev *tls.Event) string {
	switch ev.Kind {
	case tls.EventHandshake:
		if ev.Encrypted {
			return "encrypted_handshake"
		}
		return ev.HandshakeType.String()
	case tls.EventAlert:
		if ev.Encrypted {
			return "encrypted_alert"
		}
		return "alert " + ev.Alert.String()
	case tls.EventChangeCipherSpec:
		return "change_cipher_spec"
	case tls.EventApplicationData:
		return "application_data"
	case tls.EventHeartbeat:
		return "heartbeat"
	case tls.EventNotTLS:
		return "not_tls"
	}
	return ""
}
