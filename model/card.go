package model

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Card is what banksale keeps of a card: never the full number.
type Card struct {
	Masked string // first six, stars, last four: 622202******1234
	Digest string // lower-case hex HMAC-SHA256(key, digits); "" without a key or for a typed masked number
}

// ParseCard reads a card number as typed: the full number (digits; spaces and dashes dropped;
// full-width digits accepted) or the masked form from a slip (digits and *; x/X accepted as *).
// It is the only code that sees a full number: it returns the masked form and the keyed digest.
// An empty input is no card and no issue (card_no is optional). Issues are on field "card_no".
func ParseCard(typed string, key []byte, ch Channel) (Card, Issues) {
	var digits []byte
	masked := false
	for _, r := range toHalfWidth(typed) {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == '*' || r == 'x' || r == 'X':
			digits = append(digits, '*')
			masked = true
		case r == ' ' || r == '-' || r == '\t' || r == '\u2010' || r == '\u2013' || r == '\u2014':
		default:
			clear(digits)
			return Card{}, Issues{errorOn(FieldCardNo, "card.invalid")}
		}
	}
	defer clear(digits) // the full number should not outlive this call in memory we own
	if len(digits) == 0 {
		return Card{}, nil
	}
	if masked {
		m := string(digits)
		if is := checkMasked(m); len(is) > 0 {
			return Card{}, is
		}
		return Card{Masked: m}, nil
	}
	n := len(digits)
	if n < 13 || n > 19 {
		return Card{}, Issues{errorOn(FieldCardNo, "card.length", strconv.Itoa(n))}
	}
	unionPay := digits[0] == '6' && digits[1] == '2'
	if unionPay && n < 16 {
		return Card{}, Issues{errorOn(FieldCardNo, "card.unionpay_length", strconv.Itoa(n))}
	}
	var is Issues
	if !luhn(digits) {
		is = append(is, warnOn(FieldCardNo, "card.luhn"))
	}
	if ch == ChannelQuickPass && unionPay && n == 19 {
		is = append(is, warnOn(FieldCardNo, "card.payment_code"))
	}
	c := Card{Masked: string(digits[:6]) + strings.Repeat("*", n-10) + string(digits[n-4:])}
	if len(key) == 0 {
		is = append(is, warnOn(FieldCardNo, "card.no_key"))
	} else {
		mac := hmac.New(sha256.New, key)
		mac.Write(digits)
		c.Digest = hex.EncodeToString(mac.Sum(nil))
	}
	return c, is
}

// checkMasked validates the shape of a masked number: six digits, stars, four digits, 13–19
// long in all, and 16–19 for a UnionPay (62…) card.
func checkMasked(m string) Issues {
	n := len(m)
	if !IsMaskedCard(m) {
		return Issues{errorOn(FieldCardNo, "card.masked_shape")}
	}
	if strings.HasPrefix(m, "62") && n < 16 {
		return Issues{errorOn(FieldCardNo, "card.unionpay_length", strconv.Itoa(n))}
	}
	return nil
}

// IsMaskedCard reports whether s has the masked shape: 6 digits, at least one *, 4 digits,
// 13–19 characters. Such a string can never hold more than ten digits of a card.
func IsMaskedCard(s string) bool {
	n := len(s)
	if n < 13 || n > 19 {
		return false
	}
	for i := 0; i < n; i++ {
		c := s[i]
		if i < 6 || i >= n-4 {
			if c < '0' || c > '9' {
				return false
			}
		} else if c != '*' {
			return false
		}
	}
	return true
}

// luhn reports whether the digits pass the Luhn (mod 10) check.
func luhn(digits []byte) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// ContainsCardNumber reports whether text holds something that is plausibly a full card number:
// a run of 13–19 digits, also when written in groups separated by single spaces or dashes
// ("6222 0212 3456 7894") or in full-width digits, that PlausibleCard accepts. Every field but
// card_no refuses such text, so that a full card number cannot slip into the journal through
// them. Longer unbroken runs (a 21-digit QuickPass query id) are not card numbers; in a longer
// run of groups, consecutive groups that together make a plausible card are (a card typed next
// to a phone number).
func ContainsCardNumber(text string) bool {
	if isASCII(text) && !hasLongDigitRun(text) {
		return false // the common case: no run of digits could make 13
	}
	_, _, ok := findCard([]rune(toHalfWidth(text)), 0)
	return ok
}

// hasLongDigitRun reports whether ASCII text has 13 digits within a stretch of digits, spaces
// and dashes: anything less cannot hold a card number.
func hasLongDigitRun(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if n++; n >= 13 {
				return true
			}
		case c == ' ' || c == '-':
		default:
			n = 0
		}
	}
	return false
}

// HideCardNumbers replaces the middle digits of every plausible card number in text by *,
// keeping the first six and the last four as a masked card shows them, and reports whether it
// found any. A screen uses it so that a card typed into the wrong field is not shown again
// once the field is left.
func HideCardNumbers(text string) (string, bool) {
	rs := []rune(text)
	half := []rune(toHalfWidth(text)) // the same length: toHalfWidth maps rune to rune
	found := false
	// From the start each time: the digits left beside a hidden number can make another one
	// with the digits after it ("…5 677 000000000"), which must be hidden too. Each round hides
	// at least three digits, so it ends.
	for {
		i, j, ok := findCard(half, 0)
		if !ok {
			break
		}
		found = true
		var at []int // the digits' positions in the run
		for k := i; k < j; k++ {
			if half[k] >= '0' && half[k] <= '9' {
				at = append(at, k)
			}
		}
		for n, k := range at {
			if n >= 6 && n < len(at)-4 {
				rs[k], half[k] = '*', '*'
			}
		}
	}
	return string(rs), found
}

// findCard finds the first plausible card number in rs (half-width) at or after from: the
// runes [i, j) from its first digit to its last.
func findCard(rs []rune, from int) (i, j int, ok bool) {
	type group struct{ start, end int }
	var groups []group // the digit groups of the current run
	var acc []byte
	check := func() (int, int, bool) {
		for a := range groups {
			acc = acc[:0]
			for b := a; b < len(groups); b++ {
				for k := groups[b].start; k < groups[b].end; k++ {
					acc = append(acc, byte(rs[k]))
				}
				if len(acc) > 19 {
					break
				}
				if PlausibleCard(acc) {
					return groups[a].start, groups[b].end, true
				}
			}
		}
		return 0, 0, false
	}
	isDigit := func(k int) bool { return k < len(rs) && rs[k] >= '0' && rs[k] <= '9' }
	start := -1 // start of the current digit group
	for k := from; k <= len(rs); k++ {
		switch {
		case isDigit(k):
			if start < 0 {
				start = k
			}
			continue
		case start >= 0:
			groups = append(groups, group{start, k})
			start = -1
			// A single separator followed by a digit continues the run.
			if k+1 < len(rs) && (rs[k] == ' ' || rs[k] == '-') && isDigit(k+1) {
				continue
			}
		}
		if len(groups) > 0 {
			if i, j, ok := check(); ok {
				return i, j, true
			}
			groups = groups[:0]
		}
	}
	return 0, 0, false
}

// PlausibleCard reports whether digits (ASCII, nothing else) could be a full card number: 13–19
// digits that either start with UnionPay's 62 and are 16–19 long (not every UnionPay card passes
// Luhn), or pass Luhn and start as an issuer's number does — 3 (American Express, JCB, Diners),
// 4 (Visa), 5 (Mastercard), 6 (UnionPay, Discover), 9 (Chinese banks' older domestic cards) or
// 2221–2720 (Mastercard). What a store's papers carry in such runs starts otherwise: a date
// and time (20261129143000) starts with 20, a merchant number usually with 1 or 8, and a run
// of zero-padded numbers with 0; and a random run passes Luhn one time in ten only.
func PlausibleCard(digits []byte) bool {
	n := len(digits)
	if n < 13 || n > 19 {
		return false
	}
	if digits[0] == '6' && digits[1] == '2' && n >= 16 {
		return true
	}
	switch digits[0] {
	case '3', '4', '5', '6', '9':
	case '2':
		if p := int(digits[1]-'0')*100 + int(digits[2]-'0')*10 + int(digits[3]-'0'); p < 221 || p > 720 {
			return false
		}
	default:
		return false
	}
	return luhn(digits)
}
