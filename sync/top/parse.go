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

// parseResponse turns an HTTP answer into a Response or an *Error. It never panics on any input
// (FuzzParseResponse) and every failure it returns is an *Error with a valid Class.
func parseResponse(method string, status int, body []byte) (*Response, *Error) {
	top, objErr := decodeObject(body)

	// An error_response is a definite answer whatever the HTTP status around it.
	if objErr == nil {
		if raw, ok := top["error_response"]; ok {
			return nil, parseErrorResponse(raw, status)
		}
	}

	switch {
	case status >= 500:
		// top-protocol.md: "Anything else (HTTP 5xx …) says nothing about whether the gateway
		// recorded the sale: it is an ambiguous outcome." Issue 3 calls 5xx transient; both are
		// retried with the same order_id, but a proxy or the gateway may fail after the backend took
		// the order, so ambiguous is the honest class.
		return nil, &Error{Class: ClassAmbiguous, HTTPStatus: status, Msg: httpText(status)}
	case status == 429:
		return nil, &Error{Class: ClassThrottled, HTTPStatus: status, Msg: httpText(status), Ban: DefaultBan}
	case status == 408:
		// The server gave up waiting for the request: it was not processed.
		return nil, &Error{Class: ClassTransient, HTTPStatus: status, Msg: httpText(status)}
	case status >= 300 && status < 500:
		// A redirect or a 4xx without TOP's JSON: the URL or a proxy in between is wrong; no
		// order can go through until a person fixes the setting.
		return nil, &Error{Class: ClassConfiguration, HTTPStatus: status, Msg: httpText(status)}
	case status < 200:
		return nil, &Error{Class: ClassAmbiguous, HTTPStatus: status, Msg: httpText(status), Err: errUnexpectedBody}
	}

	if objErr != nil {
		return nil, &Error{Class: ClassAmbiguous, HTTPStatus: status, Err: fmt.Errorf("%w: %w", errUnexpectedBody, objErr)}
	}

	inner := top
	innerRaw := json.RawMessage(bytes.TrimSpace(body))
	if raw, ok := top[ResponseKey(method)]; ok {
		obj, err := decodeObject(raw)
		if err != nil {
			return nil, &Error{Class: ClassAmbiguous, HTTPStatus: status, Err: fmt.Errorf("%w: %s: %w", errUnexpectedBody, ResponseKey(method), err)}
		}
		inner, innerRaw = obj, json.RawMessage(bytes.TrimSpace(raw))
	} else if _, ok := top["result"]; !ok {
		// Neither the wrapper nor the simplify=true form (e.g. another method's wrapper, or {}):
		// we cannot tell what the gateway did.
		return nil, &Error{Class: ClassAmbiguous, HTTPStatus: status, Err: errUnexpectedBody}
	}

	requestID := jsonString(inner["request_id"])
	if raw, ok := inner["result"]; ok {
		if e := parseResultFailure(raw); e != nil {
			e.RequestID, e.HTTPStatus = requestID, status
			return nil, e
		}
	}
	return &Response{RequestID: requestID, Body: innerRaw, HTTPStatus: status}, nil
}

// parseErrorResponse reads {"code":15,"msg":..,"sub_code":..,"sub_msg":..,"request_id":..}.
// The code is a number in the documentation and a string in some gateways' answers: both count.
func parseErrorResponse(raw json.RawMessage, status int) *Error {
	obj, err := decodeObject(raw)
	if err != nil {
		return &Error{Class: ClassAmbiguous, HTTPStatus: status, Err: fmt.Errorf("%w: error_response: %w", errUnexpectedBody, err)}
	}
	e := &Error{
		Msg:        jsonString(obj["msg"]),
		SubCode:    jsonString(obj["sub_code"]),
		SubMsg:     jsonString(obj["sub_msg"]),
		RequestID:  jsonString(obj["request_id"]),
		HTTPStatus: status,
	}
	code, ok := jsonInt(obj["code"])
	e.Code = code
	if !ok && e.SubCode == "" {
		// An error we cannot read: no code, no sub_code. The gateway said "error" but not which one,
		// and it may not have been this request's fault; the outcome is unknown.
		e.Class = ClassAmbiguous
		e.Err = fmt.Errorf("%w: error_response without code", errUnexpectedBody)
		return e
	}
	e.Class = classify(code, e.SubCode)
	if e.Class == ClassThrottled {
		e.Ban = parseBan(e.SubMsg, e.Msg)
	}
	return e
}

// parseResultFailure returns a rejection when result is an object with success=false.
func parseResultFailure(raw json.RawMessage) *Error {
	obj, err := decodeObject(raw)
	if err != nil {
		return nil // result of another shape (a list, a string): nothing says it failed
	}
	if !isFalse(obj["success"]) {
		return nil
	}
	codeText := jsonScalarText(obj["err_code"])
	return &Error{
		Class:   ClassRejected,
		SubCode: "result.err_code:" + codeText,
		SubMsg:  jsonString(obj["err_msg"]),
		Msg:     "result.success=false",
	}
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

func isFalse(raw json.RawMessage) bool {
	t := strings.ToLower(strings.TrimSpace(jsonScalarText(raw)))
	return t == "false"
}

func httpText(status int) string {
	if t := http.StatusText(status); t != "" {
		return "HTTP " + strconv.Itoa(status) + " " + t
	}
	return "HTTP " + strconv.Itoa(status)
}
