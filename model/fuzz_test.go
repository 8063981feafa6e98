package model

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"12.5", "12.50", "1,234.56", "¥12", "￥１２．３", "0", "-1", "12.345", "9999999999.99",
		"10000000000", "12,50", "abc", ".5", "12.", "¥ 1,234,567.8", "RMB12元", "1e3", ""} {
		f.Add(s, int64(1250))
	}
	f.Fuzz(func(t *testing.T, s string, n int64) {
		a, err := ParseAmount(s)
		if err != nil {
			var is Issue
			if !errors.As(err, &is) || is.Field != FieldTradeAmount || is.Severity != SevError {
				t.Fatalf("ParseAmount(%q): error %v is not a trade_amount Issue", s, err)
			}
			if _, ok := messages[is.Code]; !ok || a != 0 {
				t.Fatalf("ParseAmount(%q) = %d, code %s without a message", s, a, is.Code)
			}
		} else {
			if a < 1 || a > MaxAmount {
				t.Fatalf("ParseAmount(%q) = %d, out of range", s, a)
			}
			// An exact, independent reading: strip currency, commas and spaces, let big.Rat read the rest.
			plain := toHalfWidth(s)
			for _, cut := range []string{"¥", "￥", "RMB", "rmb", "CNY", "cny", "元", ","} {
				plain = strings.ReplaceAll(plain, cut, "")
			}
			plain = strings.Join(strings.Fields(plain), "")
			r, ok := new(big.Rat).SetString(plain)
			if !ok || r.Mul(r, big.NewRat(100, 1)).Cmp(big.NewRat(int64(a), 1)) != 0 {
				t.Fatalf("ParseAmount(%q) = %d, but the text says %v (%q)", s, a, r, plain)
			}
			for _, back := range []string{a.Yuan(), a.String()} {
				if b, err := ParseAmount(back); err != nil || b != a {
					t.Fatalf("ParseAmount(%q) = %d, %v; want %d back", back, b, err, a)
				}
			}
		}
		// Every amount in range formats and reads back exactly.
		m := Amount(n%int64(MaxAmount)) + 1
		if m < 1 {
			m += MaxAmount
		}
		if b, err := ParseAmount(m.Yuan()); err != nil || b != m {
			t.Fatalf("round trip of %d via %q: %d, %v", m, m.Yuan(), b, err)
		}
		if b, err := ParseFen(strconv.FormatInt(int64(m), 10)); err != nil || b != m {
			t.Fatalf("ParseFen of %d: %d, %v", m, b, err)
		}
		if b, err := ParseFen(s); err == nil && (b < 1 || b > MaxAmount) {
			t.Fatalf("ParseFen(%q) = %d", s, b)
		}
	})
}

// longestDigitRun is the length of the longest run of ASCII digits in s.
func longestDigitRun(s string) int {
	best, cur := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}

func FuzzParseCard(f *testing.F) {
	for _, s := range []string{"6222021234567894", "6222 0212-3456 7894", "622202******1234", "6228480012345678903",
		"4111111111111111", "622202123456782", "12", "６２２２０２１２３４５６７８９４", "622202xxxxxx1234", "6222**********1234",
		"abc", ""} {
		f.Add(s, true, []byte("k3y"))
	}
	f.Fuzz(func(t *testing.T, s string, quickPass bool, key []byte) {
		ch := ChannelBankCard
		if quickPass {
			ch = ChannelQuickPass
		}
		c, is := ParseCard(s, key, ch)
		if c.Masked != "" && !IsMaskedCard(c.Masked) {
			t.Fatalf("ParseCard(%q).Masked = %q: not the masked shape", s, c.Masked)
		}
		if longestDigitRun(c.Masked) > 6 || digitCount(c.Masked) > 10 {
			t.Fatalf("ParseCard(%q).Masked = %q shows too many digits", s, c.Masked)
		}
		if c.Digest != "" && !isDigest(c.Digest) {
			t.Fatalf("digest %q", c.Digest)
		}
		if is.HasErrors() && c != (Card{}) {
			t.Fatalf("ParseCard(%q) = %+v with errors %v", s, c, is)
		}
		var digits strings.Builder
		for _, r := range toHalfWidth(s) {
			if r >= '0' && r <= '9' {
				digits.WriteRune(r)
			}
		}
		d := digits.String()
		for _, i := range is {
			if i.Field != FieldCardNo {
				t.Fatalf("issue on %s", i.Field)
			}
			for _, l := range []Lang{ZH, EN} {
				if len(d) >= 7 && strings.Contains(i.Message(l), d) {
					t.Fatalf("message echoes the number: %s", i.Message(l))
				}
			}
			for _, a := range i.Args {
				if longestDigitRun(a) > 6 {
					t.Fatalf("arg %q", a)
				}
			}
		}
		if c.Masked == "" {
			return
		}
		if c.Masked[:6] != d[:6] || c.Masked[len(c.Masked)-4:] != d[len(d)-4:] {
			t.Fatalf("ParseCard(%q).Masked = %q: not first six and last four of %s", s, c.Masked, d)
		}
		if strings.ContainsAny(toHalfWidth(s), "*xX") {
			if c.Digest != "" {
				t.Fatalf("a masked input has a digest")
			}
			return
		}
		if len(c.Masked) != len(d) {
			t.Fatalf("masked %q has a different length than %d digits", c.Masked, len(d))
		}
		if len(key) == 0 {
			if c.Digest != "" || !is.Has("card.no_key") {
				t.Fatalf("no key: digest %q, issues %v", c.Digest, is)
			}
		} else {
			m := hmac.New(sha256.New, key)
			m.Write([]byte(d))
			if c.Digest != hex.EncodeToString(m.Sum(nil)) {
				t.Fatalf("digest of %s is wrong", d)
			}
		}
		if ContainsCardNumber(c.Masked) {
			t.Fatalf("the masked form looks like a card number: %q", c.Masked)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-11-26 14:30:39", "2026-11-26 14:30", "14:30", "14:30:05", "now", "现在",
		"2026/1/2 3:04", "20261126143039", "2026-11-26T06:30:39Z", "0226-11-26 10:00", "2026-02-30 10:00", "x"} {
		f.Add(s, int64(1795000000))
	}
	f.Fuzz(func(t *testing.T, s string, nowUnix int64) {
		now := time.Unix(nowUnix%(1<<36), 0)
		got, err := ParseTime(s, now)
		if err != nil {
			var is Issue
			if !errors.As(err, &is) || is.Code != "time.invalid" || !got.IsZero() {
				t.Fatalf("ParseTime(%q) = %v, %v", s, got, err)
			}
			return
		}
		if got.Location() != CST || got.Nanosecond() != 0 {
			t.Fatalf("ParseTime(%q) = %v: not whole seconds in CST", s, got)
		}
		text := FormatTime(got)
		if len(text) != len(TimeLayout) {
			t.Fatalf("FormatTime(%v) = %q", got, text)
		}
		back, err := ParseTime(text, now)
		if err != nil || !back.Equal(got) || FormatTime(back) != text {
			t.Fatalf("ParseTime(%q) = %v; FormatTime → %q → %v, %v", s, got, text, back, err)
		}
	})
}

func FuzzDraftBuild(f *testing.F) {
	d := validDraft()
	f.Add(d.OrderID, d.CardNo, d.TradeAmount, d.TradeTime, d.SubSaleType, d.PaymentChannel, "", "",
		d.PayTypeNo, d.BankCode, "", "", "", "", false)
	f.Add("HZ01", "622202******7894", "1250", "14:30", "006", "001", "顾客\x1b[31m退货", "6222 0212 3456 7894",
		"x", "", "建设银行", "2026-11-26 15:00", strings.Repeat("ab", 32), "00", true)
	f.Add("", "６２２２０２１２３４５６７８９４", "-1", "now", "002", "002", "\u2028", "{\"a\":1}", "0", "999", "", "", "", "01", false)
	f.Fuzz(func(t *testing.T, orderID, card, amount, tradeTime, sub, channel, remark, extend, payType, bankCode,
		bankName, operateTime, digest, rback string, fen bool) {
		d := validDraft()
		d.OrderID, d.CardNo, d.TradeAmount, d.TradeTime, d.SubSaleType = orderID, card, amount, tradeTime, sub
		d.PaymentChannel, d.Remark, d.ExtendParam, d.PayTypeNo, d.BankCode = channel, remark, extend, payType, bankCode
		d.BankName, d.OperateTime, d.EncrypteSummary, d.Rback = bankName, operateTime, digest, rback
		d.OriginalOrderID = orderID + "-orig"
		r := testRules()
		r.AmountInFen = fen
		s, is := d.Build(r)

		if s.EncrypteSummary != "" && !isDigest(s.EncrypteSummary) {
			t.Fatalf("Build kept digest %q", s.EncrypteSummary)
		}
		if digitCount(s.CardNo) > 10 || (s.CardNo != "" && !IsMaskedCard(s.CardNo)) {
			t.Fatalf("Build kept card %q", s.CardNo)
		}
		for _, f := range s.texts() {
			if Clean(*f.p) != *f.p || !utf8.ValidString(*f.p) {
				t.Fatalf("%s = %q is not clean", f.name, *f.p)
			}
		}
		cardDigits := digitCount(toHalfWidth(card))
		for _, i := range is {
			if _, ok := fieldIndex[i.Field]; !ok {
				t.Fatalf("issue %s on unknown field %q", i.Code, i.Field)
			}
			if _, ok := messages[i.Code]; !ok {
				t.Fatalf("issue code %s has no message", i.Code)
			}
			for _, l := range []Lang{ZH, EN} {
				if m := i.Message(l); ContainsCardNumber(m) && cardDigits >= 13 {
					t.Fatalf("message shows a card-like number: %s", m)
				}
			}
		}
		if !is.HasErrors() {
			if ContainsCardNumber(s.Remark) || ContainsCardNumber(s.ExtendParam) {
				t.Fatalf("a card number passed in remark/extend_param")
			}
			if s.TradeAmount < 1 || s.TradeAmount > MaxAmount || s.PayTypeNo < 1 || (s.Rback != "" && s.Rback != "00") {
				t.Fatalf("accepted sale out of range: %+v", s)
			}
			if s.TradeTime.After(r.Now.Add(MaxClockAhead)) || s.TradeTime.After(s.OperateTime.Add(MaxClockAhead)) {
				t.Fatalf("accepted trade time %v (now %v, operate %v)", s.TradeTime, r.Now, s.OperateTime)
			}
			b, err := s.MarshalDTO()
			if err != nil {
				t.Fatalf("valid sale does not marshal: %v", err)
			}
			var m map[string]any
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber()
			if err := dec.Decode(&m); err != nil {
				t.Fatalf("DTO is not JSON: %v\n%s", err, b)
			}
			if m[FieldRemark] != nil && m[FieldRemark] != s.Remark || m[FieldOrderID] != s.OrderID ||
				m[FieldTradeAmount] != json.Number(strconv.FormatInt(int64(s.TradeAmount), 10)) {
				t.Fatalf("DTO %s does not carry the sale", b)
			}
			// Editing an accepted sale without changes gives the same sale and the same bytes.
			r2 := r
			r2.AmountInFen = false
			s2, is2 := DraftOf(s).Build(r2)
			if is2.HasErrors() || !saleEqual(s, s2) {
				t.Fatalf("rebuild differs:\n%+v\n%+v\n%v", s, s2, is2)
			}
			b2, _ := s2.MarshalDTO()
			if !bytes.Equal(b, b2) {
				t.Fatalf("payload changed on rebuild:\n%s\n%s", b, b2)
			}
			if vs := s.Validate(r); vs.HasErrors() {
				t.Fatalf("Validate disagrees with Build: %v", vs)
			}
		}
		o := original()
		_ = ValidateRelated(s, Related{OriginalInJournal: true, Original: o, Refunds: []Sale{s}}, r)
		_ = ValidateRelated(s, Related{}, r)
	})
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"plain", "a\x1b[31mb", "\x1b]0;t\x07x", "\u009b2J", "tab\there", "\xff\xfe", "全角　", "\x1bP\x1b\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		if !utf8.ValidString(c) || Clean(c) != c || strings.TrimSpace(c) != c {
			t.Fatalf("Clean(%q) = %q: not valid, stable and trimmed", s, c)
		}
		for _, r := range c {
			if r != ' ' && !unicode.IsPrint(r) {
				t.Fatalf("Clean(%q) = %q keeps %U", s, c, r)
			}
		}
	})
}

func FuzzMarshalDTO(f *testing.F) {
	f.Add("HZ01", "顾客<退货>&\"\\", "\u2028\x00", int64(1250), int64(1))
	f.Add("a\xffb", "", "", int64(-1), int64(0))
	f.Fuzz(func(t *testing.T, orderID, remark, mac string, amount, payType int64) {
		s := fullSale()
		s.OrderID, s.Remark, s.MAC, s.TradeAmount, s.PayTypeNo = orderID, remark, mac, Amount(amount), payType
		b, err := s.MarshalDTO()
		if err != nil {
			return
		}
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil || dec.More() {
			t.Fatalf("not one JSON object: %v\n%s", err, b)
		}
		for k, want := range map[string]string{FieldOrderID: orderID, FieldRemark: remark, FieldMAC: mac} {
			if got, ok := m[k]; (want == "" && ok) || (want != "" && got != want) {
				t.Fatalf("%s = %q, want %q", k, got, want)
			}
		}
		if amount != 0 && m[FieldTradeAmount] != json.Number(strconv.FormatInt(amount, 10)) {
			t.Fatalf("trade_amount = %v", m[FieldTradeAmount])
		}
		if bytes.Contains(b, []byte(`\u003c`)) || bytes.Contains(b, []byte("\n")) {
			t.Fatalf("unexpected escaping: %s", b)
		}
	})
}

// FuzzContainsCardNumber: a plausible card number written anywhere in free text, plain or in
// groups of four, is always found, whatever surrounds it; a run of digits alone is flagged
// exactly when it is a plausible card; and a masked number never is.
func FuzzContainsCardNumber(f *testing.F) {
	f.Add("顾客", "退货", uint64(6222021234567894), uint8(16), uint8(0))
	f.Add("13800138000 ", " 2026 11 26", uint64(4111111111111111), uint8(19), uint8(3))
	f.Add("", "", uint64(20261129143000), uint8(0), uint8(9))
	f.Fuzz(func(t *testing.T, prefix, suffix string, n uint64, length, issuer uint8) {
		issuers := []string{"62", "4", "51", "55", "2221", "2720", "34", "37", "35", "36", "60", "65", "9558"}
		l := 13 + int(length)%7
		iss := issuers[int(issuer)%len(issuers)]
		if iss == "62" && l < 16 {
			l = 16
		}
		d := append([]byte(iss), strconv.FormatUint(n, 10)...)
		for len(d) < l {
			d = append(d, '0'+byte(len(d)%10))
		}
		d = withCheckDigit(d[:l-1])
		for _, text := range []string{
			prefix + "卡" + string(d) + "号" + suffix,
			prefix + "卡 " + spaced(d) + " 号" + suffix,
		} {
			if !ContainsCardNumber(text) {
				t.Fatalf("card %s not found in %q", d, text)
			}
		}
		if c, _ := ParseCard(string(d), nil, ChannelBankCard); ContainsCardNumber(c.Masked) {
			t.Fatalf("masked %q flagged", c.Masked)
		}
		raw := []byte(strconv.FormatUint(n, 10))
		if got, want := ContainsCardNumber(string(raw)), PlausibleCard(raw); got != want {
			t.Fatalf("ContainsCardNumber(%s) = %v, PlausibleCard = %v", raw, got, want)
		}
		_ = ContainsCardNumber(prefix + suffix)
		for _, text := range []string{prefix + "卡" + string(d) + "号" + suffix, prefix + " " + spaced(d) + " " + suffix, prefix + suffix} {
			hidden, found := HideCardNumbers(text)
			if found != ContainsCardNumber(text) || ContainsCardNumber(hidden) || utf8.RuneCountInString(hidden) != utf8.RuneCountInString(text) {
				t.Fatalf("HideCardNumbers(%q) = %q, %v", text, hidden, found)
			}
		}
	})
}

// withCheckDigit appends the Luhn check digit to b.
func withCheckDigit(b []byte) []byte {
	sum := 0
	for i := len(b) - 1; i >= 0; i-- {
		d := int(b[i] - '0')
		if (len(b)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return append(b, byte('0'+(10-sum%10)%10))
}

func spaced(d []byte) string {
	var b strings.Builder
	for i, c := range d {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// FuzzOwnWords: whatever an attempt's message holds, OwnWords splits it without losing or
// adding a byte, and names only the uploader's own words.
func FuzzOwnWords(f *testing.F) {
	for _, s := range []string{NotSentUnreachable, RequestNotSent + ": connection refused", "后端服务不可用", "request not sentx", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		own, rest := OwnWords(msg)
		if own+rest != msg {
			t.Fatalf("OwnWords(%q) = %q + %q", msg, own, rest)
		}
		if own != "" && !slices.Contains(ownWords, own) {
			t.Fatalf("OwnWords(%q) named %q", msg, own)
		}
		if own != "" && rest != "" && !strings.HasPrefix(rest, ": ") {
			t.Fatalf("OwnWords(%q) cut a word: %q + %q", msg, own, rest)
		}
	})
}
