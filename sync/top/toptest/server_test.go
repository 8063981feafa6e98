package toptest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"banksale/sync/top"
	"banksale/sync/top/toptest"
)

const (
	appKey = "23456789"
	secret = "gateway-secret"
	method = toptest.DefaultMethod
)

// dto is a valid pos_bank_sale_info_dto with every field of the table.
func dto(orderID string) map[string]any {
	return map[string]any{
		"order_id": orderID, "original_order_id": "HZ01202611250001", "sequence_no": "12345678901",
		"payment_channel": "002", "card_no": "622202******1234", "trade_time": "2026-11-26 10:00:00",
		"sale_type": "0", "sub_sale_type": "001", "trade_amount": 1250, "bank_code": "105", "bank_name": "中国建设银行",
		"terminal_no": "12345678", "bank_shop_no": "123456789012345", "pos_trace_no": "000123", "batch_no": "000001",
		"trade_ref_no": "123456789012", "pay_type_no": 1, "store_no": "HZ01", "encrypte_summary": "ab12",
		"communicate_type": "001", "operate_time": "2026-11-26 10:05:00", "rback": "00", "remark": "r",
		"extend_param": "e", "cashier": "001", "ip": "10.0.0.2", "mac": "00:11:22:33:44:55",
	}
}

func encode(t testing.TB, m map[string]any) string {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func params(t testing.TB, orderID string) map[string]string {
	return map[string]string{toptest.DTOParam: encode(t, dto(orderID))}
}

func newServer(t *testing.T, opts toptest.Options) *toptest.Server {
	t.Helper()
	if opts.AppKey == "" {
		opts.AppKey = appKey
	}
	if opts.Secret == "" {
		opts.Secret = secret
	}
	s := toptest.NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

func newClient(t *testing.T, s *toptest.Server, cfg top.Config) *top.Client {
	t.Helper()
	cfg.URL = s.URL()
	if cfg.AppKey == "" {
		cfg.AppKey = appKey
	}
	if cfg.Secret == "" {
		cfg.Secret = secret
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	c, err := top.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func asTop(t *testing.T, err error) *top.Error {
	t.Helper()
	var te *top.Error
	if !errors.As(err, &te) {
		t.Fatalf("not a *top.Error: %v", err)
	}
	return te
}

func TestAcceptsEverySignMethodAndForm(t *testing.T) {
	s := newServer(t, toptest.Options{Session: "sess"})
	i := 0
	for _, sm := range []string{top.SignMD5, top.SignHMAC, top.SignHMACSHA256} {
		for _, simplify := range []bool{false, true} {
			i++
			c := newClient(t, s, top.Config{SignMethod: sm, Simplify: simplify, Session: "sess"})
			id := fmt.Sprintf("HZ0120261126%04d", i)
			resp, err := c.Call(context.Background(), method, params(t, id))
			if err != nil {
				t.Fatalf("%s simplify=%v: %v", sm, simplify, err)
			}
			if resp.RequestID == "" || !strings.Contains(string(resp.Body), `"success":true`) {
				t.Fatalf("resp %+v %s", resp, resp.Body)
			}
		}
	}
	orders := s.Orders()
	if len(orders) != i {
		t.Fatalf("%d orders", len(orders))
	}
	if string(orders["HZ01202611260001"]) != encode(t, dto("HZ01202611260001")) {
		t.Fatalf("payload %s", orders["HZ01202611260001"])
	}
	reqs := s.Requests()
	if len(reqs) != i || reqs[0].N != 1 || reqs[0].Answer != "ok" || !reqs[0].Recorded || reqs[0].OrderID != "HZ01202611260001" || reqs[0].Fault != toptest.FaultNone {
		t.Fatalf("requests %+v", reqs)
	}
}

func TestSystemChecks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   toptest.Options
		cfg    top.Config
		method string
		code   int
		class  top.Class
	}{
		{"wrong secret", toptest.Options{}, top.Config{Secret: "wrong"}, method, 25, top.ClassConfiguration},
		{"wrong secret hmac", toptest.Options{}, top.Config{Secret: "wrong", SignMethod: top.SignHMAC}, method, 25, top.ClassConfiguration},
		{"wrong secret md5", toptest.Options{}, top.Config{Secret: "wrong", SignMethod: top.SignMD5}, method, 25, top.ClassConfiguration},
		{"wrong app key", toptest.Options{}, top.Config{AppKey: "999"}, method, 29, top.ClassConfiguration},
		{"clock 11 min fast", toptest.Options{}, top.Config{Now: func() time.Time { return time.Now().Add(11 * time.Minute) }}, method, 31, top.ClassConfiguration},
		{"clock 11 min slow", toptest.Options{}, top.Config{Now: func() time.Time { return time.Now().Add(-11 * time.Minute) }}, method, 31, top.ClassConfiguration},
		{"machine zone is not China", toptest.Options{}, top.Config{Now: func() time.Time { return time.Now().In(time.FixedZone("EST", -5*3600)) }}, method, 0, 0},
		{"missing session", toptest.Options{Session: "sess"}, top.Config{}, method, 26, top.ClassConfiguration},
		{"wrong session", toptest.Options{Session: "sess"}, top.Config{Session: "old"}, method, 27, top.ClassConfiguration},
		{"wrong method", toptest.Options{}, top.Config{}, "taobao.user.seller.get", 22, top.ClassProgramming},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, tc.opts)
			c := newClient(t, s, tc.cfg)
			_, err := c.Call(context.Background(), tc.method, params(t, "HZ01202611260001"))
			if tc.code == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			te := asTop(t, err)
			if te.Code != tc.code || te.Class != tc.class || te.RequestID == "" {
				t.Fatalf("got %v", te)
			}
			if len(s.Orders()) != 0 {
				t.Fatal("recorded")
			}
			if r := s.Requests(); len(r) != 1 || r[0].Answer != fmt.Sprintf("error:%d/", tc.code) || r[0].Recorded {
				t.Fatalf("requests %+v", r)
			}
		})
	}
}

func TestClockWindowEdges(t *testing.T) {
	s := newServer(t, toptest.Options{})
	for i, off := range []time.Duration{9 * time.Minute, -9 * time.Minute} {
		c := newClient(t, s, top.Config{Now: func() time.Time { return time.Now().Add(off) }})
		if _, err := c.Call(context.Background(), method, params(t, fmt.Sprint("O", i))); err != nil {
			t.Fatalf("offset %s: %v", off, err)
		}
	}
}

func TestSetSecret(t *testing.T) {
	s := newServer(t, toptest.Options{})
	c := newClient(t, s, top.Config{Secret: "new"})
	if te := asTop(t, callErr(c, params(t, "A"))); te.Code != 25 {
		t.Fatal(te)
	}
	s.SetSecret("new")
	if err := callErr(c, params(t, "A")); err != nil {
		t.Fatal(err)
	}
}

func callErr(c *top.Client, p map[string]string) error {
	_, err := c.Call(context.Background(), method, p)
	return err
}

// rawPost signs and posts query/form itself, to send what the real client never would.
func rawPost(t *testing.T, s *toptest.Server, q url.Values, form url.Values, signMethod string) map[string]map[string]any {
	t.Helper()
	all := map[string]string{}
	for k := range q {
		all[k] = q.Get(k)
	}
	for k := range form {
		all[k] = form.Get(k)
	}
	if signMethod != "" {
		sign, err := top.Sign(all, secret, signMethod)
		if err != nil {
			t.Fatal(err)
		}
		q.Set("sign", sign)
	}
	resp, err := http.Post(s.URL()+"?"+q.Encode(), "application/x-www-form-urlencoded;charset=UTF-8", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return out
}

func sysParams(m map[string]string) url.Values {
	q := url.Values{}
	base := map[string]string{"method": method, "app_key": appKey, "timestamp": time.Now().In(top.GMT8).Format(top.TimestampLayout),
		"v": "2.0", "format": "json", "sign_method": "md5"}
	maps.Copy(base, m)
	for k, v := range base {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

func TestRawSystemChecks(t *testing.T) {
	s := newServer(t, toptest.Options{})
	form := url.Values{toptest.DTOParam: {encode(t, dto("R1"))}}
	for _, tc := range []struct {
		name       string
		q          map[string]string
		signMethod string
		code       float64
	}{
		{"ok md5", nil, "md5", 0},
		{"sign_method absent means md5", map[string]string{"sign_method": ""}, "md5", 0},
		{"format xml", map[string]string{"format": "xml"}, "md5", 23},
		{"format absent", map[string]string{"format": ""}, "md5", 23},
		{"v 1.0", map[string]string{"v": "1.0"}, "md5", 33},
		{"v absent", map[string]string{"v": ""}, "md5", 32},
		{"method absent", map[string]string{"method": ""}, "md5", 21},
		{"app_key absent", map[string]string{"app_key": ""}, "md5", 28},
		{"timestamp absent", map[string]string{"timestamp": ""}, "md5", 30},
		{"timestamp garbage", map[string]string{"timestamp": "yesterday"}, "md5", 31},
		{"timestamp in UTC", map[string]string{"timestamp": time.Now().UTC().Format(top.TimestampLayout)}, "md5", 31},
		{"sign absent", nil, "", 24},
		{"sign method unknown", map[string]string{"sign_method": "sha1"}, "md5", 25},
		{"sign with other method", map[string]string{"sign_method": "hmac"}, "md5", 25},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := rawPost(t, s, sysParams(tc.q), form, tc.signMethod)
			if tc.code == 0 {
				if _, ok := out[top.ResponseKey(method)]; !ok {
					t.Fatalf("%v", out)
				}
				return
			}
			if out["error_response"]["code"] != tc.code {
				t.Fatalf("%v", out)
			}
		})
	}
}

func TestDTOChecks(t *testing.T) {
	s := newServer(t, toptest.Options{})
	c := newClient(t, s, top.Config{})
	for _, tc := range []struct {
		field string
		edit  func(m map[string]any)
	}{
		{"order_id", func(m map[string]any) { delete(m, "order_id") }},
		{"order_id", func(m map[string]any) { m["order_id"] = "" }},
		{"order_id", func(m map[string]any) { m["order_id"] = 12 }},
		{"sequence_no", func(m map[string]any) { delete(m, "sequence_no") }},
		{"payment_channel", func(m map[string]any) { m["payment_channel"] = "003" }},
		{"payment_channel", func(m map[string]any) { m["payment_channel"] = 1 }},
		{"trade_time", func(m map[string]any) { m["trade_time"] = "2026-11-26T10:00:00" }},
		{"trade_time", func(m map[string]any) { m["trade_time"] = "2026-11-26 10:00" }},
		{"trade_time", func(m map[string]any) { m["trade_time"] = "2026-02-30 10:00:00" }},
		{"trade_time", func(m map[string]any) { m["trade_time"] = "2026-1-26 10:00:00" }},
		{"sale_type", func(m map[string]any) { m["sale_type"] = "2" }},
		{"sale_type", func(m map[string]any) { m["sale_type"] = 0 }},
		{"sub_sale_type", func(m map[string]any) { m["sub_sale_type"] = "003" }},
		{"trade_amount", func(m map[string]any) { m["trade_amount"] = 0 }},
		{"trade_amount", func(m map[string]any) { m["trade_amount"] = -5 }},
		{"trade_amount", func(m map[string]any) { m["trade_amount"] = 12.5 }},
		{"trade_amount", func(m map[string]any) { m["trade_amount"] = "1250" }},
		{"trade_amount", func(m map[string]any) { delete(m, "trade_amount") }},
		{"trade_amount", func(m map[string]any) { m["trade_amount"] = json.Number("1e3") }},
		{"trade_amount", func(m map[string]any) { m["trade_amount"] = json.Number("99999999999999999999") }},
		{"pay_type_no", func(m map[string]any) { m["pay_type_no"] = "1" }},
		{"pay_type_no", func(m map[string]any) { m["pay_type_no"] = 1.5 }},
		{"pay_type_no", func(m map[string]any) { delete(m, "pay_type_no") }},
		{"pos_trace_no", func(m map[string]any) { delete(m, "pos_trace_no") }},
		{"trade_ref_no", func(m map[string]any) { m["trade_ref_no"] = nil }},
		{"store_no", func(m map[string]any) { delete(m, "store_no") }},
		{"operate_time", func(m map[string]any) { m["operate_time"] = "now" }},
		{"communicate_type", func(m map[string]any) { m["communicate_type"] = "003" }},
		{"rback", func(m map[string]any) { m["rback"] = "01" }},
		{"card_no", func(m map[string]any) { m["card_no"] = 6222 }},
		{"cardno", func(m map[string]any) { m["cardno"] = "x" }},
		{"cvv2", func(m map[string]any) { m["cvv2"] = "123" }},
	} {
		m := dto("D1")
		tc.edit(m)
		_, err := c.Call(context.Background(), method, map[string]string{toptest.DTOParam: encode(t, m)})
		te := asTop(t, err)
		if te.Code != 15 || te.SubCode != "isv.invalid-parameter" || te.SubMsg != "非法参数: "+tc.field || te.Class != top.ClassRejected {
			t.Errorf("%s: got %v", tc.field, te)
		}
	}
	for name, text := range map[string]string{
		"not json":     `order_id=1`,
		"array":        `[{"order_id":"1"}]`,
		"trailing":     encode(t, dto("D1")) + `{}`,
		"truncated":    strings.TrimSuffix(encode(t, dto("D1")), "}"),
		"duplicate id": `{"order_id":"a","order_id":"b"}`,
	} {
		_, err := c.Call(context.Background(), method, map[string]string{toptest.DTOParam: text})
		te := asTop(t, err)
		if te.Code != 15 || te.SubCode != "isv.invalid-parameter" || !strings.HasPrefix(te.SubMsg, "非法参数: ") {
			t.Errorf("%s: got %v", name, te)
		}
	}
	// Optional fields may be absent, null or empty; the minimal DTO passes.
	min := map[string]any{}
	for _, k := range []string{"order_id", "sequence_no", "payment_channel", "trade_time", "sale_type", "sub_sale_type", "trade_amount", "pos_trace_no", "trade_ref_no", "pay_type_no", "store_no", "operate_time"} {
		min[k] = dto("MIN")[k]
	}
	min["remark"] = ""
	min["bank_code"] = nil
	if _, err := c.Call(context.Background(), method, map[string]string{toptest.DTOParam: encode(t, min)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Call(context.Background(), method, map[string]string{"other": "x"})
	if te := asTop(t, err); te.Code != 40 || te.Class != top.ClassRejected {
		t.Fatalf("missing dto: %v", te)
	}
	if len(s.Orders()) != 1 {
		t.Fatalf("orders %v", s.Orders())
	}
}

func TestIdempotency(t *testing.T) {
	for _, exists := range []bool{false, true} {
		t.Run(fmt.Sprint("ExistsAnswer=", exists), func(t *testing.T) {
			s := newServer(t, toptest.Options{ExistsAnswer: exists})
			c := newClient(t, s, top.Config{})
			p := params(t, "I1")
			if err := callErr(c, p); err != nil {
				t.Fatal(err)
			}
			err := callErr(c, p)
			if exists {
				te := asTop(t, err)
				if te.SubCode != "isv.order-id-exists" || te.Code != 15 {
					t.Fatal(te)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			other := dto("I1")
			other["trade_amount"] = 9999
			te := asTop(t, callErr(c, map[string]string{toptest.DTOParam: encode(t, other)}))
			if te.SubCode != "isv.order-id-conflict" || te.Class != top.ClassRejected {
				t.Fatal(te)
			}
			if s.Conflicts() != 1 {
				t.Fatalf("conflicts %d", s.Conflicts())
			}
			if string(s.Orders()["I1"]) != p[toptest.DTOParam] {
				t.Fatal("conflicting payload replaced the recorded one")
			}
			reqs := s.Requests()
			if !reqs[1].Recorded || reqs[2].Recorded || reqs[2].Answer != "error:15/isv.order-id-conflict" {
				t.Fatalf("%+v", reqs)
			}
		})
	}
}

func TestRejectOrders(t *testing.T) {
	s := newServer(t, toptest.Options{RejectOrders: map[string]bool{"BAD": true}})
	c := newClient(t, s, top.Config{})
	for range 3 {
		te := asTop(t, callErr(c, params(t, "BAD")))
		if te.Class != top.ClassRejected || te.SubCode != "isv.invalid-parameter" || te.SubMsg == "" {
			t.Fatal(te)
		}
	}
	if err := callErr(c, params(t, "GOOD")); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Orders()["BAD"]; ok {
		t.Fatal("rejected order recorded")
	}
}

// script gives the listed faults to requests 1, 2, … and none afterwards.
func script(kinds ...toptest.FaultKind) func(int, string) toptest.Fault {
	return func(n int, _ string) toptest.Fault {
		if n <= len(kinds) {
			return toptest.Fault{Kind: kinds[n-1]}
		}
		return toptest.Fault{}
	}
}

func TestFaults(t *testing.T) {
	for _, tc := range []struct {
		kind     toptest.FaultKind
		class    top.Class
		recorded bool
		answer   string
		code     int
		sub      string
	}{
		{toptest.FaultISP, top.ClassTransient, false, "error:15/isp.top-remote-service-unavailable", 15, "isp.top-remote-service-unavailable"},
		{toptest.FaultISV, top.ClassRejected, false, "error:15/isv.invalid-parameter", 15, "isv.invalid-parameter"},
		{toptest.FaultHTTP503, top.ClassAmbiguous, false, "503", 0, ""},
		{toptest.FaultResetBefore, top.ClassAmbiguous, false, "reset", 0, ""},
		{toptest.FaultResetAfter, top.ClassAmbiguous, true, "reset", 0, ""},
		{toptest.FaultSlow, top.ClassAmbiguous, true, "slow", 0, ""},
		{toptest.FaultMalformed, top.ClassAmbiguous, true, "malformed", 0, ""},
		{toptest.FaultNoSuccess, top.ClassAmbiguous, false, "no-success", 0, "result.err_code:500"},
		{toptest.FaultBusy, top.ClassTransient, false, "busy", 0, "result.err_code:500"},
	} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			s := newServer(t, toptest.Options{Script: script(tc.kind), SlowDelay: 10 * time.Second})
			timeout := 5 * time.Second
			if tc.kind == toptest.FaultSlow {
				timeout = 300 * time.Millisecond
			}
			c := newClient(t, s, top.Config{Timeout: timeout})
			start := time.Now()
			te := asTop(t, callErr(c, params(t, "F1")))
			if te.Class != tc.class || te.Code != tc.code || te.SubCode != tc.sub {
				t.Fatalf("got %v", te)
			}
			if el := time.Since(start); el > 3*time.Second {
				t.Fatalf("took %s", el)
			}
			// The same order again: accepted, and the gateway holds it once. A patient client, so a
			// busy machine cannot turn the retry into a timeout.
			if err := callErr(newClient(t, s, top.Config{}), params(t, "F1")); err != nil {
				t.Fatalf("retry: %v", err)
			}
			if len(s.Orders()) != 1 || s.Conflicts() != 0 {
				t.Fatal("orders/conflicts")
			}
			waitRequests(t, s, 2)
			reqs := s.Requests()
			r := reqs[0]
			if r.Fault != tc.kind || r.Recorded != tc.recorded || r.Answer != tc.answer || r.OrderID != "F1" {
				t.Fatalf("request %+v", r)
			}
			if reqs[1].Answer != "ok" || !reqs[1].Recorded {
				t.Fatalf("retry request %+v", reqs[1])
			}
		})
	}
}

// TestEveryRowOfTheCatalogue: the fake gateway gives every answer of the catalogue that is an
// answer, so tests and the demo can meet each one; the client reads each back as its row.
func TestEveryRowOfTheCatalogue(t *testing.T) {
	for _, row := range top.Catalogue {
		if row.Example.Status == 0 || row.Kind == top.KindOK {
			continue
		}
		t.Run(string(row.Kind), func(t *testing.T) {
			s := newServer(t, toptest.Options{Script: func(n int, _ string) toptest.Fault {
				return toptest.Fault{Kind: toptest.FaultRow, Row: row.Kind}
			}})
			te := asTop(t, callErr(newClient(t, s, top.Config{}), params(t, "R1")))
			if te.Kind != row.Kind {
				t.Fatalf("got %s: %v", te.Kind, te)
			}
			if len(s.Orders()) != 0 {
				t.Fatal("a row's answer recorded the order")
			}
		})
	}
}

// TestChineseDuplicates: a re-send of an order the gateway holds — the same sale or another
// under its id — is answered as a real gateway may, in Chinese with a numeric err_code.
func TestChineseDuplicates(t *testing.T) {
	s := newServer(t, toptest.Options{ChineseDuplicates: true})
	c := newClient(t, s, top.Config{})
	if err := callErr(c, params(t, "D1")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []map[string]string{params(t, "D1"), {toptest.DTOParam: strings.Replace(params(t, "D1")[toptest.DTOParam], "1250", "1251", 1)}} {
		te := asTop(t, callErr(c, p))
		if te.Kind != top.KindDuplicate || te.SubCode != "result.err_code:1001" || te.SubMsg != "订单号已存在" {
			t.Fatalf("re-send: %v", te)
		}
	}
	if len(s.Orders()) != 1 || s.Conflicts() != 1 {
		t.Fatalf("%d orders, %d conflicts", len(s.Orders()), s.Conflicts())
	}
}

// waitRequests waits until n requests were recorded: a stalled handler records after the client left.
func waitRequests(t *testing.T, s *toptest.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(s.Requests()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d requests recorded", len(s.Requests()))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBanIsEnforced(t *testing.T) {
	s := newServer(t, toptest.Options{Script: func(n int, _ string) toptest.Fault {
		if n == 1 {
			return toptest.Fault{Kind: toptest.FaultBan, BanSeconds: 1}
		}
		return toptest.Fault{}
	}})
	c := newClient(t, s, top.Config{})
	te := asTop(t, callErr(c, params(t, "B1")))
	if te.Class != top.ClassThrottled || te.Code != 7 || te.Ban != time.Second || te.SubMsg != "This ban will last for 1 more seconds" {
		t.Fatal(te)
	}
	te = asTop(t, callErr(c, params(t, "B2")))
	if te.Class != top.ClassThrottled || te.Code != 7 || te.Ban <= 0 || te.Ban > time.Second {
		t.Fatalf("during ban: %v", te)
	}
	if s.RequestsDuringBan() != 1 {
		t.Fatalf("during ban %d", s.RequestsDuringBan())
	}
	time.Sleep(time.Second + 50*time.Millisecond)
	if err := callErr(c, params(t, "B2")); err != nil {
		t.Fatal(err)
	}
	if s.RequestsDuringBan() != 1 || len(s.Orders()) != 1 {
		t.Fatal("after ban")
	}
	if r := s.Requests(); r[0].Fault != toptest.FaultBan || r[1].Fault != toptest.FaultNone || r[1].Answer != "error:7/accesscontrol.limited-by-app-access-count" {
		t.Fatalf("%+v", r)
	}
}

// faultSequence runs n sequential requests and returns the faults the server drew.
func faultSequence(t *testing.T, opts toptest.Options, n int) []toptest.FaultKind {
	s := newServer(t, opts)
	c := newClient(t, s, top.Config{Timeout: 2 * time.Second})
	for i := range n {
		_ = callErr(c, params(t, fmt.Sprint("S", i)))
	}
	waitRequests(t, s, n)
	var out []toptest.FaultKind
	for _, r := range s.Requests() {
		out = append(out, r.Fault)
	}
	return out
}

func TestSeededChanceIsReproducible(t *testing.T) {
	opts := toptest.Options{Seed: 42, FaultRate: 0.5, Mix: []toptest.FaultKind{toptest.FaultISP, toptest.FaultHTTP503, toptest.FaultMalformed, toptest.FaultResetAfter}}
	a := faultSequence(t, opts, 60)
	b := faultSequence(t, opts, 60)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	faulty := 0
	for _, k := range a {
		if k != toptest.FaultNone {
			faulty++
		}
	}
	if faulty < 15 || faulty > 45 {
		t.Fatalf("%d of 60 faulty at rate 0.5", faulty)
	}
	// Racing requests: request n still gets the same fault.
	s := newServer(t, opts)
	c := newClient(t, s, top.Config{Timeout: 2 * time.Second})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 15 {
				_ = callErr(c, params(t, fmt.Sprint("P", w, "-", i)))
			}
		}()
	}
	wg.Wait()
	waitRequests(t, s, 60)
	for i, r := range s.Requests() {
		if r.N != i+1 || r.Fault != a[i] {
			t.Fatalf("concurrent request %d: fault %s, sequential %s", r.N, r.Fault, a[i])
		}
	}
	opts.Seed = 43
	if c := faultSequence(t, opts, 60); fmt.Sprint(a) == fmt.Sprint(c) {
		t.Fatal("different seeds, same faults")
	}
}

func TestDefaultMixHasNoISV(t *testing.T) {
	for _, k := range toptest.DefaultMix {
		if k == toptest.FaultISV {
			t.Fatal("ISV in default mix")
		}
	}
	if len(toptest.DefaultMix) != len(toptest.AllFaults)-1 {
		t.Fatal("default mix incomplete")
	}
}

// TestConcurrentRetriesConverge drives the server from many goroutines with random faults: each
// order is retried until accepted, and in the end every order is held once with its payload. Bans
// are left out: each stalls every worker, and TestBanIsEnforced covers them.
func TestConcurrentRetriesConverge(t *testing.T) {
	s := newServer(t, toptest.Options{Seed: 7, FaultRate: 0.3, SlowDelay: 800 * time.Millisecond,
		Mix: []toptest.FaultKind{toptest.FaultISP, toptest.FaultHTTP503, toptest.FaultResetBefore, toptest.FaultResetAfter, toptest.FaultSlow, toptest.FaultMalformed}})
	c := newClient(t, s, top.Config{Timeout: 400 * time.Millisecond})
	const workers, per = 8, 15
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				p := params(t, fmt.Sprintf("C%02d%03d", w, i))
				for attempt := 0; ; attempt++ {
					err := callErr(c, p)
					if err == nil {
						break
					}
					var te *top.Error
					if !errors.As(err, &te) || te.Class == top.ClassRejected || te.Class == top.ClassConfiguration || attempt > 50 {
						t.Errorf("order %v: %v", p, err)
						return
					}
					if te.Class == top.ClassThrottled {
						time.Sleep(te.Ban)
					}
				}
			}
		}()
	}
	wg.Wait()
	orders := s.Orders()
	if len(orders) != workers*per || s.Conflicts() != 0 {
		t.Fatalf("%d orders, %d conflicts", len(orders), s.Conflicts())
	}
	kinds := map[toptest.FaultKind]int{}
	for _, r := range s.Requests() {
		kinds[r.Fault]++
	}
	if len(kinds) < 6 {
		t.Fatalf("fault kinds seen: %v", kinds)
	}
	t.Logf("requests %d, faults %v, during ban %d", len(s.Requests()), kinds, s.RequestsDuringBan())
}

func TestCloseEndsStalledAnswers(t *testing.T) {
	s := toptest.NewServer(toptest.Options{AppKey: appKey, Secret: secret, Script: script(toptest.FaultSlow), SlowDelay: time.Minute})
	c := newClient(t, s, top.Config{Timeout: time.Minute})
	done := make(chan error, 1)
	go func() { done <- callErr(c, params(t, "X")) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(s.Orders()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	s.Close()
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("Close took %s", el)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("client still waiting after Close")
	}
	if r := s.Requests(); len(r) != 1 || r[0].Answer != "slow" {
		t.Fatalf("%+v", r)
	}
	s.Close() // twice is harmless
}

// BenchmarkRoundTrip is one signed call through the real client to the fake gateway on loopback,
// with the DTO checked and recorded: the floor under the uploader's throughput.
func BenchmarkRoundTrip(b *testing.B) {
	for _, sm := range []string{top.SignMD5, top.SignHMACSHA256} {
		b.Run(sm, func(b *testing.B) {
			s := toptest.NewServer(toptest.Options{AppKey: appKey, Secret: secret})
			defer s.Close()
			c, err := top.New(top.Config{URL: s.URL(), AppKey: appKey, Secret: secret, SignMethod: sm})
			if err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				i++
				if _, err := c.Call(context.Background(), method, params(b, fmt.Sprint("BENCH", i))); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
		})
	}
}

// A Script may look at the server, and keeps state without a lock of its own.
func TestScriptMayInspectServer(t *testing.T) {
	var s *toptest.Server
	calls := 0
	s = newServer(t, toptest.Options{Script: func(n int, id string) toptest.Fault {
		calls++ // serialised by the server
		if _, seen := s.Orders()[id]; !seen && len(s.Requests()) < 100 {
			return toptest.Fault{Kind: toptest.FaultResetAfter} // first sight of an order: record, then drop
		}
		return toptest.Fault{}
	}})
	c := newClient(t, s, top.Config{})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := params(t, fmt.Sprint("SC", i))
			if te := asTop(t, callErr(c, p)); te.Class != top.ClassAmbiguous {
				t.Error(te)
			}
			if err := callErr(c, p); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	waitRequests(t, s, 8) // synchronises with every handler, so calls is safe to read
	if calls != 8 || len(s.Orders()) != 4 {
		t.Fatalf("calls %d orders %d", calls, len(s.Orders()))
	}
}
