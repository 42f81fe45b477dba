// Command bareloop runs the reference bare gopacket decode loop (pcapfile.BareDecodeLoop) over a
// file: the speed connscope's full analysis is measured against.
package main

import (
	"fmt"
	"os"

	"github.com/connscope/connscope/capture/pcapfile"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: bareloop FILE.pcap")
		os.Exit(2)
	}
	n, err := pcapfile.BareDecodeLoop(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bareloop:", err)
		os.Exit(1)
	}
	fmt.Printf("%d packets\n", n)
}
