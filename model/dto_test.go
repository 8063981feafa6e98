package model

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func fullSale() Sale {
	return Sale{
		OrderID: "HZ01202611260002", OriginalOrderID: "HZ01202611260001", SequenceNo: "12345678901",
		PaymentChannel: ChannelBankCard, CardNo: "622202******7894",
		TradeTime: time.Date(2026, 11, 26, 6, 30, 39, 0, time.UTC), SaleType: SaleTypeRefund, SubSaleType: SubRefund,
		TradeAmount: 123456, BankCode: "105", BankName: "中国建设银行", TerminalNo: "12345678",
		BankShopNo: "123456789012345", PosTraceNo: "000123", BatchNo: "000001", TradeRefNo: "123456789012",
		PayTypeNo: 2, StoreNo: "HZ01", EncrypteSummary: "e2d17e02496cff307f352f973c1f7bff0bad96cf50c883776965af092614812e",
		CommunicateType: CommPhone, OperateTime: time.Date(2026, 11, 26, 15, 0, 0, 0, CST), Rback: "00",
		Remark: "顾客退货", ExtendParam: `{"k":1}`, Cashier: "zhang", IP: "10.0.0.7", MAC: "00:11:22:33:44:55",
	}
}

func TestMarshalDTOFull(t *testing.T) {
	got, err := fullSale().MarshalDTO()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"order_id":"HZ01202611260002","original_order_id":"HZ01202611260001","sequence_no":"12345678901",` +
		`"payment_channel":"002","card_no":"622202******7894","trade_time":"2026-11-26 14:30:39","sale_type":"1",` +
		`"sub_sale_type":"006","trade_amount":123456,"bank_code":"105","bank_name":"中国建设银行","terminal_no":"12345678",` +
		`"bank_shop_no":"123456789012345","pos_trace_no":"000123","batch_no":"000001","trade_ref_no":"123456789012",` +
		`"pay_type_no":2,"store_no":"HZ01","encrypte_summary":"e2d17e02496cff307f352f973c1f7bff0bad96cf50c883776965af092614812e",` +
		`"communicate_type":"002","operate_time":"2026-11-26 15:00:00","rback":"00","remark":"顾客退货",` +
		`"extend_param":"{\"k\":1}","cashier":"zhang","ip":"10.0.0.7","mac":"00:11:22:33:44:55"}`
	if string(got) != want {
		t.Errorf("MarshalDTO =\n%s\nwant\n%s", got, want)
	}
	// Every key, in the table's order.
	dec := json.NewDecoder(bytes.NewReader(got))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		_, isNum := v.(json.Number)
		if wantNum := k == FieldTradeAmount || k == FieldPayTypeNo; isNum != wantNum {
			t.Errorf("%s: number = %v", k, isNum)
		}
	}
	if strings.Join(keys, ",") != strings.Join(DTOFields, ",") {
		t.Errorf("keys %v\nwant %v", keys, DTOFields)
	}
}

func TestMarshalDTOMinimal(t *testing.T) {
	s := Sale{OrderID: "A1", SequenceNo: "1", PaymentChannel: ChannelQuickPass, SaleType: SaleTypeSale, SubSaleType: SubSale,
		TradeTime: time.Date(2026, 1, 2, 3, 4, 5, 0, CST), TradeAmount: 1, PosTraceNo: "1", TradeRefNo: "1", PayTypeNo: 1,
		StoreNo: "HZ01", OperateTime: time.Date(2026, 1, 2, 3, 4, 6, 0, CST)}
	got, err := s.MarshalDTO()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"order_id":"A1","sequence_no":"1","payment_channel":"001","trade_time":"2026-01-02 03:04:05","sale_type":"0",` +
		`"sub_sale_type":"001","trade_amount":1,"pos_trace_no":"1","trade_ref_no":"1","pay_type_no":1,"store_no":"HZ01",` +
		`"operate_time":"2026-01-02 03:04:06"}`
	if string(got) != want {
		t.Errorf("MarshalDTO =\n%s\nwant\n%s", got, want)
	}
	if got, _ := (Sale{}).MarshalDTO(); string(got) != "{}" {
		t.Errorf("empty sale = %s", got)
	}
	big := s
	big.TradeAmount, big.PayTypeNo = MaxAmount, 9223372036854775807
	got, _ = big.MarshalDTO()
	if !bytes.Contains(got, []byte(`"trade_amount":999999999999,`)) || !bytes.Contains(got, []byte(`"pay_type_no":9223372036854775807,`)) {
		t.Errorf("large numbers: %s", got)
	}
}

func TestMarshalDTOEscaping(t *testing.T) {
	tests := []struct{ remark, want string }{
		{`a"b\c`, `"a\"b\\c"`},
		{"<b>&amp;</b>", `"<b>&amp;</b>"`},
		{"line\nbreak\ttab\r\b\f", `"line\nbreak\ttab\r\b\f"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f" + `"`},
		{"\u2028\u2029", `"\u2028\u2029"`},
		{"中文 ¥€ 😀", `"中文 ¥€ 😀"`},
		{"/slash", `"/slash"`},
	}
	for _, tt := range tests {
		s := Sale{Remark: tt.remark}
		got, err := s.MarshalDTO()
		if err != nil {
			t.Fatal(err)
		}
		want := `{"remark":` + tt.want + `}`
		if string(got) != want {
			t.Errorf("remark %q: %s, want %s", tt.remark, got, want)
		}
		var back map[string]string
		if err := json.Unmarshal(got, &back); err != nil || back["remark"] != tt.remark {
			t.Errorf("remark %q does not decode back: %q %v", tt.remark, back["remark"], err)
		}
	}
}

func TestMarshalDTORefuses(t *testing.T) {
	for name, s := range map[string]Sale{
		"full card":    {CardNo: "6222021234567894"},
		"spaced card":  {CardNo: "6222 0212 3456 7894"},
		"rback":        {Rback: "01"},
		"negative":     {TradeAmount: -1},
		"negative pay": {PayTypeNo: -1},
		"not utf-8":    {Remark: "a\xffb"},
	} {
		if b, err := s.MarshalDTO(); err == nil {
			t.Errorf("%s: marshalled %s", name, b)
		}
	}
}

func TestMarshalDTOOfBuiltSaleIsStable(t *testing.T) {
	s, is := validDraft().Build(testRules())
	if is.HasErrors() {
		t.Fatal(is)
	}
	a, err := s.MarshalDTO()
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := DraftOf(s).Build(testRules())
	b, _ := s2.MarshalDTO()
	if !bytes.Equal(a, b) {
		t.Errorf("edit without change alters the payload:\n%s\n%s", a, b)
	}
	if bytes.Contains(a, []byte("6222021234567894")) {
		t.Error("full card in payload")
	}
}
