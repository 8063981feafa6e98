package ui

import (
	"strings"
	"testing"
	"unicode"

	"github.com/charmbracelet/x/ansi"
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

// FuzzClean: whatever the gateway or a file sends, what is drawn has no escape or control
// character and no line break.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"非法参数", "\x1b[31mred\x1b[0m", "a\nb\r\tc", "\x1b]0;title\x07", "\u202eevil", "\x9b2J"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := clean(s)
		if strings.ContainsAny(c, "\x1b\n\r\t\x07") {
			t.Fatalf("clean(%q) = %q", s, c)
		}
		for _, r := range c {
			if unicode.IsControl(r) {
				t.Fatalf("clean(%q) keeps control %U", s, r)
			}
		}
		if ansi.Strip(c) != c {
			t.Fatalf("clean(%q) = %q still has escapes", s, c)
		}
	})
}

// FuzzFit: a cell always has the asked width, whatever the text.
func FuzzFit(f *testing.F) {
	for _, s := range []string{"消费", "银行卡", "abc", "", "￥1,234.56", "e\u0301"} {
		f.Add(s, 6)
	}
	f.Fuzz(func(t *testing.T, s string, w int) {
		if w < 0 || w > 200 {
			return
		}
		s = clean(s)
		if got := ansi.StringWidth(fit(s, w)); got != w && !(w == 1 && got == 2) {
			t.Fatalf("fit(%q, %d) is %d wide", s, w, got)
		}
		if got := ansi.StringWidth(fitRight(s, w)); got != w && !(w == 1 && got == 2) {
			t.Fatalf("fitRight(%q, %d) is %d wide", s, w, got)
		}
	})
}
