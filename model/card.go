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

// ContainsCardNumber reports whether text holds something that looks like a card number: a
// run of 13–19 digits, also when written in groups separated by single spaces or dashes
// ("6222 0212 3456 7890") or in full-width digits. remark and extend_param refuse such text so
// that a full card number cannot slip into the journal through them. Longer unbroken runs
// (a 21-digit QuickPass query id) are not card numbers.
func ContainsCardNumber(text string) bool {
	s := toHalfWidth(text)
	groupDigits, runDigits := 0, 0
	sep := false // the previous character was a single separator inside a run
	end := func() bool {
		return (groupDigits >= 13 && groupDigits <= 19) || (runDigits >= 13 && runDigits <= 19)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			groupDigits++
			runDigits++
			sep = false
		case (c == ' ' || c == '-') && runDigits > 0 && !sep:
			if groupDigits >= 13 && groupDigits <= 19 {
				return true
			}
			groupDigits = 0
			sep = true
		default:
			if end() {
				return true
			}
			groupDigits, runDigits, sep = 0, 0, false
		}
	}
	return end()
}
