package model

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MarshalDTO encodes the sale as the API's pos_bank_sale_info_dto: compact JSON, keys in the
// API table's order (DTOFields), trade_amount and pay_type_no as JSON numbers, every other
// field a JSON string, empty fields (and zero numbers and times) left out, times as TimeLayout
// in China time. It is written by hand so that the bytes are fixed: the uploader signs and
// re-sends exactly these bytes on every attempt.
//
// < > & are written as themselves, not as \u003c…: the payload is a form value, never HTML,
// and the gateway and head office should see the text as typed. U+2028/U+2029 are escaped as
// encoding/json does. It refuses what must never be sent: a card number that is not masked,
// an rback other than "00", a negative amount or line number, text that is not UTF-8.
func (s Sale) MarshalDTO() ([]byte, error) {
	if s.CardNo != "" && !IsMaskedCard(s.CardNo) && digitCount(s.CardNo) > 10 {
		return nil, errors.New("marshal DTO: card_no is not masked")
	}
	if s.Rback != "" && s.Rback != "00" {
		return nil, fmt.Errorf("marshal DTO of %s: rback may only be \"00\" or absent", safeArg(s.OrderID))
	}
	if s.TradeAmount < 0 || s.PayTypeNo < 0 {
		return nil, fmt.Errorf("marshal DTO of %s: negative trade_amount or pay_type_no", safeArg(s.OrderID))
	}
	var b strings.Builder
	b.Grow(512)
	b.WriteByte('{')
	first := true
	key := func(k string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteByte('"')
		b.WriteString(k)
		b.WriteString(`":`)
	}
	var bad string
	str := func(k, v string) {
		if v == "" {
			return
		}
		if !utf8.ValidString(v) && bad == "" {
			bad = k
		}
		key(k)
		writeJSONString(&b, v)
	}
	num := func(k string, v int64) {
		if v == 0 {
			return
		}
		key(k)
		b.WriteString(strconv.FormatInt(v, 10))
	}
	str(FieldOrderID, s.OrderID)
	str(FieldOriginalOrderID, s.OriginalOrderID)
	str(FieldSequenceNo, s.SequenceNo)
	str(FieldPaymentChannel, string(s.PaymentChannel))
	str(FieldCardNo, s.CardNo)
	str(FieldTradeTime, FormatTime(s.TradeTime))
	str(FieldSaleType, string(s.SaleType))
	str(FieldSubSaleType, string(s.SubSaleType))
	num(FieldTradeAmount, int64(s.TradeAmount))
	str(FieldBankCode, s.BankCode)
	str(FieldBankName, s.BankName)
	str(FieldTerminalNo, s.TerminalNo)
	str(FieldBankShopNo, s.BankShopNo)
	str(FieldPosTraceNo, s.PosTraceNo)
	str(FieldBatchNo, s.BatchNo)
	str(FieldTradeRefNo, s.TradeRefNo)
	num(FieldPayTypeNo, s.PayTypeNo)
	str(FieldStoreNo, s.StoreNo)
	str(FieldEncrypteSummary, s.EncrypteSummary)
	str(FieldCommunicateType, string(s.CommunicateType))
	str(FieldOperateTime, FormatTime(s.OperateTime))
	str(FieldRback, s.Rback)
	str(FieldRemark, s.Remark)
	str(FieldExtendParam, s.ExtendParam)
	str(FieldCashier, s.Cashier)
	str(FieldIP, s.IP)
	str(FieldMAC, s.MAC)
	b.WriteByte('}')
	if bad != "" {
		return nil, fmt.Errorf("marshal DTO of %s: %s is not UTF-8 text", safeArg(s.OrderID), bad)
	}
	return []byte(b.String()), nil
}

const hexDigits = "0123456789abcdef"

// writeJSONString writes v as a JSON string: quotes, backslash and control characters escaped
// (\b \f \n \r \t by name, the rest as \u00XX), U+2028/U+2029 as \u2028/\u2029, all else as is.
func writeJSONString(b *strings.Builder, v string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b.WriteString(v[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		if r == '\u2028' || r == '\u2029' {
			b.WriteString(v[start:i])
			b.WriteString(`\u202`)
			b.WriteByte(hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(v[start:])
	b.WriteByte('"')
}
