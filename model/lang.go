package model

import "strings"

// Lang is the language of the words shown to a person.
type Lang string

const (
	ZH Lang = "zh"
	EN Lang = "en"
)

// Valid reports whether l is a language banksale has words for.
func (l Lang) Valid() bool { return l == ZH || l == EN }

// ParseLang reads a config value or a locale ("zh_CN.UTF-8", "en-US", "C"): anything Chinese is
// ZH, anything else that names a language is EN; empty gives def.
func ParseLang(s string, def Lang) Lang {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		return def
	case strings.HasPrefix(s, "zh"):
		return ZH
	case s == "c" || s == "posix":
		return def
	default:
		return EN
	}
}

// Pick chooses the Chinese or the English word. Anything but EN gets Chinese: the supervisors
// this is for read Chinese, so an unset language must not leave them with English.
func (l Lang) Pick(zh, en string) string {
	if l == EN {
		return en
	}
	return zh
}

// Valid reports whether c is one of the API's payment channels.
func (c Channel) Valid() bool { return c == ChannelQuickPass || c == ChannelBankCard }

// Label is the channel's name for a person; an unknown code is shown as itself.
func (c Channel) Label(l Lang) string {
	switch c {
	case ChannelQuickPass:
		return l.Pick("云闪付", "QuickPass")
	case ChannelBankCard:
		return l.Pick("银行卡", "Bank card")
	}
	return string(c)
}

// Valid reports whether t is one of the API's sub sale types.
func (t SubType) Valid() bool { return t == SubSale || t == SubVoid || t == SubRefund }

// Label is the sub type's name for a person; an unknown code is shown as itself.
func (t SubType) Label(l Lang) string {
	switch t {
	case SubSale:
		return l.Pick("消费", "Sale")
	case SubVoid:
		return l.Pick("撤销", "Void")
	case SubRefund:
		return l.Pick("退款", "Refund")
	}
	return string(t)
}

// Valid reports whether t is one of the API's sale types.
func (t SaleType) Valid() bool { return t == SaleTypeSale || t == SaleTypeRefund }

// Label is the sale type's name for a person; an unknown code is shown as itself.
func (t SaleType) Label(l Lang) string {
	switch t {
	case SaleTypeSale:
		return l.Pick("销售", "Sale")
	case SaleTypeRefund:
		return l.Pick("退款退货", "Refund/return")
	}
	return string(t)
}

// Valid reports whether c is one of the API's communication types.
func (c CommType) Valid() bool { return c == CommNetwork || c == CommPhone }

// Label is the communication type's name for a person; an unknown code is shown as itself.
func (c CommType) Label(l Lang) string {
	switch c {
	case CommNetwork:
		return l.Pick("网线", "Network")
	case CommPhone:
		return l.Pick("电话", "Phone line")
	}
	return string(c)
}

// Valid reports whether s is one of the journal's statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Label is the status's name for a person; an unknown status is shown as itself.
func (s Status) Label(l Lang) string {
	switch s {
	case StatusPending:
		return l.Pick("待上传", "pending")
	case StatusUploading:
		return l.Pick("上传中", "uploading")
	case StatusUploaded:
		return l.Pick("已上传", "uploaded")
	case StatusRetrying:
		return l.Pick("重试中", "retrying")
	case StatusRejected:
		return l.Pick("被拒绝", "rejected")
	case StatusVoided:
		// cancelled here, never sent: not to be confused with a sale voided by a void order
		return l.Pick("已作废", "cancelled")
	}
	return string(s)
}

// SaleTypeFor is the sale_type a sub type implies: 001 → 0 and 006 → 1 by the API; the API is
// silent on voids (002), so the store's config decides (voidSaleType, "1" when unset or invalid).
func SaleTypeFor(sub SubType, voidSaleType SaleType) SaleType {
	switch sub {
	case SubSale:
		return SaleTypeSale
	case SubRefund:
		return SaleTypeRefund
	case SubVoid:
		if voidSaleType.Valid() {
			return voidSaleType
		}
		return SaleTypeRefund
	}
	return ""
}
