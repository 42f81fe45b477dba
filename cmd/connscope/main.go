// Command connscope tells, from packets alone, why a TLS client cannot talk to its server.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
