package top

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const okBody = `{"alibaba_mos_oc_trade_syncbanksale_response":{"result":{"success":true},"request_id":"req-1"}}`

type captured struct {
	method, contentType, acceptEncoding string
	query                               url.Values
	form                                url.Values
	rawBody                             string
}

// capture starts a loopback server that records each request and answers with answer.
func capture(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, func() []captured) {
	t.Helper()
	var mu sync.Mutex
	var got []captured
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		mu.Lock()
		got = append(got, captured{r.Method, r.Header.Get("Content-Type"), r.Header.Get("Accept-Encoding"), r.URL.Query(), form, string(b)})
		mu.Unlock()
		if answer != nil {
			answer(w, r)
			return
		}
		_, _ = io.WriteString(w, okBody)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []captured {
		mu.Lock()
		defer mu.Unlock()
		return append([]captured(nil), got...)
	}
}

func newTestClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	if cfg.AppKey == "" {
		cfg.AppKey = "12345678"
	}
	if cfg.Secret == "" {
		cfg.Secret = "s3cr3t"
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCallWireFormat(t *testing.T) {
	// A machine in New York still signs China time.
	ny := time.FixedZone("EST", -5*3600)
	now := time.Date(2026, 11, 25, 23, 30, 0, 0, ny) // = 2026-11-26 12:30:00 GMT+8
	for _, sm := range []string{SignMD5, SignHMAC, SignHMACSHA256} {
		for _, simplify := range []bool{false, true} {
			t.Run(sm, func(t *testing.T) {
				srv, got := capture(t, nil)
				c := newTestClient(t, Config{URL: srv.URL + "/router/rest?x=1", SignMethod: sm, Session: "sess-9", Simplify: simplify, Now: func() time.Time { return now }})
				dto := `{"order_id":"A 1&b=2","trade_amount":100,"bank_name":"建设银行"}`
				resp, err := c.Call(context.Background(), testMethod, map[string]string{"pos_bank_sale_info_dto": dto, "empty": ""})
				if err != nil {
					t.Fatal(err)
				}
				if resp.RequestID != "req-1" || resp.HTTPStatus != 200 || resp.Latency <= 0 {
					t.Fatalf("resp %+v", resp)
				}
				r := got()[0]
				if r.method != http.MethodPost || r.contentType != "application/x-www-form-urlencoded;charset=UTF-8" || r.acceptEncoding != "gzip" {
					t.Fatalf("method %s content-type %q accept-encoding %q", r.method, r.contentType, r.acceptEncoding)
				}
				want := map[string]string{"method": testMethod, "app_key": "12345678", "session": "sess-9", "timestamp": "2026-11-26 12:30:00",
					"v": "2.0", "sign_method": sm, "format": "json", "partner_id": "banksale", "x": "1"}
				if simplify {
					want["simplify"] = "true"
				}
				for k, v := range want {
					if r.query.Get(k) != v {
						t.Errorf("query %s = %q, want %q", k, r.query.Get(k), v)
					}
				}
				if !simplify && r.query.Has("simplify") {
					t.Error("simplify sent when not set")
				}
				if len(r.form) != 1 || r.form.Get("pos_bank_sale_info_dto") != dto {
					t.Fatalf("form %v", r.form)
				}
				if r.query.Has("pos_bank_sale_info_dto") || r.query.Has("empty") || r.form.Has("empty") {
					t.Fatal("business or empty param in the wrong place")
				}
				all := map[string]string{}
				for k := range r.query {
					all[k] = r.query.Get(k)
				}
				all["pos_bank_sale_info_dto"] = dto
				// x=1 comes from the configured URL: it is sent, so it is signed.
				wantSign, _ := Sign(all, "s3cr3t", sm)
				if r.query.Get("sign") != wantSign {
					t.Fatalf("sign %s, want %s", r.query.Get("sign"), wantSign)
				}
			})
		}
	}
}

func TestCallNoSessionWhenUnset(t *testing.T) {
	srv, got := capture(t, nil)
	c := newTestClient(t, Config{URL: srv.URL})
	if _, err := c.Call(context.Background(), testMethod, map[string]string{"a": "b"}); err != nil {
		t.Fatal(err)
	}
	q := got()[0].query
	if q.Has("session") || q.Get("sign_method") != DefaultSignMethod {
		t.Fatalf("query %v", q)
	}
}

func TestCallRejectsClashingParam(t *testing.T) {
	srv, got := capture(t, nil)
	c := newTestClient(t, Config{URL: srv.URL})
	_, err := c.Call(context.Background(), testMethod, map[string]string{"timestamp": "x"})
	var te *Error
	if !errors.As(err, &te) || te.Class != ClassProgramming {
		t.Fatalf("err %v", err)
	}
	if len(got()) != 0 {
		t.Fatal("sent anyway")
	}
}

func TestNewValidates(t *testing.T) {
	for _, cfg := range []Config{
		{URL: "", AppKey: "k"},
		{URL: "ftp://x/y", AppKey: "k"},
		{URL: "http://x/y", AppKey: ""},
		{URL: "http://x/y", AppKey: "k", SignMethod: "sha1"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

func TestCallGzip(t *testing.T) {
	srv, _ := capture(t, func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = io.WriteString(zw, okBody)
		_ = zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(buf.Bytes())
	})
	c := newTestClient(t, Config{URL: srv.URL})
	resp, err := c.Call(context.Background(), testMethod, nil)
	if err != nil || resp.RequestID != "req-1" {
		t.Fatalf("%v %+v", err, resp)
	}
}

func TestCallBadGzipIsAmbiguous(t *testing.T) {
	srv, _ := capture(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = io.WriteString(w, okBody)
	})
	c := newTestClient(t, Config{URL: srv.URL})
	_, err := c.Call(context.Background(), testMethod, nil)
	var te *Error
	if !errors.As(err, &te) || te.Class != ClassAmbiguous || te.HTTPStatus != 200 {
		t.Fatalf("err %#v", err)
	}
}

func TestCallErrorAnswer(t *testing.T) {
	srv, _ := capture(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"error_response":{"code":25,"msg":"Invalid Signature","request_id":"rq"}}`)
	})
	c := newTestClient(t, Config{URL: srv.URL})
	_, err := c.Call(context.Background(), testMethod, nil)
	var te *Error
	if !errors.As(err, &te) || te.Class != ClassConfiguration || te.Code != 25 || te.RequestID != "rq" || te.Latency <= 0 {
		t.Fatalf("err %#v", err)
	}
}

func TestCallTotalTimeoutIsAmbiguous(t *testing.T) {
	release := make(chan struct{})
	srv, got := capture(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := newTestClient(t, Config{URL: srv.URL, Timeout: time.Second})
	start := time.Now()
	_, err := c.Call(context.Background(), testMethod, map[string]string{"a": "b"})
	var te *Error
	if !errors.As(err, &te) || te.Class != ClassAmbiguous || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %#v", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("took %s", el)
	}
	if len(got()) != 1 {
		t.Fatal("request did not arrive")
	}
}

func TestCallCallerCancelAfterSendIsAmbiguous(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv, _ := capture(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	})
	c := newTestClient(t, Config{URL: srv.URL})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	_, err := c.Call(ctx, testMethod, nil)
	var te *Error
	if !errors.As(err, &te) || te.Class != ClassAmbiguous || !errors.Is(err, context.Canceled) {
		t.Fatalf("err %#v", err)
	}
}

func TestCallCanceledBeforeSendIsTransient(t *testing.T) {
	srv, got := capture(t, nil)
	c := newTestClient(t, Config{URL: srv.URL})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Call(ctx, testMethod, nil)
	var te *Error
	if !errors.As(err, &te) || te.Class != ClassTransient {
		t.Fatalf("err %#v", err)
	}
	if len(got()) != 0 {
		t.Fatal("sent")
	}
}

func TestCallConnectionRefusedIsTransient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := newTestClient(t, Config{URL: "http://" + addr + "/router/rest", Session: "SESSION-XYZ"})
	_, err = c.Call(context.Background(), testMethod, map[string]string{"dto": "CARD-DIGEST"})
	var te *Error
	if !errors.As(err, &te) || te.Class != ClassTransient {
		t.Fatalf("err %#v", err)
	}
	// *url.Error would print the whole URL: its query holds the session and the sign.
	if msg := err.Error(); strings.Contains(msg, "SESSION-XYZ") || strings.Contains(msg, "sign=") || strings.Contains(msg, "CARD-DIGEST") {
		t.Fatalf("error leaks the query: %s", msg)
	}
}

func TestCallResetAfterSendIsAmbiguous(t *testing.T) {
	srv, _ := capture(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		conn.Close()
	})
	c := newTestClient(t, Config{URL: srv.URL})
	_, err := c.Call(context.Background(), testMethod, map[string]string{"a": "b"})
	var te *Error
	if !errors.As(err, &te) || te.Class != ClassAmbiguous || te.Err == nil {
		t.Fatalf("err %#v", err)
	}
}

func TestCallHTTP503IsAmbiguous(t *testing.T) {
	srv, _ := capture(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
	})
	c := newTestClient(t, Config{URL: srv.URL})
	_, err := c.Call(context.Background(), testMethod, nil)
	var te *Error
	if !errors.As(err, &te) || te.Class != ClassAmbiguous || te.HTTPStatus != 503 {
		t.Fatalf("err %#v", err)
	}
}

func TestCallLogsNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	n := 0
	srv, got := capture(t, func(w http.ResponseWriter, r *http.Request) {
		n++
		if n == 1 {
			_, _ = io.WriteString(w, okBody)
			return
		}
		_, _ = io.WriteString(w, `{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isv.invalid-parameter","sub_msg":"非法参数: trade_amount","request_id":"rq2"}}`)
	})
	c := newTestClient(t, Config{URL: srv.URL, Secret: "TOPSECRET", Session: "SESSIONVALUE", Logger: log})
	params := map[string]string{"pos_bank_sale_info_dto": `{"card_no":"622202******1234","encrypte_summary":"deadbeefcafe"}`}
	for range 2 {
		_, _ = c.Call(context.Background(), testMethod, params, slog.String("order_id", "HZ01202611260001"), slog.Int("attempt", 3))
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	for _, must := range []string{"order_id=HZ01202611260001", "attempt=3", "request_id=req-1", "request_id=rq2", "code=15", "sub_code=isv.invalid-parameter", "latency=", "method=" + testMethod, "class=rejected"} {
		if !strings.Contains(out, must) {
			t.Errorf("log lacks %q:\n%s", must, out)
		}
	}
	sign := got()[0].query.Get("sign")
	for _, never := range []string{"TOPSECRET", "SESSIONVALUE", sign, "622202", "deadbeefcafe", "pos_bank_sale_info_dto"} {
		if strings.Contains(out, never) {
			t.Errorf("log contains %q:\n%s", never, out)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestSetSecretConcurrent(t *testing.T) {
	srv, got := capture(t, nil)
	c := newTestClient(t, Config{URL: srv.URL, SignMethod: SignMD5})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 10 {
				if j%3 == 0 {
					c.SetSecret("new" + string(rune('a'+i)))
				}
				if _, err := c.Call(context.Background(), testMethod, map[string]string{"k": "v"}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	c.SetSecret("final")
	if _, err := c.Call(context.Background(), testMethod, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	reqs := got()
	last := reqs[len(reqs)-1]
	all := map[string]string{"k": "v"}
	for k := range last.query {
		all[k] = last.query.Get(k)
	}
	want, _ := Sign(all, "final", SignMD5)
	if last.query.Get("sign") != want {
		t.Fatal("new secret not used")
	}
}

func TestCallDNSFailureIsTransient(t *testing.T) {
	if _, err := net.LookupHost("banksale-test.invalid"); err == nil {
		t.Skip("this resolver answers for .invalid")
	}
	c := newTestClient(t, Config{URL: "http://banksale-test.invalid/router/rest"})
	_, err := c.Call(context.Background(), testMethod, nil)
	var te *Error
	if !errors.As(err, &te) || te.Class != ClassTransient {
		t.Fatalf("err %#v", err)
	}
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) {
		t.Fatalf("cause lost: %v", err)
	}
}
