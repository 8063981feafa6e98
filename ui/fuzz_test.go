package ui

import (
	"testing"
)

func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"2026-11-26", "11-26", "20261126", "today", "今天", "", "2026-02-30", "99-99", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseDay(s, clock)
		if !ok {
			return
		}
		if d.Hour() != 0 || d.Minute() != 0 || d.Location().String() != "CST" {
			t.Fatalf("parseDay(%q) = %v: not a day start in CST", s, d)
		}
	})
}
