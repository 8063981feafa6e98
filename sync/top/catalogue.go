package top

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kind names one row of the answer catalogue: one kind of answer the gateway, or the network in
// front of it, can give to a call. Kinds are stable: the journal's attempts, the log and the
// tests use them.
type Kind string

// The catalogue's kinds. Each has one row in Catalogue.
const (
	KindOK          Kind = "ok"               // result.success is true
	KindNoSuccess   Kind = "no-success"       // the method's answer without result.success=true
	KindNotJSON     Kind = "not-json"         // a 2xx body that is not the gateway's JSON
	KindWebPage     Kind = "web-page"         // a 2xx web page: a captive portal or a proxy's login page
	KindDuplicate   Kind = "duplicate"        // the gateway says it holds this order_id already
	KindBusy        Kind = "busy"             // result.success=false saying busy, timeout or system error, or a configured retry err_code
	KindRefused     Kind = "refused"          // result.success=false otherwise: the gateway refused the sale
	KindCallLimit   Kind = "call-limit"       // codes 4–8 or HTTP 429: a ban to wait out
	KindUnavailable Kind = "unavailable"      // code 10 or an isp.* sub_code: the service failed, retry
	KindISPFinal    Kind = "isp-final"        // isp.null-pointer-exception, isp.top-parse-error, isp.top-mapping-parse-error: not retryable
	KindInvalid     Kind = "invalid"          // isv.*, codes 40, 41, 43, or 15/50 and ≥ 100 without isp.*: the content is wrong
	KindSignature   Kind = "signature"        // codes 24, 25
	KindSession     Kind = "session"          // codes 26, 27
	KindAppKey      Kind = "app-key"          // codes 28, 29
	KindClock       Kind = "clock"            // codes 30, 31
	KindPermission  Kind = "permission"       // codes 11 (but the IP whitelist), 12, 13
	KindIPWhitelist Kind = "ip-whitelist"     // code 11 with isv.permission-ip-whitelist-limit
	KindForbidden   Kind = "forbidden"        // code 42
	KindPlatform    Kind = "platform"         // another code below 100: a platform check the app fails
	KindProgramming Kind = "programming"      // codes 9, 21–23, 32–34, 47: banksale built a wrong request
	KindUnreadable  Kind = "unreadable-error" // an error_response with neither code nor sub_code
	KindHTTP5xx     Kind = "http-5xx"         // HTTP 5xx without the gateway's error
	KindHTTP408     Kind = "http-408"         // the server gave up waiting for the request
	KindHTTPStatus  Kind = "http-status"      // another 3xx or 4xx without the gateway's JSON: the address is wrong
	KindProxyAuth   Kind = "proxy-auth"       // HTTP 407, on CONNECT or plain: the proxy wants a password
	KindCertificate Kind = "certificate"      // the gateway's certificate is not trusted by this PC
	KindNoName      Kind = "name-not-found"   // the gateway's name does not resolve
	KindNetworkDown Kind = "network-down"     // no connection: refused, unreachable, timed out connecting
	KindNotSent     Kind = "not-sent"         // any other failure before the request was written
	KindNoAnswer    Kind = "no-answer"        // no whole answer after the request was written
)

// Row is one kind of answer: what it means for the order (Class), whether it is a failure to
// reach the gateway at all, and what the person at the screen should know.
type Row struct {
	Kind  Kind
	Class Class
	// Unreachable marks a failure to reach the gateway at all: several in a row mean head office
	// cannot be reached, which the uploader says and then probes for.
	Unreachable bool
	// Sentence is what it means and what to do, in English, for the log and the command line.
	Sentence string
	// Example is an answer of this kind, for the tests and the fake gateway; Status 0 for a
	// failure that is not an answer (the network's).
	Example Example
}

// Example is an HTTP answer: its status, content type and body.
type Example struct {
	Status      int
	ContentType string
	Body        string
}

const (
	wrap     = `{"alibaba_mos_oc_trade_syncbanksale_response":`
	jsonType = "application/json;charset=UTF-8"
)

func errBody(code int, msg, sub, subMsg string) Example {
	var b strings.Builder
	b.WriteString(`{"error_response":{"code":`)
	b.WriteString(strconv.Itoa(code))
	b.WriteString(`,"msg":"` + msg + `"`)
	if sub != "" {
		b.WriteString(`,"sub_code":"` + sub + `"`)
	}
	if subMsg != "" {
		b.WriteString(`,"sub_msg":"` + subMsg + `"`)
	}
	b.WriteString(`,"request_id":"rid-example"}}`)
	return Example{200, jsonType, b.String()}
}

// Catalogue is every kind of answer, in one table: the one place that says what each means.
// TestCatalogue parses every Example and checks it lands on its own row.
var Catalogue = []Row{
	{KindOK, 0, false, "Head office has the order.",
		Example{200, jsonType, wrap + `{"result":{"success":true,"err_code":null,"err_msg":""},"request_id":"rid-example"}}`}},
	{KindNoSuccess, ClassAmbiguous, false,
		"The gateway answered without saying the order was taken (no result.success=true): it is sent again under the same order number.",
		Example{200, jsonType, wrap + `{"result":{"err_code":500,"err_msg":"系统异常"},"request_id":"rid-example"}}`}},
	{KindNotJSON, ClassAmbiguous, false,
		"The gateway's answer could not be read: the order is sent again under the same order number.",
		Example{200, jsonType, wrap + `{"result":{"success":tr`}},
	{KindWebPage, ClassConfiguration, true,
		"A web page answered instead of the gateway: this network wants a login (a guest Wi-Fi or a proxy's page). Log in to the network, then press R.",
		Example{200, "text/html", "<!DOCTYPE html><html><head><title>Portal</title></head><body>Please log in</body></html>"}},
	{KindDuplicate, ClassDuplicate, false,
		"The gateway already holds this order number.",
		Example{200, jsonType, wrap + `{"result":{"success":false,"err_code":1001,"err_msg":"订单号已存在"},"request_id":"rid-example"}}`}},
	{KindBusy, ClassTransient, false,
		"The gateway is busy: the order is sent again by itself.",
		Example{200, jsonType, wrap + `{"result":{"success":false,"err_code":500,"err_msg":"系统繁忙，请稍后重试"},"request_id":"rid-example"}}`}},
	{KindRefused, ClassRejected, false,
		"The gateway refused the order: read its words, correct the order (e) and it is sent again.",
		Example{200, jsonType, wrap + `{"result":{"success":false,"err_code":2002,"err_msg":"门店编号不存在"},"request_id":"rid-example"}}`}},
	{KindCallLimit, ClassThrottled, false,
		"The gateway's call limit was reached: uploading waits, then resumes by itself.",
		errBody(7, "App Call Limited", "accesscontrol.limited-by-app-access-count", "This ban will last for 2 more seconds")},
	{KindUnavailable, ClassTransient, false,
		"The gateway's service failed for a moment: the order is sent again by itself.",
		errBody(15, "Remote service error", "isp.top-remote-service-unavailable", "后端服务不可用")},
	{KindISPFinal, ClassRejected, false,
		"The gateway could not process this order and says retrying will not help: call support with the order number.",
		errBody(15, "Remote service error", "isp.top-mapping-parse-error", "参数解析错误")},
	{KindInvalid, ClassRejected, false,
		"The gateway refused the order's content: read its words, correct the order (e) and it is sent again.",
		errBody(15, "Remote service error", "isv.invalid-parameter", "非法参数: store_no")},
	{KindSignature, ClassConfiguration, false,
		"The gateway refused the signature: check app_secret and sign_method in config.toml, then start banksale again.",
		errBody(25, "Invalid Signature", "", "")},
	{KindSession, ClassConfiguration, false,
		"The gateway refused the session (it may have expired): put a new session in config.toml, then start banksale again.",
		errBody(27, "Invalid Session", "", "")},
	{KindAppKey, ClassConfiguration, false,
		"The gateway does not know this app key: check app_key in config.toml, then start banksale again.",
		errBody(29, "Invalid App Key", "", "")},
	{KindClock, ClassConfiguration, false,
		"The gateway refused the time of the request: this PC's clock must be within 10 minutes of Beijing time. Set the clock, then press R.",
		errBody(31, "Invalid Timestamp", "", "")},
	{KindPermission, ClassConfiguration, false,
		"The gateway says this app may not upload bank sales: ask head office to grant alibaba.mos.oc.trade.syncbanksale to the app, then press R.",
		errBody(11, "Insufficient ISV Permissions", "isv.permission-api-package-limit", "")},
	{KindIPWhitelist, ClassConfiguration, false,
		"The gateway does not accept calls from this store's internet address: ask head office to add it to the app's IP whitelist, then press R.",
		errBody(11, "Insufficient ISV Permissions", "isv.permission-ip-whitelist-limit", "IP 203.0.113.7 不在白名单中")},
	{KindForbidden, ClassConfiguration, false,
		"The gateway forbade the request: ask head office to check this app's access, then press R.",
		errBody(42, "Forbidden", "", "")},
	{KindPlatform, ClassConfiguration, false,
		"The gateway refused the app itself, not the order: read its words and ask head office, then press R.",
		errBody(44, "Invalid access token", "", "")},
	{KindProgramming, ClassProgramming, false,
		"The gateway did not understand banksale's request: this needs a fix to banksale; call support, then press R.",
		errBody(22, "Invalid Method", "", "")},
	{KindUnreadable, ClassAmbiguous, false,
		"The gateway answered with an error it did not name: the order is sent again under the same order number.",
		Example{200, jsonType, `{"error_response":{"msg":"?"}}`}},
	{KindHTTP5xx, ClassAmbiguous, false,
		"The gateway or a proxy failed while answering: the order is sent again under the same order number.",
		Example{503, "text/html", "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"}},
	{KindHTTP408, ClassTransient, false,
		"The gateway gave up waiting for the request: it is sent again.",
		Example{408, "text/plain", "Request Timeout"}},
	{KindHTTPStatus, ClassConfiguration, false,
		"The gateway address answered with something else than the gateway: check url under [gateway] in config.toml, then start banksale again.",
		Example{404, "text/html", "<html><body>Not Found</body></html>"}},
	{KindProxyAuth, ClassConfiguration, true,
		"The proxy wants a user name and password: put them in proxy under [gateway] in config.toml (http://user:password@host:port), then start banksale again.",
		Example{407, "text/html", "<html><body>Proxy Authentication Required</body></html>"}},
	{KindCertificate, ClassConfiguration, true,
		"This PC does not trust the gateway's certificate (a firewall that inspects HTTPS?): give its root certificate as ca_file under [gateway] in config.toml, then start banksale again.",
		Example{}},
	{KindNoName, ClassTransient, true,
		"The gateway's name is not found: the network or its name server is down, or the address in config.toml is wrong.",
		Example{}},
	{KindNetworkDown, ClassTransient, true,
		"No connection to the gateway: the network is down, or a firewall blocks it.",
		Example{}},
	{KindNotSent, ClassTransient, true,
		"The request could not be sent: it is sent again by itself.",
		Example{}},
	{KindNoAnswer, ClassAmbiguous, false,
		"No whole answer came after the request was sent: the order is sent again under the same order number.",
		Example{}},
}

// RowOf is kind's row (a zero Row for a kind the catalogue does not have).
func RowOf(k Kind) Row {
	for _, r := range Catalogue {
		if r.Kind == k {
			return r
		}
	}
	return Row{}
}

// Limits on the gateway's words kept from an answer: a real request_id is about 20
// characters and a message a sentence; anything longer is cut here, before it can reach the
// journal, the log or the screen (a 3.5 MB request_id once grew the journal by 322 MB).
const (
	MaxRequestID = 64   // characters
	MaxCode      = 128  // characters of a sub_code or err_code
	MaxText      = 512  // characters of a msg, sub_msg or err_msg
	MaxAnswer    = 2048 // bytes of an unreadable answer kept for a person to look at
)

// bound cuts s to at most n characters (runes), invalid UTF-8 replaced.
func bound(s string, n int) string {
	if len(s) <= n && utf8.ValidString(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "~"
}

// boundBytes cuts b to at most n bytes of valid UTF-8, for an answer kept as it came.
func boundBytes(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
		for len(b) > 0 && !utf8.Valid(b) { // do not keep half a character
			b = b[:len(b)-1]
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// Markers of an answer that says the order_id is known already, in the words gateways use;
// and markers that say the opposite, or a different sale under the id.
var (
	duplicateMarkers = []string{"已存在", "重复", "已上传", "幂等", "exist", "duplicate", "repeat"}
	notDuplicate     = []string{"不存在", "not exist", "not-exist", "not_exist", "notexist", "non-exist", "nonexist",
		"no-exist", "not found", "not-found", "conflict", "different", "不同", "不一致", "占用"}
	busyMarkers = []string{"繁忙", "稍后", "超时", "系统异常", "系统错误", "busy", "timeout", "timed out", "try again", "later",
		"system error", "unavailable"}
)

// saysDuplicate reports whether the gateway's words say the order_id is recorded already.
func saysDuplicate(texts ...string) bool {
	found := false
	for _, t := range texts {
		t = strings.ToLower(t)
		for _, n := range notDuplicate {
			if strings.Contains(t, n) {
				return false
			}
		}
		for _, m := range duplicateMarkers {
			if strings.Contains(t, m) {
				found = true
			}
		}
	}
	return found
}

// saysBusy reports whether the gateway's words say it could not take the order just now.
func saysBusy(texts ...string) bool {
	for _, t := range texts {
		t = strings.ToLower(t)
		for _, m := range busyMarkers {
			if strings.Contains(t, m) {
				return true
			}
		}
	}
	return false
}

// ispFinal are the isp.* sub_codes TOP's table marks not retryable.
var ispFinal = map[string]bool{
	"isp.null-pointer-exception":  true,
	"isp.top-parse-error":         true,
	"isp.top-mapping-parse-error": true,
}

// kindOfCode maps a gateway error's code and sub_code (and its words, for duplicates) to a
// kind. The platform's codes mean the same for every API; sub_code decides for 15/50 ("remote
// service error") and for codes of 100 and more.
func kindOfCode(code int, subCode, msg, subMsg string) Kind {
	sub := strings.ToLower(strings.TrimSpace(subCode))
	switch code {
	case 4, 5, 6, 7, 8:
		return KindCallLimit
	case 10:
		return KindUnavailable
	case 11:
		if strings.Contains(sub, "ip-whitelist") {
			return KindIPWhitelist
		}
		return KindPermission
	case 12, 13:
		return KindPermission
	case 24, 25:
		return KindSignature
	case 26, 27:
		return KindSession
	case 28, 29:
		return KindAppKey
	case 30, 31:
		return KindClock
	case 42:
		return KindForbidden
	case 9, 21, 22, 23, 32, 33, 34, 47:
		return KindProgramming
	}
	if saysDuplicate(sub, subMsg, msg) {
		return KindDuplicate
	}
	switch {
	case ispFinal[sub]:
		return KindISPFinal
	case strings.HasPrefix(sub, "isp."):
		return KindUnavailable
	case code == 40 || code == 41 || code == 43 || strings.HasPrefix(sub, "isv."):
		return KindInvalid
	case code > 0 && code < 100 && code != 15 && code != 50:
		// TOP's rule: codes below 100 other than 15, 40 and 41 are the platform's checks of the
		// app (permissions, frequency, parameters). Failing every order one by one would be
		// wrong: the uploader pauses once.
		return KindPlatform
	}
	// 15/50 without isp.*, or a business code: the gateway answered and did not take the order.
	return KindInvalid
}
