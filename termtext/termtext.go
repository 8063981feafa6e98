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

// Wrap breaks s into lines of at most w cells, at spaces and between Chinese characters (which
// have no spaces between words), never before a closing mark such as ，。：）; a word longer
// than the line is broken where it must be. ansi.Wrap treats a run of Chinese as one word and
// moves it whole to the next line, leaving "总部拒收:" alone on the first. Styled text (escape
// codes) is left to ansi.Wrap.
func Wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	if strings.ContainsRune(s, '\x1b') {
		return strings.Split(ansi.Wrap(s, w, ""), "\n")
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, wrapLine(para, w)...)
	}
	return out
}

// noLineStart are the marks a line must not start with: they close what came before.
const noLineStart = "，。、；：！？）》」』”’,.;:!?)]}%"

// wrapToken is a word (a run of narrow characters), one wide character with the closing marks
// after it, or a run of spaces.
type wrapToken struct {
	text  string
	w     int
	space bool
}

func wrapTokens(s string) []wrapToken {
	var toks []wrapToken
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i + 1
		switch {
		case rs[i] == ' ':
			for j < len(rs) && rs[j] == ' ' {
				j++
			}
			toks = append(toks, wrapToken{" ", 1, true})
			i = j
			continue
		case runeW(rs[i]) == 2:
		default:
			for j < len(rs) && rs[j] != ' ' && runeW(rs[j]) < 2 && !strings.ContainsRune(noLineStart, rs[j]) {
				j++
			}
		}
		for j < len(rs) && strings.ContainsRune(noLineStart, rs[j]) {
			j++ // closing marks stay with what they close
		}
		t := string(rs[i:j])
		toks = append(toks, wrapToken{t, Width(t), false})
		i = j
	}
	return toks
}

func wrapLine(s string, w int) []string {
	var lines []string
	var b strings.Builder
	lw, space := 0, false
	flush := func() {
		lines = append(lines, b.String())
		b.Reset()
		lw, space = 0, false
	}
	for _, t := range wrapTokens(s) {
		if t.space {
			space = lw > 0
			continue
		}
		gap := 0
		if space {
			gap = 1
		}
		if lw > 0 && lw+gap+t.w > w {
			flush()
			gap = 0
		}
		if gap == 1 {
			b.WriteByte(' ')
			lw++
		}
		space = false
		for _, r := range t.text {
			rw := runeW(r)
			if lw > 0 && lw+rw > w {
				flush() // a word longer than the line
			}
			b.WriteRune(r)
			lw += rw
		}
	}
	if lw > 0 || len(lines) == 0 {
		lines = append(lines, b.String())
	}
	return lines
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

// runeW is the cells one character takes.
func runeW(r rune) int { return ansi.StringWidth(string(r)) }
