package model

import (
	"slices"
	"testing"
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
		{"a 1 2 3 4 5 6 7 8 9 0 1 2 3 b", true}, // 13 single digits spaced out
		{"123456789012-", false},
		{"-6222021234567894-", true},
	}
	for _, tt := range tests {
		if got := ContainsCardNumber(tt.in); got != tt.want {
			t.Errorf("ContainsCardNumber(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
