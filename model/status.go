package model

// The order's life, in one place. The journal's guards, the desk, the screen and the command
// line all ask these, so "which status allows what" is written once:
//
//	pending ──claim──▶ uploading ──▶ uploaded | retrying | rejected
//	retrying ──claim──▶ uploading
//	pending, retrying, rejected ──cancel──▶ voided (here, before head office has it)
//	pending, rejected ──edit──▶ pending
//	retrying, rejected ──retry──▶ retrying, due now
//
// uploaded and voided are final: an uploaded sale is corrected with a void or refund order.

// CanEdit says whether an order's content may be replaced: not while a copy may already be at
// the gateway (uploading, retrying) and never once it is there (uploaded) or cancelled.
func (s Status) CanEdit() bool { return s == StatusPending || s == StatusRejected }

// CanCancel says whether an order may be cancelled here: anything head office does not have
// yet and that is not being sent this moment.
func (s Status) CanCancel() bool {
	return s == StatusPending || s == StatusRetrying || s == StatusRejected
}

// CanRetry says whether "try again now" means anything: a failure waiting for its time, or a
// rejection a person wants resent.
func (s Status) CanRetry() bool { return s == StatusRetrying || s == StatusRejected }

// StatusesWhere lists the statuses for which ok holds, in Statuses order: what a guard
// written in SQL needs.
func StatusesWhere(ok func(Status) bool) []Status {
	var out []Status
	for _, s := range Statuses {
		if ok(s) {
			out = append(out, s)
		}
	}
	return out
}

// CanVoid says whether a void order may be started from o: only a sale is voided.
func (o Order) CanVoid() bool { return o.WhyNoVoid() == "" }

// CanRefund says whether a refund order may be started from o: only a sale is refunded.
func (o Order) CanRefund() bool { return o.WhyNoRefund() == "" }

// Why a void or refund cannot start from an order, as read from the order alone (Undone as
// the journal read it; the journal checks again when the void or refund is saved).
const (
	NoCorrectionNotSale   = "not_sale"  // only a sale is voided or refunded
	NoCorrectionCancelled = "cancelled" // cancelled here: it never reached head office
	NoCorrectionVoided    = "voided"    // a void already undoes it
	NoCorrectionRefunded  = "refunded"  // void: refunds already undo part of it; refund: all of it
)

// WhyNoVoid is why o cannot be voided ("" when it can): a void undoes a whole sale, once, and
// not one already partly refunded.
func (o Order) WhyNoVoid() string {
	if why := o.whyNoCorrection(); why != "" {
		return why
	}
	if len(o.Undone.Refunds) > 0 {
		return NoCorrectionRefunded
	}
	return ""
}

// whyNoCorrection is what stops both a void and a refund.
func (o Order) whyNoCorrection() string {
	switch {
	case o.SubSaleType != SubSale:
		return NoCorrectionNotSale
	case o.Status == StatusVoided:
		return NoCorrectionCancelled
	case o.Undone.Void != nil:
		return NoCorrectionVoided
	}
	return ""
}

// WhyNoRefund is why o cannot be refunded ("" when it can): not a voided sale, and not one
// refunded in full.
func (o Order) WhyNoRefund() string {
	if why := o.whyNoCorrection(); why != "" {
		return why
	}
	if o.FullyRefunded() {
		return NoCorrectionRefunded
	}
	return ""
}

// Duplicate-warning codes (Issue.Code) of the checks against the journal; Args[0] is the other
// order's order_id.
const (
	CodeDuplicateTrace    = "duplicate.trace"    // same bank_shop_no, terminal_no, batch_no, pos_trace_no
	CodeDuplicateRef      = "duplicate.ref"      // same trade_ref_no on the same day
	CodeDuplicateSequence = "duplicate.sequence" // same store_no, sequence_no, pay_type_no, sub_sale_type
)
