package model

import (
	"strings"
	"time"
)

// Layouts a person or a file may use for a full time; all are read as China time unless
// they carry their own offset (RFC 3339), which is then converted to China time.
var fullLayouts = []string{
	"2006-1-2 15:04:05",
	"2006-1-2 15:04",
	"2006/1/2 15:04:05",
	"2006/1/2 15:04",
	"2006-1-2T15:04:05",
	"20060102150405",
}

var clockLayouts = []string{"15:04:05", "15:04"}

// ParseTime reads a time as a supervisor types it from a slip: "yyyy-MM-dd HH:mm:ss",
// "yyyy-MM-dd HH:mm" (also with slashes, one-digit month/day, or full-width digits), "HH:mm"
// or "HH:mm:ss" (that time today, China time), "now" / "现在", or RFC 3339. The result is in
// CST, whole seconds (the API carries no fractions). The error is an Issue with code
// "time.invalid" and no field; the caller names the field.
func ParseTime(typed string, now time.Time) (time.Time, error) {
	s := strings.Join(strings.Fields(toHalfWidth(typed)), " ")
	if strings.EqualFold(s, "now") || s == "现在" {
		return now.In(CST).Truncate(time.Second), nil
	}
	if s == "" || len(s) > 40 {
		return time.Time{}, Issue{Severity: SevError, Code: "time.invalid"}
	}
	for _, l := range fullLayouts {
		if t, err := time.ParseInLocation(l, s, CST); err == nil {
			return checkYear(t.Truncate(time.Second))
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return checkYear(t.In(CST).Truncate(time.Second))
	}
	for _, l := range clockLayouts {
		if t, err := time.ParseInLocation(l, s, CST); err == nil {
			y, m, d := now.In(CST).Date()
			return time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), 0, CST), nil
		}
	}
	return time.Time{}, Issue{Severity: SevError, Code: "time.invalid"}
}

// FormatTime writes t as the API wants it (TimeLayout, China time); the zero time is "".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(CST).Format(TimeLayout)
}

// ClearingDay is the UnionPay clearing date a transaction belongs to: UnionPay's day turns at
// 23:00 China time, so 23:30 on the 26th counts for the 27th. The result is midnight CST.
func ClearingDay(t time.Time) time.Time {
	y, m, d := t.In(CST).Add(time.Hour).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, CST)
}

// checkYear refuses years no slip carries, so that a typo like 0226 is caught here and every
// accepted time formats back to the same 19 characters.
func checkYear(t time.Time) (time.Time, error) {
	if y := t.Year(); y < 1900 || y > 2999 {
		return time.Time{}, Issue{Severity: SevError, Code: "time.invalid"}
	}
	return t, nil
}
