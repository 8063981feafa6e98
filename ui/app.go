package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"banksale/model"
	"banksale/termtext"
)

// The smallest terminal the screens are laid out for.
const (
	minWidth  = 80
	minHeight = 24
)

type screen int

const (
	scrJournal screen = iota
	scrForm
	scrDetail
	scrSummary
	scrHelp
)

// Run runs the screen on the terminal until the supervisor quits (q) or ctx ends.
func Run(ctx context.Context, d Deps) error {
	m := New(ctx, d)
	defer m.Close()
	p := tea.NewProgram(m, tea.WithContext(ctx))
	_, err := p.Run()
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("ui: %w", err)
	}
	if ctx.Err() != nil {
		return nil
	}
	return nil
}

// Model is the root model: it owns the header, the modal line prompts and which screen shows.
type Model struct {
	ctx  context.Context
	d    Deps
	lang model.Lang
	log  *slog.Logger
	now  func() time.Time

	w, h   int
	st     styles
	keys   keyMap
	help   help.Model
	screen screen
	back   screen // where help returns to

	jr   journal
	form *form
	det  *detail
	sum  *summary

	state  model.UploadState
	counts map[model.Status]int
	events <-chan model.Event
	unsub  func()

	countsBusy, countsDirty bool
	tickPending             bool
	frame                   int

	flash    string
	flashBad bool
	prompt   *prompt

	// for tests, which drive time and the uploader's events themselves
	noTick, manualEvents bool
}

// promptKind says what a one-line question at the bottom of the journal is for.
type promptKind int

const (
	askQuit promptKind = iota + 1
	askCancelReason
	askSearch
	askDay
	askDiscard
)

type prompt struct {
	kind    promptKind
	orderID string
	label   string
	in      textinput.Model
	yesNo   bool
}

// New builds the root model. Close releases its subscription to the uploader.
func New(ctx context.Context, d Deps) *Model {
	if d.Lang != model.ZH {
		d.Lang = model.EN
	}
	if d.Log == nil {
		d.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	m := &Model{
		ctx:    ctx,
		d:      d,
		lang:   d.Lang,
		log:    d.Log,
		now:    func() time.Time { return d.Now().In(model.CST) },
		w:      minWidth,
		h:      minHeight,
		st:     newStyles(),
		keys:   newKeys(d.Lang),
		help:   help.New(),
		counts: map[model.Status]int{},
	}
	// ASCII separators: "•" and "…" are drawn two cells wide by some CJK terminals.
	m.help.ShortSeparator = "  "
	m.help.Ellipsis = "~"
	m.help.FullSeparator = "   "
	m.jr = newJournal()
	if d.Uploader != nil {
		m.state = d.Uploader.State()
		m.events, m.unsub = d.Uploader.Subscribe()
	}
	return m
}

// Close stops listening to the uploader.
func (m *Model) Close() {
	if m.unsub != nil {
		m.unsub()
		m.unsub = nil
	}
}

func (m *Model) t(key string, args ...any) string { return tr(m.lang, key, args...) }

// Messages. Every one carries what the command read; Update only copies it into the model.
type (
	eventMsg     struct{ ev model.Event }
	eventsClosed struct{}
	countsMsg    struct {
		counts map[model.Status]int
		err    error
	}
	tickMsg  struct{}
	flashMsg struct {
		text string
		bad  bool
	}
	actionMsg struct { // the answer to retry / cancel / retry-all
		text    string
		bad     bool
		orderID string // reload around it
	}
)

// Init starts listening to the uploader, loads the first page and the counts.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.waitEvent(), m.jr.reload(m, nil), m.loadCounts(), m.ensureTick())
}

func (m *Model) waitEvent() tea.Cmd {
	ch := m.events
	if ch == nil || m.manualEvents {
		return nil
	}
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return eventsClosed{}
		}
		return eventMsg{ev}
	}
}

func (m *Model) loadCounts() tea.Cmd {
	if m.countsBusy {
		m.countsDirty = true
		return nil
	}
	m.countsBusy = true
	j, ctx := m.d.Journal, m.ctx
	return func() tea.Msg {
		c, err := j.Counts(ctx)
		return countsMsg{c, err}
	}
}

// animating says whether anything on screen moves with time: a spinner on an uploading
// row, a countdown on a retrying one, or the ban's end.
func (m *Model) animating() (spin, count bool) {
	if m.state.Mode == model.ModeUploading || m.state.InFlight > 0 {
		spin = true
	}
	if m.state.Mode == model.ModeBanned {
		count = true
	}
	if m.screen != scrJournal {
		return spin, count
	}
	for _, o := range m.jr.visible(m) {
		switch o.Status {
		case model.StatusUploading:
			spin = true
		case model.StatusRetrying:
			count = true
		}
	}
	return spin, count
}

// A spinner turns four times a second; countdowns only need a second. Nothing moving, no tick.
const (
	spinEvery  = 250 * time.Millisecond
	countEvery = time.Second
)

func (m *Model) ensureTick() tea.Cmd {
	if m.tickPending || m.noTick {
		return nil
	}
	spin, count := m.animating()
	every := countEvery
	switch {
	case spin:
		every = spinEvery
	case !count:
		return nil
	}
	m.tickPending = true
	return tea.Tick(every, func(time.Time) tea.Msg { return tickMsg{} })
}

func (m *Model) setFlash(text string, bad bool) {
	m.flash, m.flashBad = termtext.Clean(text), bad
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.help.SetWidth(m.w)
		if m.form != nil {
			m.form.layout(m)
		}
		return m, m.jr.fill(m)
	case eventMsg:
		cmds := []tea.Cmd{m.waitEvent()}
		if msg.ev.Order == nil {
			prev := m.state.Mode
			m.state = msg.ev.State
			if prev != m.state.Mode && m.state.Mode == model.ModeIdle && m.screen == scrJournal && !m.jr.busy {
				// The uploader went quiet: re-read the rows on screen, so that an order
				// whose event was coalesced away can never stay drawn in an old state.
				cmds = append(cmds, m.jr.reloadAround(m, ""), m.loadCounts())
			}
		}
		if o := msg.ev.Order; o != nil {
			m.jr.update(*o)
			if m.det != nil && m.det.order.OrderID == o.OrderID {
				cmds = append(cmds, m.det.load(m, o.OrderID))
			}
			cmds = append(cmds, m.loadCounts())
		}
		if m.screen == scrSummary && m.sum != nil {
			// the summary's status counts move with uploads too
			if msg.ev.Order != nil {
				cmds = append(cmds, m.sum.load(m))
			}
		}
		cmds = append(cmds, m.ensureTick())
		return m, tea.Batch(cmds...)
	case eventsClosed:
		m.events = nil
		return m, nil
	case countsMsg:
		m.countsBusy = false
		if msg.err != nil {
			m.log.Warn("counts", "err", msg.err)
		} else {
			m.counts = msg.counts
		}
		if m.countsDirty {
			m.countsDirty = false
			return m, m.loadCounts()
		}
		return m, nil
	case tickMsg:
		m.tickPending = false
		m.frame++
		return m, m.ensureTick()
	case flashMsg:
		m.setFlash(msg.text, msg.bad)
		return m, nil
	case actionMsg:
		m.setFlash(msg.text, msg.bad)
		cmds := []tea.Cmd{m.loadCounts()}
		if msg.orderID != "" {
			cmds = append(cmds, m.jr.reloadAround(m, msg.orderID))
			if m.det != nil && m.screen == scrDetail {
				cmds = append(cmds, m.det.load(m, m.det.order.OrderID))
			}
		}
		if m.d.Uploader != nil {
			m.state = m.d.Uploader.State()
		}
		cmds = append(cmds, m.ensureTick())
		return m, tea.Batch(cmds...)
	case pageMsg:
		return m, tea.Batch(m.jr.apply(m, msg), m.ensureTick())
	case formMsg:
		if m.form != nil {
			return m, m.form.handle(m, msg)
		}
		return m, nil
	case detailMsg:
		if m.det != nil {
			m.det.apply(msg)
		}
		return m, nil
	case summaryMsg:
		if m.sum != nil {
			m.sum.apply(msg)
		}
		return m, nil
	case tea.MouseMsg:
		return m, m.mouse(msg)
	case tea.PasteMsg:
		if m.prompt != nil && !m.prompt.yesNo {
			var cmd tea.Cmd
			m.prompt.in, cmd = m.prompt.in.Update(msg)
			return m, cmd
		}
		if m.screen == scrForm && m.form != nil {
			return m, m.form.key(m, msg)
		}
		return m, nil
	case tea.KeyPressMsg:
		return m, m.keyPress(msg)
	}
	return m, nil
}

func (m *Model) keyPress(msg tea.KeyPressMsg) tea.Cmd {
	if m.prompt != nil {
		return m.promptKey(msg)
	}
	m.flash = ""
	switch m.screen {
	case scrForm:
		return m.form.key(m, msg)
	case scrDetail:
		return m.det.key(m, msg)
	case scrSummary:
		return m.sum.key(m, msg)
	case scrHelp:
		if key.Matches(msg, m.keys.Back, m.keys.Help, m.keys.Quit) {
			m.screen = m.back
			return m.ensureTick()
		}
		if key.Matches(msg, m.keys.ForceQt) {
			return m.quit()
		}
		return nil
	}
	return m.jr.key(m, msg)
}

// quit asks first when orders are still on their way.
func (m *Model) quit() tea.Cmd {
	up := m.counts[model.StatusUploading]
	if m.state.InFlight > up {
		up = m.state.InFlight
	}
	waiting := m.counts[model.StatusPending] + m.counts[model.StatusRetrying]
	switch {
	case up > 0:
		m.prompt = &prompt{kind: askQuit, yesNo: true, label: m.t("ask.quit", up)}
	case waiting > 0 && m.d.Uploader != nil:
		m.prompt = &prompt{kind: askQuit, yesNo: true, label: m.t("ask.quitwait", waiting)}
	default:
		return tea.Quit
	}
	return nil
}

func (m *Model) openPrompt(kind promptKind, label, value string) tea.Cmd {
	in := textinput.New()
	in.Prompt = ""
	in.SetVirtualCursor(false)
	in.CharLimit = 64
	in.SetWidth(max(10, m.w-termtext.Width(label)-2))
	in.SetValue(value)
	in.CursorEnd()
	m.prompt = &prompt{kind: kind, label: label, in: in}
	return m.prompt.in.Focus()
}

func (m *Model) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	p := m.prompt
	if p.yesNo {
		switch strings.ToLower(msg.String()) {
		case "y", "enter":
			m.prompt = nil
			if p.kind == askQuit {
				return tea.Quit
			}
			if p.kind == askDiscard && m.form != nil {
				m.closeForm()
			}
		case "n", "esc", "q":
			m.prompt = nil
		case "ctrl+c":
			if p.kind == askQuit {
				return tea.Quit
			}
			m.prompt = nil
		}
		return nil
	}
	switch msg.String() {
	case "esc":
		m.prompt = nil
		if p.kind == askSearch && m.jr.search != "" {
			m.jr.search = ""
			return m.jr.reload(m, nil)
		}
		return nil
	case "enter":
		m.prompt = nil
		v := strings.TrimSpace(p.in.Value())
		switch p.kind {
		case askSearch:
			m.jr.search = termtext.Clean(v)
			return m.jr.reload(m, nil)
		case askDay:
			if v == "" {
				m.jr.day = time.Time{}
				return m.jr.reload(m, nil)
			}
			day, ok := parseDay(v, m.now())
			if !ok {
				m.setFlash(m.t("bad.day", v), true)
				return nil
			}
			m.jr.day = day
			return m.jr.reload(m, nil)
		case askCancelReason:
			if v == "" {
				m.setFlash(m.t("need.reason"), true)
				m.prompt = p
				return nil
			}
			return m.cancelOrder(p.orderID, termtext.Clean(v))
		}
		return nil
	}
	var cmd tea.Cmd
	p.in, cmd = p.in.Update(msg)
	return cmd
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

func (m *Model) by() string {
	if m.d.Rules.Operator != "" {
		return m.d.Rules.Operator
	}
	return "ui"
}

// cancelOrder voids an order locally (x): it will never be uploaded.
func (m *Model) cancelOrder(id, reason string) tea.Cmd {
	j, ctx, by, l := m.d.Journal, m.ctx, m.by(), m.lang
	return func() tea.Msg {
		_, err := j.Void(ctx, id, reason, by)
		switch {
		case err == nil:
			return actionMsg{text: tr(l, "cancelled", id), orderID: id}
		case errors.Is(err, model.ErrBusy):
			return actionMsg{text: tr(l, "busy", id), bad: true}
		case errors.Is(err, model.ErrNotEditable):
			return actionMsg{text: tr(l, "not.cancelable", id), bad: true}
		default:
			return actionMsg{text: tr(l, "err", err.Error()), bad: true}
		}
	}
}

func (m *Model) retry(o model.Order) tea.Cmd {
	if m.d.Uploader == nil {
		m.setFlash(m.t("no.uploader"), true)
		return nil
	}
	if o.Status != model.StatusRetrying && o.Status != model.StatusRejected {
		m.setFlash(m.t("not.retryable", o.OrderID), true)
		return nil
	}
	u, ctx, by, l, id := m.d.Uploader, m.ctx, m.by(), m.lang, o.OrderID
	return func() tea.Msg {
		if err := u.Retry(ctx, by, id); err != nil {
			return actionMsg{text: tr(l, "err", err.Error()), bad: true}
		}
		return actionMsg{text: tr(l, "retried", id), orderID: id}
	}
}

func (m *Model) retryAll() tea.Cmd {
	if m.d.Uploader == nil {
		m.setFlash(m.t("no.uploader"), true)
		return nil
	}
	u, ctx, by, l := m.d.Uploader, m.ctx, m.by(), m.lang
	paused := m.state.Mode == model.ModePaused
	return func() tea.Msg {
		if paused {
			u.Resume()
		}
		n, err := u.RetryFailed(ctx, by)
		switch {
		case err != nil:
			return actionMsg{text: tr(l, "err", err.Error()), bad: true}
		case n == 0 && paused:
			return actionMsg{text: tr(l, "resumed")}
		case n == 0:
			return actionMsg{text: tr(l, "retried.none")}
		}
		return actionMsg{text: tr(l, "retried.n", n), orderID: "-"}
	}
}

func (m *Model) mouse(msg tea.MouseMsg) tea.Cmd {
	if m.prompt != nil {
		return nil
	}
	ms := msg.Mouse()
	switch msg.(type) {
	case tea.MouseWheelMsg:
		delta := 0
		switch ms.Button {
		case tea.MouseWheelUp:
			delta = -3
		case tea.MouseWheelDown:
			delta = 3
		}
		switch m.screen {
		case scrJournal:
			return m.jr.move(m, delta)
		case scrDetail:
			m.det.scroll(delta, m)
		case scrForm:
			m.form.scrollBy(m, delta)
		}
	case tea.MouseClickMsg:
		if ms.Button != tea.MouseLeft {
			return nil
		}
		switch m.screen {
		case scrJournal:
			return m.jr.click(m, ms.X, ms.Y)
		case scrForm:
			return m.form.click(m, ms.Y)
		}
	}
	return nil
}

// View draws the whole screen; every line is padded to the width so a frame fully
// replaces the previous one.
func (m *Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "banksale"
	if m.w < minWidth || m.h < minHeight {
		msg := m.t("too.small", minWidth, minHeight, m.w, m.h)
		lines := termtext.Wrap(msg, max(m.w, 1))
		v.SetContent(termtext.PadLines(lines, max(m.h, 1), max(m.w, 1)))
		return v
	}
	var lines []string
	var cur *tea.Cursor
	switch m.screen {
	case scrForm:
		lines, cur = m.form.view(m)
	case scrDetail:
		lines = m.det.view(m)
	case scrSummary:
		lines = m.sum.view(m)
	case scrHelp:
		lines = m.helpView()
	default:
		lines = m.jr.view(m)
	}
	if m.prompt != nil {
		// the prompt takes the line above the key help
		pl := m.st.bold.Render(m.prompt.label)
		if !m.prompt.yesNo {
			pl += m.prompt.in.View()
			if c := m.prompt.in.Cursor(); c != nil {
				c.X = termtext.Width(m.prompt.label) + inputCursorX(m.prompt.in)
				c.Y = m.h - 2
				cur = c
			}
		}
		for len(lines) < m.h {
			lines = append(lines, "")
		}
		lines[m.h-2] = pl
		if m.flash != "" {
			// the prompt has the message line: a complaint about the answer goes just above
			st := m.st.ok
			if m.flashBad {
				st = m.st.err
			}
			lines[m.h-3] = st.Render(termtext.Cut(m.flash, m.w))
		}
	}
	v.SetContent(termtext.PadLines(lines, m.h, m.w))
	v.Cursor = cur
	return v
}

// inputCursorX is the cell column of a text input's cursor, relative to the input's start.
// textinput.Cursor counts runes, which puts the real cursor (and with it a Chinese input
// method's candidate window) in the wrong place after wide characters.
func inputCursorX(in textinput.Model) int {
	r := []rune(in.Value())
	pos := min(in.Position(), len(r))
	x := termtext.Width(in.Prompt) + termtext.Width(string(r[:pos]))
	if w := in.Width(); w > 0 {
		x = min(x, termtext.Width(in.Prompt)+w)
	}
	return x
}

// header is the top two lines of the journal: who and where, the uploader's state in words,
// and the counts per status.
func (m *Model) header() []string {
	title := m.st.title.Render("banksale") + "  " + m.t("app")
	who := fmt.Sprintf("%s: %s  %s: %s", m.t("store"), termtext.Clean(m.storeName()), m.t("operator"), termtext.Clean(m.d.Rules.Operator))
	if m.d.Demo {
		who += "  " + m.st.warn.Render("["+m.t("demo")+"]")
	}
	if len(m.d.Rules.CardKey) == 0 {
		// domain.md: without a key no card digest is made, and the status bar says so
		who += "  " + m.st.warn.Render("["+m.t("nokey")+"]")
	}
	l1 := title + "  " + who
	if termtext.Width(l1) > m.w {
		l1 = m.st.title.Render("banksale") + "  " + who // the subtitle gives way to the warnings
	}
	state, bad := m.stateWords()
	st := m.st.ok
	if bad {
		st = m.st.err
	}
	l2 := st.Render(state)
	var cs []string
	for _, s := range model.Statuses {
		label := s.Label(m.lang)
		n := m.counts[s]
		w := fmt.Sprintf("%s %d", label, n)
		if n > 0 && s == model.StatusRejected {
			w = m.st.status[s].Render(w)
		}
		cs = append(cs, w)
	}
	l3 := strings.Join(cs, "  ")
	return []string{termtext.Cut(l1, m.w), termtext.Cut(l2, m.w), l3}
}

func (m *Model) storeName() string {
	if m.d.Store != "" {
		return m.d.Store
	}
	return m.d.StoreNo
}

// stateWords says in words what the uploader is doing and, when it needs a person, what to do.
func (m *Model) stateWords() (string, bool) {
	if m.d.Uploader == nil {
		return m.t("up.none"), true
	}
	s := m.state
	switch s.Mode {
	case model.ModePaused:
		return m.pauseWords(s), true
	case model.ModeBanned:
		return m.t("up.banned", s.BannedUntil.In(model.CST).Format("15:04:05")), true
	case model.ModeStopped:
		return m.t("up.stopped"), true
	case model.ModeUploading:
		return m.t("up.uploading", max(s.InFlight, m.counts[model.StatusUploading])), false
	}
	if n := m.counts[model.StatusUploading]; n > 0 {
		return m.t("up.uploading", n), false
	}
	if n := m.counts[model.StatusRejected]; n > 0 {
		return m.t("up.idle.attn", n), true
	}
	if n := m.counts[model.StatusPending] + m.counts[model.StatusRetrying] + m.counts[model.StatusUploading]; n > 0 {
		return m.t("up.idle.wait", n), false
	}
	return m.t("up.idle.all"), false
}

// pauseWords says why uploading is paused and what to do, in the screen's language and within
// 80 columns. The uploader's Reason is English (it also goes to the log and the command line),
// so the causes a supervisor can fix are worded here from model.CauseOf; anything else shows
// Reason as it came.
func (m *Model) pauseWords(s model.UploadState) string {
	switch model.CauseOf(s.Code) {
	case model.CauseSignature:
		return m.t("pause.sign", s.Code)
	case model.CauseSession:
		return m.t("pause.session", s.Code)
	case model.CauseAppKey:
		return m.t("pause.appkey", s.Code)
	case model.CauseClock:
		return m.t("pause.clock", s.Code, m.now().Format("01-02 15:04:05"))
	case model.CausePermission, model.CauseForbidden:
		return m.t("pause.perm", s.Code)
	case model.CauseQuota:
		return m.t("pause.quota", s.Code, s.BannedUntil.In(model.CST).Format("01-02 15:04"))
	}
	reason := termtext.Clean(s.Reason)
	if strings.Contains(reason, "press R") {
		return m.t("up.paused.said", reason)
	}
	return m.t("up.paused", reason)
}

// footer is the last two lines: a message (or prompt) and the short key help.
func (m *Model) footer(h help.KeyMap) []string {
	msg := m.flash
	if msg != "" {
		if m.flashBad {
			msg = m.st.err.Render(termtext.Cut(msg, m.w))
		} else {
			msg = m.st.ok.Render(termtext.Cut(msg, m.w))
		}
	}
	return []string{msg, m.help.View(h)}
}

func (m *Model) helpView() []string {
	lines := []string{m.st.title.Render(m.t("help.title")), ""}
	hm := m.help
	hm.ShowAll = true
	lines = append(lines, strings.Split(hm.FullHelpView(m.keys.journalHelp().full), "\n")...)
	lines = append(lines, "")
	lines = append(lines, strings.Split(hm.FullHelpView(m.keys.formHelp().full), "\n")...)
	lines = append(lines, "")
	lines = append(lines, termtext.Wrap(m.t("help.status"), m.w)...)
	lines = append(lines, termtext.Wrap(m.t("help.safe"), m.w)...)
	for len(lines) < m.h-1 {
		lines = append(lines, "")
	}
	lines = lines[:m.h-1]
	return append(lines, m.st.faint.Render(m.t("help.back")))
}
