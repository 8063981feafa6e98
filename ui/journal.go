package ui

import (
	"context"
	"fmt"
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
}

var tabs = []tabDef{
	{"tab.all", nil},
	{"tab.attention", []model.Status{model.StatusRejected}},
	{"tab.waiting", []model.Status{model.StatusPending, model.StatusUploading, model.StatusRetrying}},
	{"tab.uploaded", []model.Status{model.StatusUploaded}},
	{"tab.voided", []model.Status{model.StatusVoided}},
}

func newJournal() journal { return journal{keepOffset: -1} }

// Screen rows: 0 title, 1 uploader state, 2 counts, 3 tabs and filters, 4 column heads, then
// the orders; at the bottom the selected order in words, the message line and the key help.
const (
	jrTabsLine  = 3
	jrFirstRow  = 5
	jrChromeTop = 5
	jrChromeBot = 3
)

func (j *journal) pageRows(m *Model) int { return max(1, m.h-jrChromeTop-jrChromeBot) }

// chunk is how many rows one read brings; window is how many are kept.
func (j *journal) chunk(m *Model) int  { return max(50, 2*j.pageRows(m)) }
func (j *journal) window(m *Model) int { return 4 * j.chunk(m) }

func (j *journal) filter() model.Filter {
	f := model.Filter{Statuses: tabs[j.tab].statuses, Search: j.search}
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
func (j *journal) reload(m *Model, anchor *model.Order) tea.Cmd {
	j.gen++
	j.keepOffset = -1
	j.busy = true
	gen, f, n, jn, ctx := j.gen, j.filter(), j.chunk(m), m.d.Journal, m.ctx
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
func (j *journal) reloadAround(m *Model, id string) tea.Cmd {
	if id == "" || id == "-" {
		if o, ok := j.selected(); ok {
			id = o.OrderID
		} else {
			return j.reload(m, nil)
		}
	}
	j.gen++
	j.busy = true
	j.keepOffset = -1
	if o, ok := j.selected(); ok && o.OrderID == id {
		// the same order stays on the same screen line: a refresh must not make the list jump
		j.keepOffset = j.cur - j.top
	}
	gen, f, n, jn, ctx := j.gen, j.filter(), j.chunk(m), m.d.Journal, m.ctx
	return func() tea.Msg {
		a, err := jn.Get(ctx, id)
		if err != nil {
			rows, err := jn.List(ctx, f, model.Cursor{}, n)
			return pageMsg{gen: gen, kind: pageReset, rows: rows, limit: n, err: err}
		}
		return readAround(ctx, jn, f, a, gen, n)
	}
}

func (j *journal) loadOldest(m *Model) tea.Cmd {
	j.gen++
	j.busy = true
	gen, f, n, jn, ctx := j.gen, j.filter(), j.chunk(m), m.d.Journal, m.ctx
	return func() tea.Msg {
		rows, err := jn.ListBefore(ctx, f, oldestCursor, n)
		return pageMsg{gen: gen, kind: pageReset, rows: rows, newerLimit: n, oldest: true, err: err}
	}
}

// fill reads the next chunk when the cursor comes within a screen of the window's edge.
func (j *journal) fill(m *Model) tea.Cmd {
	j.clampView(m)
	if j.busy || !j.loaded {
		return nil
	}
	pr := j.pageRows(m)
	gen, f, n, jn, ctx := j.gen, j.filter(), j.chunk(m), m.d.Journal, m.ctx
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

func (j *journal) apply(m *Model, p pageMsg) tea.Cmd {
	if p.gen != j.gen {
		return nil
	}
	j.busy = false
	if p.err != nil {
		j.err = p.err.Error()
		m.log.Warn("journal page", "err", p.err)
		return nil
	}
	j.err = ""
	pr := j.pageRows(m)
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
		if over := len(j.rows) - j.window(m); over > 0 && j.cur-over >= pr {
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
		if over := len(j.rows) - j.window(m); over > 0 && j.cur < len(j.rows)-over-pr {
			j.rows = j.rows[:len(j.rows)-over]
			j.moreBelow = true
		}
	}
	return j.fill(m)
}

func (j *journal) clampView(m *Model) {
	pr := j.pageRows(m)
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
func (j *journal) update(o model.Order) {
	for i := range j.rows {
		if j.rows[i].OrderID == o.OrderID {
			j.rows[i] = o
			return
		}
	}
}

func (j *journal) selected() (model.Order, bool) {
	if j.cur < 0 || j.cur >= len(j.rows) {
		return model.Order{}, false
	}
	return j.rows[j.cur], true
}

func (j *journal) visible(m *Model) []model.Order {
	if j.top >= len(j.rows) {
		return nil
	}
	return j.rows[j.top:min(len(j.rows), j.top+j.pageRows(m))]
}

func (j *journal) move(m *Model, delta int) tea.Cmd {
	if len(j.rows) == 0 {
		return nil
	}
	j.cur = min(max(j.cur+delta, 0), len(j.rows)-1)
	return tea.Batch(j.fill(m), m.ensureTick())
}

func (j *journal) click(m *Model, x, y int) tea.Cmd {
	if y == jrTabsLine {
		for i, r := range j.tabRanges(m) {
			if x >= r[0] && x < r[1] && i != j.tab {
				j.tab = i
				return j.reload(m, nil)
			}
		}
		return nil
	}
	if y < jrFirstRow || y >= jrFirstRow+j.pageRows(m) {
		return nil
	}
	if i := j.top + y - jrFirstRow; i < len(j.rows) {
		j.cur = i
		return j.fill(m)
	}
	return nil
}

func (j *journal) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	pr := j.pageRows(m)
	o, ok := j.selected()
	switch {
	case key.Matches(msg, k.Up):
		return j.move(m, -1)
	case key.Matches(msg, k.Down):
		return j.move(m, 1)
	case key.Matches(msg, k.PageUp):
		j.top = max(0, j.top-pr)
		return j.move(m, -pr)
	case key.Matches(msg, k.PageDown):
		j.top += pr
		return j.move(m, pr)
	case key.Matches(msg, k.Home):
		return j.reload(m, nil)
	case key.Matches(msg, k.End):
		return j.loadOldest(m)
	case key.Matches(msg, k.Tabs):
		t := int(msg.String()[0] - '1')
		if t != j.tab {
			j.tab = t
			return j.reload(m, nil)
		}
		return nil
	case key.Matches(msg, k.NextTab):
		j.tab = (j.tab + 1) % len(tabs)
		return j.reload(m, nil)
	case key.Matches(msg, k.Day):
		v := ""
		if !j.day.IsZero() {
			v = j.day.Format("2006-01-02")
		}
		return m.openPrompt(askDay, m.t("ask.day"), v)
	case key.Matches(msg, k.Search):
		return m.openPrompt(askSearch, m.t("ask.search"), j.search)
	case key.Matches(msg, k.New):
		return m.openForm(modeNew, nil)
	case key.Matches(msg, k.Summary):
		return m.openSummary()
	case key.Matches(msg, k.Help):
		m.back, m.screen = scrJournal, scrHelp
		return nil
	case key.Matches(msg, k.Quit, k.ForceQt):
		return m.quit()
	case key.Matches(msg, k.RetryAll):
		return m.retryAll()
	}
	if !ok {
		if key.Matches(msg, k.Void, k.Refund, k.Edit, k.Cancel, k.Retry, k.Detail) {
			m.setFlash(m.t("no.sel"), true)
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Detail):
		return m.openDetail(o.OrderID)
	default:
		return m.orderAction(msg, o)
	}
}

// orderAction is what the journal and the detail screen share: the keys that act on one order.
func (m *Model) orderAction(msg tea.KeyPressMsg, o model.Order) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Void):
		if o.SubSaleType != model.SubSale {
			m.setFlash(m.t("not.sale"), true)
			return nil
		}
		return m.openForm(modeVoid, &o)
	case key.Matches(msg, k.Refund):
		if o.SubSaleType != model.SubSale {
			m.setFlash(m.t("not.sale"), true)
			return nil
		}
		return m.openForm(modeRefund, &o)
	case key.Matches(msg, k.Edit):
		if o.Status != model.StatusPending && o.Status != model.StatusRejected {
			m.setFlash(m.t("not.editable", o.OrderID), true)
			return nil
		}
		return m.openForm(modeEdit, &o)
	case key.Matches(msg, k.Cancel):
		switch o.Status {
		case model.StatusUploaded, model.StatusVoided:
			m.setFlash(m.t("not.cancelable", o.OrderID), true)
			return nil
		case model.StatusUploading:
			m.setFlash(m.t("busy", o.OrderID), true)
			return nil
		}
		cmd := m.openPrompt(askCancelReason, m.t("ask.cancel", o.OrderID), "")
		m.prompt.orderID = o.OrderID
		return cmd
	case key.Matches(msg, k.Retry):
		return m.retry(o)
	}
	return nil
}

// columns of the order table, in display order. Which ones show depends on the width: the
// most useful first (status, order, amount, type, time, channel, card, tries, error).
type column struct {
	id    string
	w     int
	right bool
}

func (j *journal) columns(m *Model) []column {
	statusW, typeW, chW := 0, 0, 0
	for _, s := range model.Statuses {
		statusW = max(statusW, termtext.Width(s.Label(m.lang)))
	}
	statusW += 4 // " 59s" countdown or spinner
	for _, s := range []model.SubType{model.SubSale, model.SubVoid, model.SubRefund} {
		typeW = max(typeW, termtext.Width(s.Label(m.lang)))
	}
	for _, c := range []model.Channel{model.ChannelQuickPass, model.ChannelBankCard} {
		chW = max(chW, termtext.Width(m.t("ch.short."+string(c))))
	}
	timeW := 11
	if m.w >= 120 {
		timeW = 19
	}
	want := map[string]column{
		"status":   {"status", statusW, false},
		"order":    {"order", 16, false},
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
		if used+1+c.w > m.w && id == "card" {
			c.w = 6 // last four only: still matches the slip
		}
		if used+1+c.w <= m.w {
			chosen[id] = c
			used += 1 + c.w
		}
	}
	if rest := m.w - used - 1; rest >= 10 {
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

func (j *journal) headLine(m *Model, cols []column) string {
	var parts []string
	for _, c := range cols {
		t := m.t("col." + c.id)
		if c.right {
			parts = append(parts, termtext.FitRight(t, c.w))
		} else {
			parts = append(parts, termtext.Fit(t, c.w))
		}
	}
	return m.st.head.Render(strings.Join(parts, " "))
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

func (m *Model) statusMark(o model.Order) string {
	switch o.Status {
	case model.StatusUploading:
		return spinFrames[m.frame%len(spinFrames)]
	case model.StatusRetrying:
		if !o.NextAttemptAt.IsZero() {
			return countdown(o.NextAttemptAt.Sub(m.now()))
		}
	}
	return ""
}

func shortErr(o model.Order) string {
	msg := termtext.Clean(o.LastMessage)
	switch {
	case msg != "":
		return msg
	case o.LastSubCode != "":
		return termtext.Clean(o.LastSubCode)
	case o.LastCode != 0:
		return fmt.Sprintf("code %d", o.LastCode)
	}
	return ""
}

func (m *Model) channelShort(c model.Channel) string {
	if _, ok := catalog["ch.short."+string(c)]; ok {
		return m.t("ch.short." + string(c))
	}
	return termtext.Clean(string(c))
}

func (j *journal) rowLine(m *Model, cols []column, o model.Order, selected bool) string {
	parts := make([]string, 0, len(cols))
	for _, c := range cols {
		var cell string
		switch c.id {
		case "status":
			label := o.Status.Label(m.lang)
			mark := m.statusMark(o)
			lw := c.w - 4
			cell = termtext.Fit(label, lw) + " " + termtext.Fit(mark, 3)
			if !selected {
				cell = m.st.status[o.Status].Render(termtext.Fit(label, lw)) + " " + termtext.Fit(mark, 3)
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
			cell = termtext.Fit(o.SubSaleType.Label(m.lang), c.w)
		case "channel":
			cell = termtext.Fit(m.channelShort(o.PaymentChannel), c.w)
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
			e := ""
			if o.Status == model.StatusRetrying || o.Status == model.StatusRejected {
				e = shortErr(o)
			}
			cell = termtext.Fit(e, c.w)
		}
		parts = append(parts, cell)
	}
	line := strings.Join(parts, " ")
	if selected {
		return m.st.sel.Render(termtext.Fit(line, m.w))
	}
	return line
}

// explain says in one line where the selected order stands and what to do about it.
func (j *journal) explain(m *Model) string {
	o, ok := j.selected()
	if !ok {
		return ""
	}
	switch o.Status {
	case model.StatusUploaded:
		when := ""
		if !o.UpdatedAt.IsZero() {
			when = " " + o.UpdatedAt.In(model.CST).Format("15:04:05")
		}
		return m.st.ok.Render(m.t("sel.uploaded", when))
	case model.StatusPending:
		if o.OriginalOrderID != "" {
			for _, r := range j.rows {
				if r.OrderID == o.OriginalOrderID && r.Status != model.StatusUploaded {
					return m.t("sel.pending") + "; " + m.t("sel.waitorig")
				}
			}
		}
		return m.t("sel.pending")
	case model.StatusUploading:
		return m.t("sel.uploading")
	case model.StatusRetrying:
		return m.st.warn.Render(m.t("sel.retrying", countdown(o.NextAttemptAt.Sub(m.now())), shortErr(o)))
	case model.StatusRejected:
		return m.st.err.Render(m.t("sel.rejected", shortErr(o)))
	case model.StatusVoided:
		return m.t("sel.voided", termtext.Clean(o.VoidReason))
	}
	return ""
}

func (j *journal) tabRanges(m *Model) [][2]int {
	var rs [][2]int
	x := 0
	for i := range tabs {
		w := termtext.Width(j.tabLabel(m, i)) + 2
		rs = append(rs, [2]int{x, x + w})
		x += w
	}
	return rs
}

func (j *journal) tabLabel(m *Model, i int) string {
	l := fmt.Sprintf("%d %s", i+1, m.t(tabs[i].key))
	if i == 1 {
		if n := m.counts[model.StatusRejected]; n > 0 {
			l += fmt.Sprintf(" %d", n)
		}
	}
	return l
}

func (j *journal) tabsLine(m *Model) string {
	var b strings.Builder
	for i := range tabs {
		l := j.tabLabel(m, i)
		if i == j.tab {
			b.WriteString(m.st.tabOn.Render("[" + l + "]"))
		} else {
			b.WriteString(" " + l + " ")
		}
	}
	// only the filters in force are shown; otherwise a hint of the keys that set them
	var fs []string
	if !j.day.IsZero() {
		fs = append(fs, m.t("filter.day")+": "+j.day.Format("2006-01-02"))
	}
	if j.search != "" {
		fs = append(fs, m.t("filter.search")+": "+j.search)
	}
	if len(fs) == 0 {
		return b.String() + " " + m.st.faint.Render(m.t("filter.hint"))
	}
	return b.String() + " " + m.st.bold.Render(termtext.Cut(strings.Join(fs, "  "), max(10, m.w-termtext.Width(b.String())-1)))
}

func (j *journal) view(m *Model) []string {
	lines := m.header()
	lines = append(lines, j.tabsLine(m))
	cols := j.columns(m)
	lines = append(lines, j.headLine(m, cols))
	pr := j.pageRows(m)
	vis := j.visible(m)
	switch {
	case j.err != "":
		lines = append(lines, m.st.err.Render(termtext.Cut(m.t("err", termtext.Clean(j.err)), m.w)))
	case !j.loaded:
		lines = append(lines, m.t("loading"))
	case len(j.rows) == 0 && (j.tab != 0 || j.search != "" || !j.day.IsZero()):
		lines = append(lines, m.t("empty.filter"))
	case len(j.rows) == 0:
		lines = append(lines, m.t("empty"))
	}
	for i, o := range vis {
		lines = append(lines, j.rowLine(m, cols, o, j.top+i == j.cur))
	}
	for len(lines) < jrChromeTop+pr {
		lines = append(lines, "")
	}
	lines = lines[:jrChromeTop+pr]
	lines = append(lines, termtext.Cut(j.explain(m), m.w))
	return append(lines, m.footer(m.keys.journalHelp())...)
}
