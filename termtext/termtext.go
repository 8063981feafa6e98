// Package termtext is how banksale puts text on a terminal, for the screen and the command line
// alike: one sanitiser for text that came from outside (the gateway, a file, the journal) and
// one measure of width in terminal cells.
//
// Everything drawn in a column is measured in cells, never bytes or runes: a Chinese character
// takes two. Cuts end with an ASCII "~" rather than "…", whose width differs between terminals,
// and only glyphs of unambiguous width go into aligned columns, so terminals that draw
// East-Asian-ambiguous glyphs (… · ─ ●) wide cannot break a grid.
package termtext

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// Width is s's display width in cells, escape codes ignored.
func Width(s string) int { return ansi.StringWidth(s) }

// Clean makes text from the gateway, a file or the journal safe to draw: escape sequences and
// control characters are removed (a gateway message could otherwise move the cursor, recolour
// the screen or retitle the window), format characters that reorder text or change how cells
// are counted (bidi overrides, zero-width joiners) go too, and line breaks and tabs become
// spaces, so the text stays on its line.
func Clean(s string) string {
	if plainASCII(s) {
		return s
	}
	s = ansi.Strip(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r), r == 0xFFFD, unicode.Is(unicode.Cf, r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plainASCII reports whether s is printable ASCII only: nothing to clean.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// Line is Clean(s) cut to at most max cells (max ≤ 0: no limit): one line of outside text.
func Line(s string, max int) string {
	s = Clean(s)
	if max > 0 {
		s = Cut(s, max)
	}
	return s
}

// Fit pads or cuts s to exactly w cells, left aligned.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := Width(s)
	if sw > w {
		s = ansi.Truncate(s, w-1, "~")
		sw = Width(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// FitRight pads s on the left to w cells (right aligned), cutting like Fit when too long.
func FitRight(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := Width(s)
	if sw > w {
		return Fit(s, w)
	}
	return strings.Repeat(" ", w-sw) + s
}

// Pad fills s to at least w cells, left aligned; longer text is left whole (a command's
// output may run past its column, a screen's may not: use Fit there).
func Pad(s string, w int) string {
	if n := Width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// PadLeft right-aligns s in at least w cells (amounts); longer text is left whole.
func PadLeft(s string, w int) string {
	if n := Width(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}

// Cut shortens s to at most w cells without padding.
func Cut(s string, w int) string {
	if Width(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w-1, "~")
}

// Wrap breaks s into lines of at most w cells. ansi.Wrap also breaks runs of Chinese, which
// have no spaces (ansi.Wordwrap would not).
func Wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}

// PadLines makes exactly n lines of exactly w cells, so every frame paints the whole screen
// and nothing of the previous frame shows through.
func PadLines(lines []string, n, w int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(lines) {
			l := lines[i]
			lw := Width(l)
			switch {
			case lw > w:
				b.WriteString(ansi.Truncate(l, w, ""))
			default:
				b.WriteString(l)
				b.WriteString(strings.Repeat(" ", w-lw))
			}
		} else {
			b.WriteString(strings.Repeat(" ", w))
		}
	}
	return b.String()
}
