package top

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// ResponseKey is the wrapper key of a method's success answer: dots become underscores.
func ResponseKey(method string) string {
	return strings.ReplaceAll(method, ".", "_") + "_response"
}

var errUnexpectedBody = errors.New("the body is not the expected JSON")

// Answers holds what a deployment knows of its gateway beyond the catalogue: the result.err_code
// values that mean "this order_id is recorded already" and those that mean "busy, try again".
type Answers struct {
	DuplicateCodes, RetryCodes []string
}

func (a Answers) has(codes []string, code string) bool {
	for _, c := range codes {
		if strings.TrimSpace(c) == code && code != "" {
			return true
		}
	}
	return false
}

// errorOf makes the *Error of a catalogue row.
func errorOf(k Kind, status int) *Error {
	return &Error{Kind: k, Class: RowOf(k).Class, HTTPStatus: status}
}

// parseResponse turns an HTTP answer into a Response or an *Error. Only result.success equal to
// true is a success; every failure is an *Error of a catalogue row. It never panics on any input
// (FuzzParseResponse), and the words it keeps are bounded (MaxRequestID, MaxCode, MaxText).
func (a Answers) parseResponse(method string, status int, contentType string, body []byte) (*Response, *Error) {
	top, objErr := decodeObject(body)

	// An error_response is a definite answer whatever the HTTP status around it.
	if objErr == nil {
		if raw, ok := top["error_response"]; ok {
			return nil, parseErrorResponse(raw, status, body)
		}
	}

	switch {
	case status == 407:
		e := errorOf(KindProxyAuth, status)
		e.Msg = httpText(status)
		return nil, e
	case status >= 500:
		// top-protocol.md: HTTP 5xx says nothing about whether the gateway recorded the sale.
		e := errorOf(KindHTTP5xx, status)
		e.Msg = httpText(status)
		return nil, e
	case status == 429:
		e := errorOf(KindCallLimit, status)
		e.Msg, e.Ban = httpText(status), DefaultBan
		return nil, e
	case status == 408:
		e := errorOf(KindHTTP408, status)
		e.Msg = httpText(status)
		return nil, e
	case status >= 300 && status < 500:
		// A redirect or a 4xx without TOP's JSON: the address or a proxy in between is wrong.
		e := errorOf(KindHTTPStatus, status)
		e.Msg = httpText(status)
		return nil, e
	case status < 200:
		e := errorOf(KindNotJSON, status)
		e.Msg, e.Err, e.Answer = httpText(status), errUnexpectedBody, boundBytes(body, MaxAnswer)
		return nil, e
	}

	if objErr != nil {
		k := KindNotJSON
		if looksLikePage(contentType, body) {
			k = KindWebPage
		}
		e := errorOf(k, status)
		e.Err, e.Answer = fmt.Errorf("%w: %w", errUnexpectedBody, objErr), boundBytes(body, MaxAnswer)
		return nil, e
	}

	inner := top
	innerRaw := json.RawMessage(bytes.TrimSpace(body))
	if raw, ok := top[ResponseKey(method)]; ok {
		obj, err := decodeObject(raw)
		if err != nil {
			e := errorOf(KindNotJSON, status)
			e.Err, e.Answer = fmt.Errorf("%w: %s: %w", errUnexpectedBody, ResponseKey(method), err), boundBytes(body, MaxAnswer)
			return nil, e
		}
		inner, innerRaw = obj, json.RawMessage(bytes.TrimSpace(raw))
	} else if _, ok := top["result"]; !ok {
		// Neither the wrapper nor the simplify=true form (another method's wrapper, or {}): we
		// cannot tell what the gateway did.
		e := errorOf(KindNotJSON, status)
		e.Err, e.Answer = errUnexpectedBody, boundBytes(body, MaxAnswer)
		return nil, e
	}

	requestID := bound(jsonString(inner["request_id"]), MaxRequestID)
	if e := a.parseResult(inner["result"], body); e != nil {
		e.RequestID, e.HTTPStatus = requestID, status
		return nil, e
	}
	return &Response{RequestID: requestID, Body: innerRaw, HTTPStatus: status}, nil
}

// parseResult reads {"success":…,"err_code":…,"err_msg":…}. The API's metadata types success as
// a required Boolean: only true (or "true") is a success. false is the gateway's refusal, which
// may still say the order_id is known (a duplicate) or that it was busy; anything else — no
// result, no success, another shape — is ambiguous and keeps the answer for a person.
func (a Answers) parseResult(raw json.RawMessage, body []byte) *Error {
	obj, err := decodeObject(raw)
	if err != nil {
		e := errorOf(KindNoSuccess, 0)
		e.Msg, e.Answer = "no result in the answer", boundBytes(body, MaxAnswer)
		return e
	}
	switch strings.ToLower(strings.TrimSpace(jsonScalarText(obj["success"]))) {
	case "true":
		return nil
	case "false":
	default:
		e := errorOf(KindNoSuccess, 0)
		e.Msg, e.SubMsg = "result without success=true", bound(jsonString(obj["err_msg"]), MaxText)
		if c := jsonScalarText(obj["err_code"]); c != "" {
			e.SubCode = "result.err_code:" + bound(c, MaxCode)
		}
		e.Answer = boundBytes(body, MaxAnswer)
		return e
	}
	code := bound(jsonScalarText(obj["err_code"]), MaxCode)
	msg := bound(jsonString(obj["err_msg"]), MaxText)
	k := KindRefused
	switch {
	case a.has(a.DuplicateCodes, code) || saysDuplicate(msg):
		k = KindDuplicate
	case a.has(a.RetryCodes, code) || saysBusy(msg):
		k = KindBusy
	}
	e := errorOf(k, 0)
	e.SubCode, e.SubMsg, e.Msg = "result.err_code:"+code, msg, "result.success=false"
	return e
}

// parseErrorResponse reads {"code":15,"msg":..,"sub_code":..,"sub_msg":..,"request_id":..}.
// The code is a number in the documentation and a string in some gateways' answers: both count.
func parseErrorResponse(raw json.RawMessage, status int, body []byte) *Error {
	obj, err := decodeObject(raw)
	if err != nil {
		e := errorOf(KindUnreadable, status)
		e.Err, e.Answer = fmt.Errorf("%w: error_response: %w", errUnexpectedBody, err), boundBytes(body, MaxAnswer)
		return e
	}
	e := &Error{
		Msg:        bound(jsonString(obj["msg"]), MaxText),
		SubCode:    bound(jsonString(obj["sub_code"]), MaxCode),
		SubMsg:     bound(jsonString(obj["sub_msg"]), MaxText),
		RequestID:  bound(jsonString(obj["request_id"]), MaxRequestID),
		HTTPStatus: status,
	}
	code, ok := jsonInt(obj["code"])
	e.Code = code
	if !ok && e.SubCode == "" {
		// An error we cannot read: no code, no sub_code. The gateway said "error" but not which
		// one, and it may not have been this request's fault; the outcome is unknown.
		e.Kind, e.Class = KindUnreadable, RowOf(KindUnreadable).Class
		e.Err, e.Answer = fmt.Errorf("%w: error_response without code", errUnexpectedBody), boundBytes(body, MaxAnswer)
		return e
	}
	e.Kind = kindOfCode(code, e.SubCode, e.Msg, e.SubMsg)
	e.Class = RowOf(e.Kind).Class
	if e.Class == ClassThrottled {
		e.Ban = parseBan(e.SubMsg, e.Msg)
	}
	return e
}

// looksLikePage says whether a body that is not JSON is a web page: what a captive portal or a
// proxy's login answers instead of the gateway.
func looksLikePage(contentType string, body []byte) bool {
	if strings.Contains(strings.ToLower(contentType), "html") {
		return true
	}
	b := bytes.ToLower(bytes.TrimSpace(body))
	return bytes.HasPrefix(b, []byte("<!doctype html")) || bytes.HasPrefix(b, []byte("<html"))
}

func decodeObject(b []byte) (map[string]json.RawMessage, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errors.New("not a JSON object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}

// jsonString reads a JSON string, or the text of a number/bool, so a gateway that types a field
// differently from its documentation still yields its words.
func jsonString(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return jsonScalarText(raw)
}

// jsonScalarText is a number's or bool's literal text, a string's content, "" otherwise.
func jsonScalarText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return strconv.FormatBool(b)
	}
	return ""
}

// jsonInt reads an integer given as a JSON number or a string of digits.
func jsonInt(raw json.RawMessage) (int, bool) {
	t := strings.TrimSpace(jsonScalarText(raw))
	if t == "" {
		return 0, false
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 || n > 1<<30 {
		return 0, false
	}
	return n, true
}

func httpText(status int) string {
	if t := http.StatusText(status); t != "" {
		return "HTTP " + strconv.Itoa(status) + " " + t
	}
	return "HTTP " + strconv.Itoa(status)
}
