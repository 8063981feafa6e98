package model

// VoidDraft is what a void (002) of original starts with: a void undoes the whole sale on the
// same card, terminal, merchant and batch, so all of those and the amount are the sale's. The
// supervisor adds the void's own time, trace and reference numbers from its slip. The amount is
// in yuan, as a person types it (build with Rules.AmountInFen false).
func VoidDraft(original Sale) Draft {
	d := undoDraft(original, SubVoid)
	d.TradeAmount = original.TradeAmount.Yuan()
	return d
}

// RefundDraft is what a refund (006) of original starts with: the sale's card, terminal,
// merchant and batch, but no amount, because a refund is often of part of a sale and the slip
// says how much. (What is left to refund is shown beside the amount, not typed for the
// supervisor: a prefilled full amount is too easily saved by mistake.)
func RefundDraft(original Sale) Draft { return undoDraft(original, SubRefund) }

func undoDraft(s Sale, sub SubType) Draft {
	return Draft{
		SubSaleType:     string(sub),
		OriginalOrderID: s.OrderID,
		PaymentChannel:  string(s.PaymentChannel),
		CardNo:          s.CardNo,
		EncrypteSummary: s.EncrypteSummary,
		BankCode:        s.BankCode,
		TerminalNo:      s.TerminalNo,
		BankShopNo:      s.BankShopNo,
		BatchNo:         s.BatchNo,
		StoreNo:         s.StoreNo,
		CommunicateType: string(s.CommunicateType),
	}
}
