package model

import "testing"

func TestExplainRefusal(t *testing.T) {
	cases := []struct {
		code       int
		sub, words string
		kind       RefusalKind
		field      string
	}{
		{15, "isv.invalid-parameter", "非法参数", RefusalInvalid, ""},
		{15, "isv.invalid-parameter", "非法参数: store_no", RefusalInvalid, FieldStoreNo},
		{15, "isv.invalid-parameter:tradeRefNo", "", RefusalInvalid, FieldTradeRefNo},
		{15, "isv.invalid-parameter", "门店编号不存在: HZ10", RefusalInvalid, FieldStoreNo},
		{15, "isv.invalid-parameter", "参考号长度应为12位", RefusalInvalid, FieldTradeRefNo},
		{15, "isv.invalid-parameter", "原订单号不存在", RefusalInvalid, FieldOriginalOrderID},
		{15, "isv.invalid-parameter", "商户号与终端号不匹配", RefusalInvalid, FieldBankShopNo},
		{40, "isv.missing-parameter", "缺少参数: POS_TRACE_NO", RefusalMissing, FieldPosTraceNo},
		{41, "", "Invalid arguments: the Reference no. is too short", RefusalInvalid, FieldTradeRefNo},
		{0, "result.err_code:2001", "交易金额与原交易不符", RefusalBusiness, FieldTradeAmount},
		{15, "isv.order-id-conflict", "订单号已被其他数据占用", RefusalOther, FieldOrderID},
		{15, "isv.something", "Remote service error", RefusalOther, ""},
		// the PC's own addresses are never the named field: such words are about the network
		{11, "isv.permission-ip-whitelist-limit", "IP 203.0.113.7 不在白名单中", RefusalOther, ""},
	}
	for _, c := range cases {
		got := ExplainRefusal(c.code, c.sub, c.words)
		if got.Kind != c.kind || got.Field != c.field {
			t.Errorf("ExplainRefusal(%d, %q, %q) = %+v, want {%s %s}", c.code, c.sub, c.words, got, c.kind, c.field)
		}
	}
}

func FuzzNamedField(f *testing.F) {
	for _, s := range []string{"非法参数: store_no", "isv.invalid-parameter:tradeRefNo", "门店编号不存在", "\xff\xfe_", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := NamedField(s); got != "" {
			if _, ok := fieldIndex[got]; !ok {
				t.Fatalf("NamedField(%q) = %q, not an API field", s, got)
			}
		}
	})
}
