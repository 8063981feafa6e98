package model

import (
	"strconv"
	"strings"
)

// Amount is money in fen (1/100 yuan). It is never converted through a float.
type Amount int64

// MaxAmount is the largest trade_amount: twelve digits of fen.
const MaxAmount Amount = 999_999_999_999

// maxYuanDigits is how many integer digits of yuan fit in MaxAmount.
const maxYuanDigits = 10

// ParseAmount reads an amount a person typed in yuan: "12.5", "12.50", "1,234.56", "¥12", "￥12",
// "12元", full-width digits. It is exact (decimal text to integer fen, no float) and refuses
// more than two decimals, zero, negatives, more than twelve digits of fen, commas that are not
// thousands separators (a European "12,50" must not become 1250 yuan) and anything else.
// The error is an Issue on field "trade_amount".
func ParseAmount(typedYuan string) (Amount, error) {
	s := strings.TrimSpace(toHalfWidth(typedYuan))
	if s == "" {
		return 0, amountIssue("amount.required")
	}
	neg := false
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		neg, s = true, strings.TrimSpace(rest)
	}
	s = trimCurrency(s)
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		neg, s = true, strings.TrimSpace(rest)
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, amountIssue("amount.invalid")
	}
	if strings.Contains(intPart, ",") {
		groups := strings.Split(intPart, ",")
		if len(groups[0]) < 1 || len(groups[0]) > 3 {
			return 0, amountIssue("amount.grouping")
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, amountIssue("amount.grouping")
			}
		}
		intPart = strings.Join(groups, "")
	}
	if !allDigits(intPart) || !allDigits(frac) || (hasDot && strings.Contains(frac, ".")) {
		return 0, amountIssue("amount.invalid")
	}
	if len(frac) > 2 {
		return 0, amountIssue("amount.decimals")
	}
	if neg {
		// Said only now so that "-abc" is garbage, not a negative.
		return 0, amountIssue("amount.negative")
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > maxYuanDigits {
		return 0, amountIssue("amount.too_large")
	}
	var fen int64
	for _, c := range intPart {
		fen = fen*10 + int64(c-'0')
	}
	frac += "00"[len(frac):]
	fen = fen*100 + int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	switch {
	case fen == 0:
		return 0, amountIssue("amount.zero")
	case Amount(fen) > MaxAmount:
		return 0, amountIssue("amount.too_large")
	}
	return Amount(fen), nil
}

// ParseFen reads an amount already in fen, as the API and import files carry it: a whole
// number, 1 … MaxAmount. The error is an Issue on field "trade_amount".
func ParseFen(s string) (Amount, error) {
	s = strings.TrimSpace(toHalfWidth(s))
	switch {
	case s == "":
		return 0, amountIssue("amount.required")
	case strings.HasPrefix(s, "-") && allDigits(s[1:]) && len(s) > 1:
		return 0, amountIssue("amount.negative")
	case !allDigits(s):
		return 0, amountIssue("amount.fen_invalid")
	}
	s = strings.TrimLeft(s, "0")
	if len(s) > 12 {
		return 0, amountIssue("amount.too_large")
	}
	if s == "" {
		return 0, amountIssue("amount.zero")
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil { // unreachable: twelve digits always fit
		return 0, amountIssue("amount.fen_invalid")
	}
	return Amount(v), nil
}

func amountIssue(code string) Issue {
	return Issue{Field: FieldTradeAmount, Severity: SevError, Code: code}
}

func trimCurrency(s string) string {
	for _, p := range []string{"¥", "￥", "RMB", "rmb", "CNY", "cny"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			s = strings.TrimSpace(rest)
			break
		}
	}
	for _, p := range []string{"元", "RMB", "CNY"} {
		if rest, ok := strings.CutSuffix(s, p); ok {
			s = strings.TrimSpace(rest)
			break
		}
	}
	return s
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// magnitude splits a into its sign and its yuan and fen, safe even for the smallest int64.
func (a Amount) magnitude() (neg bool, yuan uint64, fen uint64) {
	u := uint64(a)
	if a < 0 {
		neg, u = true, -u
	}
	return neg, u / 100, u % 100
}

// String is the amount for a person: "¥1,234.56"; a negative (a day's net, say) is "-¥12.00".
func (a Amount) String() string {
	neg, yuan, fen := a.magnitude()
	digits := strconv.FormatUint(yuan, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString("¥")
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	b.WriteByte('.')
	b.WriteByte(byte('0' + fen/10))
	b.WriteByte(byte('0' + fen%10))
	return b.String()
}

// Yuan is the amount as plain yuan, "1234.56", for CSV export and form fields; ParseAmount
// reads it back exactly.
func (a Amount) Yuan() string {
	neg, yuan, fen := a.magnitude()
	s := strconv.FormatUint(yuan, 10) + "." + string([]byte{byte('0' + fen/10), byte('0' + fen%10)})
	if neg {
		return "-" + s
	}
	return s
}
