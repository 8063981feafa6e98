package model

import (
	"slices"
	"testing"
	"time"
)

// original is a journaled 001 sale the void/refund tests undo.
func original() Sale { return originalSale }

var originalSale = func() Sale {
	s, is := validDraft().Build(testRules())
	if is.HasErrors() {
		panic(is)
	}
	return s
}()

func voidOf(o Sale) Sale {
	v := o
	v.OrderID, v.OriginalOrderID = "HZ01202611260002", o.OrderID
	v.SubSaleType, v.SaleType = SubVoid, SaleTypeRefund
	v.TradeTime = o.TradeTime.Add(10 * time.Minute)
	v.PosTraceNo = "000124"
	return v
}

func refundOf(o Sale, amount Amount, after time.Duration) Sale {
	r := o
	r.OrderID, r.OriginalOrderID = "HZ01202611260003", o.OrderID
	r.SubSaleType, r.SaleType = SubRefund, SaleTypeRefund
	r.TradeAmount = amount
	r.TradeTime = o.TradeTime.Add(after)
	r.BatchNo = "000002"
	return r
}

func TestValidateRelatedVoid(t *testing.T) {
	rules := testRules()
	o := original()
	inJournal := Related{OriginalInJournal: true, Original: o, OriginalStatus: StatusUploaded}
	E, W := SevError, SevWarning
	tests := []struct {
		name string
		s    func(Sale) Sale
		rel  func(Related) Related
		want []issueWant
	}{
		{name: "good void"},
		{name: "not in journal", rel: func(Related) Related { return Related{} },
			want: []issueWant{{FieldOriginalOrderID, W, "void.original_unknown"}}},
		{name: "not in journal, anything goes", s: func(v Sale) Sale { v.TradeAmount = 1; return v },
			rel: func(Related) Related { return Related{} }, want: []issueWant{{FieldOriginalOrderID, W, "void.original_unknown"}}},
		{name: "original is a refund", rel: func(r Related) Related { r.Original.SubSaleType = SubRefund; return r },
			want: []issueWant{{FieldOriginalOrderID, E, "void.original_not_sale"}}},
		{name: "original voided locally", rel: func(r Related) Related { r.OriginalStatus = StatusVoided; return r },
			want: []issueWant{{FieldOriginalOrderID, E, "void.original_voided"}}},
		{name: "second void", rel: func(r Related) Related { r.Voids = []Sale{voidOf(o)}; return r },
			want: []issueWant{{FieldOriginalOrderID, E, "void.already_voided"}}},
		{name: "already refunded", rel: func(r Related) Related { r.Refunds = []Sale{refundOf(o, 100, time.Hour)}; return r },
			want: []issueWant{{FieldOriginalOrderID, E, "void.original_refunded"}}},
		{name: "amount differs", s: func(v Sale) Sale { v.TradeAmount--; return v },
			want: []issueWant{{FieldTradeAmount, E, "void.amount_mismatch"}}},
		{name: "card differs", s: func(v Sale) Sale { v.CardNo = "622202******0000"; return v },
			want: []issueWant{{FieldCardNo, E, "void.card_mismatch"}}},
		{name: "card missing", s: func(v Sale) Sale { v.CardNo, v.EncrypteSummary = "", ""; return v },
			want: []issueWant{{FieldCardNo, E, "void.card_mismatch"}}},
		{name: "same mask, other digest", s: func(v Sale) Sale { v.EncrypteSummary = "00" + v.EncrypteSummary[2:]; return v },
			want: []issueWant{{FieldCardNo, E, "void.card_mismatch"}}},
		{name: "masked typed, no digest", s: func(v Sale) Sale { v.EncrypteSummary = ""; return v }},
		{name: "terminal, merchant, batch differ", s: func(v Sale) Sale {
			v.TerminalNo, v.BankShopNo, v.BatchNo = "87654321", "999999999999999", "000002"
			return v
		}, want: []issueWant{{FieldTerminalNo, E, "void.terminal_mismatch"}, {FieldBankShopNo, E, "void.shop_mismatch"},
			{FieldBatchNo, E, "void.batch_mismatch"}}},
		{name: "next clearing day", s: func(v Sale) Sale { v.TradeTime = o.TradeTime.Add(24 * time.Hour); return v },
			want: []issueWant{{FieldTradeTime, E, "void.day_mismatch"}}},
		{name: "before sale", s: func(v Sale) Sale { v.TradeTime = o.TradeTime.Add(-time.Minute); return v },
			want: []issueWant{{FieldTradeTime, E, "void.before_sale"}}},
		{name: "sale 22:30, void 22:59 same day", s: func(v Sale) Sale { v.TradeTime = at("2026-11-25 22:59:59"); return v },
			rel: func(r Related) Related { r.Original.TradeTime = at("2026-11-25 22:30:00"); return r }},
		{name: "sale 22:30, void 23:05 next clearing day", s: func(v Sale) Sale { v.TradeTime = at("2026-11-25 23:05:00"); return v },
			rel:  func(r Related) Related { r.Original.TradeTime = at("2026-11-25 22:30:00"); return r },
			want: []issueWant{{FieldTradeTime, E, "void.day_mismatch"}}},
		{name: "sale 23:10, void 00:20 same clearing day", s: func(v Sale) Sale { v.TradeTime = at("2026-11-26 00:20:00"); return v },
			rel: func(r Related) Related { r.Original.TradeTime = at("2026-11-25 23:10:00"); return r }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := voidOf(o)
			if tt.s != nil {
				v = tt.s(v)
			}
			rel := inJournal
			if tt.rel != nil {
				rel = tt.rel(rel)
			}
			got := issueWants(ValidateRelated(v, rel, rules))
			if !slices.Equal(got, tt.want) {
				t.Errorf("issues\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func at(s string) time.Time {
	t, err := ParseTime(s, testNow)
	if err != nil {
		panic(err)
	}
	return t
}

func issueWants(is Issues) []issueWant {
	var out []issueWant
	for _, i := range is {
		out = append(out, issueWant{i.Field, i.Severity, i.Code})
	}
	return out
}

func TestValidateRelatedRefund(t *testing.T) {
	rules := testRules()
	o := original() // 1234.56
	day := 24 * time.Hour
	inJournal := Related{OriginalInJournal: true, Original: o, OriginalStatus: StatusUploaded}
	E, W := SevError, SevWarning
	tests := []struct {
		name string
		s    Sale
		rel  func(Related) Related
		r    func(*Rules)
		want []issueWant
	}{
		{name: "partial refund", s: refundOf(o, 1000, day)},
		{name: "full refund", s: refundOf(o, o.TradeAmount, day)},
		{name: "over the sale", s: refundOf(o, o.TradeAmount+1, day),
			want: []issueWant{{FieldTradeAmount, E, "refund.exceeds"}}},
		{name: "second refund fits", s: refundOf(o, 23456, day),
			rel: func(r Related) Related { r.Refunds = []Sale{refundOf(o, 100000, time.Hour)}; return r }},
		{name: "second refund too much", s: refundOf(o, 23457, day),
			rel:  func(r Related) Related { r.Refunds = []Sale{refundOf(o, 100000, time.Hour)}; return r },
			want: []issueWant{{FieldTradeAmount, E, "refund.exceeds"}}},
		{name: "voided locally", s: refundOf(o, 1, day), rel: func(r Related) Related { r.OriginalStatus = StatusVoided; return r },
			want: []issueWant{{FieldOriginalOrderID, E, "refund.original_voided"}}},
		{name: "voided at the bank", s: refundOf(o, 1, day), rel: func(r Related) Related { r.Voids = []Sale{voidOf(o)}; return r },
			want: []issueWant{{FieldOriginalOrderID, E, "refund.original_voided"}}},
		{name: "original not a sale", s: refundOf(o, 1, day), rel: func(r Related) Related { r.Original.SubSaleType = SubRefund; return r },
			want: []issueWant{{FieldOriginalOrderID, E, "refund.original_not_sale"}}},
		{name: "before the sale", s: refundOf(o, 1, -time.Second),
			want: []issueWant{{FieldTradeTime, E, "refund.before_sale"}}},
		{name: "same second", s: refundOf(o, 1, 0)},
		{name: "30 days exactly", s: refundOf(o, 1, 30*day)},
		{name: "old without remark", s: refundOf(o, 1, 30*day+time.Second),
			want: []issueWant{{FieldTradeTime, W, "refund.old"}, {FieldRemark, E, "refund.remark_required"}}},
		{name: "old with remark", s: func() Sale { s := refundOf(o, 1, 40*day); s.Remark = "顾客质量投诉"; return s }(),
			want: []issueWant{{FieldTradeTime, W, "refund.old"}}},
		{name: "window from rules", s: refundOf(o, 1, 8*day), r: func(r *Rules) { r.RefundWarnDays = 7 },
			want: []issueWant{{FieldTradeTime, W, "refund.old"}, {FieldRemark, E, "refund.remark_required"}}},
		{name: "window default", s: refundOf(o, 1, 31*day), r: func(r *Rules) { r.RefundWarnDays = 0 },
			want: []issueWant{{FieldTradeTime, W, "refund.old"}, {FieldRemark, E, "refund.remark_required"}}},
		{name: "window off", s: refundOf(o, 1, 400*day), r: func(r *Rules) { r.RefundWarnDays = -1 }},
		{name: "not in journal", s: refundOf(o, o.TradeAmount*2, -day), rel: func(Related) Related { return Related{} },
			want: []issueWant{{FieldOriginalOrderID, W, "refund.original_unknown"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rules
			if tt.r != nil {
				tt.r(&r)
			}
			rel := inJournal
			if tt.rel != nil {
				rel = tt.rel(rel)
			}
			got := issueWants(ValidateRelated(tt.s, rel, r))
			if !slices.Equal(got, tt.want) {
				t.Errorf("issues\n got %v\nwant %v", got, tt.want)
			}
		})
	}
	if is := ValidateRelated(o, inJournal, rules); is != nil {
		t.Errorf("a sale has cross-order issues: %v", is)
	}
}

func TestRefundable(t *testing.T) {
	o := original()
	tests := []struct {
		rel  Related
		want Amount
	}{
		{Related{}, 0},
		{Related{OriginalInJournal: true, Original: o, OriginalStatus: StatusUploaded}, o.TradeAmount},
		{Related{OriginalInJournal: true, Original: o, Refunds: []Sale{refundOf(o, 1000, 0), refundOf(o, 234, 0)}}, o.TradeAmount - 1234},
		{Related{OriginalInJournal: true, Original: o, Refunds: []Sale{refundOf(o, o.TradeAmount+5, 0)}}, 0},
		{Related{OriginalInJournal: true, Original: o, OriginalStatus: StatusVoided}, 0},
		{Related{OriginalInJournal: true, Original: o, Voids: []Sale{voidOf(o)}}, 0},
	}
	for i, tt := range tests {
		if got := tt.rel.Refundable(); got != tt.want {
			t.Errorf("%d: Refundable = %d, want %d", i, got, tt.want)
		}
	}
}
