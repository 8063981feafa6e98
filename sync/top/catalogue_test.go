package top

import (
	"bufio"
	"context"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCatalogue: every row of the catalogue, produced for real — its example answer served on
// loopback, or the network failure it names — comes back through Client.Call as that row.
func TestCatalogue(t *testing.T) {
	seen := map[Kind]bool{}
	for _, row := range Catalogue {
		if seen[row.Kind] {
			t.Fatalf("%s has two rows", row.Kind)
		}
		seen[row.Kind] = true
		t.Run(string(row.Kind), func(t *testing.T) {
			var cfg Config
			ctx := context.Background()
			if row.Example.Status != 0 {
				ex := row.Example
				srv, _ := capture(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", ex.ContentType)
					w.WriteHeader(ex.Status)
					_, _ = io.WriteString(w, ex.Body)
				})
				cfg.URL = srv.URL + "/router/rest"
			} else {
				var cancel func()
				ctx, cancel = transportCase(t, row.Kind, &cfg)
				defer cancel()
			}
			resp, err := newTestClient(t, cfg).Call(ctx, testMethod, map[string]string{"pos_bank_sale_info_dto": "{}"})
			if row.Kind == KindOK {
				if err != nil || resp == nil || resp.RequestID != "rid-example" {
					t.Fatalf("ok: %v", err)
				}
				return
			}
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("want a %s answer, got %v", row.Kind, err)
			}
			if te.Kind != row.Kind || te.Class != row.Class {
				t.Fatalf("got %s/%s, want %s/%s: %v", te.Kind, te.Class, row.Kind, row.Class, te)
			}
			if row.Sentence == "" {
				t.Error("no sentence for the person")
			}
		})
	}
}

// transportCase makes the failure of a row that is not an answer, by configuring cfg (and the
// context) to meet it.
func transportCase(t *testing.T, k Kind, cfg *Config) (context.Context, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	switch k {
	case KindCertificate:
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, okBody)
		}))
		t.Cleanup(srv.Close)
		cfg.URL = srv.URL + "/router/rest"
	case KindNoName:
		if _, err := net.LookupHost("banksale-test.invalid"); err == nil {
			t.Skip("this resolver answers for .invalid")
		}
		cfg.URL = "http://banksale-test.invalid/router/rest"
	case KindNetworkDown:
		cfg.URL = "http://" + closedPort(t) + "/router/rest"
	case KindProxyAuth:
		// A proxy that wants a password answers CONNECT with 407; the gateway is never reached.
		cfg.URL = "https://gw.banksale-test.invalid/router/rest"
		cfg.Proxy = "http://" + proxy407(t)
	case KindNotSent:
		cfg.URL = "http://" + closedPort(t) + "/router/rest"
		cancel() // stopped before anything was written
	case KindNoAnswer:
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.ReadAll(r.Body)
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close()
		}))
		t.Cleanup(srv.Close)
		cfg.URL = srv.URL + "/router/rest"
	default:
		t.Fatalf("no way to produce %s", k)
	}
	return ctx, cancel
}

func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// proxy407 is a forward proxy that wants credentials it never accepts.
func proxy407(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, req.Body)
				_, _ = io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"mall\"\r\nContent-Length: 0\r\n\r\n")
			}()
		}
	}()
	return ln.Addr().String()
}

// TestCAFile: the root of a firewall that inspects HTTPS, given as ca_file, makes its
// certificate trusted.
func TestCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, okBody)
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "root.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, Config{URL: srv.URL + "/router/rest", CAFile: ca})
	if _, err := c.Call(context.Background(), testMethod, nil); err != nil {
		t.Fatalf("with ca_file: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "empty.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o600)
	if _, err := New(Config{URL: srv.URL, AppKey: "k", CAFile: bad}); err == nil || !strings.Contains(err.Error(), "PEM") {
		t.Fatalf("a ca_file without a certificate: %v", err)
	}
}

// TestProxyUsedAndNoProxy: the configured proxy carries the call, also when the environment
// names another, and NO_PROXY still sends a listed host direct.
func TestProxyUsedAndNoProxy(t *testing.T) {
	gw, _ := capture(t, nil)
	var via int
	px := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		via++ // a forward proxy for plain http: it gets the absolute URL
		out, err := http.DefaultTransport.RoundTrip(mustReq(t, r, gw.URL))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer out.Body.Close()
		w.WriteHeader(out.StatusCode)
		_, _ = io.Copy(w, out.Body)
	}))
	defer px.Close()
	// The gateway by a name that is not loopback, so the proxy is asked (loopback never is).
	url := "http://gw.banksale-test.invalid/router/rest"
	env := map[string]string{"HTTP_PROXY": "http://127.0.0.1:1"}
	c := newTestClient(t, Config{URL: url, Proxy: px.URL, Getenv: func(k string) string { return env[k] }})
	if _, err := c.Call(context.Background(), testMethod, nil); err != nil || via != 1 {
		t.Fatalf("through the configured proxy: %v, %d calls", err, via)
	}
	env["NO_PROXY"] = "gw.banksale-test.invalid"
	c = newTestClient(t, Config{URL: url, Proxy: px.URL, Getenv: func(k string) string { return env[k] }, Timeout: 3 * time.Second})
	_, err := c.Call(context.Background(), testMethod, nil)
	var te *Error
	if via != 1 || !errors.As(err, &te) || te.Kind != KindNoName {
		t.Fatalf("NO_PROXY: %d proxy calls, %v", via, err)
	}
	if _, err := New(Config{URL: url, AppKey: "k", Proxy: "not a url"}); err == nil {
		t.Fatal("a proxy that is no URL was taken")
	}
}

func mustReq(t *testing.T, r *http.Request, to string) *http.Request {
	b, _ := io.ReadAll(r.Body)
	req, err := http.NewRequest(r.Method, to+r.URL.Path+"?"+r.URL.RawQuery, strings.NewReader(string(b)))
	if err != nil {
		t.Error(err)
	}
	req.Header = r.Header.Clone()
	return req
}

// TestAnswersConfigured: result.err_code values a deployment lists mean a duplicate or busy.
func TestAnswersConfigured(t *testing.T) {
	a := Answers{DuplicateCodes: []string{"1001"}, RetryCodes: []string{" 503 "}}
	for body, want := range map[string]Kind{
		`{"result":{"success":false,"err_code":1001,"err_msg":"x"}}`:                 KindDuplicate,
		`{"result":{"success":false,"err_code":"503","err_msg":"x"}}`:                KindBusy,
		`{"result":{"success":false,"err_code":1002,"err_msg":"x"}}`:                 KindRefused,
		`{"result":{"success":false,"err_code":1002,"err_msg":"订单不存在"}}`:             KindRefused,
		`{"result":{"success":false,"err_code":7,"err_msg":"Order already exists"}}`: KindDuplicate,
		`{"result":{"success":false,"err_msg":"订单重复提交"}}`:                            KindDuplicate,
		`{"result":{"success":false,"err_msg":"请求超时"}}`:                              KindBusy,
		`{"result":{"success":"TRUE"}}`:                                              KindOK,
		`{"result":{"success":1}}`:                                                   KindNoSuccess,
		`{"result":null}`:                                                            KindNoSuccess,
	} {
		_, e := a.parseResponse(testMethod, 200, "application/json", []byte(body))
		got := KindOK
		if e != nil {
			got = e.Kind
		}
		if got != want {
			t.Errorf("%s: %s, want %s", body, got, want)
		}
	}
}

// TestBoundedWords: what the gateway says is cut before it can be kept, logged or drawn.
func TestBoundedWords(t *testing.T) {
	huge := strings.Repeat("x", 3_500_000)
	body := `{"error_response":{"code":15,"sub_code":"isp.` + huge + `","sub_msg":"` + huge + `","msg":"` + huge + `","request_id":"` + huge + `"}}`
	_, e := Answers{}.parseResponse(testMethod, 200, "", []byte(body))
	if len(e.RequestID) > MaxRequestID || len([]rune(e.SubCode)) > MaxCode || len([]rune(e.SubMsg)) > MaxText || len([]rune(e.Msg)) > MaxText {
		t.Fatalf("kept %d/%d/%d/%d characters", len(e.RequestID), len(e.SubCode), len(e.SubMsg), len(e.Msg))
	}
	_, e = Answers{}.parseResponse(testMethod, 200, "", []byte(wrap+`{"request_id":"`+huge+`","result":{"success":"`+huge+`"}}}`))
	if len(e.RequestID) > MaxRequestID || len(e.Answer) > MaxAnswer {
		t.Fatalf("kept a request id of %d and an answer of %d bytes", len(e.RequestID), len(e.Answer))
	}
	if got := boundBytes([]byte("中文中文"), 7); got != "中文" {
		t.Fatalf("cut inside a character: %q", got)
	}
}

// TestSaysDuplicate: the words that mean "this order_id is recorded already", and the ones that
// look alike but mean something else (another sale under the id, an original not found).
func TestSaysDuplicate(t *testing.T) {
	for sub, want := range map[string]bool{
		"isv.order-id-exists":            true,
		"isv.ORDER_EXIST":                true,
		"isv.duplicate-order":            true,
		"result.err_code:ORDER_EXISTED":  true,
		"isv.order-id-conflict":          false,
		"isv.duplicate-conflict":         false,
		"isv.original-order-not-exist":   false,
		"isv.invalid-parameter":          false,
		"result.err_code:SYSTEM_ERROR":   false,
		"":                               false,
		"isv.order-not-found-or-existed": false,
		"订单号已存在":                         true,
		"订单重复提交":                         true,
		"该订单已上传":                         true,
		"幂等校验: 已处理":                      true,
		"原订单不存在":                         false,
		"订单号已被其他数据占用":                    false,
	} {
		if got := saysDuplicate(sub); got != want {
			t.Errorf("saysDuplicate(%q) = %v, want %v", sub, got, want)
		}
	}
}
