package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/connscope/connscope/knowledge"
)

// writeProfiles lists the built-in knowledge profiles, as their data files describe them.
func writeProfiles(w io.Writer) {
	fmt.Fprintln(w, "Knowledge profiles (connscope analyze --profile NAME):")
	for _, name := range knowledge.Profiles() {
		p, err := knowledge.ProfileByName(name)
		if err != nil {
			continue
		}
		fmt.Fprintf(w, "\n  %s\n    %s\n", p.Name, p.Description)
		if len(p.Ports) > 0 {
			ports := make([]string, len(p.Ports))
			for i, port := range p.Ports {
				ports[i] = fmt.Sprint(port)
			}
			fmt.Fprintf(w, "    ports when --port is not given: %s\n", strings.Join(ports, ", "))
		}
		if p.CheckURL != "" {
			fmt.Fprintf(w, "    check URL: %s\n", p.CheckURL)
		}
	}
}
