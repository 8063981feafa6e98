package model

import (
	"strings"
	"testing"
	"time"
)

func TestVoidAndRefundDrafts(t *testing.T) {
	sale := Sale{
		OrderID: "HZ01202611260001", SequenceNo: "30012345678", PaymentChannel: ChannelBankCard,
		CardNo: "622202******0128", EncrypteSummary: strings.Repeat("ab", 32), TradeTime: time.Date(2026, 11, 26, 9, 5, 11, 0, CST),
		SaleType: SaleTypeSale, SubSaleType: SubSale, TradeAmount: 128800, BankCode: "102", BankName: "中国工商银行",
		TerminalNo: "10290001", BankShopNo: "102330159410001", PosTraceNo: "000123", BatchNo: "000127",
		TradeRefNo: "331000000001", PayTypeNo: 2, StoreNo: "HZ02", CommunicateType: CommPhone, Remark: "gift",
		Cashier: "lina",
	}
	// What a void or refund shares with its sale, and what it must get from its own slip.
	shared := Draft{
		OriginalOrderID: "HZ01202611260001", PaymentChannel: "002", CardNo: "622202******0128",
		EncrypteSummary: sale.EncrypteSummary, BankCode: "102", TerminalNo: "10290001",
		BankShopNo: "102330159410001", BatchNo: "000127", StoreNo: "HZ02", CommunicateType: "002",
	}
	for _, c := range []struct {
		name string
		got  Draft
		sub  SubType
		amt  string
	}{
		{"void", VoidDraft(sale), SubVoid, "1288.00"},
		{"refund", RefundDraft(sale), SubRefund, ""},
	} {
		want := shared
		want.SubSaleType, want.TradeAmount = string(c.sub), c.amt
		if c.got != want {
			t.Errorf("%s draft:\n got %+v\nwant %+v", c.name, c.got, want)
		}
		// Nothing of the sale's own slip is copied: order number, time, trace, reference,
		// receipt, tender line, remark and who entered it come from the new slip or the program.
		for _, f := range []string{FieldOrderID, FieldTradeTime, FieldPosTraceNo, FieldTradeRefNo,
			FieldSequenceNo, FieldPayTypeNo, FieldRemark, FieldCashier, FieldOperateTime} {
			if v := c.got.Get(f); v != "" {
				t.Errorf("%s draft copies %s = %q from the sale", c.name, f, v)
			}
		}
	}
	// A void keeps an empty communicate type empty (the form's default then applies).
	sale.CommunicateType = ""
	if d := VoidDraft(sale); d.CommunicateType != "" {
		t.Errorf("empty communicate type became %q", d.CommunicateType)
	}
}

func TestStatusMachine(t *testing.T) {
	cases := map[Status][3]bool{ // edit, cancel, retry
		StatusPending:   {true, true, false},
		StatusUploading: {false, false, false},
		StatusRetrying:  {false, true, true},
		StatusRejected:  {true, true, true},
		StatusUploaded:  {false, false, false},
		StatusVoided:    {false, false, false},
	}
	if len(cases) != len(Statuses) {
		t.Fatalf("the table covers %d of %d statuses", len(cases), len(Statuses))
	}
	for s, want := range cases {
		if got := [3]bool{s.CanEdit(), s.CanCancel(), s.CanRetry()}; got != want {
			t.Errorf("%s: edit/cancel/retry %v, want %v", s, got, want)
		}
	}
	if got := StatusesWhere(Status.CanRetry); len(got) != 2 || got[0] != StatusRetrying || got[1] != StatusRejected {
		t.Errorf("retryable statuses %v", got)
	}
	for _, sub := range []SubType{SubSale, SubVoid, SubRefund} {
		o := Order{Sale: Sale{SubSaleType: sub}}
		if o.CanVoid() != (sub == SubSale) || o.CanRefund() != (sub == SubSale) {
			t.Errorf("%s: void %v refund %v", sub, o.CanVoid(), o.CanRefund())
		}
	}
}
