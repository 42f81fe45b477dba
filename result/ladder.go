package result

import "time"

// Packet is one packet of a flow as a ladder (sequence) diagram draws it: who sent it, when,
// its TCP flags and payload length, and the TLS messages it completed.
//
// Flow.Packets keeps a bounded part of each flow: the first LadderHead packets and the last
// LadderTail; Flow.PacketsOmitted counts those in between that were left out.
type Packet struct {
	Frame int       `json:"frame"` // frame number, as Wireshark numbers it
	Time  time.Time `json:"time"`
	From  string    `json:"from"` // "client" or "server"
	// TCPFlags are the flags set, in Wireshark's order and words, comma-separated:
	// "SYN", "SYN, ACK", "PSH, ACK", "FIN, ACK", "RST", ...
	TCPFlags   string `json:"tcp_flags"`
	PayloadLen int    `json:"payload_len"` // TCP payload bytes on the wire
	// Retransmission is true when the segment carried no new payload byte.
	Retransmission bool `json:"retransmission"`
	// Messages are the TLS records this packet completed, in order, with the tls package's
	// names: "client_hello", "server_hello", "certificate", "change_cipher_spec",
	// "encrypted_handshake", "application_data", "alert fatal protocol_version",
	// "encrypted_alert", or "not_tls" for the first bytes of a stream that is not TLS. Never nil.
	Messages []string `json:"messages"`
}

// Bounds of Flow.Packets.
const (
	LadderHead = 32 // first packets of a flow kept
	LadderTail = 8  // last packets kept after those
)
