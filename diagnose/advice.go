package diagnose

import (
	"time"

	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/result"
)

// AdviceParams are the values of the knowledge placeholders ({server}, {client_highest},
// {router}, ...) for connection c with diagnosis d: what a profile's title and next steps are
// filled in with. Values taken from the capture carry their kind, so a redacting report
// replaces them.
func AdviceParams(c *facts.Conn, d *Diagnosis, checkURL string) []result.Arg {
	out := make([]result.Arg, 0, 12)
	out = append(out,
		endpoint("server", c.Server), addr("server_ip", c.Server.Addr()), result.Text("port", itoa(int(c.Server.Port()))),
		endpoint("client", c.Client), addr("client_ip", c.Client.Addr()), result.Int("clients", 1),
		result.Text("time", adviceTime(c, d).UTC().Format("15:04:05")+" UTC"))
	if x := c.TLS; x != nil && x.Hello != nil {
		out = append(out, offeredArg("offered", x.Hello))
		if len(x.Hello.Offered) > 0 {
			out = append(out, result.Text("client_lowest", x.Hello.Offered[0].String()))
		}
	} else {
		out = append(out, result.Sub("offered", result.Msg("phrase.unknown-versions")))
	}
	if checkURL != "" {
		out = append(out, result.Text("check_url", checkURL))
	}
	if d.Highest != 0 {
		out = append(out, result.Text("client_highest", d.Highest.String()))
	}
	if len(c.ICMP()) > 0 {
		out = append(out, addr("router", c.ICMP()[0].Router))
	}
	if i, ok := injectedRST(c); ok {
		out = append(out, dur("idle", c.RSTs[i].Idle))
		if c.RSTs[i].From == facts.Client {
			out = append(out, endpoint("reset_in_name_of", c.Client))
		} else {
			out = append(out, endpoint("reset_in_name_of", c.Server))
		}
	} else if forgedRefusal(c, d) {
		out = append(out, endpoint("reset_in_name_of", c.Server))
	} else if d.Verdict == result.VerdictMiddleboxReset && d.inNameOf > 0 {
		// Found only by comparing the capture points (Views): the reset's sender as they show it.
		if int(d.inNameOf-1) == facts.Client {
			out = append(out, endpoint("reset_in_name_of", c.Client))
		} else {
			out = append(out, endpoint("reset_in_name_of", c.Server))
		}
	}
	if rst, ok := c.FirstRST(); ok && d.Verdict == result.VerdictReset {
		by := c.Server
		if rst.From == facts.Client {
			by = c.Client
		}
		out = append(out, endpoint("reset_by", by), result.Int("reset_ttl", rst.TTL))
	}
	if h := c.HTTP(); h != nil && h.Request.Seen() {
		out = append(out, result.URLPath("path", h.Path))
		if h.Response.Seen() {
			out = append(out, result.Capture("status", h.Line))
		}
	}
	return out
}

// adviceTime is the moment a next step sends the reader to the logs for (written in UTC, named so:
// the reader's logs may be in another zone): the reset that ended
// the connection when the verdict is about a reset (a middlebox's or an endpoint's), else the
// connection's last packet (its end, where the failure shows in the logs). A middlebox's reset
// can come long before the last packet: the client's retransmissions of its FIN went on after it.
func adviceTime(c *facts.Conn, d *Diagnosis) time.Time {
	if i, ok := injectedRST(c); ok {
		return c.RSTs[i].Time()
	}
	if forgedRefusal(c, d) {
		return c.RSTs[0].Time()
	}
	if rst, ok := c.FirstRST(); ok && (d.Verdict == result.VerdictMiddleboxReset || d.Verdict == result.VerdictReset) {
		return rst.Time()
	}
	return c.Last.Time()
}

// forgedRefusal reports whether d judged the reset answering the SYN of c forged in the
// server's name (a refusal whose reset's TTL is not the server's own, inferPath): the next step
// names the server as the side the reset pretends to come from.
func forgedRefusal(c *facts.Conn, d *Diagnosis) bool {
	return d.Verdict == result.VerdictMiddleboxReset && len(c.RSTs) > 0 && c.RSTs[0].From == facts.Server &&
		!c.Path.Side[facts.Server].TTLSet
}
