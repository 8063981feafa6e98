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
	tea "charm.land/bubbletea/v2"

	"banksale/model"
	"banksale/termtext"
)

// The smallest terminal the screens are laid out for.
const (
	minWidth  = 80
	minHeight = 24
)

// Run runs the screen on the terminal until the supervisor quits (q) or ctx ends.
func Run(ctx context.Context, d Deps) error {
	m := New(ctx, d)
	defer m.Close()
	p := tea.NewProgram(m, tea.WithContext(ctx))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("ui: %w", err)
	}
	return nil
}

// Model is the root model, the program's only Bubble Tea model. It owns the stack of screens,
// the question on the bottom line, the subscription to the uploader and the counts, and it
// alone carries out the actions the screens return.
type Model struct {
	c      *common
	stack  []screen // stack[0] is the journal, always
	jr     *journal
	prompt *prompt

	events <-chan model.Event
	unsub  func()

	countsBusy, countsDirty bool
	tickPending             bool
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
	c := &common{
		ctx: ctx, d: d, lang: d.Lang, log: d.Log,
		st: newStyles(), keys: newKeys(d.Lang), help: help.New(),
		w: minWidth, h: minHeight, counts: map[model.Status]int{},
	}
	// ASCII separators: "•" and "…" are drawn two cells wide by some CJK terminals.
	c.help.ShortSeparator = "  "
	c.help.Ellipsis = "~"
	c.help.FullSeparator = "   "
	if len(d.Notices) > 0 {
		var ns []string
		for _, n := range d.Notices {
			ns = append(ns, termtext.Clean(n))
		}
		c.flash, c.flashBad = c.t("notice.config", strings.Join(ns, "; ")), true
	}
	m := &Model{c: c}
	m.jr = newJournal(c)
	m.stack = []screen{m.jr}
	if d.Uploader != nil {
		c.state = d.Uploader.State()
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

func (m *Model) top() screen { return m.stack[len(m.stack)-1] }

// Messages of the root's own.
type (
	eventMsg     struct{ ev model.Event }
	eventsClosed struct{}
	countsMsg    struct {
		counts map[model.Status]int
		oldest time.Time
		err    error
	}
	tickMsg struct{}
)

// Init starts listening to the uploader, loads the first page and the counts.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.waitEvent(), m.jr.reload(nil), m.loadCounts(), m.ensureTick(), m.checkJournal())
}

// healthMsg is what the quick look over the journal at start found.
type healthMsg struct {
	h   model.Health
	err error
}

// checkJournal looks the journal over in the background, once at start: a damaged journal
// (damaged pages, a payload that fails its checksum) is said on every screen, not found out
// at the next backup.
func (m *Model) checkJournal() tea.Cmd {
	if m.c.d.NoStartCheck {
		return nil
	}
	j, ctx := m.c.d.Journal, m.c.ctx
	return func() tea.Msg {
		h, err := j.Check(ctx, true)
		return healthMsg{h, err}
	}
}

func (m *Model) waitEvent() tea.Cmd {
	ch := m.events
	if ch == nil || m.c.d.ManualEvents {
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
	j, ctx := m.c.d.Journal, m.c.ctx
	return func() tea.Msg {
		c, err := j.Counts(ctx)
		if err != nil {
			return countsMsg{err: err}
		}
		oldest, _, err := j.OldestWaiting(ctx)
		return countsMsg{counts: c, oldest: oldest, err: err}
	}
}

// animating says whether anything on screen moves with time: a spinner while orders are in
// flight, the ban's countdown, or whatever the top screen shows.
func (m *Model) animating() (spin, count bool) {
	st := m.c.state
	spin = st.Mode == model.ModeUploading || st.InFlight > 0
	count = st.Mode == model.ModeBanned
	if a, ok := m.top().(animator); ok {
		s, c := a.animating()
		spin, count = spin || s, count || c
	}
	return spin, count
}

// A spinner turns four times a second; countdowns only need a second. Nothing moving, no tick.
const (
	spinEvery  = 250 * time.Millisecond
	countEvery = time.Second
)

func (m *Model) ensureTick() tea.Cmd {
	if m.tickPending || m.c.d.NoTick {
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

// Update handles one message: the root's own, input for the top screen, and everything else
// for every screen; then it carries out the actions they returned.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmds := []tea.Cmd{m.update(msg)}
	cmds = append(cmds, m.ensureTick())
	return m, tea.Batch(cmds...)
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	c := m.c
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		c.w, c.h = msg.Width, msg.Height
		c.help.SetWidth(c.w)
		if m.prompt != nil && !m.prompt.yesNo {
			m.prompt.in.SetWidth(max(10, c.w-termtext.Width(m.prompt.label)-2))
		}
		return m.broadcast(msg)
	case eventMsg:
		return tea.Batch(m.waitEvent(), m.event(msg.ev))
	case eventsClosed:
		m.events = nil
		return nil
	case healthMsg:
		if msg.err != nil && c.ctx.Err() == nil || msg.err == nil && !msg.h.OK() {
			c.damaged = true
			c.log.Error("journal check at start: damaged", "err", msg.err, "problems", msg.h.Problems,
				"damaged_payloads", msg.h.DamagedCount, "miscounted", len(msg.h.Miscounted), "orphans", msg.h.Orphans)
		}
		return nil
	case countsMsg:
		m.countsBusy = false
		if msg.err != nil {
			c.log.Warn("counts", "err", msg.err)
		} else {
			c.counts, c.oldest = msg.counts, msg.oldest
		}
		if m.countsDirty {
			m.countsDirty = false
			return m.loadCounts()
		}
		return nil
	case tickMsg:
		m.tickPending = false
		c.frame++
		return nil
	case actionsMsg:
		return m.do(msg...)
	case tea.KeyPressMsg:
		if c.tooSmall() {
			// Nothing can be seen: no key may act unseen (a q then y would quit, an x cancel an
			// order). ctrl+c still ends the program, as the small screen says.
			if msg.String() == "ctrl+c" {
				return tea.Quit
			}
			return nil
		}
		if m.prompt != nil {
			return m.promptKey(msg)
		}
		c.flash = ""
		return m.toTop(msg)
	case tea.PasteMsg:
		if c.tooSmall() {
			return nil
		}
		if m.prompt != nil {
			return m.prompt.paste(msg)
		}
		return m.toTop(msg)
	case tea.MouseMsg:
		if m.prompt != nil || c.tooSmall() {
			return nil
		}
		return m.toTop(msg)
	}
	return m.broadcast(msg)
}

// event takes in what the uploader published.
func (m *Model) event(ev model.Event) tea.Cmd {
	if ev.Order == nil {
		prev := m.c.state.Mode
		m.c.state = ev.State
		if prev != ev.State.Mode && ev.State.Mode == model.ModeIdle && m.top() == m.jr && !m.jr.busy {
			// The uploader went quiet: re-read the rows on screen, so that an order whose
			// event was coalesced away can never stay drawn in an old state.
			return tea.Batch(m.jr.reloadAround(""), m.loadCounts())
		}
		return nil
	}
	return tea.Batch(m.broadcast(orderChanged{*ev.Order}), m.loadCounts())
}

// toTop gives input to the top screen and carries out what it asks.
func (m *Model) toTop(msg tea.Msg) tea.Cmd {
	cmd, acts := m.top().update(msg)
	return tea.Batch(cmd, m.do(acts...))
}

// broadcast gives a message to every screen, bottom first.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	var acts []action
	for _, s := range append([]screen(nil), m.stack...) {
		cmd, a := s.update(msg)
		cmds = append(cmds, cmd)
		acts = append(acts, a...)
	}
	return tea.Batch(append(cmds, m.do(acts...))...)
}

// do carries out the screens' actions, in order.
func (m *Model) do(acts ...action) tea.Cmd {
	var cmds []tea.Cmd
	for _, a := range acts {
		cmds = append(cmds, m.act(a))
	}
	return tea.Batch(cmds...)
}

func (m *Model) act(a action) tea.Cmd {
	c := m.c
	switch a := a.(type) {
	case actForm:
		c.forms++
		f, cmd := newForm(c, a.mode, a.order)
		if a.line != nil {
			cmd = tea.Batch(cmd, f.takeOffer(*a.line))
		}
		return m.push(f, cmd)
	case actDetail:
		d, cmd := newDetail(c, a.id)
		return m.push(d, cmd)
	case actSummary:
		s, cmd := newSummary(c, a.day)
		return m.push(s, cmd)
	case actReconcile:
		r, cmd := newReconcile(c, a.day)
		return m.push(r, cmd)
	case actHelp:
		return m.push(newHelp(c, a.screen, a.keys), nil)
	case actBack:
		if len(m.stack) > 1 {
			m.stack = m.stack[:len(m.stack)-1]
		}
		return nil
	case actAsk:
		m.prompt = a.p
		return a.p.open(c.w)
	case actFlash:
		c.flash, c.flashBad = termtext.Clean(a.text), a.bad
		return nil
	case actQuit:
		return m.quit()
	case actRefresh:
		if c.d.Uploader != nil {
			c.state = c.d.Uploader.State()
		}
		cmd := m.loadCounts()
		if a.id != "" {
			cmd = tea.Batch(cmd, m.broadcast(refreshMsg(a)))
		}
		return cmd
	}
	return nil
}

func (m *Model) push(s screen, cmd tea.Cmd) tea.Cmd {
	m.stack = append(m.stack, s)
	c := m.c
	c.flash = ""
	return cmd
}

// quit asks first when orders are still on their way.
func (m *Model) quit() tea.Cmd {
	c := m.c
	up := max(c.counts[model.StatusUploading], c.state.InFlight)
	waiting := c.counts[model.StatusPending] + c.counts[model.StatusRetrying]
	switch {
	case c.d.Demo:
		// The demo's journal is thrown away when it ends: nothing continues at a next start.
		m.prompt = yesNo(askQuit, c.t("ask.quitdemo"))
	case up > 0:
		m.prompt = yesNo(askQuit, c.tn("ask.quit", up))
	case waiting > 0 && c.d.Uploader != nil:
		m.prompt = yesNo(askQuit, c.tn("ask.quitwait", waiting))
	default:
		return tea.Quit
	}
	return nil
}

// promptKey gives a key to the open question; its answer goes to the root (quit) or to the
// screen that asked, which is the one on top.
func (m *Model) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	a, cmd := m.prompt.key(msg)
	if a == nil {
		return cmd
	}
	m.prompt = nil
	if a.kind == askQuit {
		if a.yes {
			return tea.Quit
		}
		return nil
	}
	return m.toTop(*a)
}

// View draws the whole screen; every line is padded to the width so a frame fully replaces
// the previous one. It changes nothing: what it draws was laid out in Update.
func (m *Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "banksale"
	c := m.c
	if c.tooSmall() {
		msg := c.t("too.small", minWidth, minHeight, c.w, c.h)
		v.SetContent(termtext.PadLines(termtext.Wrap(msg, max(c.w, 1)), max(c.h, 1), max(c.w, 1)))
		return v
	}
	lines, cur := m.top().view()
	if m.prompt != nil {
		// the prompt takes the line above the key help
		for len(lines) < c.h {
			lines = append(lines, "")
		}
		lines = append([]string(nil), lines...)
		lines[c.h-2], cur = m.prompt.view(c)
		if c.flash != "" {
			// the prompt has the message line: a complaint about the answer goes just above
			st := c.st.ok
			if c.flashBad {
				st = c.st.err
			}
			lines[c.h-3] = st.Render(termtext.Cut(c.flash, c.w))
		}
	}
	v.SetContent(termtext.PadLines(lines, c.h, c.w))
	v.Cursor = cur
	return v
}
