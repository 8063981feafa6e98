package model

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  HZ01  ", "HZ01"},
		{"a\tb\nc\r\n", "a b c"},
		{"red\x1b[31mtext\x1b[0m", "redtext"},
		{"\x1b]0;title\x07ok", "ok"},
		{"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"\x1bPq#0;2;0;0;0\x1b\\x", "x"},
		{"a\x1b7b\x1b8c", "abc"},
		{"a\x1b(Bb", "ab"},
		{"a\u009b31mb", "ab"},
		{"a\u009d0;t\u009cb", "ab"},
		{"a\x00b\x7fc\x08d", "abcd"},
		{"bad\xffutf8", "badutf8"},
		{"rtl\u202eoverride\u2066", "rtloverride"},
		{"zero\u200bwidth", "zerowidth"},
		{"中国工商银行", "中国工商银行"},
		{"全角　空格", "全角 空格"},
		{"trailing\x1b[", "trailing"},
		{"\x1b", ""},
		{"é ñ ¥ €", "é ñ ¥ €"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSafeArg(t *testing.T) {
	if got := safeArg("6222021234567894"); strings.Contains(got, "6222021234") {
		t.Errorf("safeArg echoed a card number: %q", got)
	}
	if got := safeArg(strings.Repeat("长", 40)); len([]rune(got)) != 25 {
		t.Errorf("safeArg did not shorten: %q", got)
	}
}

func TestLabels(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{SubSale.Label(ZH), "消费"}, {SubSale.Label(EN), "Sale"},
		{SubVoid.Label(ZH), "撤销"}, {SubVoid.Label(EN), "Void"},
		{SubRefund.Label(ZH), "退款"}, {SubRefund.Label(EN), "Refund"},
		{ChannelQuickPass.Label(ZH), "云闪付"}, {ChannelQuickPass.Label(EN), "QuickPass"},
		{ChannelBankCard.Label(ZH), "银行卡"}, {ChannelBankCard.Label(EN), "Bank card"},
		{CommNetwork.Label(ZH), "网线"}, {CommNetwork.Label(EN), "Network"},
		{CommPhone.Label(ZH), "电话"}, {CommPhone.Label(EN), "Phone line"},
		{SaleTypeSale.Label(ZH), "销售"}, {SaleTypeRefund.Label(ZH), "退款退货"},
		{StatusPending.Label(ZH), "待上传"}, {StatusUploading.Label(ZH), "上传中"},
		{StatusUploaded.Label(ZH), "已上传"}, {StatusRetrying.Label(ZH), "重试中"},
		{StatusRejected.Label(ZH), "被拒绝"}, {StatusVoided.Label(ZH), "已作废"},
		{StatusPending.Label(EN), "pending"}, {StatusUploading.Label(EN), "uploading"},
		{StatusUploaded.Label(EN), "uploaded"}, {StatusRetrying.Label(EN), "retrying"},
		{StatusRejected.Label(EN), "rejected"}, {StatusVoided.Label(EN), "cancelled"},
		{Channel("009").Label(EN), "009"},
		{FieldLabel(FieldTradeAmount, ZH), "交易金额"}, {FieldLabel(FieldTradeAmount, EN), "Amount"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("label %q, want %q", tt.got, tt.want)
		}
	}
	for _, v := range []interface{ Valid() bool }{ChannelQuickPass, ChannelBankCard, SubSale, SubVoid, SubRefund,
		SaleTypeSale, SaleTypeRefund, CommNetwork, CommPhone, StatusPending, StatusVoided, ZH, EN} {
		if !v.Valid() {
			t.Errorf("%v not valid", v)
		}
	}
	for _, v := range []interface{ Valid() bool }{Channel(""), Channel("003"), SubType("003"), SaleType("2"),
		CommType("000"), Status("lost"), Lang("fr")} {
		if v.Valid() {
			t.Errorf("%v valid", v)
		}
	}
	for _, f := range DTOFields {
		if FieldLabel(f, ZH) == f || FieldLabel(f, EN) == f {
			t.Errorf("field %s has no label", f)
		}
	}
}

func TestSaleTypeFor(t *testing.T) {
	tests := []struct {
		sub  SubType
		void SaleType
		want SaleType
	}{
		{SubSale, "1", "0"}, {SubRefund, "0", "1"}, {SubVoid, "1", "1"}, {SubVoid, "0", "0"},
		{SubVoid, "", "1"}, {SubVoid, "7", "1"}, {SubType("009"), "1", ""},
	}
	for _, tt := range tests {
		if got := SaleTypeFor(tt.sub, tt.void); got != tt.want {
			t.Errorf("SaleTypeFor(%s, %q) = %q, want %q", tt.sub, tt.void, got, tt.want)
		}
	}
}

func TestParseLang(t *testing.T) {
	for in, want := range map[string]Lang{"zh": ZH, "zh_CN.UTF-8": ZH, "ZH-hans": ZH, "en": EN, "en_US.UTF-8": EN,
		"fr_FR": EN, "": ZH, "C": ZH} {
		if got := ParseLang(in, ZH); got != want {
			t.Errorf("ParseLang(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestCleanReason(t *testing.T) {
	long := strings.Repeat("长", MaxReason+1)
	for _, c := range []struct {
		in, want, code string
	}{
		{"  customer\tchanged mind \x1b[31m ", "customer changed mind", ""},
		{"", "", "void_reason.required"},
		{" \x07 ", "", "void_reason.required"},
		{"card 6222021234567890128", "card 6222021234567890128", "text.card_number"},
		{"card 6222 0212 3456 7890 128 swiped twice", "card 6222 0212 3456 7890 128 swiped twice", "text.card_number"},
		{"typed twice, receipt 20261129001", "typed twice, receipt 20261129001", ""},
		{long, long, "text.too_long"},
		{long[:len(long)-3], long[:len(long)-3], ""},
	} {
		got, is := CleanReason(c.in)
		if got != c.want {
			t.Errorf("CleanReason(%q) = %q, want %q", c.in, got, c.want)
		}
		switch {
		case c.code == "" && len(is) > 0:
			t.Errorf("CleanReason(%q): %v", c.in, is)
		case c.code != "" && (!is.Has(c.code) || !is.HasErrors()):
			t.Errorf("CleanReason(%q): %v, want the error %s", c.in, is, c.code)
		}
		for _, i := range is {
			if i.Field != FieldVoidReason {
				t.Errorf("issue on %q, want %q", i.Field, FieldVoidReason)
			}
		}
	}
	_, is := CleanReason("card 6222021234567890128")
	if got := is[0].Message(EN); got != "Cancel reason holds what looks like a full card number: remove it." {
		t.Errorf("the sentence: %q", got)
	}
}
