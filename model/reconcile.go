package model

import (
	"strings"
	"time"
)

// Reconciliation is a day's journal against the statement lines of that day, in the shape
// `banksale reconcile --json` writes (amounts in fen).
type Reconciliation struct {
	Day           string          `json:"day"`
	Matched       []Matched       `json:"matched"`
	Differ        []Differ        `json:"differ"`
	JournalOnly   []JournalOnly   `json:"journal_only"`
	StatementOnly []StatementOnly `json:"statement_only"`
}

// Matched is an order and the statement line that agrees with it.
type Matched struct {
	OrderID       string `json:"order_id"`
	StatementLine string `json:"statement_line"`
}

// Differ is an order matched to a statement line that disagrees with it on some fields.
type Differ struct {
	OrderID       string               `json:"order_id"`
	StatementLine string               `json:"statement_line"`
	Fields        map[string]Disagreed `json:"fields"`
}

// Disagreed is one field's two values: amounts as fen numbers, the rest as text.
type Disagreed struct {
	Journal   any `json:"journal"`
	Statement any `json:"statement"`
}

// JournalOnly is an order no statement line matches: most likely a typo in the numbers it is
// matched by.
type JournalOnly struct {
	OrderID string `json:"order_id"`
}

// StatementOnly is a statement line no order matches: a sale not keyed here, which the POS
// may have sent itself.
type StatementOnly struct {
	StatementLine string `json:"statement_line"`
	TerminalNo    string `json:"terminal_no"`
	BatchNo       string `json:"batch_no"`
	PosTraceNo    string `json:"pos_trace_no"`
	TradeRefNo    string `json:"trade_ref_no"`
	TradeAmount   int64  `json:"trade_amount"` // fen
}

// OK reports whether everything matched.
func (r Reconciliation) OK() bool {
	return len(r.Differ) == 0 && len(r.JournalOnly) == 0 && len(r.StatementOnly) == 0
}

// Reconcile matches a day's orders with the day's statement lines: on terminal, batch and trace
// number (unique within a terminal's batch), else on reference number and trade date; then
// compares amount, type (sale, void, refund) and the masked card where both have one. Orders
// cancelled here never reached the bank and are left out, as are statement lines that move no
// money (reversals).
func Reconcile(day time.Time, orders []Order, lines []StatementLine) Reconciliation {
	r := Reconciliation{Day: day.In(CST).Format("2006-01-02"),
		Matched: []Matched{}, Differ: []Differ{}, JournalOnly: []JournalOnly{}, StatementOnly: []StatementOnly{}}
	byTrace := map[string][]int{}
	byRef := map[string][]int{}
	used := make([]bool, len(orders))
	for i, o := range orders {
		if o.Status == StatusVoided {
			used[i] = true
			continue
		}
		if k := traceKey(o.TerminalNo, o.BatchNo, o.PosTraceNo); k != "" {
			byTrace[k] = append(byTrace[k], i)
		}
		if k := refKey(o.TradeRefNo, o.TradeTime); k != "" {
			byRef[k] = append(byRef[k], i)
		}
	}
	take := func(idx []int) int {
		for _, i := range idx {
			if !used[i] {
				used[i] = true
				return i
			}
		}
		return -1
	}
	for _, l := range lines {
		if l.Kind.SubType() == "" {
			continue
		}
		i := take(byTrace[traceKey(l.Terminal, l.Batch, l.Trace)])
		if i < 0 {
			i = take(byRef[refKey(l.Ref, l.TradeTime)])
		}
		if i < 0 {
			r.StatementOnly = append(r.StatementOnly, StatementOnly{StatementLine: l.Where(), TerminalNo: l.Terminal,
				BatchNo: l.Batch, PosTraceNo: l.Trace, TradeRefNo: l.Ref, TradeAmount: int64(l.Amount)})
			continue
		}
		o := orders[i]
		if fields := compare(o, l); len(fields) > 0 {
			r.Differ = append(r.Differ, Differ{OrderID: o.OrderID, StatementLine: l.Where(), Fields: fields})
		} else {
			r.Matched = append(r.Matched, Matched{OrderID: o.OrderID, StatementLine: l.Where()})
		}
	}
	for i, o := range orders {
		if !used[i] {
			r.JournalOnly = append(r.JournalOnly, JournalOnly{OrderID: o.OrderID})
		}
	}
	return r
}

func compare(o Order, l StatementLine) map[string]Disagreed {
	ds := CompareStatement(o, l)
	if len(ds) == 0 {
		return nil
	}
	f := make(map[string]Disagreed, len(ds))
	for _, d := range ds {
		f[d.Field] = Disagreed{d.Journal, d.Statement} // an Amount is written as its fen
	}
	return f
}

// traceKey and refKey are the two keys an order and its statement line share (StatementMatches
// says the rule; Reconcile indexes by them): "" when the numbers to make one are missing.
func traceKey(terminal, batch, trace string) string {
	if terminal == "" || batch == "" || trace == "" {
		return ""
	}
	return strings.Join([]string{terminal, batch, trace}, "\x00")
}

func refKey(ref string, t time.Time) string {
	if ref == "" {
		return ""
	}
	return ref + "\x00" + t.In(CST).Format("20060102")
}
