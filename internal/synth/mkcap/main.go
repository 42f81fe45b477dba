// Command mkcap writes a large benchmark capture made of copies of real connections:
//
//	go run ./internal/synth/mkcap -o /tmp/big.pcap -n 1000000 testdata/captures/tls12-ok.pcap ...
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/connscope/connscope/internal/synth"
)

func main() {
	out := flag.String("o", "", "output pcap file")
	n := flag.Int("n", 1000000, "at least this many packets")
	interval := flag.Duration("interval", 200*time.Microsecond, "time between the starts of two copies")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: mkcap -o OUT.pcap [-n PACKETS] TEMPLATE.pcap...")
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkcap:", err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	written, copies, err := synth.Write(w, flag.Args(), *n, *interval)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkcap:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d packets, %d copies\n", *out, written, copies)
}
