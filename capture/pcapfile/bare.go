package pcapfile

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// BareDecodeLoop is the reference that connscope's speed is measured against: the bare gopacket
// decode loop over a pcap file (pcapng too), as gopacket's documentation writes it. A pcapgo reader
// with ZeroCopyReadPacketData, one DecodingLayerParser over preallocated Ethernet, IPv4, IPv6 and TCP
// layers with a reused decoded slice, and nothing else. It reads the file in reads of 1 MiB,
// as Reader does (straight into its chunks), so that a comparison measures decoding, not read sizes. It returns the number
// of packets read; a decode error of a packet is not an error of the loop.
func BareDecodeLoop(path string) (packets int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, readBufferBytes)
	magic, _ := br.Peek(4)
	var src interface {
		ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	}
	if len(magic) == 4 && magic[0] == 0x0a && magic[1] == 0x0d && magic[2] == 0x0d && magic[3] == 0x0a {
		src, err = pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{})
	} else {
		src, err = pcapgo.NewReader(br)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	var (
		eth layers.Ethernet
		ip4 layers.IPv4
		ip6 layers.IPv6
		tcp layers.TCP
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &ip4, &ip6, &tcp)
	parser.IgnoreUnsupported = true
	decoded := make([]gopacket.LayerType, 0, 4)
	for {
		data, _, err := src.ZeroCopyReadPacketData()
		if err == io.EOF {
			return packets, nil
		}
		if err != nil {
			return packets, fmt.Errorf("%s: %w", path, err)
		}
		packets++
		_ = parser.DecodeLayers(data, &decoded)
	}
}
