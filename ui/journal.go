package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"banksale/model"
	"banksale/termtext"
)

// journal is the home screen: the orders, newest first, paged from SQLite with keyset
// queries. Only a window of rows (a few screens) is held; moving near either end of the
// window reads the next chunk in a command, and rows far behind are let go, so a journal of a
// million orders costs the same memory and time as one of a hundred.
type journal struct {
	c      *common
	tab    int       // index into tabs
	day    time.Time // zero: every day
	search string

	rows                 []model.Order
	cur, top             int
	moreAbove, moreBelow bool
	busy                 bool // a page read is in flight
	gen                  int  // bumps on every reset so late pages of an old filter are dropped
	loaded               bool
	err                  string
	keepOffset           int // screen line of the cursor to keep across a refresh, -1 none
}

type tabDef struct {
	key      string
	statuses []model.Status
	// corrections: the voids and refunds and the sales they undo. "Voided" meant two things
	// (cancelled here before upload, undone by a void order): tab 5 holds the first, this one
	// the second.
	corrections bool
}

var tabs = []tabDef{
	{"tab.all", nil, false},
	{"tab.attention", []model.Status{model.StatusRejected}, false},
	{"tab.waiting", []model.Status{model.StatusPending, model.StatusUploading, model.StatusRetrying}, false},
	{"tab.uploaded", []model.Status{model.StatusUploaded}, false},
	{"tab.voided", []model.Status{model.StatusVoided}, false},
	{"tab.corrections", nil, true},
}

func newJournal(c *common) *journal { return &journal{c: c, keepOffset: -1} }

// Screen rows: 0 title, 1 uploader state, 2 counts, 3 tabs and filters, 4 column heads, then
// the orders; at the bottom the selected order in words, the message line and the key help.
const (
	jrTabsLine  = 3
	jrFirstRow  = 5
	jrChromeTop = 5
	jrChromeBot = 3
)

func (j *journal) pageRows() int { return max(1, j.c.h-jrChromeTop-jrChromeBot) }

// chunk is how many rows one read brings; window is how many are kept.
func (j *journal) chunk() int  { return max(50, 2*j.pageRows()) }
func (j *journal) window() int { return 4 * j.chunk() }

func (j *journal) filter() model.Filter {
	f := model.Filter{Statuses: tabs[j.tab].statuses, Corrections: tabs[j.tab].corrections, Search: j.search}
	if !j.day.IsZero() {
		f.From = j.day
		f.To = j.day.AddDate(0, 0, 1)
	}
	return f
}

type pageKind int

const (
	pageReset pageKind = iota
	pageBelow
	pageAbove
)

type pageMsg struct {
	gen         int
	kind        pageKind
	newer, rows []model.Order // reset: newer (above the anchor) and rows (the anchor and older)
	newerLimit  int
	limit       int
	anchor      string // order_id the cursor should land on
	oldest      bool   // reset at the oldest end (G)
	err         error
}

// oldestCursor is earlier than any trade time, so ListBefore from it reads the oldest rows.
var oldestCursor = model.Cursor{TradeTime: time.Date(1900, 1, 1, 0, 0, 0, 0, model.CST)}

// reload reads the first page of the current filter, newest first, or the page around anchor.
func (j *journal) reload(anchor *model.Order) tea.Cmd {
	j.gen++
	j.keepOffset = -1
	j.busy = true
	gen, f, n, jn, ctx := j.gen, j.filter(), j.chunk(), j.c.d.Journal, j.c.ctx
	if anchor == nil {
		return func() tea.Msg {
			rows, err := jn.List(ctx, f, model.Cursor{}, n)
			return pageMsg{gen: gen, kind: pageReset, rows: rows, limit: n, err: err}
		}
	}
	a := *anchor
	return func() tea.Msg { return readAround(ctx, jn, f, a, gen, n) }
}

// readAround reads half a chunk newer than a and a chunk from a on, so a stays selected.
func readAround(ctx context.Context, jn Journal, f model.Filter, a model.Order, gen, n int) pageMsg {
	half := max(1, n/2)
	newer, err := jn.ListBefore(ctx, f, model.CursorOf(a), half)
	if err != nil {
		return pageMsg{gen: gen, kind: pageReset, err: err}
	}
	// a cursor one id past a: List is "older than", so a itself is included
	older, err := jn.List(ctx, f, model.Cursor{TradeTime: a.TradeTime, ID: a.ID + 1}, n)
	return pageMsg{gen: gen, kind: pageReset, newer: newer, rows: older, newerLimit: half, limit: n, anchor: a.OrderID, err: err}
}

// reloadAround re-reads the page around order id (read fresh from the journal, since it may
// be new or have moved), or around the selected row when id is "" or "-".
func (j *journal) reloadAround(id string) tea.Cmd {
	if id == "" || id == "-" {
		if o, ok := j.selected(); ok {
			id = o.OrderID
		} else {
			return j.reload(nil)
		}
	}
	j.gen++
	j.busy = true
	j.keepOffset = -1
	if o, ok := j.selected(); ok && o.OrderID == id {
		// the same order stays on the same screen line: a refresh must not make the list jump
		j.keepOffset = j.cur - j.top
	}
	gen, f, n, jn, ctx := j.gen, j.filter(), j.chunk(), j.c.d.Journal, j.c.ctx
	return func() tea.Msg {
		a, err := jn.Get(ctx, id)
		if err != nil {
			rows, err := jn.List(ctx, f, model.Cursor{}, n)
			return pageMsg{gen: gen, kind: pageReset, rows: rows, limit: n, err: err}
		}
		return readAround(ctx, jn, f, a, gen, n)
	}
}

func (j *journal) loadOldest() tea.Cmd {
	j.gen++
	j.busy = true
	gen, f, n, jn, ctx := j.gen, j.filter(), j.chunk(), j.c.d.Journal, j.c.ctx
	return func() tea.Msg {
		rows, err := jn.ListBefore(ctx, f, oldestCursor, n)
		return pageMsg{gen: gen, kind: pageReset, rows: rows, newerLimit: n, oldest: true, err: err}
	}
}

// fill reads the next chunk when the cursor comes within a screen of the window's edge.
func (j *journal) fill() tea.Cmd {
	j.clampView()
	if j.busy || !j.loaded {
		return nil
	}
	pr := j.pageRows()
	gen, f, n, jn, ctx := j.gen, j.filter(), j.chunk(), j.c.d.Journal, j.c.ctx
	switch {
	case j.moreBelow && len(j.rows) > 0 && j.cur >= len(j.rows)-2*pr:
		j.busy = true
		last := model.CursorOf(j.rows[len(j.rows)-1])
		return func() tea.Msg {
			rows, err := jn.List(ctx, f, last, n)
			return pageMsg{gen: gen, kind: pageBelow, rows: rows, limit: n, err: err}
		}
	case j.moreAbove && len(j.rows) > 0 && j.cur < 2*pr:
		j.busy = true
		first := model.CursorOf(j.rows[0])
		return func() tea.Msg {
			rows, err := jn.ListBefore(ctx, f, first, n)
			return pageMsg{gen: gen, kind: pageAbove, rows: rows, limit: n, err: err}
		}
	}
	return nil
}

func (j *journal) apply(p pageMsg) tea.Cmd {
	if p.gen != j.gen {
		return nil
	}
	j.busy = false
	if p.err != nil {
		j.err = p.err.Error()
		j.c.log.Warn("journal page", "err", p.err)
		return nil
	}
	j.err = ""
	pr := j.pageRows()
	switch p.kind {
	case pageReset:
		j.loaded = true
		j.rows = append(append(make([]model.Order, 0, len(p.newer)+len(p.rows)), p.newer...), p.rows...)
		j.cur, j.top = 0, 0
		j.moreAbove = p.newerLimit > 0 && len(p.newer) >= p.newerLimit
		j.moreBelow = p.limit > 0 && len(p.rows) >= p.limit
		if p.oldest {
			j.moreAbove = len(p.rows) >= p.newerLimit
			j.moreBelow = false
			j.cur = max(0, len(j.rows)-1)
			j.top = max(0, len(j.rows)-pr)
		}
		if p.anchor != "" {
			j.cur = min(len(p.newer), max(0, len(j.rows)-1))
			for i := range j.rows {
				if j.rows[i].OrderID == p.anchor {
					j.cur = i
					break
				}
			}
			j.top = max(0, j.cur-pr/3)
			if j.keepOffset >= 0 && j.cur < len(j.rows) && j.rows[j.cur].OrderID == p.anchor {
				j.top = max(0, j.cur-j.keepOffset)
			}
		}
		j.keepOffset = -1
	case pageBelow:
		j.rows = append(j.rows, p.rows...)
		j.moreBelow = len(p.rows) >= p.limit
		if over := len(j.rows) - j.window(); over > 0 && j.cur-over >= pr {
			j.rows = append([]model.Order(nil), j.rows[over:]...)
			j.cur -= over
			j.top -= over
			j.moreAbove = true
		}
	case pageAbove:
		n := len(p.rows)
		j.rows = append(append(make([]model.Order, 0, n+len(j.rows)), p.rows...), j.rows...)
		j.cur += n
		j.top += n
		j.moreAbove = n >= p.limit
		if over := len(j.rows) - j.window(); over > 0 && j.cur < len(j.rows)-over-pr {
			j.rows = j.rows[:len(j.rows)-over]
			j.moreBelow = true
		}
	}
	return j.fill()
}

func (j *journal) clampView() {
	pr := j.pageRows()
	if len(j.rows) == 0 {
		j.cur, j.top = 0, 0
		return
	}
	j.cur = min(max(j.cur, 0), len(j.rows)-1)
	if j.cur < j.top {
		j.top = j.cur
	}
	if j.cur >= j.top+pr {
		j.top = j.cur - pr + 1
	}
	j.top = min(max(j.top, 0), max(0, len(j.rows)-1))
}

// update puts a changed order in place: the cursor stays on the same order and nothing else
// moves, so rows change live without a flicker or a jump.
// An order changed elsewhere carries no Undone (the uploader's events do not read it): the
// row keeps what it knew, and refreshRow reads it afresh when a void or refund changes.
func (j *journal) put(o model.Order) {
	for i := range j.rows {
		if j.rows[i].OrderID == o.OrderID {
			if !o.Undone.Any() {
				o.Undone = j.rows[i].Undone
			}
			j.rows[i] = o
			return
		}
	}
}

// rowMsg is an order read afresh from the journal, Undone included.
type rowMsg struct{ order model.Order }

// putFresh replaces a row with what the journal read.
func (j *journal) putFresh(o model.Order) {
	for i := range j.rows {
		if j.rows[i].OrderID == o.OrderID {
			j.rows[i] = o
			return
		}
	}
}

// refreshRow reads the order id afresh, when it is in the window.
func (j *journal) refreshRow(id string) tea.Cmd {
	if !slices.ContainsFunc(j.rows, func(o model.Order) bool { return o.OrderID == id }) {
		return nil
	}
	jn, ctx := j.c.d.Journal, j.c.ctx
	return func() tea.Msg {
		o, err := jn.Get(ctx, id)
		if err != nil {
			return nil
		}
		return rowMsg{o}
	}
}

func (j *journal) selected() (model.Order, bool) {
	if j.cur < 0 || j.cur >= len(j.rows) {
		return model.Order{}, false
	}
	return j.rows[j.cur], true
}

func (j *journal) visible() []model.Order {
	if j.top >= len(j.rows) {
		return nil
	}
	return j.rows[j.top:min(len(j.rows), j.top+j.pageRows())]
}

func (j *journal) move(delta int) tea.Cmd {
	if len(j.rows) == 0 {
		return nil
	}
	j.cur = min(max(j.cur+delta, 0), len(j.rows)-1)
	return j.fill()
}

func (j *journal) click(x, y int) tea.Cmd {
	if y == jrTabsLine {
		for i, r := range j.tabRanges() {
			if x >= r[0] && x < r[1] && i != j.tab {
				j.tab = i
				return j.reload(nil)
			}
		}
		return nil
	}
	start, n := j.rowsShown(len(j.bottomLines()))
	if y < jrFirstRow || y >= jrFirstRow+n {
		return nil
	}
	if i := start + y - jrFirstRow; i < len(j.rows) {
		j.cur = i
		return j.fill()
	}
	return nil
}

// update handles the journal's keys and mouse, its pages, and what changed elsewhere.
func (j *journal) update(msg tea.Msg) (tea.Cmd, []action) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return j.key(msg)
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			return j.move(-3), nil
		case tea.MouseWheelDown:
			return j.move(3), nil
		}
	case tea.MouseClickMsg:
		if ms := msg.Mouse(); ms.Button == tea.MouseLeft {
			return j.click(ms.X, ms.Y), nil
		}
	case tea.WindowSizeMsg:
		return j.fill(), nil
	case pageMsg:
		return j.apply(msg), nil
	case orderChanged:
		hadStatement := slices.ContainsFunc(j.rows, func(o model.Order) bool { return o.OrderID == msg.order.OrderID && len(o.Disagrees) > 0 })
		j.put(msg.order)
		var cmds []tea.Cmd
		if orig := msg.order.OriginalOrderID; orig != "" {
			// a void or refund changed: what its sale's row says of it changes too
			cmds = append(cmds, j.refreshRow(orig))
		}
		if hadStatement {
			// the event carries no comparison with the statement: read the row afresh
			cmds = append(cmds, j.refreshRow(msg.order.OrderID))
		}
		return tea.Batch(cmds...), nil
	case rowMsg:
		j.putFresh(msg.order)
	case refreshMsg:
		return j.reloadAround(msg.id), nil
	case answer:
		return j.answer(msg)
	}
	return nil, nil
}

func (j *journal) key(msg tea.KeyPressMsg) (tea.Cmd, []action) {
	k := j.c.keys
	pr := j.pageRows()
	o, ok := j.selected()
	switch {
	case key.Matches(msg, k.Up):
		return j.move(-1), nil
	case key.Matches(msg, k.Down):
		return j.move(1), nil
	case key.Matches(msg, k.PageUp):
		j.top = max(0, j.top-pr)
		return j.move(-pr), nil
	case key.Matches(msg, k.PageDown):
		j.top += pr
		return j.move(pr), nil
	case key.Matches(msg, k.Home):
		return j.reload(nil), nil
	case key.Matches(msg, k.End):
		return j.loadOldest(), nil
	case key.Matches(msg, k.Tabs):
		t := int(msg.String()[0] - '1')
		if t == 0 && !j.day.IsZero() {
			// 1 is "all": all days too, as the empty list's sentence promises
			j.tab, j.day = 0, time.Time{}
			return j.reload(nil), nil
		}
		if t != j.tab {
			j.tab = t
			return j.reload(nil), nil
		}
		return nil, nil
	case key.Matches(msg, k.Back) && (!j.day.IsZero() || j.search != ""):
		// esc takes the day and the search away, back to the whole journal
		j.day, j.search = time.Time{}, ""
		return j.reload(nil), nil
	case key.Matches(msg, k.NextTab):
		j.tab = (j.tab + 1) % len(tabs)
		return j.reload(nil), nil
	case key.Matches(msg, k.Day):
		v := ""
		if !j.day.IsZero() {
			v = j.day.Format("2006-01-02")
		}
		return nil, []action{actAsk{lineOf(askDay, j.c.t("ask.day"), v)}}
	case key.Matches(msg, k.Search):
		return nil, []action{actAsk{lineOf(askSearch, j.c.t("ask.search"), j.search)}}
	case key.Matches(msg, k.New):
		return nil, []action{actForm{mode: modeNew}}
	case key.Matches(msg, k.Summary, k.Reconcile):
		day := j.day
		if day.IsZero() {
			day = j.c.today()
		}
		if key.Matches(msg, k.Reconcile) {
			return nil, []action{actReconcile{day}}
		}
		return nil, []action{actSummary{day}}
	case key.Matches(msg, k.Help):
		return nil, []action{actHelp{"journal", j.keys()}}
	case key.Matches(msg, k.Quit, k.ForceQt):
		return nil, []action{actQuit{}}
	case key.Matches(msg, k.RetryAll):
		return retryAll(j.c)
	}
	if !ok {
		if key.Matches(msg, k.Void, k.Refund, k.Edit, k.Cancel, k.Retry, k.Detail) {
			return nil, []action{actFlash{j.c.t("no.sel"), true}}
		}
		return nil, nil
	}
	if key.Matches(msg, k.Detail) {
		return nil, []action{actDetail{o.OrderID}}
	}
	return orderKey(j.c, msg, o)
}

// answer takes the reply to a question the journal asked: a search, a day, a cancel reason.
func (j *journal) answer(a answer) (tea.Cmd, []action) {
	switch a.kind {
	case askSearch:
		if a.esc {
			if j.search == "" {
				return nil, nil
			}
			j.search = ""
			return j.reload(nil), nil
		}
		j.search = termtext.Clean(a.value)
		return j.reload(nil), nil
	case askDay:
		if a.esc {
			return nil, nil
		}
		if a.value == "" {
			j.day = time.Time{}
			return j.reload(nil), nil
		}
		day, ok := parseDay(a.value, j.c.now())
		if !ok {
			shown := a.value
			if len([]rune(shown)) > len("2026-11-26") {
				// Longer than any day: it may hold a card number typed into the wrong place,
				// which is never drawn again once entered.
				shown = "***"
			}
			return nil, []action{actFlash{j.c.t("bad.day", shown), true}}
		}
		j.day = day
		return j.reload(nil), nil
	case askCancelReason:
		return answerCancel(j.c, a), nil
	}
	return nil, nil
}

// parseDay reads a day typed for the filter: yyyy-MM-dd, MM-dd, or "today".
func parseDay(v string, now time.Time) (time.Time, bool) {
	switch strings.ToLower(v) {
	case "today", "今天", "t":
		y, mo, d := now.Date()
		return time.Date(y, mo, d, 0, 0, 0, 0, model.CST), true
	}
	if t, err := time.ParseInLocation("2006-01-02", v, model.CST); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation("01-02", v, model.CST); err == nil {
		return time.Date(now.Year(), t.Month(), t.Day(), 0, 0, 0, 0, model.CST), true
	}
	if t, err := time.ParseInLocation("20060102", v, model.CST); err == nil {
		return t, true
	}
	return time.Time{}, false
}

func (j *journal) keys() helpFor { return j.c.keys.journalHelp() }

// animating: a spinner on an uploading row, a countdown on a retrying one.
func (j *journal) animating() (spin, count bool) {
	for _, o := range j.visible() {
		switch o.Status {
		case model.StatusUploading:
			spin = true
		case model.StatusRetrying:
			count = true
		}
	}
	return spin, count
}

// columns of the order table, in display order. Which ones show depends on the width: the
// most useful first (status, order, amount, type, time, channel, card, tries, error).
type column struct {
	id    string
	w     int
	right bool
}

func (j *journal) columns() []column {
	statusW, typeW, chW := 0, 0, 0
	for _, s := range model.Statuses {
		statusW = max(statusW, termtext.Width(s.Label(j.c.lang)))
	}
	statusW += 4 // " 59s" countdown or spinner
	for _, s := range []model.SubType{model.SubSale, model.SubVoid, model.SubRefund} {
		typeW = max(typeW, termtext.Width(s.Label(j.c.lang)))
	}
	for _, k := range []string{"type.voided", "type.voiding", "type.refunded", "type.refunding", "type.partrefund"} {
		typeW = max(typeW, termtext.Width(j.c.t(k)))
	}
	for _, c := range []model.Channel{model.ChannelQuickPass, model.ChannelBankCard} {
		chW = max(chW, termtext.Width(j.c.t("ch.short."+string(c))))
	}
	timeW := 11
	if j.c.w >= 140 {
		timeW = 19 // the seconds only where the note keeps its room
	}
	want := map[string]column{
		"status":   {"status", statusW, false},
		"order":    {"order", j.orderWidth(), false},
		"time":     {"time", timeW, false},
		"type":     {"type", typeW, false},
		"channel":  {"channel", chW, false},
		"amount":   {"amount", 13, true},
		"card":     {"card", 19, false},
		"attempts": {"attempts", 3, true},
	}
	chosen := map[string]column{}
	used := -1
	for _, id := range []string{"status", "order", "amount", "type", "time", "channel", "card", "attempts"} {
		c := want[id]
		if id == "card" && j.c.w-(used+1+c.w)-5 < 30 {
			// last four only, which still matches the slip: the note (what became of a sale,
			// the last error) needs the room more than the masked card's first six digits
			c.w = 6
		}
		if used+1+c.w <= j.c.w {
			chosen[id] = c
			used += 1 + c.w
		}
	}
	if rest := j.c.w - used - 1; rest >= 8 {
		chosen["error"] = column{"error", rest, false}
	}
	var cols []column
	for _, id := range []string{"status", "order", "time", "type", "channel", "amount", "card", "attempts", "error"} {
		if c, ok := chosen[id]; ok {
			cols = append(cols, c)
		}
	}
	return cols
}

// orderWidth fits the longest order number in the window (16: store, day and sequence; a desk
// code adds up to 4), so an order number is never cut.
func (j *journal) orderWidth() int {
	w := 16
	for _, o := range j.rows {
		w = max(w, min(termtext.Width(o.OrderID), 24))
	}
	return w
}

func (j *journal) headLine(cols []column) string {
	var parts []string
	for _, c := range cols {
		t := j.c.t("col." + c.id)
		if c.right {
			parts = append(parts, termtext.FitRight(t, c.w))
		} else {
			parts = append(parts, termtext.Fit(t, c.w))
		}
	}
	return j.c.st.head.Render(strings.Join(parts, " "))
}

// countdown says how long until t, in a few ASCII cells.
func countdown(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()+0.999))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()+0.999))
	default:
		return fmt.Sprintf("%dh", int(d.Hours()+0.999))
	}
}

var spinFrames = []string{"|", "/", "-", "\\"}

func (j *journal) statusMark(o model.Order) string {
	switch o.Status {
	case model.StatusUploading:
		return spinFrames[j.c.frame%len(spinFrames)]
	case model.StatusRetrying:
		if !o.NextAttemptAt.IsZero() {
			return countdown(o.NextAttemptAt.Sub(j.c.now()))
		}
	}
	return ""
}

func (c *common) channelShort(ch model.Channel) string {
	if _, ok := catalog["ch.short."+string(ch)]; ok {
		return c.t("ch.short." + string(ch))
	}
	return termtext.Clean(string(ch))
}

func (j *journal) rowLine(cols []column, o model.Order, selected bool) string {
	parts := make([]string, 0, len(cols))
	for _, c := range cols {
		var cell string
		switch c.id {
		case "status":
			label := o.Status.Label(j.c.lang)
			mark := j.statusMark(o)
			lw := c.w - 4
			cell = termtext.Fit(label, lw) + " " + termtext.Fit(mark, 3)
			if !selected {
				cell = j.c.st.status[o.Status].Render(termtext.Fit(label, lw)) + " " + termtext.Fit(mark, 3)
			}
		case "order":
			cell = termtext.Fit(termtext.Clean(o.OrderID), c.w)
		case "time":
			if c.w >= 19 {
				cell = termtext.Fit(model.FormatTime(o.TradeTime), c.w)
			} else {
				cell = termtext.Fit(o.TradeTime.In(model.CST).Format("01-02 15:04"), c.w)
			}
		case "type":
			cell = termtext.Fit(j.c.typeLabel(o), c.w)
		case "channel":
			cell = termtext.Fit(j.c.channelShort(o.PaymentChannel), c.w)
		case "amount":
			cell = termtext.FitRight(o.TradeAmount.String(), c.w)
		case "card":
			card := termtext.Clean(o.CardNo)
			if c.w < 19 && len(card) > 4 {
				card = "**" + card[len(card)-4:]
			}
			cell = termtext.Fit(card, c.w)
		case "attempts":
			cell = termtext.FitRight(fmt.Sprint(o.Attempts), c.w)
		case "error":
			e := j.c.undoneWords(o)
			if o.OriginalOrderID != "" {
				e = j.c.t("note.of", termtext.Clean(o.OriginalOrderID))
			}
			if o.Status == model.StatusRetrying || o.Status == model.StatusRejected {
				e = j.c.lastError(o)
			}
			if len(o.Disagrees) > 0 {
				e = j.c.statementWords(o) // a typo to fix before head office sees it
			}
			cell = termtext.Fit(e, c.w)
		}
		parts = append(parts, cell)
	}
	line := strings.Join(parts, " ")
	if selected {
		return j.c.st.sel.Render(termtext.Fit(line, j.c.w))
	}
	return line
}

// explain says in one line where the selected order stands and what to do about it.
func (j *journal) explain() string {
	o, ok := j.selected()
	if !ok {
		return ""
	}
	if len(o.Disagrees) > 0 { // only orders not yet at head office are compared
		return j.c.st.warn.Render(j.c.statementWords(o) + "; " + j.c.statementTodo(o))
	}
	switch o.Status {
	case model.StatusUploaded:
		when := ""
		if !o.UpdatedAt.IsZero() {
			when = " " + o.UpdatedAt.In(model.CST).Format("15:04:05")
		}
		if u := j.c.undoneWords(o); u != "" {
			if o.Undone.Waiting() {
				u += ": " + j.c.t("sel.undonewait")
			}
			return j.c.st.ok.Render(j.c.t("sel.uploaded", when)) + "; " + u
		}
		if o.OriginalOrderID != "" {
			return j.c.st.ok.Render(j.c.t("sel.uploaded", when)) + "; " + j.c.t("note.of", termtext.Clean(o.OriginalOrderID))
		}
		return j.c.st.ok.Render(j.c.t("sel.uploaded", when))
	case model.StatusPending:
		if o.OriginalOrderID != "" {
			for _, r := range j.rows {
				if r.OrderID == o.OriginalOrderID && r.Status != model.StatusUploaded {
					return j.c.t("sel.pending") + "; " + j.c.t("sel.waitorig")
				}
			}
		}
		return j.c.t("sel.pending")
	case model.StatusUploading:
		return j.c.t("sel.uploading")
	case model.StatusRetrying:
		switch j.c.state.Mode {
		case model.ModePaused:
			return j.c.st.warn.Render(j.c.t("sel.waitpause"))
		case model.ModeUnreachable:
			return j.c.st.warn.Render(j.c.t("sel.waitunreach"))
		}
		return j.c.st.warn.Render(j.c.t("sel.retrying", countdown(o.NextAttemptAt.Sub(j.c.now())), j.c.lastError(o)))
	case model.StatusRejected:
		if o.LastClass == "duplicate" {
			return j.c.st.err.Render(j.c.t("sel.dup"))
		}
		if r := refusalOf(o); r.Field != "" {
			return j.c.st.err.Render(j.c.t("sel.rejected.field", j.c.lastError(o), j.c.label(r.Field)))
		}
		return j.c.st.err.Render(j.c.t("sel.rejected", j.c.lastError(o)))
	case model.StatusVoided:
		return j.c.t("sel.voided", termtext.Clean(o.VoidReason))
	}
	return ""
}

func (j *journal) tabRanges() [][2]int {
	var rs [][2]int
	x := 0
	for _, l := range j.tabLabels() {
		w := termtext.Width(l) + 2
		rs = append(rs, [2]int{x, x + w})
		x += w
	}
	return rs
}

func (j *journal) tabLabel(i int) string {
	l := fmt.Sprintf("%d %s", i+1, j.c.t(tabs[i].key))
	if i == 1 {
		if n := j.c.counts[model.StatusRejected]; n > 0 {
			l += fmt.Sprintf(" %d", n)
		}
	}
	return l
}

// tabLabels are the tabs as drawn: each with its name when they and the filters in force fit
// the width, else the tabs not chosen by their number alone (and the count of those needing
// attention), so the filters stay readable.
func (j *journal) tabLabels() []string {
	full := make([]string, len(tabs))
	w := 0
	for i := range tabs {
		full[i] = j.tabLabel(i)
		w += termtext.Width(full[i]) + 2
	}
	filtering := !j.day.IsZero() || j.search != ""
	if w+1+termtext.Width(j.filtersText()) <= j.c.w || (!filtering && w <= j.c.w) {
		return full // the hint of the filter keys gives way to the tabs' names
	}
	short := make([]string, len(tabs))
	for i := range tabs {
		short[i] = full[i]
		if i != j.tab {
			short[i] = fmt.Sprint(i + 1)
			if n := j.c.counts[model.StatusRejected]; i == 1 && n > 0 {
				short[i] += fmt.Sprintf(" %d", n)
			}
		}
	}
	return short
}

// filtersText is the filters in force, or the hint of the keys that set them.
func (j *journal) filtersText() string {
	var fs []string
	if !j.day.IsZero() {
		fs = append(fs, j.c.t("filter.day")+": "+j.day.Format("2006-01-02"))
	}
	if j.search != "" {
		fs = append(fs, j.c.t("filter.search")+": "+j.search)
	}
	if len(fs) == 0 {
		return j.c.t("filter.hint")
	}
	return strings.Join(fs, "  ")
}

func (j *journal) tabsLine() string {
	var b strings.Builder
	for i, l := range j.tabLabels() {
		if i == j.tab {
			b.WriteString(j.c.st.tabOn.Render("[" + l + "]"))
		} else {
			b.WriteString(" " + l + " ")
		}
	}
	room := max(10, j.c.w-termtext.Width(b.String())-1)
	if j.day.IsZero() && j.search == "" {
		if termtext.Width(j.filtersText()) > room {
			return b.String() // no room for the hint: ? lists d and / too
		}
		return b.String() + " " + j.c.st.faint.Render(j.filtersText())
	}
	return b.String() + " " + j.c.st.bold.Render(termtext.Cut(j.filtersText(), room))
}

func (j *journal) view() ([]string, *tea.Cursor) {
	lines := j.c.header()
	lines = append(lines, j.tabsLine())
	cols := j.columns()
	lines = append(lines, j.headLine(cols))
	pr := j.pageRows()
	vis := j.visible()
	switch {
	case j.err != "":
		lines = append(lines, j.c.st.err.Render(termtext.Cut(j.c.t("err", termtext.Clean(j.err)), j.c.w)))
	case !j.loaded:
		lines = append(lines, j.c.t("loading"))
	case len(j.rows) == 0 && (j.tab != 0 || j.search != "" || !j.day.IsZero()):
		lines = append(lines, j.c.t("empty.filter"))
	case len(j.rows) == 0:
		lines = append(lines, j.c.t("empty"))
	}
	bottom := j.bottomLines()
	start, n := j.rowsShown(len(bottom))
	for i, o := range vis {
		if j.top+i < start || j.top+i >= start+n {
			continue
		}
		lines = append(lines, j.rowLine(cols, o, j.top+i == j.cur))
	}
	if start > j.top {
		// the window slid to keep the cursor above a long message: draw what it shows
		for i := j.top + len(vis); i < start+n && i < len(j.rows); i++ {
			lines = append(lines, j.rowLine(cols, j.rows[i], i == j.cur))
		}
	}
	rowsEnd := jrChromeTop + pr - (len(bottom) - jrChromeBot)
	for len(lines) < rowsEnd {
		lines = append(lines, "")
	}
	lines = lines[:rowsEnd]
	return append(lines, bottom...), nil
}

// maxExplainLines is the most lines the selected order's sentence takes.
const maxExplainLines = 2

// bottomLines are the lines under the rows: the selected order in words and the message, each
// wrapped within the width, and the keys.
func (j *journal) bottomLines() []string {
	ex := wrapMax(j.explain(), j.c.w, maxExplainLines)
	return append(ex, j.c.footer(j.keys())...)
}

// rowsShown is which rows the screen shows when the bottom takes bottom lines: the page from
// top, made shorter by what a long sentence or message takes, slid down when it would hide the
// cursor. Pure: view and click both use it.
func (j *journal) rowsShown(bottom int) (start, n int) {
	n = max(1, j.pageRows()-max(0, bottom-jrChromeBot))
	start = j.top
	if j.cur >= start+n {
		start = j.cur - n + 1
	}
	return start, n
}
