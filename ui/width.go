package ui

import (
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// Everything drawn in a column is measured in terminal cells, never bytes or runes: a Chinese
// character takes two cells. Only glyphs of unambiguous width go into aligned columns, so
// terminals that draw East-Asian-ambiguous glyphs (… · ─ ●) wide cannot break the grid.

// width is s's display width in cells, escape codes ignored.
func width(s string) int { return ansi.StringWidth(s) }

// fit pads or cuts s to exactly w cells (left aligned). A cut ends with an ASCII "~"
// rather than "…", whose width differs between terminals.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := width(s)
	if sw > w {
		s = ansi.Truncate(s, w-1, "~")
		sw = width(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// fitRight pads s on the left to w cells (right aligned), cutting like fit when too long.
func fitRight(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := width(s)
	if sw > w {
		return fit(s, w)
	}
	return strings.Repeat(" ", w-sw) + s
}

// cut shortens s to at most w cells without padding.
func cut(s string, w int) string {
	if width(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w-1, "~")
}

// clean makes text from the gateway, a file or the journal safe to draw: escape sequences
// and control characters are removed (a gateway message could otherwise move the cursor
// or recolour the screen), and any line breaks become spaces.
func clean(s string) string {
	s = ansi.Strip(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r), r == 0xFFFD, unicode.Is(unicode.Cf, r):
			// dropped: C0, DEL, C1, and format characters (bidi overrides, zero-width
			// joiners, prepend marks) that reorder text or change how cells are counted
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// wrap breaks s into lines of at most w cells; ansi.Wrap also breaks runs of Chinese,
// which have no spaces (ansi.Wordwrap would not).
func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}

// padLines makes exactly n lines of exactly w cells, so every frame paints the whole
// screen and nothing from the previous frame shows through.
func padLines(lines []string, n, w int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(lines) {
			l := lines[i]
			lw := width(l)
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
