package ui

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
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

	// The layout, laid out once per read of the day so that a key costs what the screen shows,
	// not what the day holds (10,000 lines): base[i] is item i's row line when no row is
	// selected, every heading and row one line; the selected row's sentence comes under it.
	base      []int
	baseLines int
	nameW     int

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
		if msg.day.Equal(s.day) {
			s.apply(msg) // even when a newer read is due: a busy uploader must not keep the screen empty
		}
		if s.dirty {
			s.dirty = false
			return s.load(), nil
		}
	case refreshMsg:
		// an order was saved or looked at from here: the row to stay on is that order's, also
		// when it was a line not keyed here a moment ago
		if msg.id != "" && msg.id != "-" {
			s.keep = msg.id
		}
		return s.load(), nil
	case orderChanged:
		// an upload changes only its own day's reconciliation: another day's event reads nothing
		if t := msg.order.TradeTime.In(model.CST); t.Year() == s.day.Year() && t.YearDay() == s.day.YearDay() {
			return s.load(), nil
		}
	case tea.WindowSizeMsg:
		s.move(0) // the sentence under the selection wraps anew: keep it in view
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
	s.layout()
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
	add := func(it recItem) { // each kind has what it shows; the reconciliation was made from these very orders and lines
		needOrder, needLine := it.kind != recStatement, it.kind != recJournal
		if (it.order != nil || !needOrder) && (it.line != nil || !needLine) {
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

// head is what comes above the rows: the counts, and that all is well when it is.
func (s *reconcileScreen) head() []string {
	c, r := s.c, s.r
	out := []string{c.t("rec.counts", len(r.Matched), len(r.Differ), len(r.JournalOnly), len(r.StatementOnly))}
	if r.OK() {
		out = append(out, c.st.ok.Render(c.t("rec.ok")))
	}
	return out
}

// layout places the rows of a fresh read: their lines, and the width of the order column.
func (s *reconcileScreen) layout() {
	s.base = make([]int, len(s.items))
	line := len(s.head())
	s.nameW = 0 // the order numbers line up; a long file name gives way
	for i, it := range s.items {
		if s.startsSection(i) {
			line++
		}
		s.base[i] = line
		line++
		s.nameW = max(s.nameW, min(maxNameW, termtext.Width(termtext.Clean(it.key()))))
	}
	s.baseLines = line
}

func (s *reconcileScreen) startsSection(i int) bool {
	return i == 0 || s.items[i-1].kind != s.items[i].kind
}

// says is what the selected row means, under it: its numbers in full, then what to do.
func (s *reconcileScreen) says() []string {
	if s.cur >= len(s.items) {
		return nil
	}
	c, it := s.c, s.items[s.cur]
	var out []string
	for _, text := range []string{c.numbersLine(it), c.recSays(it)} {
		for _, l := range termtext.Wrap(text, c.w-4) {
			out = append(out, "    "+c.recStyle(it.kind)(l))
		}
	}
	return out
}

// lineOf is the line of item i's row, the selected row's sentence (extra lines) above it or not.
func (s *reconcileScreen) lineOf(i, extra int) int {
	if i > s.cur {
		return s.base[i] + extra
	}
	return s.base[i]
}

// move moves the selection by delta rows and scrolls it into view with what it says, and the
// heading above it when it starts a section (the counts too on the first row).
func (s *reconcileScreen) move(delta int) {
	if len(s.items) == 0 {
		s.cur, s.keep, s.scrollY = 0, "", 0
		return
	}
	s.cur = min(max(0, s.cur+delta), len(s.items)-1)
	s.keep = s.items[s.cur].key()
	extra := len(s.says())
	first, last := s.base[s.cur], s.base[s.cur]+extra
	switch {
	case s.cur == 0:
		first = 0
	case s.startsSection(s.cur):
		first--
	}
	bh := s.bodyHeight()
	if last-first >= bh { // the row and its sentence are taller than the screen: the row first
		s.scrollY = first
	} else {
		s.scrollY = min(s.scrollY, first)
		s.scrollY = max(s.scrollY, last-bh+1)
	}
	s.scrollY = min(max(0, s.scrollY), max(0, s.baseLines+extra-bh))
}

// body is n lines of the day's reconciliation from line from: the counts, then each section's
// rows, the selected row followed by what it means and what to do. Only those lines are drawn.
func (s *reconcileScreen) body(from, n int) []string {
	c := s.c
	var all []string
	switch {
	case s.err != "":
		all = []string{c.st.err.Render(c.t("err", termtext.Clean(s.err)))}
	case !s.loaded:
		all = []string{c.t("loading")}
	case s.lines == 0:
		all = termtext.Wrap(c.t("rec.none"), c.w)
	}
	if all != nil {
		return all[min(from, len(all)):min(len(all), from+n)]
	}
	var out []string
	emit := func(line int, text string) {
		if line >= from && len(out) < n {
			out = append(out, text)
		}
	}
	for i, l := range s.head() {
		emit(i, l)
	}
	says := s.says()
	extra := len(says)
	heads := map[recKind]string{recDiffer: "rec.differ", recJournal: "rec.journal", recStatement: "rec.statement", recMatched: "rec.matched"}
	counts := map[recKind]int{recDiffer: len(s.r.Differ), recJournal: len(s.r.JournalOnly), recStatement: len(s.r.StatementOnly), recMatched: len(s.r.Matched)}
	// the first row that can show: the last one starting at or above from
	i := max(0, sort.Search(len(s.items), func(i int) bool { return s.lineOf(i, extra) > from })-1)
	for ; i < len(s.items) && len(out) < n; i++ {
		it, line := s.items[i], s.lineOf(i, extra)
		if s.startsSection(i) {
			emit(line-1, c.st.bold.Render(termtext.Cut("[ "+c.t(heads[it.kind], counts[it.kind])+" ]", c.w)))
		}
		row := termtext.Fit(c.recRow(it, s.nameW), c.w-2)
		if i != s.cur {
			emit(line, "  "+c.recStyle(it.kind)(row))
			continue
		}
		emit(line, c.st.sel.Render("> "+row))
		for k, l := range says {
			emit(line+1+k, l)
		}
	}
	return out
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
			parts = append(parts, model.FieldLabel(p.field, c.lang)+" "+termtext.Clean(p.v))
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
	bh := s.bodyHeight()
	out := append([]string{title}, s.body(s.scrollY, bh)...)
	for len(out) < 1+bh {
		out = append(out, "")
	}
	return append(out, s.c.footer(s.keys())...), nil
}
