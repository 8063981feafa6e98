package termtext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                   "plain",
		"\x1b[31m非法参数\x1b[0m\x07": "非法参数",
		"a\nb\r\tc":               "a b  c",
		"\u202eevil":              "evil",
		"x\x00y\x7fz\u009bq":      "xyzq",
		"\xff bad utf-8":          " bad utf-8",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCellsNotRunes(t *testing.T) {
	if got := Fit("银行卡", 8); got != "银行卡  " {
		t.Errorf("Fit: %q", got)
	}
	if got := FitRight("¥1.00", 7); got != "  ¥1.00" {
		t.Errorf("FitRight: %q", got)
	}
	if got := Cut("中国工商银行", 7); Width(got) > 7 || !strings.HasSuffix(got, "~") {
		t.Errorf("Cut: %q", got)
	}
	if got := Pad("状态", 6); got != "状态  " {
		t.Errorf("Pad: %q", got)
	}
	if got := PadLeft("12", 5); got != "   12" {
		t.Errorf("PadLeft: %q", got)
	}
	if got := Pad("long text", 3); got != "long text" {
		t.Errorf("Pad cut: %q", got)
	}
	if got := Line("a\x1b[2Jb\nc", 0); got != "ab c" {
		t.Errorf("Line: %q", got)
	}
	for _, l := range Wrap("总部拒收这笔订单因为参考号长度不对请改正后重发", 10) {
		if Width(l) > 10 {
			t.Errorf("Wrap left %q of %d cells", l, Width(l))
		}
	}
	p := PadLines([]string{"ab", "中文很长很长"}, 3, 4)
	for _, l := range strings.Split(p, "\n") {
		if Width(l) != 4 {
			t.Errorf("PadLines line %q is %d wide", l, Width(l))
		}
	}
}

// FuzzClean: whatever the gateway or a file sends, what is drawn has no escape or control
// character and no line break.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"非法参数", "\x1b[31mred\x1b[0m", "a\nb\r\tc", "\x1b]0;title\x07", "\u202eevil", "\x9b2J"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		if strings.ContainsAny(c, "\x1b\n\r\t\x07") {
			t.Fatalf("Clean(%q) = %q", s, c)
		}
		for _, r := range c {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("Clean(%q) keeps %U", s, r)
			}
		}
		if ansi.Strip(c) != c {
			t.Fatalf("Clean(%q) = %q still has escapes", s, c)
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
		s = Clean(s)
		if got := ansi.StringWidth(Fit(s, w)); got != w && !(w == 1 && got == 2) {
			t.Fatalf("Fit(%q, %d) is %d wide", s, w, got)
		}
		if got := ansi.StringWidth(FitRight(s, w)); got != w && !(w == 1 && got == 2) {
			t.Fatalf("FitRight(%q, %d) is %d wide", s, w, got)
		}
	})
}

// TestWrapChinese: Chinese wraps between characters, filling each line, and no line starts
// with a closing mark; English wraps at spaces.
func TestWrapChinese(t *testing.T) {
	got := Wrap("总部拒收: 门店编号不存在。请照签购单改正门店编号后保存即重发，原样重发仍会被拒收。", 30)
	if len(got) != 3 || got[0] != "总部拒收: 门店编号不存在。请照" {
		t.Errorf("Wrap = %q", got)
	}
	for _, l := range got {
		if r := []rune(l); len(r) > 0 && strings.ContainsRune(noLineStart, r[0]) {
			t.Errorf("a line starts with a closing mark: %q", l)
		}
	}
	en := Wrap("HZ01202611290025 cannot be cancelled: already uploaded (use a void or refund)", 30)
	if en[0] != "HZ01202611290025 cannot be" || en[len(en)-1] != "(use a void or refund)" {
		t.Errorf("Wrap = %q", en)
	}
}

func FuzzWrap(f *testing.F) {
	for _, s := range []string{"总部拒收: 门店编号不存在。", "a b  c", "，，，，", "HZ0120261129002512345678901234567890", "中a中 b，"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, w int) {
		if w < 2 || w > 200 || strings.ContainsAny(s, "\x1b\n\t\r") || !utf8.ValidString(s) || Clean(s) != s {
			return
		}
		var all strings.Builder
		for _, l := range Wrap(s, w) {
			if Width(l) > w {
				t.Fatalf("line %q is %d cells, over %d", l, Width(l), w)
			}
			all.WriteString(strings.ReplaceAll(l, " ", ""))
		}
		if all.String() != strings.ReplaceAll(s, " ", "") {
			t.Fatalf("Wrap lost text: %q → %q", s, all.String())
		}
	})
}
