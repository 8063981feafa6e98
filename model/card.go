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
	s := toHalfWidth(text)
	var groups []string // the digit groups of the current run
	var acc []byte
	check := func() bool {
		for i := range groups {
			acc = acc[:0]
			for _, g := range groups[i:] {
				if acc = append(acc, g...); len(acc) > 19 {
					break
				}
				if PlausibleCard(acc) {
					return true
				}
			}
		}
		return false
	}
	start := -1 // start of the current digit group
	for i := 0; i <= len(s); i++ {
		digit := i < len(s) && s[i] >= '0' && s[i] <= '9'
		switch {
		case digit:
			if start < 0 {
				start = i
			}
			continue
		case start >= 0:
			groups = append(groups, s[start:i])
			start = -1
			// A single separator followed by a digit continues the run.
			if i+1 < len(s) && (s[i] == ' ' || s[i] == '-') && s[i+1] >= '0' && s[i+1] <= '9' {
				continue
			}
		}
		if len(groups) > 0 {
			if check() {
				return true
			}
			groups = groups[:0]
		}
	}
	return false
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
