package model

import (
	"sort"
	"strings"
	"unicode"
)

// RefusalKind is what sort of refusal head office gave an order, which decides what a person
// does about it.
type RefusalKind string

const (
	// RefusalInvalid: a value head office does not accept (isv.invalid-parameter, codes 41, 43).
	RefusalInvalid RefusalKind = "invalid"
	// RefusalMissing: a value head office needs is empty (isv.missing-parameter, code 40).
	RefusalMissing RefusalKind = "missing"
	// RefusalBusiness: head office's order system refused it (result.success=false, err_code).
	RefusalBusiness RefusalKind = "business"
	// RefusalOther: any other isv.* refusal.
	RefusalOther RefusalKind = "other"
)

// Refusal is a gateway's refusal of an order read for a person: its kind and the field its
// words name ("" when they name none).
type Refusal struct {
	Kind  RefusalKind
	Field string
}

// ExplainRefusal reads a refusal from the gateway's code, sub_code and words as the journal
// keeps them (Order.LastCode, LastSubCode, LastMessage). The field is the first one the
// sub_code or the words name, by its API name (store_no, or the SDKs' storeNo) or by its label
// in either language (门店号, "Reference no."), so "非法参数: store_no" and "门店编号不存在" both
// point at the store number.
func ExplainRefusal(code int, subCode, words string) Refusal {
	r := Refusal{Kind: RefusalOther}
	sub := strings.ToLower(subCode)
	switch {
	case strings.HasPrefix(sub, "isv.missing-parameter"), code == 40:
		r.Kind = RefusalMissing
	case strings.HasPrefix(sub, "isv.invalid-parameter"), strings.HasPrefix(sub, "isv.invalid-paramete"),
		strings.HasPrefix(sub, "isv.parameter"), code == 41, code == 43:
		r.Kind = RefusalInvalid
	case strings.HasPrefix(sub, "result.err_code"):
		r.Kind = RefusalBusiness
	}
	r.Field = NamedField(subCode + "\n" + words)
	return r
}

// fieldWords are further words a gateway may use for a field, besides its API name and labels.
var fieldWords = map[string][]string{
	FieldStoreNo:         {"门店", "店铺编号", "store number", "store code"},
	FieldTerminalNo:      {"终端", "terminal"},
	FieldBankShopNo:      {"商户", "merchant"},
	FieldPosTraceNo:      {"流水号", "凭证", "trace number"},
	FieldTradeRefNo:      {"参考号", "检索参考号", "reference number"},
	FieldBatchNo:         {"批次", "batch number"},
	FieldSequenceNo:      {"小票", "receipt number"},
	FieldOriginalOrderID: {"原订单", "原交易", "original order"},
	FieldTradeAmount:     {"金额", "amount"},
	FieldTradeTime:       {"交易时间", "trade time"},
	FieldCardNo:          {"卡号", "card number"},
	FieldBankCode:        {"银行编码", "银行代码", "bank code"},
	FieldPayTypeNo:       {"付款行", "支付行", "tender"},
	FieldPaymentChannel:  {"支付渠道", "支付方式", "channel"},
	FieldSubSaleType:     {"交易类型", "transaction type"},
}

// fieldPhrases are the words that name each field, longest first, lower-cased.
var fieldPhrases = func() []struct{ phrase, field string } {
	var out []struct{ phrase, field string }
	add := func(p, f string) {
		p = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(p), "."))
		if len([]rune(p)) >= 2 {
			out = append(out, struct{ phrase, field string }{p, f})
		}
	}
	for f, l := range fieldLabels {
		if f == FieldVoidReason || f == FieldIP || f == FieldMAC {
			continue // not sent, or the PC's own: a refusal naming them is about something else
		}
		add(l[0], f)
		add(l[1], f)
	}
	for f, ws := range fieldWords {
		for _, w := range ws {
			add(w, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].phrase) > len(out[j].phrase) })
	return out
}()

// NamedField is the API field the text names first: by its API name as a whole word, in
// snake or camel case, or else by one of its names for a person. "" when it names none.
func NamedField(text string) string {
	best, at := "", len(text)+1
	// API names: whole words of letters, digits and underscores.
	start := -1
	for i, r := range text + " " {
		word := r == '_' || r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			if f := apiName(text[start:i]); f != "" && start < at {
				best, at = f, start
			}
			start = -1
		}
	}
	if best != "" {
		return best
	}
	low := strings.ToLower(text)
	for _, p := range fieldPhrases {
		if i := strings.Index(low, p.phrase); i >= 0 && i < at {
			best, at = p.field, i
		}
	}
	return best
}

// apiName is the API field a word is, in snake case (store_no) or camel case (storeNo).
func apiName(w string) string {
	if s := strings.ToLower(w); fieldIndex[s] > 0 || s == FieldOrderID {
		if s != FieldIP && s != FieldMAC {
			return s
		}
	}
	var b strings.Builder
	for i, r := range w {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	s := b.String()
	if _, ok := fieldIndex[s]; ok && s != FieldIP && s != FieldMAC {
		return s
	}
	return ""
}

// RefusedField is the issue an edit form shows on the field head office refused while it still
// holds the refused value: a warning, as head office may have changed its mind (a store added
// to its list), but one that says a resend as is will most likely be refused again.
func RefusedField(field string) Issue { return warnOn(field, "gateway.refused") }
