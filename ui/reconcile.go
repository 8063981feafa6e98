package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"banksale/model"
	"banksale/termtext"
)

// reconcileScreen is a day's journal against the acquirer's imported statement, one row per
// statement line or order, grouped by what needs doing: orders that differ from their line (a
// typo to fix, or to correct with a void or refund), orders the statement lacks, lines not keyed
// here, and what agrees. The selected row says what to do about it, and enter does it: an
// order's detail opens, a line not keyed here opens the entry form filled from it. `banksale
// reconcile` says the same on the command line.
type reconcileScreen struct {
	c       *common
	day     time.Time
	r       model.Reconciliation
	items   []recItem
	lines   int // statement lines of the day
	loaded  bool
	err     string
	cur     int    // the selected item
	keep    string // the selected item's key, kept across a reload
	scrollY int

	loading, dirty bool // a reload asked for while one runs waits for it, once
}

// recKind is the state of a row: the order of the sections on the screen.
type recKind int

const (
	recDiffer    recKind = iota // matched, and differs on some fields
	recJournal                  // an order no statement line matches
	recStatement                // a line no order matches: not keyed here
	recMatched                  // matched and agrees
)

// recItem is one row: an order, its statement line, or both.
type recItem struct {
	kind   recKind
	order  *model.Order         // nil on a line not keyed here
	line   *model.StatementLine // nil on an order the statement lacks
	fields map[string]model.Disagreed
}

// key names the row across reloads: its order, else its statement line.
func (it recItem) key() string {
	if it.order != nil {
		return it.order.OrderID
	}
	return it.line.Where()
}

type reconcileMsg struct {
	day    time.Time
	r      model.Reconciliation
	lines  []model.StatementLine
	orders []model.Order
	err    error
}

func newReconcile(c *common, day time.Time) (*reconcileScreen, tea.Cmd) {
	s := &reconcileScreen{c: c, day: day}
	return s, s.load()
}

// load reads the day again, or notes that it must once the read under way is in.
func (s *reconcileScreen) load() tea.Cmd {
	if s.loading {
		s.dirty = true
		return nil
	}
	s.loading = true
	j, ctx, day := s.c.d.Journal, s.c.ctx, s.day
	return func() tea.Msg {
		lines, err := j.StatementDay(ctx, day)
		if err != nil {
			return reconcileMsg{day: day, err: err}
		}
		orders, err := j.DayOrders(ctx, day)
		if err != nil {
			return reconcileMsg{day: day, err: err}
		}
		return reconcileMsg{day: day, r: model.Reconcile(day, orders, lines), lines: lines, orders: orders}
	}
}

func (s *reconcileScreen) update(msg tea.Msg) (tea.Cmd, []action) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return s.key(msg)
	case reconcileMsg:
		s.loading = false
		if s.dirty {
			s.dirty = false
			return s.load(), nil
		}
		if msg.day.Equal(s.day) {
			s.apply(msg)
		}
	case refreshMsg:
		// an order was saved or looked at from here: the row to stay on is that order's, also
		// when it was a line not keyed here a moment ago
		if msg.id != "" && msg.id != "-" {
			s.keep = msg.id
		}
		return s.load(), nil
	case orderChanged:
		return s.load(), nil
	}
	return nil, nil
}

// apply takes in a read of the day, keeping the selected row where it still is.
func (s *reconcileScreen) apply(msg reconcileMsg) {
	s.err = ""
	if msg.err != nil {
		s.err, s.loaded = msg.err.Error(), false
		return
	}
	s.r, s.lines, s.loaded = msg.r, len(msg.lines), true
	s.items = recItems(msg.r, msg.lines, msg.orders)
	// the same row if it is still there, else the row now where it was
	for i, it := range s.items {
		if it.key() == s.keep {
			s.cur = i
			break
		}
	}
	s.move(0)
}

// recItems puts the reconciliation's rows in the order of the screen's sections.
func recItems(r model.Reconciliation, lines []model.StatementLine, orders []model.Order) []recItem {
	lineAt := make(map[string]*model.StatementLine, len(lines))
	for i := range lines {
		lineAt[lines[i].Where()] = &lines[i]
	}
	orderOf := make(map[string]*model.Order, len(orders))
	for i := range orders {
		orderOf[orders[i].OrderID] = &orders[i]
	}
	var items []recItem
	add := func(it recItem) {
		if it.order != nil || it.line != nil {
			items = append(items, it)
		}
	}
	for _, d := range r.Differ {
		add(recItem{kind: recDiffer, order: orderOf[d.OrderID], line: lineAt[d.StatementLine], fields: d.Fields})
	}
	for _, j := range r.JournalOnly {
		add(recItem{kind: recJournal, order: orderOf[j.OrderID]})
	}
	for _, l := range r.StatementOnly {
		add(recItem{kind: recStatement, line: lineAt[l.StatementLine]})
	}
	for _, m := range r.Matched {
		add(recItem{kind: recMatched, order: orderOf[m.OrderID], line: lineAt[m.StatementLine]})
	}
	// each section reads through the day, as the statement does
	slices.SortStableFunc(items, func(a, b recItem) int {
		if a.kind != b.kind {
			return cmp.Compare(a.kind, b.kind)
		}
		return a.when().Compare(b.when())
	})
	return items
}

// maxNameW is the widest an order number or statement line is given on a row: an order number
// with a desk code (20).
const maxNameW = 20

func (s *reconcileScreen) key(msg tea.KeyPressMsg) (tea.Cmd, []action) {
	k := s.c.keys
	switch {
	case key.Matches(msg, k.Back, k.Quit):
		return nil, []action{actBack{}}
	case key.Matches(msg, k.ForceQt):
		return nil, []action{actQuit{}}
	case key.Matches(msg, k.Help):
		return nil, []action{actHelp{"reconcile", s.keys()}}
	case key.Matches(msg, k.Up):
		s.move(-1)
	case key.Matches(msg, k.Down):
		s.move(1)
	case key.Matches(msg, k.PageUp):
		s.move(-s.bodyHeight())
	case key.Matches(msg, k.PageDown):
		s.move(s.bodyHeight())
	case key.Matches(msg, k.Home):
		s.move(-len(s.items))
	case key.Matches(msg, k.End):
		s.move(len(s.items))
	case key.Matches(msg, k.Open):
		return nil, s.open()
	default:
		day, ok := s.c.stepDay(msg, s.day)
		if !ok {
			return nil, nil
		}
		s.day, s.loaded, s.items, s.cur, s.keep, s.scrollY = day, false, nil, 0, "", 0
		return s.load(), nil
	}
	return nil, nil
}

// open is enter on a row: an order opens its detail (to correct it from there); a line not
// keyed here opens the entry form filled from it.
func (s *reconcileScreen) open() []action {
	if !s.loaded || s.cur >= len(s.items) {
		return nil
	}
	it := s.items[s.cur]
	if it.order != nil {
		return []action{actDetail{it.order.OrderID}}
	}
	l := *it.line
	return []action{actForm{mode: modeNew, line: &l}}
}

func (s *reconcileScreen) keys() helpFor { return s.c.keys.reconcileHelp() }

func (s *reconcileScreen) bodyHeight() int { return max(1, s.c.h-1-len(s.c.footer(s.keys()))) }

// move moves the selection by delta rows and scrolls it into view with what it says.
func (s *reconcileScreen) move(delta int) {
	if len(s.items) == 0 {
		s.cur, s.keep, s.scrollY = 0, "", 0
		return
	}
	s.cur = min(max(0, s.cur+delta), len(s.items)-1)
	s.keep = s.items[s.cur].key()
	body, first, last := s.body()
	bh := s.bodyHeight()
	if last-first >= bh { // the row and its sentence are taller than the screen: the row first
		s.scrollY = first
	} else {
		s.scrollY = min(s.scrollY, first)
		s.scrollY = max(s.scrollY, last-bh+1)
	}
	s.scrollY = min(max(0, s.scrollY), max(0, len(body)-bh))
}

// body is the day's reconciliation: the counts, then each section's rows, the selected row
// followed by what it means and what to do. first and last are the lines that must show for
// the selected row: it, what it says, and the heading above when it starts a section.
func (s *reconcileScreen) body() (out []string, first, last int) {
	c := s.c
	switch {
	case s.err != "":
		return []string{c.st.err.Render(c.t("err", termtext.Clean(s.err)))}, 0, 0
	case !s.loaded:
		return []string{c.t("loading")}, 0, 0
	case s.lines == 0:
		return termtext.Wrap(c.t("rec.none"), c.w), 0, 0
	}
	r := s.r
	out = append(out, c.t("rec.counts", len(r.Matched), len(r.Differ), len(r.JournalOnly), len(r.StatementOnly)))
	if r.OK() {
		out = append(out, c.st.ok.Render(c.t("rec.ok")))
	}
	heads := map[recKind]string{recDiffer: "rec.differ", recJournal: "rec.journal", recStatement: "rec.statement", recMatched: "rec.matched"}
	counts := map[recKind]int{recDiffer: len(r.Differ), recJournal: len(r.JournalOnly), recStatement: len(r.StatementOnly), recMatched: len(r.Matched)}
	nameW := 0 // the order numbers line up; a long file name gives way
	for _, it := range s.items {
		nameW = max(nameW, min(maxNameW, termtext.Width(termtext.Clean(it.key()))))
	}
	for i, it := range s.items {
		if i == 0 || s.items[i-1].kind != it.kind {
			out = append(out, c.st.bold.Render(termtext.Cut("[ "+c.t(heads[it.kind], counts[it.kind])+" ]", c.w)))
		}
		row := termtext.Fit(c.recRow(it, nameW), c.w-2)
		if i != s.cur {
			out = append(out, "  "+c.recStyle(it.kind)(row))
			continue
		}
		first = len(out)
		switch {
		case i == 0:
			first = 0 // the counts and the first heading come into view with the first row
		case s.items[i-1].kind != it.kind:
			first-- // its section's heading with it
		}
		out = append(out, c.st.sel.Render("> "+row))
		says := termtext.Wrap(c.numbersLine(it), c.w-4)
		says = append(says, termtext.Wrap(c.recSays(it), c.w-4)...)
		for _, l := range says {
			out = append(out, "    "+c.recStyle(it.kind)(l))
		}
		last = len(out) - 1
	}
	return out, first, last
}

func (c *common) recStyle(k recKind) func(...string) string {
	switch k {
	case recDiffer, recJournal:
		return c.st.warn.Render
	case recStatement:
		return c.st.faint.Render
	}
	return c.st.ok.Render
}

// recRow is a row's one line: time, type, amount, the order number (or, for a line not keyed
// here, the statement line), reference, trace and terminal, cut at the width; the selected row
// says every number in full under it. An order's own values are shown where there is one
// (what differs is said under it).
func (c *common) recRow(it recItem, nameW int) string {
	when, kind, amount, name := it.when(), "", model.Amount(0), ""
	var ref, trace, terminal string
	if o := it.order; o != nil {
		kind, amount, name, ref, trace, terminal = o.SubSaleType.Label(c.lang), o.TradeAmount, o.OrderID, o.TradeRefNo, o.PosTraceNo, o.TerminalNo
	} else {
		l := it.line
		kind, amount, name, ref, trace, terminal = l.Kind.SubType().Label(c.lang), l.Amount, l.Where(), l.Ref, l.Trace, l.Terminal
	}
	return fmt.Sprintf("%s %s %11s %s %s %s %s", when.In(model.CST).Format("15:04"), termtext.Fit(kind, 6), amount.String(),
		termtext.Fit(termtext.Clean(name), nameW), orDash(termtext.Clean(ref)), orDash(termtext.Clean(trace)), orDash(termtext.Clean(terminal)))
}

// when is the row's trade time: the order's, else its line's.
func (it recItem) when() time.Time {
	if it.order != nil {
		return it.order.TradeTime
	}
	return it.line.TradeTime
}

// numbersLine is every number of the selected row in full, as on the slip (the order's, or
// the line's when no order matches).
func (c *common) numbersLine(it recItem) string {
	var terminal, batch, trace, ref, card string
	if o := it.order; o != nil {
		terminal, batch, trace, ref, card = o.TerminalNo, o.BatchNo, o.PosTraceNo, o.TradeRefNo, o.CardNo
	} else {
		l := it.line
		terminal, batch, trace, ref, card = l.Terminal, l.Batch, l.Trace, l.Ref, l.Card
	}
	parts := []string{}
	for _, p := range []struct{ field, v string }{{model.FieldTerminalNo, terminal}, {model.FieldBatchNo, batch},
		{model.FieldPosTraceNo, trace}, {model.FieldTradeRefNo, ref}, {model.FieldCardNo, card}} {
		if p.v != "" {
			parts = append(parts, c.label(p.field)+" "+termtext.Clean(p.v))
		}
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// recSays is what the selected row means and what to do about it.
func (c *common) recSays(it recItem) string {
	switch it.kind {
	case recDiffer:
		var parts []string
		for _, field := range model.DTOFields {
			if v, ok := it.fields[field]; ok {
				parts = append(parts, c.t("statement.field", model.FieldLabel(field, c.lang), model.DisagreementText(v.Statement), model.DisagreementText(v.Journal)))
			}
		}
		todo := "rec.differ.todo"
		if it.order.Status == model.StatusUploaded || it.order.Status == model.StatusUploading {
			todo = "rec.differ.undo"
		}
		return c.t("rec.differ.says", termtext.Clean(it.line.Where()), strings.Join(parts, "; ")) + " " + c.t(todo)
	case recJournal:
		return c.t("rec.journal.says")
	case recStatement:
		return c.t("rec.statement.says")
	}
	return c.t("rec.matched.says", termtext.Clean(it.line.Where()))
}

func (s *reconcileScreen) view() ([]string, *tea.Cursor) {
	title := s.c.st.title.Render(s.c.t("rec.title", s.day.Format("2006-01-02"))) + "  " + s.c.st.faint.Render(weekday(s.c.lang, s.day))
	body, _, _ := s.body()
	bh := s.bodyHeight()
	vis := body[min(s.scrollY, len(body)):min(len(body), s.scrollY+bh)]
	out := append([]string{title}, vis...)
	for len(out) < 1+bh {
		out = append(out, "")
	}
	return append(out, s.c.footer(s.keys())...), nil
}
