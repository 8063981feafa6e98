package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"banksale/model"
	"banksale/termtext"
)

// reconcileScreen is a day's journal against the acquirer's imported statement: what differs
// (a typo to fix, or to correct with a void or refund), orders the statement lacks, and lines
// not keyed here. `banksale reconcile` says the same on the command line.
type reconcileScreen struct {
	c       *common
	day     time.Time
	r       model.Reconciliation
	lines   int // statement lines of the day
	loaded  bool
	err     string
	scrollY int
}

type reconcileMsg struct {
	day   time.Time
	r     model.Reconciliation
	lines int
	err   error
}

func newReconcile(c *common, day time.Time) (*reconcileScreen, tea.Cmd) {
	s := &reconcileScreen{c: c, day: day}
	return s, s.load()
}

func (s *reconcileScreen) load() tea.Cmd {
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
		return reconcileMsg{day: day, r: model.Reconcile(day, orders, lines), lines: len(lines)}
	}
}

func (s *reconcileScreen) update(msg tea.Msg) (tea.Cmd, []action) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return s.key(msg)
	case reconcileMsg:
		if msg.day.Equal(s.day) {
			s.err = ""
			if msg.err != nil {
				s.err = msg.err.Error()
			}
			s.r, s.lines, s.loaded = msg.r, msg.lines, msg.err == nil
			s.scroll(0)
		}
	case orderChanged:
		return s.load(), nil
	}
	return nil, nil
}

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
		s.scroll(-1)
		return nil, nil
	case key.Matches(msg, k.Down):
		s.scroll(1)
		return nil, nil
	default:
		day, ok := s.c.stepDay(msg, s.day)
		if !ok {
			return nil, nil
		}
		s.day = day
	}
	s.loaded, s.scrollY = false, 0
	return s.load(), nil
}

func (s *reconcileScreen) keys() helpFor { return s.c.keys.reconcileHelp() }

func (s *reconcileScreen) bodyHeight() int { return max(1, s.c.h-1-len(s.c.footer(s.keys()))) }

func (s *reconcileScreen) scroll(delta int) {
	s.scrollY = min(max(0, s.scrollY+delta), max(0, len(s.body())-s.bodyHeight()))
}

// body is the day's reconciliation in words: the counts, then each difference, order and line
// that needs a look, with what to do.
func (s *reconcileScreen) body() []string {
	c := s.c
	switch {
	case s.err != "":
		return []string{c.st.err.Render(c.t("err", termtext.Clean(s.err)))}
	case !s.loaded:
		return []string{c.t("loading")}
	case s.lines == 0:
		return termtext.Wrap(c.t("rec.none"), c.w)
	}
	r := s.r
	out := []string{c.t("rec.counts", len(r.Matched), len(r.Differ), len(r.JournalOnly), len(r.StatementOnly)), ""}
	if r.OK() {
		out = append(out, c.st.ok.Render(c.t("rec.ok")))
	}
	add := func(st func(...string) string, text string) {
		for _, l := range termtext.Wrap(text, c.w-2) {
			out = append(out, "  "+st(l))
		}
	}
	heading := func(key string) { // a section says what to do about its lines: wrapped, never cut
		out = append(out, styledLines(termtext.Wrap("[ "+c.t(key)+" ]", c.w), c.st.bold.Render)...)
	}
	if len(r.Differ) > 0 {
		heading("rec.differ")
		for _, d := range r.Differ {
			var parts []string
			for _, field := range model.DTOFields {
				if v, ok := d.Fields[field]; ok {
					parts = append(parts, c.t("statement.field", model.FieldLabel(field, c.lang), model.DisagreementText(v.Statement), model.DisagreementText(v.Journal)))
				}
			}
			add(c.st.warn.Render, fmt.Sprintf("%s %s: %s", termtext.Clean(d.OrderID), termtext.Clean(d.StatementLine), strings.Join(parts, "; ")))
		}
	}
	if len(r.JournalOnly) > 0 {
		heading("rec.journal")
		for _, j := range r.JournalOnly {
			add(c.st.warn.Render, termtext.Clean(j.OrderID))
		}
	}
	if len(r.StatementOnly) > 0 {
		heading("rec.statement")
		for _, l := range r.StatementOnly {
			add(c.st.faint.Render, fmt.Sprintf("%s %s %s %s %s %s", termtext.Clean(l.StatementLine), termtext.Clean(l.TerminalNo),
				termtext.Clean(l.BatchNo), termtext.Clean(l.PosTraceNo), termtext.Clean(l.TradeRefNo), model.Amount(l.TradeAmount).String()))
		}
	}
	return out
}

func (s *reconcileScreen) view() ([]string, *tea.Cursor) {
	title := s.c.st.title.Render(s.c.t("rec.title", s.day.Format("2006-01-02"))) + "  " + s.c.st.faint.Render(weekday(s.c.lang, s.day))
	body := s.body()
	bh := s.bodyHeight()
	vis := body[min(s.scrollY, len(body)):min(len(body), s.scrollY+bh)]
	out := append([]string{title}, vis...)
	for len(out) < 1+bh {
		out = append(out, "")
	}
	return append(out, s.c.footer(s.keys())...), nil
}
