package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"banksale/sync/top/toptest"
)

func gatewayConfig(srv *toptest.Server, secret, backoff string) string {
	return fmt.Sprintf(`[gateway]
url = %q
app_key = "test-app"
app_secret = %q
timeout = "5s"
[uploader]
workers = 4
rate_limit = 0
backoff_base = %q
backoff_cap = %q
`, srv.URL(), secret, backoff, backoff)
}

func TestSyncDrainUploadsEverything(t *testing.T) {
	srv := toptest.NewServer(toptest.Options{AppKey: "test-app", Secret: "s3cret"})
	defer srv.Close()
	te := newTestEnv(t, gatewayConfig(srv, "s3cret", "100ms"))
	importGood(t, te, 30)

	code, out, errs := te.run("sync", "--drain", "--max-wait", "60s")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if out != "" {
		t.Errorf("sync wrote to stdout: %q", out)
	}
	// Not a terminal: no progress, just the summary line.
	if lines := strings.Split(strings.TrimSpace(errs), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "uploaded 30") {
		t.Errorf("summary %q", errs)
	}
	if n := len(srv.Orders()); n != 30 {
		t.Errorf("gateway holds %d orders", n)
	}
	code, out, _ = te.run("list", "--json", "--status", "uploaded")
	var v []orderJSON
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || len(v) != 30 || v[0].Attempts != 1 || v[0].RequestID == "" {
		t.Errorf("after drain: %d orders uploaded, first %+v", len(v), v)
	}
}

func TestSyncDrainRejectedThenRetry(t *testing.T) {
	srv := toptest.NewServer(toptest.Options{AppKey: "test-app", Secret: "s3cret",
		RejectOrders: map[string]bool{"T00000002": true, "T00000005": true}})
	defer srv.Close()
	te := newTestEnv(t, gatewayConfig(srv, "s3cret", "100ms"))
	importGood(t, te, 8)

	code, _, errs := te.run("sync", "--drain", "--max-wait", "60s")
	if code != exitRefused || !strings.Contains(errs, "rejected 2") || !strings.Contains(errs, "uploaded 6") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	code, out, _ := te.run("show", "T00000002", "--json")
	var v showJSON
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v.Order.Status != "rejected" || len(v.Attempts) != 1 ||
		v.Attempts[0].Outcome != "rejected" || v.Order.LastSubCode == "" {
		t.Errorf("rejected order: %s", out)
	}

	if code, _, errs := te.run("retry", "T00000002", "T00000003", "NOPE"); code != exitRefused ||
		!strings.Contains(errs, "T00000003 is uploaded") || !strings.Contains(errs, "no order NOPE") {
		t.Errorf("retry: %d %q", code, errs)
	}
	if code, out, _ := te.run("retry", "--failed"); code != 0 || !strings.Contains(out, "2 orders") {
		t.Errorf("retry --failed: %d %q", code, out)
	}
	if code, _, _ := te.run("retry", "--failed", "T00000002"); code != exitUsage {
		t.Errorf("retry --failed with ids: %d", code)
	}
	_, out, _ = te.run("list", "--json", "--status", "retrying")
	var l []orderJSON
	if json.Unmarshal([]byte(out), &l) != nil || len(l) != 2 {
		t.Errorf("after retry: %s", out)
	}
}

func TestSyncDrainTimesOut(t *testing.T) {
	srv := toptest.NewServer(toptest.Options{AppKey: "test-app", Secret: "s3cret",
		Script: func(int, string) toptest.Fault { return toptest.Fault{Kind: toptest.FaultHTTP503} }})
	defer srv.Close()
	te := newTestEnv(t, gatewayConfig(srv, "s3cret", "1m"))
	importGood(t, te, 3)
	start := time.Now()
	code, _, errs := te.run("sync", "--drain", "--max-wait", "1s")
	if code != exitTimedOut || !strings.Contains(errs, "retrying 3") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestSyncDrainPausedOnWrongSecret(t *testing.T) {
	srv := toptest.NewServer(toptest.Options{AppKey: "test-app", Secret: "right"})
	defer srv.Close()
	te := newTestEnv(t, gatewayConfig(srv, "wrong", "100ms"))
	importGood(t, te, 3)
	code, _, errs := te.run("sync", "--drain", "--max-wait", "30s")
	if code != exitRefused || !strings.Contains(errs, "paused: ") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if n := len(srv.Requests()); n > 4 { // the calls already in flight on the 4 workers
		t.Errorf("%d requests with a wrong secret: want the uploader to pause at once", n)
	}
}

func TestSyncUntilInterrupted(t *testing.T) {
	srv := toptest.NewServer(toptest.Options{AppKey: "test-app", Secret: "s3cret"})
	defer srv.Close()
	te := newTestEnv(t, gatewayConfig(srv, "s3cret", "100ms"))
	importGood(t, te, 5)

	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	c := te.cli("", &out, &errb)
	c.now = time.Now
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"sync", "--config", te.config}, c) }()
	deadline := time.Now().Add(30 * time.Second)
	for len(srv.Orders()) < 5 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // let the last outcome reach the journal
	cancel()
	select {
	case code := <-done:
		if code != exitOK || !strings.Contains(errb.String(), "uploaded 5") {
			t.Errorf("exit %d, stderr %q", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("sync did not stop when interrupted")
	}
}

// TestOutputIsInert: what a gateway says comes back in list, show and their --json as text
// that no terminal or editor acts on: C1 controls (U+009B starts an escape sequence) and bidi
// overrides (U+202E shows text reversed) are escaped in JSON, which stays valid and keeps
// the value, and removed from text.
func TestOutputIsInert(t *testing.T) {
	body := "{\"error_response\":{\"code\":15,\"msg\":\"Remote service error \u009b31m\",\"sub_code\":\"isv.bad\u202eparam\"," +
		"\"sub_msg\":\"check \u202e\u009b2J this\",\"request_id\":\"req\u202e1\"}}"
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		io.WriteString(w, body)
	}))
	defer gw.Close()
	te := newTestEnv(t, fmt.Sprintf("[gateway]\nurl = %q\napp_key = \"k\"\napp_secret = \"s\"\n[uploader]\nbackoff_base = \"50ms\"\nbackoff_cap = \"50ms\"\n", gw.URL))
	importGood(t, te, 1)
	if code, _, errs := te.run("sync", "--drain", "--max-wait", "20s"); code != exitRefused {
		t.Fatalf("sync: %d %s", code, errs)
	}
	for _, args := range [][]string{{"list", "--json"}, {"show", "T00000000", "--json"}, {"list"}, {"show", "T00000000"}} {
		_, out, _ := te.run(args...)
		for _, bad := range []string{"\u009b", "\u202e"} {
			if strings.Contains(out, bad) {
				t.Errorf("%v writes %U raw:\n%s", args, []rune(bad)[0], out)
			}
		}
		if args[len(args)-1] != "--json" {
			continue
		}
		if !json.Valid([]byte(out)) || !strings.Contains(out, `\u009b`) || !strings.Contains(out, `\u202e`) {
			t.Errorf("%v: want valid JSON keeping the characters escaped:\n%s", args, out)
		}
	}
}

// TestSyncSaysWhatStopsItAndExitsNonZero: plain sync prints a change of the uploader's state
// once, as a line, also when stderr is not a terminal (a service's log); stopped with orders not
// at head office it exits 2, not 0.
func TestSyncSaysWhatStopsItAndExitsNonZero(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/router/rest"
	ln.Close() // a closed port: head office cannot be reached
	te := newTestEnv(t, fmt.Sprintf("[gateway]\nurl = %q\napp_key = \"k\"\napp_secret = \"s\"\ntimeout = \"1s\"\n[uploader]\nbackoff_base = \"50ms\"\nbackoff_cap = \"50ms\"\n", url))
	importGood(t, te, 3)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"sync", "--config", te.config}, te.cli("", &out, &errb)) }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(errb.String(), "cannot reach head office") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	code := <-done
	t.Logf("stderr:\n%s", errb.String())
	if !strings.Contains(errb.String(), "cannot reach head office since") || strings.Count(errb.String(), "cannot reach head office since") != 1 {
		t.Errorf("stderr %q: want the state once", errb.String())
	}
	if code != exitTimedOut || !strings.Contains(errb.String(), "stopped with 3 orders not yet at head office") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// syncBuffer is a bytes.Buffer safe to read while a command writes it.
type syncBuffer struct {
	mu gosync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
