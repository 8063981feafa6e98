package model

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 11, 26, 15, 0, 0, 0, CST)

func testRules() Rules {
	return Rules{Now: testNow, VoidSaleType: "1", RefundWarnDays: 30, CardKey: []byte("k3y"),
		Operator: "zhang", IP: "10.0.0.7", MAC: "00:11:22:33:44:55"}
}

// validDraft is a sale as a supervisor types it from a slip, with nothing to warn about.
func validDraft() Draft {
	return Draft{
		OrderID: "HZ01202611260001", SequenceNo: "12345678901", PaymentChannel: "002",
		CardNo: "6222 0212 3456 7894", TradeTime: "2026-11-26 14:30:39", SubSaleType: "001",
		TradeAmount: "1,234.56", BankCode: "102", TerminalNo: "12345678", BankShopNo: "123456789012345",
		PosTraceNo: "000123", BatchNo: "000001", TradeRefNo: "123456789012", PayTypeNo: "1", StoreNo: "HZ01",
		CommunicateType: "001",
	}
}

func (d Draft) with(field, value string) Draft {
	if err := d.Set(field, value); err != nil {
		panic(err)
	}
	return d
}

func (d Draft) withBank(code, name string) Draft {
	d.BankCode, d.BankName = code, name
	return d
}

func TestBuildValid(t *testing.T) {
	s, is := validDraft().Build(testRules())
	if len(is) != 0 {
		t.Fatalf("issues on a valid draft: %v", is)
	}
	want := Sale{
		OrderID: "HZ01202611260001", SequenceNo: "12345678901", PaymentChannel: ChannelBankCard,
		CardNo: "622202******7894", TradeTime: time.Date(2026, 11, 26, 14, 30, 39, 0, CST),
		SaleType: SaleTypeSale, SubSaleType: SubSale, TradeAmount: 123456, BankCode: "102", BankName: "中国工商银行",
		TerminalNo: "12345678", BankShopNo: "123456789012345", PosTraceNo: "000123", BatchNo: "000001",
		TradeRefNo: "123456789012", PayTypeNo: 1, StoreNo: "HZ01",
		EncrypteSummary: "e2d17e02496cff307f352f973c1f7bff0bad96cf50c883776965af092614812e",
		CommunicateType: CommNetwork, OperateTime: testNow, Cashier: "zhang", IP: "10.0.0.7", MAC: "00:11:22:33:44:55",
	}
	if !saleEqual(s, want) {
		t.Errorf("Build =\n%+v\nwant\n%+v", s, want)
	}
}

func saleEqual(a, b Sale) bool {
	ta, tb, oa, ob := a.TradeTime, b.TradeTime, a.OperateTime, b.OperateTime
	a.TradeTime, b.TradeTime, a.OperateTime, b.OperateTime = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return a == b && ta.Equal(tb) && oa.Equal(ob)
}

type issueWant struct {
	field string
	sev   Severity
	code  string
}

func TestBuildRules(t *testing.T) {
	E, W := SevError, SevWarning
	tests := []struct {
		name  string
		d     Draft
		r     func(*Rules)
		want  []issueWant
		check func(t *testing.T, s Sale)
	}{
		{name: "required fields", d: Draft{}, want: []issueWant{
			{FieldOrderID, E, "field.required"}, {FieldSequenceNo, E, "field.required"},
			{FieldPaymentChannel, E, "field.required"}, {FieldTradeTime, E, "field.required"},
			{FieldSaleType, E, "field.required"}, {FieldSubSaleType, E, "field.required"},
			{FieldTradeAmount, E, "amount.required"}, {FieldPosTraceNo, E, "field.required"},
			{FieldTradeRefNo, E, "field.required"}, {FieldPayTypeNo, E, "field.required"},
			{FieldStoreNo, E, "field.required"}}},
		{name: "bad enums", d: validDraft().with(FieldPaymentChannel, "003").with(FieldSubSaleType, "005").
			with(FieldCommunicateType, "9"), want: []issueWant{
			{FieldPaymentChannel, E, "payment_channel.invalid"}, {FieldSaleType, E, "field.required"},
			{FieldSubSaleType, E, "sub_sale_type.invalid"}, {FieldCommunicateType, E, "communicate_type.invalid"}}},
		{name: "full-width enums", d: validDraft().with(FieldPaymentChannel, "００１").with(FieldSubSaleType, "００１"),
			check: func(t *testing.T, s Sale) {
				if s.PaymentChannel != ChannelQuickPass || s.SubSaleType != SubSale {
					t.Errorf("enums %q %q", s.PaymentChannel, s.SubSaleType)
				}
			}},
		{name: "enums by label", d: validDraft().with(FieldPaymentChannel, "云闪付").with(FieldSubSaleType, "Refund").
			with(FieldOriginalOrderID, "X1").with(FieldCommunicateType, "电话").with(FieldSaleType, "退款退货"),
			check: func(t *testing.T, s Sale) {
				if s.PaymentChannel != ChannelQuickPass || s.SubSaleType != SubRefund || s.CommunicateType != CommPhone ||
					s.SaleType != SaleTypeRefund {
					t.Errorf("enums %q %q %q %q", s.PaymentChannel, s.SubSaleType, s.CommunicateType, s.SaleType)
				}
			}},
		{name: "sale type mismatch", d: validDraft().with(FieldSaleType, "1"),
			want: []issueWant{{FieldSaleType, E, "sale_type.mismatch"}}},
		{name: "sale type invalid", d: validDraft().with(FieldSaleType, "x"),
			want: []issueWant{{FieldSaleType, E, "sale_type.invalid"}}},
		{name: "refund gets 1", d: validDraft().with(FieldSubSaleType, "006").with(FieldOriginalOrderID, "HZ01202611250001"),
			check: func(t *testing.T, s Sale) {
				if s.SaleType != SaleTypeRefund {
					t.Errorf("sale type %q", s.SaleType)
				}
			}},
		{name: "void follows config 0", d: validDraft().with(FieldSubSaleType, "002").with(FieldOriginalOrderID, "X1"),
			r: func(r *Rules) { r.VoidSaleType = "0" },
			check: func(t *testing.T, s Sale) {
				if s.SaleType != SaleTypeSale {
					t.Errorf("sale type %q", s.SaleType)
				}
			}},
		{name: "void typed 0 against config 1", d: validDraft().with(FieldSubSaleType, "002").with(FieldOriginalOrderID, "X1").
			with(FieldSaleType, "0"), want: []issueWant{{FieldSaleType, E, "sale_type.mismatch"}}},
		{name: "void without original", d: validDraft().with(FieldSubSaleType, "002"),
			want: []issueWant{{FieldOriginalOrderID, E, "field.required"}}},
		{name: "refund without original", d: validDraft().with(FieldSubSaleType, "006"),
			want: []issueWant{{FieldOriginalOrderID, E, "field.required"}}},
		{name: "refund of itself", d: validDraft().with(FieldSubSaleType, "006").with(FieldOriginalOrderID, "HZ01202611260001"),
			want: []issueWant{{FieldOriginalOrderID, E, "original_order_id.self"}}},
		{name: "sale with original", d: validDraft().with(FieldOriginalOrderID, "X1"),
			want: []issueWant{{FieldOriginalOrderID, W, "original_order_id.unexpected"}}},
		{name: "amount zero", d: validDraft().with(FieldTradeAmount, "0.00"), want: []issueWant{{FieldTradeAmount, E, "amount.zero"}}},
		{name: "amount negative", d: validDraft().with(FieldTradeAmount, "-5"), want: []issueWant{{FieldTradeAmount, E, "amount.negative"}}},
		{name: "amount decimals", d: validDraft().with(FieldTradeAmount, "1.234"), want: []issueWant{{FieldTradeAmount, E, "amount.decimals"}}},
		{name: "amount too large", d: validDraft().with(FieldTradeAmount, "10000000000"), want: []issueWant{{FieldTradeAmount, E, "amount.too_large"}}},
		{name: "amount in fen", d: validDraft().with(FieldTradeAmount, "1250"), r: func(r *Rules) { r.AmountInFen = true },
			check: func(t *testing.T, s Sale) {
				if s.TradeAmount != 1250 {
					t.Errorf("amount %d", s.TradeAmount)
				}
			}},
		{name: "amount in fen refuses yuan", d: validDraft().with(FieldTradeAmount, "12.50"), r: func(r *Rules) { r.AmountInFen = true },
			want: []issueWant{{FieldTradeAmount, E, "amount.fen_invalid"}}},
		{name: "trade time future", d: validDraft().with(FieldTradeTime, "2026-11-26 15:10:01"),
			want: []issueWant{{FieldTradeTime, E, "trade_time.future"}}},
		{name: "terminal clock ahead", d: validDraft().with(FieldTradeTime, "2026-11-26 15:02:00"),
			want: []issueWant{{FieldTradeTime, W, "trade_time.ahead"}}},
		{name: "ahead of the entry time", d: validDraft().with(FieldOperateTime, "2026-11-26 14:25:00"),
			want: []issueWant{{FieldTradeTime, W, "trade_time.ahead"}}},
		{name: "old sale", d: validDraft().with(FieldTradeTime, "2026-10-20 10:00:00"),
			want: []issueWant{{FieldTradeTime, W, "trade_time.old"}}},
		{name: "old sale, window off", d: validDraft().with(FieldTradeTime, "2026-10-20 10:00:00"),
			r: func(r *Rules) { r.RefundWarnDays = -1 }},
		{name: "trade time now ok", d: validDraft().with(FieldTradeTime, "now")},
		{name: "trade time clock", d: validDraft().with(FieldTradeTime, "9:15"),
			check: func(t *testing.T, s Sale) {
				if FormatTime(s.TradeTime) != "2026-11-26 09:15:00" {
					t.Errorf("trade time %v", s.TradeTime)
				}
			}},
		{name: "trade time garbage", d: validDraft().with(FieldTradeTime, "yesterday"),
			want: []issueWant{{FieldTradeTime, E, "time.invalid"}}},
		{name: "trade after operate", d: validDraft().with(FieldOperateTime, "2026-11-26 14:00:00"),
			want: []issueWant{{FieldTradeTime, E, "trade_time.after_operate"}}},
		{name: "operate time kept", d: validDraft().with(FieldOperateTime, "2026-11-26 14:40"),
			check: func(t *testing.T, s Sale) {
				if FormatTime(s.OperateTime) != "2026-11-26 14:40:00" {
					t.Errorf("operate time %v", s.OperateTime)
				}
			}},
		{name: "operate time garbage", d: validDraft().with(FieldOperateTime, "x"),
			want: []issueWant{{FieldOperateTime, E, "time.invalid"}}},
		{name: "format warnings", d: validDraft().with(FieldSequenceNo, "1234").with(FieldTerminalNo, "1234567").
			with(FieldBankShopNo, "12345678901234A").with(FieldPosTraceNo, "12345").with(FieldBatchNo, "1234567").
			with(FieldTradeRefNo, "12345678901-"), want: []issueWant{
			{FieldSequenceNo, W, "sequence_no.format"}, {FieldTerminalNo, W, "terminal_no.format"},
			{FieldBankShopNo, W, "bank_shop_no.format"}, {FieldPosTraceNo, W, "pos_trace_no.format"},
			{FieldBatchNo, W, "batch_no.format"}, {FieldTradeRefNo, W, "trade_ref_no.format"}}},
		{name: "quickpass query id and alnum ref", d: validDraft().with(FieldPosTraceNo, "202611261430391234567").
			with(FieldTradeRefNo, "A1B2C3D4E5F6").with(FieldTerminalNo, "T0000001")},
		{name: "optional empties", d: validDraft().with(FieldTerminalNo, "").with(FieldBankShopNo, "").
			with(FieldBatchNo, "").with(FieldCardNo, "").with(FieldBankCode, "").with(FieldCommunicateType, "")},
		{name: "pay type no", d: validDraft().with(FieldPayTypeNo, "0"), want: []issueWant{{FieldPayTypeNo, E, "pay_type_no.invalid"}}},
		{name: "pay type no negative", d: validDraft().with(FieldPayTypeNo, "-1"), want: []issueWant{{FieldPayTypeNo, E, "pay_type_no.invalid"}}},
		{name: "pay type no text", d: validDraft().with(FieldPayTypeNo, "1a"), want: []issueWant{{FieldPayTypeNo, E, "pay_type_no.invalid"}}},
		{name: "pay type no huge", d: validDraft().with(FieldPayTypeNo, "99999999999999999999"), want: []issueWant{{FieldPayTypeNo, E, "pay_type_no.invalid"}}},
		{name: "pay type no leading zeros", d: validDraft().with(FieldPayTypeNo, "007"), check: func(t *testing.T, s Sale) {
			if s.PayTypeNo != 7 {
				t.Errorf("pay type no %d", s.PayTypeNo)
			}
		}},
		{name: "rback 00", d: validDraft().with(FieldRback, "00")},
		{name: "rback other", d: validDraft().with(FieldRback, "01"), want: []issueWant{{FieldRback, E, "rback.invalid"}}},
		{name: "remark card", d: validDraft().with(FieldRemark, "卡号 6222 0212 3456 7894"),
			want: []issueWant{{FieldRemark, E, "text.card_number"}}},
		{name: "extend card", d: validDraft().with(FieldExtendParam, "6222021234567894"),
			want: []issueWant{{FieldExtendParam, E, "text.card_number"}}},
		{name: "remark fine", d: validDraft().with(FieldRemark, "顾客退货 小票 12345678901")},
		{name: "card luhn warning", d: validDraft().with(FieldCardNo, "6222021234567895"),
			want: []issueWant{{FieldCardNo, W, "card.luhn"}}},
		{name: "card bad", d: validDraft().with(FieldCardNo, "1234"), want: []issueWant{{FieldCardNo, E, "card.length"}}},
		{name: "card no key", d: validDraft(), r: func(r *Rules) { r.CardKey = nil },
			want: []issueWant{{FieldCardNo, W, "card.no_key"}},
			check: func(t *testing.T, s Sale) {
				if s.EncrypteSummary != "" {
					t.Errorf("digest without key: %q", s.EncrypteSummary)
				}
			}},
		{name: "payment code", d: validDraft().with(FieldPaymentChannel, "001").with(FieldCardNo, "6228480012345678903"),
			want: []issueWant{{FieldCardNo, W, "card.payment_code"}}},
		{name: "typed digest ignored for a full card", d: validDraft().with(FieldEncrypteSummary, strings.Repeat("a", 64)),
			check: func(t *testing.T, s Sale) {
				if s.EncrypteSummary != "e2d17e02496cff307f352f973c1f7bff0bad96cf50c883776965af092614812e" {
					t.Errorf("digest %q", s.EncrypteSummary)
				}
			}},
		{name: "masked with digest kept", d: validDraft().with(FieldCardNo, "622202******7894").
			with(FieldEncrypteSummary, strings.Repeat("AB", 32)), check: func(t *testing.T, s Sale) {
			if s.CardNo != "622202******7894" || s.EncrypteSummary != strings.Repeat("ab", 32) {
				t.Errorf("card %q digest %q", s.CardNo, s.EncrypteSummary)
			}
		}},
		{name: "masked with bad digest", d: validDraft().with(FieldCardNo, "622202******7894").
			with(FieldEncrypteSummary, "1111"), want: []issueWant{{FieldEncrypteSummary, E, "encrypte_summary.invalid"}}},
		{name: "digest without card dropped", d: validDraft().with(FieldCardNo, "").with(FieldEncrypteSummary, "1111"),
			check: func(t *testing.T, s Sale) {
				if s.EncrypteSummary != "" {
					t.Errorf("digest %q", s.EncrypteSummary)
				}
			}},
		// the fixture's card is an ICBC one (622202): another bank is worth a look
		{name: "bank name from code", d: validDraft().withBank("308", "whatever"), want: []issueWant{{FieldBankCode, W, "bank.card_mismatch"}}, check: func(t *testing.T, s Sale) {
			if s.BankName != "招商银行" {
				t.Errorf("bank name %q", s.BankName)
			}
		}},
		{name: "bank code from name", d: validDraft().withBank("", "建设银行"), want: []issueWant{{FieldBankCode, W, "bank.card_mismatch"}}, check: func(t *testing.T, s Sale) {
			if s.BankCode != "105" || s.BankName != "中国建设银行" {
				t.Errorf("bank %q %q", s.BankCode, s.BankName)
			}
		}},
		{name: "bank unknown code", d: validDraft().withBank("999", "某银行"), want: []issueWant{{FieldBankCode, W, "bank.unknown_code"}},
			check: func(t *testing.T, s Sale) {
				if s.BankName != "某银行" {
					t.Errorf("typed name lost: %q", s.BankName)
				}
			}},
		{name: "bank unknown name", d: validDraft().withBank("", "花旗银行"), want: []issueWant{{FieldBankName, W, "bank.name_unknown"}}},
		{name: "control characters stripped", d: validDraft().with(FieldRemark, "\x1b[2J\x1b]0;pwn\x07顾客\t退货\x01").
			with(FieldOrderID, " HZ01202611260001\r\n"), check: func(t *testing.T, s Sale) {
			if s.Remark != "顾客 退货" || s.OrderID != "HZ01202611260001" {
				t.Errorf("remark %q order %q", s.Remark, s.OrderID)
			}
		}},
		{name: "NUL refused", d: validDraft().with(FieldOrderID, "HZ01\x00202611260001"), want: []issueWant{{FieldOrderID, E, "text.nul"}}},
		{name: "not UTF-8 refused", d: validDraft().with(FieldRemark, "\xb9\xcb\xbf\xcd"), want: []issueWant{{FieldRemark, E, "text.not_utf8"}}},
		{name: "too long", d: validDraft().with(FieldOrderID, strings.Repeat("A", 65)), want: []issueWant{{FieldOrderID, E, "text.too_long"}}},
		{name: "longest order_id", d: validDraft().with(FieldOrderID, strings.Repeat("A", 64))},
		{name: "draft cashier wins", d: validDraft().with(FieldCashier, "li").with(FieldIP, "1.2.3.4").with(FieldMAC, "m"),
			check: func(t *testing.T, s Sale) {
				if s.Cashier != "li" || s.IP != "1.2.3.4" || s.MAC != "m" {
					t.Errorf("%q %q %q", s.Cashier, s.IP, s.MAC)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testRules()
			if tt.r != nil {
				tt.r(&r)
			}
			s, is := tt.d.Build(r)
			var got []issueWant
			for _, i := range is {
				got = append(got, issueWant{i.Field, i.Severity, i.Code})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("issues\n got %v\nwant %v", got, tt.want)
			}
			if tt.check != nil {
				tt.check(t, s)
			}
			if digitCount(s.CardNo) > 10 {
				t.Errorf("card %q holds more than ten digits", s.CardNo)
			}
		})
	}
}

func TestBuildIssuesSorted(t *testing.T) {
	_, is := Draft{PayTypeNo: "x", OrderID: "o"}.Build(testRules())
	last := -1
	for _, i := range is {
		n := fieldIndex[i.Field]
		if n < last {
			t.Fatalf("issues not in field order: %v", is)
		}
		last = n
	}
}

func TestDraftFields(t *testing.T) {
	d, err := DraftFromFields(map[string]string{"order_id": "A1", "trade_amount": "1250", "card_no": "622202******7894"})
	if err != nil || d.OrderID != "A1" || d.TradeAmount != "1250" || d.CardNo != "622202******7894" {
		t.Fatalf("DraftFromFields = %+v, %v", d, err)
	}
	_, err = DraftFromFields(map[string]string{"order_id": "A1", "tarde_amount": "1"})
	if err == nil || !strings.Contains(err.Error(), `"tarde_amount"`) {
		t.Errorf("unknown key error = %v", err)
	}
	full := Draft{}
	for i, f := range DTOFields {
		if err := full.Set(f, f+"-v"); err != nil {
			t.Fatal(err)
		}
		if full.Get(f) != f+"-v" {
			t.Errorf("Get(%s) = %q", f, full.Get(f))
		}
		_ = i
	}
	m := full.Fields()
	if len(m) != len(DTOFields) || len(DTOFields) != 27 {
		t.Errorf("Fields has %d, DTOFields %d", len(m), len(DTOFields))
	}
	back, err := DraftFromFields(m)
	if err != nil || back != full {
		t.Errorf("Fields/DraftFromFields round trip: %+v %v", back, err)
	}
	if full.Get("nope") != "" || full.Set("nope", "x") == nil {
		t.Error("unknown field accepted")
	}
}

func TestDraftOfRoundTrip(t *testing.T) {
	r := testRules()
	s, is := validDraft().with(FieldRemark, "备注").with(FieldRback, "00").Build(r)
	if is.HasErrors() {
		t.Fatal(is)
	}
	d := DraftOf(s)
	if d.TradeAmount != "1234.56" || d.CardNo != "622202******7894" || d.PayTypeNo != "1" ||
		d.TradeTime != "2026-11-26 14:30:39" {
		t.Errorf("DraftOf = %+v", d)
	}
	s2, is2 := d.Build(r)
	if len(is2) != 0 || !saleEqual(s, s2) {
		t.Errorf("rebuild differs:\n%+v\n%+v\n%v", s, s2, is2)
	}
}

func TestValidateSale(t *testing.T) {
	r := testRules()
	s, _ := validDraft().Build(r)
	if is := s.Validate(r); len(is) != 0 {
		t.Fatalf("valid sale: %v", is)
	}
	bad := s
	bad.CardNo = "6222021234567894"
	bad.Remark = "a\x1bb"
	bad.BankName = "中国银行"
	bad.TradeAmount = MaxAmount + 1
	bad.PayTypeNo = -1
	bad.OperateTime = time.Time{}
	bad.Rback = "1"
	bad.EncrypteSummary = "XYZ"
	got := codes(bad.Validate(r))
	want := []string{"card.unmasked", "amount.too_large", "bank.name_mismatch", "pay_type_no.invalid",
		"encrypte_summary.invalid", "field.required", "rback.invalid", "field.control"}
	if !slices.Equal(got, want) {
		t.Errorf("Validate = %v\nwant %v", got, want)
	}
	neg := s
	neg.TradeAmount = -1
	if !neg.Validate(r).Has("amount.negative") {
		t.Error("negative amount passes Validate")
	}
}

func TestMessages(t *testing.T) {
	used := []string{}
	for code := range messages {
		used = append(used, code)
	}
	for _, code := range used {
		w := messages[code]
		if w[0] == "" || w[1] == "" || w[0] == w[1] {
			t.Errorf("%s: needs both Chinese and English", code)
		}
		for _, l := range []Lang{ZH, EN} {
			m := Issue{Field: FieldTradeAmount, Code: code, Args: []string{"A", "B"}}.Message(l)
			if strings.Contains(m, "{") {
				t.Errorf("%s/%s: unreplaced placeholder: %s", code, l, m)
			}
		}
	}
	i := Issue{Field: FieldSequenceNo, Severity: SevWarning, Code: "sequence_no.format"}
	if !strings.Contains(i.Message(ZH), "小票号") || !strings.Contains(i.Message(EN), "Receipt") {
		t.Errorf("messages: %q / %q", i.Message(ZH), i.Message(EN))
	}
	if m := (Issue{Field: FieldStoreNo, Code: "field.required"}).Message(ZH); m != "请填写门店号（见签购单或小票）。" {
		t.Errorf("required message %q", m)
	}
	if m := (Issue{Field: FieldStoreNo, Code: "no.such"}).Message(EN); !strings.Contains(m, "Store no.") {
		t.Errorf("fallback message %q", m)
	}
}

// TestEveryCodeHasAMessage finds codes in the source that the catalogue lacks.
func TestEveryCodeHasAMessage(t *testing.T) {
	r := testRules()
	drafts := []Draft{{}, validDraft().with(FieldRemark, "6222021234567894").with(FieldSaleType, "1").
		with(FieldRback, "x").with(FieldBankCode, "1").with(FieldSequenceNo, "1").with(FieldTerminalNo, "1").
		with(FieldBankShopNo, "1").with(FieldPosTraceNo, "1").with(FieldBatchNo, "1").with(FieldTradeRefNo, "1")}
	for _, d := range drafts {
		_, is := d.Build(r)
		for _, i := range is {
			if _, ok := messages[i.Code]; !ok {
				t.Errorf("code %s has no message", i.Code)
			}
		}
	}
}

// TestClockAheadNamesThePCsClock: the warning for a trade time after the PC's clock says what
// the PC's clock says, so the supervisor can tell a terminal running ahead from a wrong PC.
func TestClockAheadNamesThePCsClock(t *testing.T) {
	_, is := validDraft().with(FieldTradeTime, "2026-11-26 15:02:00").Build(testRules())
	if len(is) != 1 || is.HasErrors() {
		t.Fatalf("issues %v", is)
	}
	for _, l := range []Lang{EN, ZH} {
		if m := is[0].Message(l); !strings.Contains(m, "2026-11-26 15:00:00") || !strings.Contains(m, l.Pick("本机时钟", "this PC's clock")) {
			t.Errorf("%s", m)
		}
	}
}
