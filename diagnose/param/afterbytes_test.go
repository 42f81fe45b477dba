package param_test

import (
	"io"
	"slices"
	"testing"
	"time"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/diagnose/param"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/track"
)

// resetConn is the one connection of testdata/captures/path-midstream-reset.pcap: a reset in
// the server's name after 357 bytes from the client and 34400 from the server, with 20757 more
// from the server after it (2 segments sent again).
func resetConn(t *testing.T) *facts.Conn {
	t.Helper()
	r, err := pcapfile.Open("../../testdata/captures/path-midstream-reset.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var conns []*facts.Conn
	tr := track.New(track.Config{StreamLimit: 1 << 16, IdleTimeout: time.Hour, ClosedLinger: 5 * time.Second, MaxActiveFlows: 16},
		func(c *facts.Conn) bool {
			cc := *c
			cc.RSTs = slices.Clone(c.RSTs)
			conns = append(conns, &cc)
			return false
		})
	var p capture.Packet
	for {
		if err := r.Next(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		tr.Packet(&p)
	}
	tr.Flush()
	if len(conns) != 1 || len(conns[0].RSTs) == 0 {
		t.Fatalf("%d connections, want 1 with a reset", len(conns))
	}
	return conns[0]
}

// TestAfterBytes words the stage of a reset: the real one of path-midstream-reset.pcap, and the
// same connection with its reset moved before any data (the counts up to it set to 0), so that
// all its bytes came after the reset. That read "after 0 bytes from the client and 0 from the
// server, and 357 more from the client and 55157 from the server after it".
func TestAfterBytes(t *testing.T) {
	c := resetConn(t)
	real := c.RSTs[0]
	beforeAny := real
	beforeAny.Bytes, beforeAny.Retrans = [2]int64{}, [2]int32{}
	serverOnly := *c
	serverOnly.Side[facts.Client].Bytes = 0
	cases := []struct {
		name   string
		c      *facts.Conn
		r      facts.RST
		en, ja string
	}{
		{"real", c, real,
			"after 357 bytes from the client and 34400 from the server, and 20757 more from the server after it on the wire, " +
				"counting 2 segments sent again",
			"クライアントから 357 バイト、サーバーから 34400 バイトが流れた時点で（リセット後にも再送された 2 個のセグメントを含めて、" +
				"サーバーから 20757 バイトが流れています）"},
		{"before any data, both sides after", c, beforeAny,
			"before any data (357 bytes from the client and 55157 from the server came after it on the wire, counting 2 segments sent again)",
			"データが流れる前に（リセット後に再送された 2 個のセグメントを含めて、クライアントから 357 バイト、サーバーから 55157 バイトが流れています）"},
		{"before any data, the server after", &serverOnly, beforeAny,
			"before any data (55157 bytes from the server came after it on the wire, counting 2 segments sent again)",
			"データが流れる前に（リセット後に再送された 2 個のセグメントを含めて、サーバーから 55157 バイトが流れています）"},
	}
	en, ja := knowledge.CatalogOf(knowledge.English), knowledge.CatalogOf(knowledge.Japanese)
	for _, tc := range cases {
		m := param.AfterBytes(tc.c, tc.r)
		if got := en.Render(m); got != tc.en {
			t.Errorf("%s: en\n %s\nwant\n %s", tc.name, got, tc.en)
		}
		if got := ja.Render(m); got != tc.ja {
			t.Errorf("%s: ja\n %s\nwant\n %s", tc.name, got, tc.ja)
		}
	}
}
