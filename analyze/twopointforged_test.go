package analyze

import (
	"path/filepath"
	"testing"

	"github.com/connscope/connscope/capture"
	"github.com/connscope/connscope/capture/pcapfile"
	"github.com/connscope/connscope/diagnose"
	"github.com/connscope/connscope/facts"
	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/result"
)

// forgedTwoPointInputs are the shipped two-point captures of a reset forged in the server's name
// (twopoint/forged-rst-*.pcap: two RSTs, TTL 64, that the server never sent reached the agent).
func forgedTwoPointInputs() []pcapfile.Input {
	return []pcapfile.Input{{Path: filepath.Join(ownCaptures, "twopoint/forged-rst-agent.pcap"), Point: "agent"},
		{Path: filepath.Join(ownCaptures, "twopoint/forged-rst-server.pcap"), Point: "server"}}
}

// TestTwoPointForgedNamesSide: the next step of a reset forged in the server's name names the
// server in a two-point run, in English and Japanese, also when only the comparison of the capture
// points shows the reset forged. The shipped agent capture shows it by the reset's TTL (64, the
// server's packets 63) too; the second case gives the agent's record the resets with the server's
// TTL (as a device at the server's hop count would send them), so that only the server's
// capture, where they never left the server, tells them forged (diagnose.Views).
func TestTwoPointForgedNamesSide(t *testing.T) {
	const (
		en = "A device between client and server (firewall, IPS, proxy; the TTL tells how many hops from the capture point) resets " +
			"this connection in the name of 10.92.2.2:4343: find the rule that does it (connection limits, byte or content rules, " +
			"IPS signatures) and the device's logs at 23:43:43 UTC."
		ja = "クライアントとサーバーの間の機器（ファイアウォール、IPS、プロキシ。キャプチャ地点から何ホップ先かは TTL でわかります）が " +
			"10.92.2.2:4343 になりすましてこの接続をリセットしています。それを行っているルール（接続数の制限、バイト数やコンテンツの" +
			"ルール、IPS のシグネチャ）と、23:43:43 UTC のその機器のログを確認してください。"
	)
	generic := knowledge.Default()
	check := func(name string, v result.Verdict, adv *result.Advice) {
		t.Helper()
		if v != result.VerdictMiddleboxReset {
			t.Fatalf("%s: verdict %s, want middlebox-reset", name, v)
		}
		for _, lw := range []struct {
			lang knowledge.Lang
			want string
		}{{knowledge.English, en}, {knowledge.Japanese, ja}} {
			w := generic.Advise(lw.lang, v, adv, nil)
			if len(w.NextSteps) != 1 || w.NextSteps[0] != lw.want {
				t.Errorf("%s (%s): next steps %q\nwant %q", name, lw.lang, w.NextSteps, lw.want)
			}
		}
	}

	res := analyzeInputs(t, forgedTwoPointInputs()...)
	fs := res.Flows.Slice()
	if len(fs) != 1 {
		t.Fatalf("%d flows, want 1", len(fs))
	}
	check("shipped", fs[0].Verdict, &fs[0].Advice)

	// The views of the same captures, with the agent's record's resets at the server's TTL.
	r, err := pcapfile.OpenInputs(forgedTwoPointInputs(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	a := New(Options{})
	a.readFrom(func() ([]pcapfile.Vantage, []pcapfile.Point) { return r.Vantages(), r.Points() }, r.SplittingLinks())
	var p capture.Packet
	for err = r.Next(&p); err == nil; err = r.Next(&p) {
		a.Packet(&p)
	}
	a.Finish(result.Input{})
	c := a.kept.record(0)
	w := a.vp.views[c.ID]
	forged := 0
	for i := range c.RSTs {
		if c.RSTs[i].From == facts.Server {
			c.RSTs[i].TTL = c.Path.Side[facts.Server].TTL
			forged++
		}
	}
	if w == nil || forged != 2 || c.Path.Side[facts.Server].TTL != 63 {
		t.Fatalf("views %v, %d resets from the server side, server TTL %d: want views, 2, 63", w != nil, forged, c.Path.Side[facts.Server].TTL)
	}
	d := diagnose.Conn(c, &a.cfg, a.context(c.Vantage))
	if d.Verdict == result.VerdictMiddleboxReset {
		t.Fatalf("own verdict %s: the record still shows the resets forged", d.Verdict)
	}
	diagnose.Views(&d, w, a.vp.names)
	adv := a.advice(c, &d)
	check("views only", d.Verdict, &adv)
}
