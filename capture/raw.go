package capture

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// rawFrame is one frame as the file holds it.
type rawFrame struct {
	data []byte
	ci   gopacket.CaptureInfo
	lt   layers.LinkType
}

// Raw returns the frame that the last successful Next decoded, undecoded: its bytes, its capture
// info (timestamp, lengths, pcapng interface) and its link type, for writing it to another file.
// data borrows the reader's buffer and is valid only until the next call to Next.
func (r *Reader) Raw() (data []byte, ci gopacket.CaptureInfo, lt layers.LinkType) {
	return r.raw.data, r.raw.ci, r.raw.lt
}
