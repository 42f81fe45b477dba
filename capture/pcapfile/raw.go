package pcapfile

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
