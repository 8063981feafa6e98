package sync

import (
	"bufio"
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"banksale/model"
	"banksale/sync/top"
	"banksale/sync/top/toptest"
)

func clientWith(t testing.TB, cfg top.Config) *top.Client {
	t.Helper()
	cfg.AppKey, cfg.Secret, cfg.Logger = testAppKey, testSecret, testLog(t)
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	c, err := top.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestClosedPortIsUnreachable: with the gateway's port closed the uploader says, within 30 s,
// that head office cannot be reached and why; it then probes with one order at a growing
// interval instead of sending every due order; the gateway's first answer ends it and every
// order goes.
func TestClosedPortIsUnreachable(t *testing.T) {
	const orders = 200
	j := seedJournal(t, t.TempDir(), orders)
	defer j.Close()
	addr := freeAddr(t)
	// Every attempt to reach the gateway dials it: counting dials counts what goes on the wire.
	var dials atomic.Int64
	dialer := &net.Dialer{Timeout: time.Second}
	c := clientWith(t, top.Config{URL: "http://" + addr + "/router/rest", Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			dials.Add(1)
			return dialer.DialContext(ctx, network, a)
		},
	}})
	cfg := fastConfig(4)
	cfg.ProbeCap = 400 * time.Millisecond
	u := New(j, c, cfg, testLog(t))
	start(t, u)

	began := time.Now()
	waitFor(t, 30*time.Second, "cannot reach head office", func() bool { return u.State().Mode == model.ModeUnreachable })
	st := u.State()
	if st.Cause != model.CauseNetwork || st.Since.IsZero() || !strings.Contains(st.Reason, "No connection") {
		t.Fatalf("state %+v", st)
	}
	t.Logf("unreachable after %s", time.Since(began).Round(time.Millisecond))

	// While it lasts, only probes go out, at a growing interval: not every due order at the
	// rate limit (which was 20 a second, for ever).
	before := dials.Load()
	time.Sleep(2 * time.Second)
	if probes := dials.Load() - before; probes > 4 {
		t.Fatalf("%d calls in 2 s while head office cannot be reached: want a probe at a time", probes)
	}

	// The gateway comes up where the uploader knocks: the next probe's answer ends it.
	gw := newGateway(t, toptest.Options{Addr: addr})
	waitFor(t, 30*time.Second, "every order uploaded", func() bool { return counts(t, j)[model.StatusUploaded] == orders })
	if m := u.State().Mode; m == model.ModeUnreachable {
		t.Fatalf("still unreachable: %+v", u.State())
	}
	if len(gw.Orders()) != orders || gw.Conflicts() != 0 {
		t.Fatalf("gateway holds %d, %d conflicts", len(gw.Orders()), gw.Conflicts())
	}
}

// TestUntrustedCertificatePauses: a gateway whose certificate this PC does not trust (a
// firewall that inspects HTTPS) pauses uploading, naming the certificate; its root given as
// ca_file makes it trusted and the orders go.
func TestUntrustedCertificatePauses(t *testing.T) {
	j := seedJournal(t, t.TempDir(), 5)
	defer j.Close()
	gw := newGateway(t, toptest.Options{TLS: true})
	u := New(j, clientWith(t, top.Config{URL: gw.URL()}), fastConfig(2), testLog(t))
	stop := start(t, u)
	waitFor(t, 10*time.Second, "a pause", func() bool { return u.State().Mode == model.ModePaused })
	if st := u.State(); st.Cause != model.CauseCertificate || !strings.Contains(st.Reason, "ca_file") {
		t.Fatalf("state %+v", st)
	}
	stop()
	if len(gw.Orders()) != 0 || counts(t, j)[model.StatusUploaded] != 0 {
		t.Fatal("an order went through an untrusted connection")
	}

	ca := filepath.Join(t.TempDir(), "firewall-root.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: gw.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	u = New(j, clientWith(t, top.Config{URL: gw.URL(), CAFile: ca}), fastConfig(2), testLog(t))
	res, err := Drain(context.Background(), u, 20*time.Second, nil)
	if err != nil || !res.AllUploaded() || len(gw.Orders()) != 5 {
		t.Fatalf("with ca_file: %+v %v, gateway holds %d", res, err, len(gw.Orders()))
	}
}

// TestProxyWantsPasswordPauses: a proxy that answers 407 pauses uploading with a sentence about
// the proxy, not about the gateway's address.
func TestProxyWantsPasswordPauses(t *testing.T) {
	j := seedJournal(t, t.TempDir(), 3)
	defer j.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				if req, err := http.ReadRequest(bufio.NewReader(conn)); err == nil {
					_, _ = io.Copy(io.Discard, req.Body)
					_, _ = io.WriteString(conn, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"mall\"\r\nContent-Length: 0\r\n\r\n")
				}
			}()
		}
	}()
	c := clientWith(t, top.Config{URL: "https://gw.banksale-test.invalid/router/rest", Proxy: "http://" + ln.Addr().String()})
	u := New(j, c, fastConfig(2), testLog(t))
	res, err := Drain(context.Background(), u, 10*time.Second, nil)
	if err != nil || res.Paused.Cause != model.CauseProxy || !strings.Contains(res.Paused.Reason, "proxy") {
		t.Fatalf("%+v %v", res, err)
	}
}

// TestWebPagePauses: a captive portal that answers 200 with its login page pauses uploading;
// it is not taken for an answer of the gateway.
func TestWebPagePauses(t *testing.T) {
	j := seedJournal(t, t.TempDir(), 3)
	defer j.Close()
	gw := newGateway(t, toptest.Options{Script: func(int, string) toptest.Fault {
		return toptest.Fault{Kind: toptest.FaultRow, Row: top.KindWebPage}
	}})
	u := New(j, clientWith(t, top.Config{URL: gw.URL()}), fastConfig(1), testLog(t))
	res, err := Drain(context.Background(), u, 10*time.Second, nil)
	if err != nil || res.Paused.Cause != model.CauseWebPage || res.Counts[model.StatusUploaded] != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	if at, _ := j.Attempts(context.Background(), sale(1).OrderID); len(at) == 0 || !strings.Contains(at[0].Answer, "log in") {
		t.Fatalf("the page was not kept in the attempt: %+v", at)
	}
}

// TestGiveUpAfter: an order that keeps failing longer than give_up_after goes to a person with
// its last reason, instead of retrying unseen for ever.
func TestGiveUpAfter(t *testing.T) {
	j := seedJournal(t, t.TempDir(), 2)
	defer j.Close()
	gw := newGateway(t, toptest.Options{Script: func(int, string) toptest.Fault { return toptest.Fault{Kind: toptest.FaultISP} }})
	cfg := fastConfig(1)
	cfg.GiveUpAfter = 300 * time.Millisecond
	u := New(j, newClient(t, gw.URL(), testSecret, time.Second), cfg, testLog(t))
	start(t, u)
	waitFor(t, 10*time.Second, "both given up", func() bool { return counts(t, j)[model.StatusRejected] == 2 })
	o := get(t, j, sale(1).OrderID)
	if o.LastClass != model.ClassGaveUp || o.LastMessage != "后端服务不可用" {
		t.Fatalf("last class %q message %q", o.LastClass, o.LastMessage)
	}
}

// TestRealGatewayAnswers is issue 8's end-to-end run: 1,000 orders against a gateway that
// answers as the real one may — every fault at once, answers without success, busy answers,
// and re-sends after a timeout answered as duplicates in Chinese with a numeric err_code. The
// journal's uploaded orders must be exactly the gateway's, all 1,000; none rejected; none sent
// with two payloads.
func TestRealGatewayAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 orders through a gateway that answers as the real one may")
	}
	const orders = 1000
	j := seedJournal(t, t.TempDir(), orders)
	defer j.Close()
	mix := append(append([]toptest.FaultKind{}, faultMix...), toptest.FaultNoSuccess, toptest.FaultNoSuccess, toptest.FaultNoSuccess,
		toptest.FaultBusy, toptest.FaultBusy, toptest.FaultBusy)
	gw := newGateway(t, toptest.Options{Seed: 8, FaultRate: 0.3, Mix: mix, ChineseDuplicates: true, BanSeconds: 1, SlowDelay: time.Second})
	u := New(j, newClient(t, gw.URL(), testSecret, 300*time.Millisecond), fastConfig(4), testLog(t))
	res, err := Drain(context.Background(), u, 150*time.Second, nil)
	if err != nil || res.TimedOut {
		t.Fatalf("Drain: %+v %v", res, err)
	}
	if res.Counts[model.StatusUploaded] != orders || res.Counts[model.StatusRejected] != 0 {
		t.Errorf("counts %v, want all %d uploaded and none rejected", res.Counts, orders)
	}
	held := gw.Orders()
	for i := 1; i <= orders; i++ {
		id := sale(i).OrderID
		if o := get(t, j, id); (o.Status == model.StatusUploaded) != (held[id] != nil) {
			t.Errorf("%s: journal says %s, gateway holds it: %v", id, o.Status, held[id] != nil)
		}
	}
	if len(held) != orders || gw.Conflicts() != 0 {
		t.Errorf("gateway holds %d orders with %d conflicts", len(held), gw.Conflicts())
	}
	kinds := map[toptest.FaultKind]int{}
	dups := 0
	for _, r := range gw.Requests() {
		kinds[r.Fault]++
		if strings.HasPrefix(r.Answer, "duplicate") {
			dups++
		}
		if p := held[r.OrderID]; p != nil && !bytes.Equal(p, r.Payload) {
			t.Errorf("request %d sent %s with other bytes", r.N, r.OrderID)
		}
	}
	for _, k := range []toptest.FaultKind{toptest.FaultSlow, toptest.FaultResetAfter, toptest.FaultNoSuccess, toptest.FaultBusy, toptest.FaultMalformed} {
		if kinds[k] == 0 {
			t.Errorf("no %s fault happened: the test does not cover it", k)
		}
	}
	if dups == 0 {
		t.Error("no re-send was answered as a duplicate: the test does not cover it")
	}
	t.Logf("%d requests, %d answered as duplicates, faults %s", len(gw.Requests()), dups, kindList(kinds))
}

// TestTransportMessageKeepsItsCause: an order that could not be sent says why in its last
// error (connection refused), not only "request not sent", which left the cause in the log.
func TestTransportMessageKeepsItsCause(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := top.New(top.Config{URL: "http://" + addr + "/router/rest", AppKey: "k", Secret: "s", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Call(context.Background(), "alibaba.mos.oc.trade.syncbanksale", map[string]string{"x": "1"})
	var te *top.Error
	if !errors.As(err, &te) {
		t.Fatalf("Call: %v", err)
	}
	if got := message(te); !strings.HasPrefix(got, "request not sent: ") || !strings.Contains(got, "refused") {
		t.Errorf("message = %q", got)
	}
}
