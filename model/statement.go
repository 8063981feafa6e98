package model

import (
	"fmt"
	"time"
)

// StatementKind is what a line of an acquirer's statement (对账单) records.
type StatementKind string

const (
	StatementSale     StatementKind = "sale"     // 消费
	StatementVoid     StatementKind = "void"     // 消费撤销
	StatementRefund   StatementKind = "refund"   // 退货 (成功)
	StatementReversal StatementKind = "reversal" // 冲正: the terminal undid a sale that never completed; not a sale
	StatementOther    StatementKind = "other"    // 退货中, 退货失败 and other lines that move no money now
)

// SubType is the journal's sub type a statement line corresponds to ("" for a line that is
// not a sale, a void or a refund).
func (k StatementKind) SubType() SubType {
	switch k {
	case StatementSale:
		return SubSale
	case StatementVoid:
		return SubVoid
	case StatementRefund:
		return SubRefund
	}
	return ""
}

// StatementLine is one line of an acquirer's statement as the journal keeps it: a card number
// only in its masked form.
type StatementLine struct {
	File      string // the statement file's name (its base name), which with Row keys the line
	Row       int    // 1-based line (or record) of the file
	Kind      StatementKind
	TradeTime time.Time // China time
	Amount    Amount    // fen, positive
	Channel   Channel   // "" when the statement does not say
	Merchant  string    // bank_shop_no
	Terminal  string    // terminal_no
	Batch     string    // batch_no
	Trace     string    // pos_trace_no
	Ref       string    // trade_ref_no
	Card      string    // masked: first six and last four
	OrderNo   string    // the acquirer's own order number (交易单号), for a person
}

// Where is "FILE:ROW", how a statement line is named to a person and in --json.
func (l StatementLine) Where() string { return fmt.Sprintf("%s:%d", l.File, l.Row) }

// Disagreement is a field on which an order and the statement line matched to it differ: an
// Amount for trade_amount, else the two texts.
type Disagreement struct {
	Field     string
	Journal   any
	Statement any
}

// StatementMatches reports whether a statement line is the bank's record of the order: the
// same terminal, batch and trace number (unique within a terminal's batch), or else the same
// reference number on the same day.
func StatementMatches(o Order, l StatementLine) bool {
	if k := traceKey(o.TerminalNo, o.BatchNo, o.PosTraceNo); k != "" && k == traceKey(l.Terminal, l.Batch, l.Trace) {
		return true
	}
	k := refKey(o.TradeRefNo, o.TradeTime)
	return k != "" && k == refKey(l.Ref, l.TradeTime)
}

// CompareStatement is where an order and its statement line differ, in the API's field order:
// amount, type, the masked card where both have one (first six and last four), and the
// numbers they were matched by where both have them. Nil when they agree.
func CompareStatement(o Order, l StatementLine) []Disagreement {
	var out []Disagreement
	if o.SubSaleType != l.Kind.SubType() {
		out = append(out, Disagreement{FieldSubSaleType, string(o.SubSaleType), string(l.Kind.SubType())})
	}
	if o.CardNo != "" && l.Card != "" && !sameMaskedCard(o.CardNo, l.Card) {
		out = append(out, Disagreement{FieldCardNo, o.CardNo, l.Card})
	}
	if o.TradeAmount != l.Amount {
		out = append(out, Disagreement{FieldTradeAmount, o.TradeAmount, l.Amount})
	}
	for _, p := range []struct{ field, j, s string }{
		{FieldTerminalNo, o.TerminalNo, l.Terminal}, {FieldPosTraceNo, o.PosTraceNo, l.Trace},
		{FieldBatchNo, o.BatchNo, l.Batch}, {FieldTradeRefNo, o.TradeRefNo, l.Ref},
	} {
		if p.j != "" && p.s != "" && p.j != p.s {
			out = append(out, Disagreement{p.field, p.j, p.s})
		}
	}
	return out
}

// sameMaskedCard compares two card numbers on what both show: the first six and last four.
func sameMaskedCard(a, b string) bool {
	if len(a) < 10 || len(b) < 10 {
		return true
	}
	return a[:6] == b[:6] && a[len(a)-4:] == b[len(b)-4:]
}

// Issue is the disagreement as a warning on its field, for a form that edits the order.
func (d Disagreement) Issue(line string) Issue {
	return warnOn(d.Field, "statement.differs", DisagreementText(d.Statement), line)
}

// DisagreementText is a disagreeing value for a person: an amount in yuan, a type by name.
func DisagreementText(v any) string {
	switch v := v.(type) {
	case Amount:
		return v.String()
	case string:
		return safeArg(v)
	}
	return fmt.Sprint(v)
}
