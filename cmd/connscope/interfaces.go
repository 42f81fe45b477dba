package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/connscope/connscope/capture/live"
	"github.com/connscope/connscope/result"
)

const interfacesUsage = `Usage:
  connscope interfaces

Lists the network interfaces 'connscope capture -i' can use, with their state and addresses (on
Windows the Npcap device names, \Device\NPF_{...}, with their descriptions).
`

func runInterfaces(args []string, stdout io.Writer) (int, error) {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" {
			fmt.Fprint(stdout, interfacesUsage)
			return exitOK, nil
		}
		return exitUsage, usageErr("cli.usage.no-args", result.Text("command", "interfaces"), quoted("arg", args[0]))
	}
	ifs, err := live.Interfaces()
	if err != nil {
		return exitUsage, err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATE\tADDRESSES\tDESCRIPTION")
	for _, it := range ifs {
		state := "down"
		if it.Up {
			state = "up"
		}
		if it.Loopback {
			state += ",loopback"
		}
		addrs := make([]string, len(it.Addrs))
		for i, a := range it.Addrs {
			addrs[i] = a.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", it.Name, state, orNone(strings.Join(addrs, " ")), it.Description)
	}
	return exitOK, tw.Flush()
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
