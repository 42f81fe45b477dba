package probe

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"time"

	"github.com/connscope/connscope/result"
	"github.com/connscope/connscope/tls"
)

// maxBody is the most of a response body counted.
const maxBody = 16 << 20

// get fetches path from host (a name, through the system resolver, or an address) on port over
// scheme, as an agent does; dialAddr, when set, is the address:port to connect to.
func (p *prober) get(ctx context.Context, scheme, host, dialAddr string, port int, path string) result.ProbeHTTP {
	hostport := net.JoinHostPort(host, strconv.Itoa(port))
	u := scheme + "://" + hostport + path
	h := result.ProbeHTTP{URL: u, By: "name"}
	if dialAddr != "" {
		h.By = "address"
	}
	serverName := host
	if dialAddr != "" {
		serverName = ""
	}
	tr := &http.Transport{
		TLSClientConfig:   goClientConfig(serverName),
		DisableKeepAlives: true,
		Proxy:             nil,
		DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			p.connections++
			if dialAddr != "" {
				a = dialAddr
			}
			return (&net.Dialer{Timeout: p.opts.Timeout}).DialContext(ctx, network, a)
		},
		TLSHandshakeTimeout:   p.opts.Timeout,
		ResponseHeaderTimeout: 2 * p.opts.Timeout,
	}
	defer tr.CloseIdleConnections()
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, 4*p.opts.Timeout)
	defer cancel()
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) {
		h.Address = ci.Conn.RemoteAddr().String()
	}})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		h.Error = err.Error()
		return h
	}
	req.Header.Set("User-Agent", "connscope-probe")
	resp, err := (&http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}).Do(req)
	if err != nil {
		h.Error, h.Seconds = err.Error(), time.Since(start).Seconds()
		return h
	}
	defer resp.Body.Close()
	h.Status = resp.StatusCode
	h.Bytes, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	if resp.TLS != nil {
		h.Version = tls.Version(resp.TLS.Version).String()
	}
	h.Seconds = time.Since(start).Seconds()
	return h
}
