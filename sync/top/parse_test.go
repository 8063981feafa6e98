package top

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

const testMethod = "alibaba.mos.oc.trade.syncbanksale"

func TestResponseKey(t *testing.T) {
	if got := ResponseKey(testMethod); got != "alibaba_mos_oc_trade_syncbanksale_response" {
		t.Fatal(got)
	}
}

func TestParseSuccess(t *testing.T) {
	for _, tc := range []struct {
		name, body, reqID, inner string
	}{
		{"wrapped", `{"alibaba_mos_oc_trade_syncbanksale_response":{"result":{"err_code":null,"err_msg":"","success":true},"request_id":"r1"}}`,
			"r1", `{"result":{"err_code":null,"err_msg":"","success":true},"request_id":"r1"}`},
		{"simplify", `{"result":{"success":true},"request_id":"r2"}`, "r2", `{"result":{"success":true},"request_id":"r2"}`},
		{"success as string", `{"result":{"success":"true","err_code":0},"request_id":"r4"}`, "r4", `{"result":{"success":"true","err_code":0},"request_id":"r4"}`},
		{"spaces", " \n{\"result\":{\"success\":true},\"request_id\":\"r5\"}\n", "r5", `{"result":{"success":true},"request_id":"r5"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, e := Answers{}.parseResponse(testMethod, 200, "", []byte(tc.body))
			if e != nil {
				t.Fatalf("error %v", e)
			}
			if resp.RequestID != tc.reqID || string(resp.Body) != tc.inner || resp.HTTPStatus != 200 {
				t.Fatalf("got %+v body %s", resp, resp.Body)
			}
		})
	}
}

func TestParseFailures(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		body        string
		class       Class
		code        int
		sub, subMsg string
		reqID       string
		ban         time.Duration
	}{
		{"isv numeric code", 200, `{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isv.invalid-parameter","sub_msg":"非法参数","request_id":"x1"}}`,
			ClassRejected, 15, "isv.invalid-parameter", "非法参数", "x1", 0},
		{"isv string code", 200, `{"error_response":{"code":"50","msg":"Remote service error","sub_code":"isv.invalid-parameter","sub_msg":"非法参数","request_id":"x2"}}`,
			ClassRejected, 50, "isv.invalid-parameter", "非法参数", "x2", 0},
		{"isp 15", 200, `{"error_response":{"code":15,"sub_code":"isp.top-remote-connection-timeout"}}`, ClassTransient, 15, "isp.top-remote-connection-timeout", "", "", 0},
		{"isp 50", 200, `{"error_response":{"code":50,"sub_code":"isp.unknown-error"}}`, ClassTransient, 50, "isp.unknown-error", "", "", 0},
		{"isp other code", 200, `{"error_response":{"code":99,"sub_code":"isp.remote-connection-error"}}`, ClassTransient, 99, "isp.remote-connection-error", "", "", 0},
		{"15 without isp", 200, `{"error_response":{"code":15,"sub_code":"order.dup","sub_msg":"x"}}`, ClassRejected, 15, "order.dup", "x", "", 0},
		{"15 no sub_code", 200, `{"error_response":{"code":15,"msg":"Remote service error"}}`, ClassRejected, 15, "", "", "", 0},
		{"code 10", 200, `{"error_response":{"code":10,"msg":"Service Currently Unavailable"}}`, ClassTransient, 10, "", "", "", 0},
		{"ban", 200, `{"error_response":{"code":7,"msg":"App Call Limited","sub_code":"accesscontrol.limited-by-app-access-count","sub_msg":"This ban will last for 31 more seconds"}}`,
			ClassThrottled, 7, "accesscontrol.limited-by-app-access-count", "This ban will last for 31 more seconds", "", 31 * time.Second},
		{"ban no seconds", 200, `{"error_response":{"code":"4","msg":"User Call Limited"}}`, ClassThrottled, 4, "", "", "", DefaultBan},
		{"ban hours", 200, `{"error_response":{"code":5,"sub_msg":"This ban will last for 36000 more seconds"}}`, ClassThrottled, 5, "", "This ban will last for 36000 more seconds", "", 10 * time.Hour},
		{"ban huge", 200, `{"error_response":{"code":8,"sub_msg":"This ban will last for 99999999999999999999 more seconds"}}`, ClassThrottled, 8, "", "This ban will last for 99999999999999999999 more seconds", "", maxBan},
		{"ban isv sub", 200, `{"error_response":{"code":7,"sub_code":"isv.call-limited"}}`, ClassThrottled, 7, "isv.call-limited", "", "", DefaultBan},
		{"permission", 200, `{"error_response":{"code":11,"msg":"Insufficient ISV Permissions","sub_code":"isv.permission-api-package-limit"}}`, ClassConfiguration, 11, "isv.permission-api-package-limit", "", "", 0},
		{"signature", 200, `{"error_response":{"code":25,"msg":"Invalid Signature"}}`, ClassConfiguration, 25, "", "", "", 0},
		{"session", 200, `{"error_response":{"code":27,"msg":"Invalid Session"}}`, ClassConfiguration, 27, "", "", "", 0},
		{"app key", 200, `{"error_response":{"code":29}}`, ClassConfiguration, 29, "", "", "", 0},
		{"timestamp", 200, `{"error_response":{"code":31}}`, ClassConfiguration, 31, "", "", "", 0},
		{"forbidden", 200, `{"error_response":{"code":42}}`, ClassConfiguration, 42, "", "", "", 0},
		{"method", 200, `{"error_response":{"code":22,"msg":"Invalid Method"}}`, ClassProgramming, 22, "", "", "", 0},
		{"version", 200, `{"error_response":{"code":34}}`, ClassProgramming, 34, "", "", "", 0},
		{"args", 200, `{"error_response":{"code":41,"msg":"Invalid Arguments","sub_code":"isv.invalid-parameter:trade_amount"}}`, ClassRejected, 41, "isv.invalid-parameter:trade_amount", "", "", 0},
		{"args 40", 200, `{"error_response":{"code":40}}`, ClassRejected, 40, "", "", "", 0},
		{"args 43", 200, `{"error_response":{"code":43}}`, ClassRejected, 43, "", "", "", 0},
		{"error_response on 500", 500, `{"error_response":{"code":15,"sub_code":"isp.top-remote-service-unavailable"}}`, ClassTransient, 15, "isp.top-remote-service-unavailable", "", "", 0},
		{"success=false number", 200, `{"alibaba_mos_oc_trade_syncbanksale_response":{"result":{"err_code":1001,"err_msg":"门店不存在","success":false},"request_id":"x9"}}`,
			ClassRejected, 0, "result.err_code:1001", "门店不存在", "x9", 0},
		// Only success=true is a success: a wrapper without result says nothing was taken.
		{"wrapped no result", 200, `{"alibaba_mos_oc_trade_syncbanksale_response":{"request_id":"r3"}}`, ClassAmbiguous, 0, "", "", "r3", 0},
		{"success=false string", 200, `{"result":{"err_code":"E01","err_msg":"重复","success":false},"request_id":"x10"}`,
			ClassDuplicate, 0, "result.err_code:E01", "重复", "x10", 0}, // 重复: the id is known already
		{"success=false no code", 200, `{"result":{"success":"false"}}`, ClassRejected, 0, "result.err_code:", "", "", 0},
		{"503 html", 503, `<html>503</html>`, ClassAmbiguous, 0, "", "", "", 0},
		{"500 empty", 500, ``, ClassAmbiguous, 0, "", "", "", 0},
		{"502 json", 502, `{"result":{"success":true}}`, ClassAmbiguous, 0, "", "", "", 0},
		{"200 html", 200, `<html>gateway</html>`, ClassConfiguration, 0, "", "", "", 0}, // a captive portal's page
		{"200 empty", 200, ``, ClassAmbiguous, 0, "", "", "", 0},
		{"200 truncated", 200, `{"alibaba_mos_oc_trade_syncbanksale_response":{"result":{"success":tr`, ClassAmbiguous, 0, "", "", "", 0},
		{"200 other wrapper", 200, `{"taobao_user_seller_get_response":{"request_id":"z"}}`, ClassAmbiguous, 0, "", "", "", 0},
		{"200 empty object", 200, `{}`, ClassAmbiguous, 0, "", "", "", 0},
		{"200 null", 200, `null`, ClassAmbiguous, 0, "", "", "", 0},
		{"200 array", 200, `[1]`, ClassAmbiguous, 0, "", "", "", 0},
		{"wrapper not object", 200, `{"alibaba_mos_oc_trade_syncbanksale_response":"ok"}`, ClassAmbiguous, 0, "", "", "", 0},
		{"error_response not object", 200, `{"error_response":"boom"}`, ClassAmbiguous, 0, "", "", "", 0},
		{"error_response without code", 200, `{"error_response":{"msg":"?"}}`, ClassAmbiguous, 0, "", "", "", 0},
		{"429", 429, `slow down`, ClassThrottled, 0, "", "", "", DefaultBan},
		{"404", 404, `not found`, ClassConfiguration, 0, "", "", "", 0},
		{"302", 302, ``, ClassConfiguration, 0, "", "", "", 0},
		{"408", 408, ``, ClassTransient, 0, "", "", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, e := Answers{}.parseResponse(testMethod, tc.status, "", []byte(tc.body))
			if e == nil {
				t.Fatalf("success %+v, want %s", resp, tc.class)
			}
			if e.Class != tc.class || e.Code != tc.code || e.SubCode != tc.sub || e.SubMsg != tc.subMsg || e.RequestID != tc.reqID || e.Ban != tc.ban {
				t.Fatalf("got %#v\nwant class %s code %d sub %q subMsg %q reqID %q ban %s", e, tc.class, tc.code, tc.sub, tc.subMsg, tc.reqID, tc.ban)
			}
			if e.HTTPStatus != tc.status {
				t.Fatalf("HTTPStatus %d", e.HTTPStatus)
			}
			if e.Error() == "" || !strings.HasPrefix(e.Error(), "top: "+tc.class.String()) {
				t.Fatalf("Error() = %q", e.Error())
			}
		})
	}
}

func TestParseBan(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"This ban will last for 31 more seconds": 31 * time.Second,
		"This ban will last for 1 more second":   time.Second,
		"this ban will last for 0 more seconds":  time.Second,
		"禁止访问，60秒后解除":                            60 * time.Second,
		"":                                       DefaultBan,
		"call limited":                           DefaultBan,
	} {
		if got := parseBan(in); got != want {
			t.Errorf("parseBan(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestClassString(t *testing.T) {
	want := []string{"transient", "throttled", "configuration", "rejected", "ambiguous", "programming", "duplicate"}
	for i, w := range want {
		c := Class(i + 1)
		if c.String() != w || !c.Valid() {
			t.Fatalf("%d: %s", i+1, c)
		}
	}
	if Class(0).Valid() || Class(8).Valid() {
		t.Fatal("out of range class valid")
	}
}

func TestErrorUnwrap(t *testing.T) {
	cause := errors.New("cause")
	var err error = &Error{Class: ClassAmbiguous, Err: cause}
	if !errors.Is(err, cause) {
		t.Fatal("Unwrap")
	}
	var te *Error
	if !errors.As(err, &te) || te.Class != ClassAmbiguous {
		t.Fatal("As")
	}
}

// FuzzParseResponse: the parser never panics, and every failure is an *Error with a valid Class;
// every success carries a JSON object as Body.
func FuzzParseResponse(f *testing.F) {
	seeds := []string{
		`{"alibaba_mos_oc_trade_syncbanksale_response":{"result":{"err_code":null,"err_msg":"","success":true},"request_id":"r1"}}`,
		`{"result":{"success":true},"request_id":"r2"}`,
		`{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isv.invalid-parameter","sub_msg":"非法参数","request_id":"x1"}}`,
		`{"error_response":{"code":"7","sub_msg":"This ban will last for 31 more seconds"}}`,
		`{"result":{"err_code":"E01","err_msg":"重复","success":false},"request_id":"x10"}`,
		`{"alibaba_mos_oc_trade_syncbanksale_response":{"result":{"success":tr`,
		`<html>503</html>`, ``, `null`, `{}`, `[]`, `{"error_response":null}`, `{"result":null}`,
		`{"error_response":{"code":1e400}}`, `{"error_response":{"code":-1,"sub_code":"isp."}}`,
		`{"alibaba_mos_oc_trade_syncbanksale_response":{"result":{"err_code":500,"err_msg":"系统异常"}}}`,
		`{"alibaba_mos_oc_trade_syncbanksale_response":{"request_id":"r3"}}`,
		`{"result":{"success":false,"err_code":1001,"err_msg":"订单号已存在"}}`,
		`{"result":{"success":false,"err_code":500,"err_msg":"系统繁忙，请稍后重试"}}`,
		`{"result":{"success":"false","err_msg":"原订单不存在"}}`,
		`{"error_response":{"code":11,"sub_code":"isv.permission-ip-whitelist-limit","sub_msg":"IP 1.2.3.4"}}`,
		`{"error_response":{"code":15,"sub_code":"isp.top-mapping-parse-error"}}`,
		`{"error_response":{"code":44,"msg":"Invalid access token"}}`,
		`<!DOCTYPE html><html><body>login</body></html>`,
	}
	for _, s := range seeds {
		for _, st := range []int{200, 500, 503, 429, 404, 407} {
			f.Add(st, "application/json", []byte(s))
		}
	}
	f.Add(200, "text/html", []byte("<p>portal</p>"))
	a := Answers{DuplicateCodes: []string{"1001"}, RetryCodes: []string{"503"}}
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		resp, e := a.parseResponse(testMethod, status, contentType, body)
		if (resp == nil) == (e == nil) {
			t.Fatalf("exactly one of resp/err must be set: %v %v", resp, e)
		}
		if e != nil {
			var err error = e
			var te *Error
			if !errors.As(err, &te) || !te.Class.Valid() {
				t.Fatalf("invalid error %#v", e)
			}
			if row := RowOf(te.Kind); row.Kind == "" || row.Class != te.Class {
				t.Fatalf("kind %q is not a row of the catalogue with class %s", te.Kind, te.Class)
			}
			if len([]rune(te.RequestID)) > MaxRequestID || len([]rune(te.SubCode)) > MaxCode+len("result.err_code:") ||
				len([]rune(te.Msg)) > MaxText || len([]rune(te.SubMsg)) > MaxText || len(te.Answer) > MaxAnswer {
				t.Fatalf("unbounded words: %d %d %d %d %d", len(te.RequestID), len(te.SubCode), len(te.Msg), len(te.SubMsg), len(te.Answer))
			}
			if te.Class == ClassThrottled && te.Ban <= 0 {
				t.Fatalf("throttled without ban: %#v", te)
			}
			_ = te.Error()
			return
		}
		if status < 200 || status > 299 {
			t.Fatalf("success on HTTP %d", status)
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(resp.Body, &obj) != nil || obj == nil {
			t.Fatalf("success body is not an object: %q", resp.Body)
		}
		// Only result.success true is a success.
		var res struct{ Success any }
		if json.Unmarshal(obj["result"], &res) != nil || (res.Success != true && res.Success != "true" &&
			!strings.EqualFold(fmt.Sprint(res.Success), "true")) {
			t.Fatalf("success without result.success=true: %q", resp.Body)
		}
		if len(resp.RequestID) > MaxRequestID*4 {
			t.Fatalf("request id of %d bytes", len(resp.RequestID))
		}
	})
}
