package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func codes(is Issues) []string {
	var out []string
	for _, i := range is {
		out = append(out, i.Code)
	}
	return out
}

func TestParseCard(t *testing.T) {
	key := []byte("k3y")
	tests := []struct {
		name   string
		in     string
		key    []byte
		ch     Channel
		masked string
		digest string
		codes  []string
	}{
		{"empty", "", key, ChannelBankCard, "", "", nil},
		{"blank", "  - ", key, ChannelBankCard, "", "", nil},
		{"16 digits", "6222021234567894", key, ChannelBankCard, "622202******7894",
			"e2d17e02496cff307f352f973c1f7bff0bad96cf50c883776965af092614812e", nil},
		{"spaces and dashes", "6222 0212-3456 7894", key, ChannelBankCard, "622202******7894",
			"e2d17e02496cff307f352f973c1f7bff0bad96cf50c883776965af092614812e", nil},
		{"full width", "６２２２０２１２３４５６７８９４", key, ChannelBankCard, "622202******7894",
			"e2d17e02496cff307f352f973c1f7bff0bad96cf50c883776965af092614812e", nil},
		{"no key", "6222021234567894", nil, ChannelBankCard, "622202******7894", "", []string{"card.no_key"}},
		{"luhn fails", "6222021234567895", key, ChannelBankCard, "622202******7895", "*", []string{"card.luhn"}},
		{"visa 16", "4111111111111111", key, ChannelBankCard, "411111******1111", "*", nil},
		{"13 digits non-62", "4222222222222", key, ChannelBankCard, "422222***2222", "*", nil},
		{"19 on bank card", "6228480012345678903", key, ChannelBankCard, "622848*********8903", "*", nil},
		{"19 on quickpass", "6228480012345678903", key, ChannelQuickPass, "622848*********8903", "*", []string{"card.payment_code"}},
		{"18 on quickpass", "621700123456789012", key, ChannelQuickPass, "621700********9012", "*", []string{"card.luhn"}},
		{"12 digits", "622202123456", key, ChannelBankCard, "", "", []string{"card.length"}},
		{"20 digits", "62220212345678901234", key, ChannelBankCard, "", "", []string{"card.length"}},
		{"62 with 15", "622202123456782", key, ChannelBankCard, "", "", []string{"card.unionpay_length"}},
		{"62 with 13", "6222021234566", key, ChannelBankCard, "", "", []string{"card.unionpay_length"}},
		{"letters", "6222O21234567894", key, ChannelBankCard, "", "", []string{"card.invalid"}},
		{"dot", "6222.0212.3456.7894", key, ChannelBankCard, "", "", []string{"card.invalid"}},

		{"masked", "622202******1234", key, ChannelBankCard, "622202******1234", "", nil},
		{"masked with x", "622202xxxxxx1234", key, ChannelBankCard, "622202******1234", "", nil},
		{"masked spaced", "6222 02** **** 1234", key, ChannelBankCard, "622202******1234", "", nil},
		{"masked full width", "６２２２０２＊＊＊＊＊＊１２３４", key, ChannelBankCard, "622202******1234", "", nil},
		{"masked 13", "422222***2222", key, ChannelBankCard, "422222***2222", "", nil},
		{"masked 19", "622848*********8903", key, ChannelQuickPass, "622848*********8903", "", nil},
		{"masked first four", "6222**********1234", key, ChannelBankCard, "", "", []string{"card.masked_shape"}},
		{"masked last three", "6222021*******234", key, ChannelBankCard, "", "", []string{"card.masked_shape"}},
		{"masked too long", "622202**********1234", key, ChannelBankCard, "", "", []string{"card.masked_shape"}},
		{"masked too short", "622202**1234", key, ChannelBankCard, "", "", []string{"card.masked_shape"}},
		{"masked stars only", "****************", key, ChannelBankCard, "", "", []string{"card.masked_shape"}},
		{"masked digits inside", "622202**12**1234", key, ChannelBankCard, "", "", []string{"card.masked_shape"}},
		{"masked 62 short", "622202*****1234", key, ChannelBankCard, "", "", []string{"card.unionpay_length"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, is := ParseCard(tt.in, tt.key, tt.ch)
			if c.Masked != tt.masked {
				t.Errorf("masked = %q, want %q", c.Masked, tt.masked)
			}
			switch tt.digest {
			case "*":
				if !isDigest(c.Digest) {
					t.Errorf("digest = %q, want one", c.Digest)
				}
			default:
				if c.Digest != tt.digest {
					t.Errorf("digest = %q, want %q", c.Digest, tt.digest)
				}
			}
			if got := codes(is); !slices.Equal(got, tt.codes) {
				t.Errorf("issues = %v, want %v", got, tt.codes)
			}
			for _, i := range is {
				if i.Field != FieldCardNo {
					t.Errorf("issue %s on field %q", i.Code, i.Field)
				}
				wantSev := SevError
				if i.Code == "card.luhn" || i.Code == "card.payment_code" || i.Code == "card.no_key" {
					wantSev = SevWarning
				}
				if i.Severity != wantSev {
					t.Errorf("issue %s severity %v, want %v", i.Code, i.Severity, wantSev)
				}
			}
		})
	}
}

func TestParseCardDigestDependsOnKeyAndNumber(t *testing.T) {
	a, _ := ParseCard("6222021234567894", []byte("one"), ChannelBankCard)
	b, _ := ParseCard("6222021234567894", []byte("two"), ChannelBankCard)
	c, _ := ParseCard("6222029999567894", []byte("one"), ChannelBankCard)
	if a.Masked != c.Masked {
		t.Fatalf("test cards should share a masked form: %s %s", a.Masked, c.Masked)
	}
	if a.Digest == b.Digest || a.Digest == c.Digest {
		t.Errorf("digests should differ by key and by number: %s %s %s", a.Digest, b.Digest, c.Digest)
	}
}

func TestContainsCardNumber(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", false},
		{"顾客要求退货", false},
		{"card 6222021234567894 refund", true},
		{"6222021234567894", true},
		{"卡号6222021234567894", true},
		{"6222 0212 3456 7894", true},
		{"6222-0212-3456-7894", true},
		{"６２２２０２１２３４５６７８９４", true},
		{"4222222222222", true},                   // 13
		{"6228480012345678903", true},             // 19
		{"622202123456", false},                   // 12
		{"12345678901234567890123", false},        // 23-digit unbroken id
		{"query id 202611261430391234567", false}, // 21-digit QuickPass query id
		{"622202******7894", false},               // masked is fine
		{"tel 13800138000", false},                // 11
		{"2026-11-26 14:30 trace 123456", false},  // dates and times break at ':'
		{"13800138000  13900139000", false},       // double space separates
		{"6222021234567894x", true},
		{"ref 123456789012, trace 123456", false},
		{"1380013800 0", false},
		{"13800138000 6222 0212 3456 7894", true}, // card after a phone number, Luhn-valid window
		{"6222 0212 3456 7894 2026 11 26", true},  // card before a date
		{"1380 0138 0001 3900 1390 0099", false},  // 24 digits, no Luhn-valid window of 13–19
		{"退货 2026-11-26 14:30 小票 12345678901 参考号 123456789012", false},
		{"a 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 b", true}, // 16 single digits spaced out
		{"a 1 2 3 4 5 6 7 8 9 0 1 2 3 b", false},      // 13 digits no issuer starts with 1
		{"4111111111111112", false},                   // fails Luhn, not UnionPay
		{"6222021234567890", true},                    // UnionPay: Luhn not required
		{"622202123456789", false},                    // UnionPay cards have 16–19 digits
		{"2221000000000009", true},                    // Mastercard 2-series
		{"2026112914300012", false},                   // a date and time, then a sequence
		{"378282246310005", true},                     // American Express
		{"9558801001114978015", true},                 // an older domestic card (Luhn-valid 95…)
		{"123456789012-", false},
		{"-6222021234567894-", true},
	}
	for _, tt := range tests {
		if got := ContainsCardNumber(tt.in); got != tt.want {
			t.Errorf("ContainsCardNumber(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestNoCardAlarmOnStoreNumbers generates what a store's papers and the journal hold in long
// digit runs — the journal's own order numbers (also with an all-digit store and desk code),
// dates and times, 11-digit receipts, 6-digit traces, 12-character references, 21-digit
// QuickPass query ids and 15-digit merchant numbers — in every field they go into and in a
// remark that quotes them all: none may be taken for a card number.
func TestNoCardAlarmOnStoreNumbers(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return string(b)
	}
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, CST)
	stores := []string{"HZ01", "5001", "62", "4"}
	desks := []string{"K7Q", "12", "9", "", "0001"}
	r := testRules()
	for i := 0; i < 20000; i++ {
		when := day.Add(time.Duration(rng.IntN(5*365*24*3600)) * time.Second)
		store := stores[i%len(stores)]
		orderID := store + when.Format("20060102") + desks[i%len(desks)] + fmt.Sprintf("%04d", rng.IntN(10000))
		s := fullSale()
		s.StoreNo, s.OrderID = store, orderID
		s.OriginalOrderID = store + when.Add(-time.Hour).Format("20060102") + desks[(i+1)%len(desks)] + digits(4)
		s.SequenceNo = digits(11)
		s.PosTraceNo = digits(6)
		if i%2 == 0 {
			s.PosTraceNo = when.Format("20060102150405") + digits(7) // a QuickPass query id
		}
		s.TradeRefNo = digits(12)
		s.BankShopNo = digits(15)
		s.BatchNo = digits(6)
		s.TerminalNo = digits(8)
		s.Remark = fmt.Sprintf("退货 原单 %s 小票 %s 参考号 %s 凭证 %s 时间 %s %s", s.OriginalOrderID,
			s.SequenceNo, s.TradeRefNo, s.PosTraceNo, when.Format("20060102150405"), when.Format("2006-01-02 15:04:05"))
		s.ExtendParam = s.OrderID + " " + s.SequenceNo + " " + s.TradeRefNo
		if f := s.CardNumberFields(); len(f) > 0 {
			t.Fatalf("store %s: %v taken for a card number in %+v", store, f, s)
		}
		if is := s.Validate(r); len(is.Errors()) > 0 {
			for _, e := range is.Errors() {
				if e.Code == "text.card_number" {
					t.Fatalf("Validate: %v", e)
				}
			}
		}
	}
}

// TestCardRefusedInEveryField types a full card number into each field but card_no, plain, in
// groups and inside other text: every one is an error on that field.
func TestCardRefusedInEveryField(t *testing.T) {
	for _, card := range []string{"6222021234567894", "6222 0212 3456 7894", "4111-1111-1111-1111", "ref 378282246310005"} {
		for _, f := range DTOFields {
			switch f {
			case FieldCardNo, FieldPaymentChannel, FieldTradeTime, FieldSaleType, FieldSubSaleType,
				FieldTradeAmount, FieldPayTypeNo, FieldCommunicateType, FieldOperateTime, FieldEncrypteSummary:
				continue // not free text: parsed or computed, refused whatever the digits
			}
			fields := validDraft().Fields()
			fields[f] = card
			if f == FieldBankName {
				fields[FieldBankCode] = "" // a known code would name the bank itself
			}
			d, err := DraftFromFields(fields)
			if err != nil {
				t.Fatal(err)
			}
			_, is := d.Build(testRules())
			found := false
			for _, e := range is.Errors() {
				found = found || e.Field == f && e.Code == "text.card_number"
			}
			if !found {
				t.Errorf("%q in %s: no card-number error (%v)", card, f, is)
			}
		}
	}
}

func TestHideCardNumbers(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"card 6222021234567894 refund", "card 622202******7894 refund"},
		{"6222 0212 3456 7894", "6222 02** **** 7894"},
		{"６２２２０２１２３４５６７８９４", "６２２２０２******７８９４"},
		{"two: 4111111111111111, 6222021234567894", "two: 411111******1111, 622202******7894"},
		{"receipt 12345678901, ref 331000099777", "receipt 12345678901, ref 331000099777"},
	} {
		got, found := HideCardNumbers(c.in)
		if got != c.want || found != (got != c.in) {
			t.Errorf("HideCardNumbers(%q) = %q, %v; want %q", c.in, got, found, c.want)
		}
	}
}
