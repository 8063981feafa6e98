package model

import (
	"strconv"
	"time"
)

// Related is what the journal knows about the original sale of a void or refund; storage
// fills it inside its write transaction so that two refunds at once cannot over-refund.
type Related struct {
	OriginalInJournal bool
	Original          Sale // valid when OriginalInJournal
	OriginalStatus    Status
	Voids             []Sale // existing non-voided (status != voided) voids of the original, excluding the order being edited
	Refunds           []Sale // existing non-voided refunds of the original, excluding the order being edited
}

// voided reports whether the original is cancelled: voided in the journal, or voided at the bank.
func (rel Related) voided() bool {
	return rel.OriginalStatus == StatusVoided || len(rel.Voids) > 0
}

// Refunded is the total of the existing refunds.
func (rel Related) Refunded() Amount {
	var sum Amount
	for _, r := range rel.Refunds {
		sum += r.TradeAmount
	}
	return sum
}

// Refundable is what may still be refunded: the original's amount minus the existing refunds,
// 0 when the original is voided or not in the journal (nothing is known of it), never negative.
func (rel Related) Refundable() Amount {
	if !rel.OriginalInJournal || rel.voided() {
		return 0
	}
	return max(rel.Original.TradeAmount-rel.Refunded(), 0)
}

// ValidateRelated runs domain.md's cross-order rules for voids (002) and refunds (006). With
// the original in the journal they are errors; with only its id typed nothing can be compared,
// so a warning tells the supervisor what to check on the slip. Sales (001) have no such rules.
func ValidateRelated(s Sale, rel Related, r Rules) Issues {
	var is Issues
	switch s.SubSaleType {
	case SubVoid:
		is = validateVoid(s, rel)
	case SubRefund:
		is = validateRefund(s, rel, r)
	default:
		return nil
	}
	is.sort()
	return is
}

func validateVoid(s Sale, rel Related) Issues {
	orig := rel.Original
	id := safeArg(s.OriginalOrderID)
	if !rel.OriginalInJournal {
		return Issues{warnOn(FieldOriginalOrderID, "void.original_unknown", id)}
	}
	var is Issues
	if orig.SubSaleType != SubSale {
		// Nothing else can be compared meaningfully with something that is not a sale.
		return Issues{errorOn(FieldOriginalOrderID, "void.original_not_sale", id)}
	}
	switch {
	case rel.OriginalStatus == StatusVoided:
		is = append(is, errorOn(FieldOriginalOrderID, "void.original_voided", id))
	case len(rel.Voids) > 0:
		is = append(is, errorOn(FieldOriginalOrderID, "void.already_voided", id, safeArg(rel.Voids[0].OrderID)))
	case len(rel.Refunds) > 0:
		is = append(is, errorOn(FieldOriginalOrderID, "void.original_refunded", id))
	}
	if s.TradeAmount != orig.TradeAmount {
		is = append(is, errorOn(FieldTradeAmount, "void.amount_mismatch", orig.TradeAmount.String()))
	}
	if s.CardNo != orig.CardNo ||
		(s.EncrypteSummary != "" && orig.EncrypteSummary != "" && s.EncrypteSummary != orig.EncrypteSummary) {
		is = append(is, errorOn(FieldCardNo, "void.card_mismatch", orEmpty(orig.CardNo)))
	}
	if s.TerminalNo != orig.TerminalNo {
		is = append(is, errorOn(FieldTerminalNo, "void.terminal_mismatch", orEmpty(orig.TerminalNo)))
	}
	if s.BankShopNo != orig.BankShopNo {
		is = append(is, errorOn(FieldBankShopNo, "void.shop_mismatch", orEmpty(orig.BankShopNo)))
	}
	if s.BatchNo != orig.BatchNo {
		is = append(is, errorOn(FieldBatchNo, "void.batch_mismatch", orEmpty(orig.BatchNo)))
	}
	if !s.TradeTime.IsZero() && !orig.TradeTime.IsZero() {
		if s.TradeTime.Before(orig.TradeTime) {
			is = append(is, errorOn(FieldTradeTime, "void.before_sale", FormatTime(orig.TradeTime)))
		} else if !ClearingDay(s.TradeTime).Equal(ClearingDay(orig.TradeTime)) {
			is = append(is, errorOn(FieldTradeTime, "void.day_mismatch", ClearingDay(orig.TradeTime).Format("2006-01-02")))
		}
	}
	return is
}

func validateRefund(s Sale, rel Related, r Rules) Issues {
	orig := rel.Original
	id := safeArg(s.OriginalOrderID)
	if !rel.OriginalInJournal {
		return Issues{warnOn(FieldOriginalOrderID, "refund.original_unknown", id)}
	}
	if orig.SubSaleType != SubSale {
		return Issues{errorOn(FieldOriginalOrderID, "refund.original_not_sale", id)}
	}
	var is Issues
	if rel.voided() {
		is = append(is, errorOn(FieldOriginalOrderID, "refund.original_voided", id))
	} else if rel.Refunded()+s.TradeAmount > orig.TradeAmount {
		is = append(is, errorOn(FieldTradeAmount, "refund.exceeds", orig.TradeAmount.String(), rel.Refundable().String()))
	}
	if !s.TradeTime.IsZero() && !orig.TradeTime.IsZero() {
		days := r.refundWarnDays()
		switch {
		case s.TradeTime.Before(orig.TradeTime):
			is = append(is, errorOn(FieldTradeTime, "refund.before_sale", FormatTime(orig.TradeTime)))
		case days >= 0 && s.TradeTime.Sub(orig.TradeTime) > time.Duration(days)*24*time.Hour:
			n := strconv.Itoa(days)
			is = append(is, warnOn(FieldTradeTime, "refund.old", n))
			if s.Remark == "" {
				is = append(is, errorOn(FieldRemark, "refund.remark_required", n))
			}
		}
	}
	return is
}

// orEmpty shows an empty value as a dash in a message, so that "must match (—)" reads right.
func orEmpty(s string) string {
	if s == "" {
		return "—"
	}
	return safeArg(s)
}
