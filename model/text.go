package model

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// toHalfWidth maps full-width ASCII (ＡＢＣ１２３．，：－＊ and the ideographic space), which
// Chinese input methods produce, to plain ASCII. Other text is left alone.
func toHalfWidth(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Clean keeps a typed or imported value's printable characters only and trims it: terminal
// escape sequences (CSI, OSC, DCS…) are removed whole, so that their parameters do not survive
// as text; other control and format characters and invalid UTF-8 are dropped; tabs, newlines
// and other spaces become one plain space. A value that reaches the screen or the gateway can
// therefore never move the cursor, recolour the terminal or hide text.
func Clean(s string) string {
	if isPlainASCII(s) {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			i++
			continue
		case r == 0x1b:
			i += escapeLen(s[i:])
			continue
		case r == 0x9b: // C1 CSI
			i += size + csiBodyLen(s[i+size:])
			continue
		case r == 0x9d || r == 0x90 || r == 0x9e || r == 0x9f || r == 0x98: // C1 OSC, DCS, PM, APC, SOS
			i += size + stringBodyLen(s[i+size:])
			continue
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.IsPrint(r):
			b.WriteRune(r)
		}
		i += size
	}
	return strings.TrimSpace(b.String())
}

// isPlainASCII reports whether s is printable ASCII only, the common case that needs no work.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// escapeLen is the length of the escape sequence at the start of s (s[0] == ESC).
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		return 2 + csiBodyLen(s[2:])
	case ']', 'P', '^', '_', 'X':
		return 2 + stringBodyLen(s[2:])
	}
	// Two- or three-byte escapes: ESC, intermediates 0x20–0x2f, one final byte.
	n := 1
	for n < len(s) && s[n] >= 0x20 && s[n] <= 0x2f {
		n++
	}
	if n < len(s) && s[n] >= 0x30 && s[n] <= 0x7e {
		n++
	}
	return n
}

// csiBodyLen is the length of a CSI sequence's parameters, intermediates and final byte.
func csiBodyLen(s string) int {
	for n := 0; n < len(s); n++ {
		c := s[n]
		if c >= 0x40 && c <= 0x7e {
			return n + 1
		}
		if c < 0x20 || c >= 0x7f {
			// Not part of a CSI: the sequence was cut short; drop only what came before.
			return n
		}
	}
	return len(s)
}

// stringBodyLen is the length of an OSC/DCS/… string up to and including its terminator
// (BEL, ESC \ or the C1 ST); an unterminated string runs to the end of s.
func stringBodyLen(s string) int {
	for n := 0; n < len(s); n++ {
		switch {
		case s[n] == 0x07:
			return n + 1
		case s[n] == 0x1b && n+1 < len(s) && s[n+1] == '\\':
			return n + 2
		case s[n] == 0x1b:
			return n
		case s[n] == 0xc2 && n+1 < len(s) && s[n+1] == 0x9c:
			return n + 2
		}
	}
	return len(s)
}

// safeArg makes typed text fit to quote back in a message: short, cleaned, and never a card
// number (a person who typed one into the wrong field must not see it echoed, nor a log keep it).
func safeArg(s string) string {
	s = Clean(s)
	if ContainsCardNumber(s) {
		return "…"
	}
	if utf8.RuneCountInString(s) > 24 {
		r := []rune(s)
		s = string(r[:24]) + "…"
	}
	return s
}

// MaxReason is the longest cancel reason kept, in characters: a sentence or two ("customer
// changed their mind, card charged twice"), and short enough to show whole in a detail.
const MaxReason = 200

// CleanReason is a cancel reason as the journal keeps it, cleaned like any typed value, and what
// is wrong with it: it is required, at most MaxReason characters, and never holds a card number
// (a supervisor who pastes the slip's card number into the reason must not have it stored).
func CleanReason(typed string) (string, Issues) {
	r := Clean(typed)
	var is Issues
	switch n := utf8.RuneCountInString(r); {
	case r == "":
		is = append(is, errorOn(FieldVoidReason, "void_reason.required"))
	case n > MaxReason:
		is = append(is, errorOn(FieldVoidReason, "text.too_long", strconv.Itoa(MaxReason), strconv.Itoa(n)))
	}
	if ContainsCardNumber(r) {
		is = append(is, errorOn(FieldVoidReason, "text.card_number"))
	}
	return r, is
}
