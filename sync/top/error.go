package top

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Class says what a failed call means for the caller: whether to retry, wait, pause or ask a person.
type Class int

const (
	// ClassTransient: the gateway did not take the request and says so (isp.* errors, code 10,
	// nothing sent at all). Retry later with the same payload.
	ClassTransient Class = iota + 1
	// ClassThrottled: a call limit (codes 4–8). Wait Error.Ban out before calling again.
	ClassThrottled
	// ClassConfiguration: app key, secret, session, permissions or clock are wrong. Retrying as is
	// cannot help; every call would fail the same way until a person fixes the setting.
	ClassConfiguration
	// ClassRejected: the gateway refused this request's content (isv.*, 40/41/43, result.success=false).
	ClassRejected
	// ClassAmbiguous: the request may or may not have been processed (timeout or reset after it was
	// written, HTTP 5xx, a body that is not the expected JSON). Safe to retry only with the same
	// idempotency key.
	ClassAmbiguous
	// ClassProgramming: the client itself built a wrong request (method, format, version).
	ClassProgramming
	// ClassDuplicate: the gateway says it holds this order_id already. Whether that is this very
	// sale (an earlier attempt got through) or another one is for the caller to judge.
	ClassDuplicate
)

// String returns the class's stable lower-case name, used in logs and the journal.
func (c Class) String() string {
	switch c {
	case ClassTransient:
		return "transient"
	case ClassThrottled:
		return "throttled"
	case ClassConfiguration:
		return "configuration"
	case ClassRejected:
		return "rejected"
	case ClassAmbiguous:
		return "ambiguous"
	case ClassProgramming:
		return "programming"
	case ClassDuplicate:
		return "duplicate"
	}
	return "class(" + strconv.Itoa(int(c)) + ")"
}

// Valid reports whether c is one of the declared classes.
func (c Class) Valid() bool { return c >= ClassTransient && c <= ClassDuplicate }

// Error is every failure of Client.Call: a gateway answer that is not a success, or a transport
// failure (Err set). It never carries the secret, the session, the sign or any business parameter.
type Error struct {
	Kind       Kind // the catalogue's row
	Class      Class
	Code       int // the gateway's code; 0 for transport failures and result.success=false
	Msg        string
	SubCode    string
	SubMsg     string
	RequestID  string
	HTTPStatus int           // 0 when no HTTP answer arrived
	Ban        time.Duration // throttled: how long the gateway asked us to stay away
	Latency    time.Duration
	Answer     string // an unreadable or unexpected answer as it came, at most MaxAnswer bytes
	Err        error  // transport or decoding cause
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("top: ")
	b.WriteString(e.Class.String())
	if e.Kind != "" && string(e.Kind) != e.Class.String() {
		b.WriteString(" (" + string(e.Kind) + ")")
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, ": code %d", e.Code)
		if e.Msg != "" {
			fmt.Fprintf(&b, " (%s)", e.Msg)
		}
	}
	if e.SubCode != "" {
		b.WriteString(": ")
		b.WriteString(e.SubCode)
	}
	if e.SubMsg != "" {
		b.WriteString(": ")
		b.WriteString(e.SubMsg)
	}
	if e.Code == 0 && e.SubCode == "" && e.Msg != "" {
		b.WriteString(": ")
		b.WriteString(e.Msg)
	}
	if e.Class == ClassThrottled && e.Ban > 0 {
		fmt.Fprintf(&b, " (ban %s)", e.Ban)
	}
	if e.HTTPStatus != 0 && (e.HTTPStatus < 200 || e.HTTPStatus > 299) {
		fmt.Fprintf(&b, " [HTTP %d]", e.HTTPStatus)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.RequestID != "" {
		b.WriteString(" request_id=")
		b.WriteString(e.RequestID)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// DefaultBan is assumed when a call-limit answer does not say how long the ban lasts: long
// enough not to hammer a throttled gateway, short enough not to stall a shop for nothing.
const DefaultBan = 5 * time.Second

// maxBan bounds a parsed ban so an absurd number cannot overflow time.Duration; a ban of
// hours already means "the daily quota is spent".
const maxBan = 48 * time.Hour

var banPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)last\s+for\s+(\d+)\s+more\s+seconds?`),
	regexp.MustCompile(`(?i)(\d+)\s+more\s+seconds?`),
	regexp.MustCompile(`(\d+)\s*秒`),
}

// parseBan finds the ban length in the gateway's words, e.g. "This ban will last for 31 more seconds".
func parseBan(texts ...string) time.Duration {
	for _, re := range banPatterns {
		for _, t := range texts {
			m := re.FindStringSubmatch(t)
			if m == nil {
				continue
			}
			n, err := strconv.ParseInt(m[1], 10, 64)
			if err != nil || n > int64(maxBan/time.Second) {
				return maxBan
			}
			if n <= 0 {
				// "0 more seconds": the ban is ending; still back off a moment.
				return time.Second
			}
			return time.Duration(n) * time.Second
		}
	}
	return DefaultBan
}
