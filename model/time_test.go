package model

import (
	"errors"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	// now is late in the CST day but still the 26th in UTC, and the machine's own zone must not matter.
	now := time.Date(2026, 11, 26, 15, 30, 45, 123456789, time.UTC) // 23:30:45 CST
	cst := func(y int, mo time.Month, d, h, mi, s int) time.Time { return time.Date(y, mo, d, h, mi, s, 0, CST) }
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-11-26 14:30:39", cst(2026, 11, 26, 14, 30, 39), true},
		{"2026-11-26 14:30", cst(2026, 11, 26, 14, 30, 0), true},
		{"2026-1-5 9:05:01", cst(2026, 1, 5, 9, 5, 1), true},
		{"2026/11/26 14:30:39", cst(2026, 11, 26, 14, 30, 39), true},
		{"2026/11/26 14:30", cst(2026, 11, 26, 14, 30, 0), true},
		{"2026-11-26T14:30:39", cst(2026, 11, 26, 14, 30, 39), true},
		{"20261126143039", cst(2026, 11, 26, 14, 30, 39), true},
		{"2026-11-26T06:30:39Z", cst(2026, 11, 26, 14, 30, 39), true},
		{"2026-11-26T14:30:39+08:00", cst(2026, 11, 26, 14, 30, 39), true},
		{"2026-11-26 14:30:39.987", cst(2026, 11, 26, 14, 30, 39), true},
		{"  2026-11-26   14:30:39 ", cst(2026, 11, 26, 14, 30, 39), true},
		{"２０２６－１１－２６　１４：３０", cst(2026, 11, 26, 14, 30, 0), true},
		{"14:30", cst(2026, 11, 26, 14, 30, 0), true},
		{"14:30:05", cst(2026, 11, 26, 14, 30, 5), true},
		{"9:05", cst(2026, 11, 26, 9, 5, 0), true},
		{"now", cst(2026, 11, 26, 23, 30, 45), true},
		{"NOW", cst(2026, 11, 26, 23, 30, 45), true},
		{"现在", cst(2026, 11, 26, 23, 30, 45), true},
		{"", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"2026-02-30 10:00:00", time.Time{}, false},
		{"2026-11-26", time.Time{}, false},
		{"25:00", time.Time{}, false},
		{"14:60", time.Time{}, false},
		{"2026-13-01 10:00", time.Time{}, false},
		{"14.30", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, now)
		if !tt.ok {
			var is Issue
			if !errors.As(err, &is) || is.Code != "time.invalid" {
				t.Errorf("ParseTime(%q) = %v, %v; want time.invalid", tt.in, got, err)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) || got.Location() != CST {
			t.Errorf("ParseTime(%q) = %v, %v; want %v in CST", tt.in, got, err, tt.want)
		}
	}
}

func TestFormatTime(t *testing.T) {
	if got := FormatTime(time.Time{}); got != "" {
		t.Errorf("FormatTime(zero) = %q", got)
	}
	utc := time.Date(2026, 11, 26, 16, 0, 1, 999, time.UTC)
	if got := FormatTime(utc); got != "2026-11-27 00:00:01" {
		t.Errorf("FormatTime(%v) = %q, want the CST wall time", utc, got)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err == nil {
		if got := FormatTime(utc.In(ny)); got != "2026-11-27 00:00:01" {
			t.Errorf("FormatTime in another zone = %q", got)
		}
	}
}

func TestClearingDay(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 26, 0, 0, 0, 0, CST), "2026-11-26"},
		{time.Date(2026, 11, 26, 22, 59, 59, 0, CST), "2026-11-26"},
		{time.Date(2026, 11, 26, 23, 0, 0, 0, CST), "2026-11-27"},
		{time.Date(2026, 11, 26, 23, 59, 59, 0, CST), "2026-11-27"},
		{time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC), "2026-11-27"}, // 23:00 CST
		{time.Date(2026, 12, 31, 23, 30, 0, 0, CST), "2027-01-01"},
	}
	for _, tt := range tests {
		if got := ClearingDay(tt.t).Format("2006-01-02"); got != tt.want {
			t.Errorf("ClearingDay(%v) = %s, want %s", tt.t, got, tt.want)
		}
	}
}
