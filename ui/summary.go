package ui

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"banksale/model"
	"banksale/termtext"
)

// summary is the day summary: count and amount per channel and type, the net, and how many
// orders of the day have reached head office.
type summary struct {
	c      *common
	day    time.Time
	sum    model.Summary
	loaded bool
	err    string
}

type summaryMsg struct {
	day time.Time
	sum model.Summary
	err error
}

// newSummary opens the summary of day.
func newSummary(c *common, day time.Time) (*summary, tea.Cmd) {
	s := &summary{c: c, day: day}
	return s, s.load()
}

func (s *summary) load() tea.Cmd {
	j, ctx, day := s.c.d.Journal, s.c.ctx, s.day
	return func() tea.Msg {
		sum, err := j.DaySummary(ctx, day)
		return summaryMsg{day: day, sum: sum, err: err}
	}
}

func (s *summary) apply(msg summaryMsg) {
	if !msg.day.Equal(s.day) {
		return
	}
	if msg.err != nil {
		s.err = msg.err.Error()
		return
	}
	s.err, s.sum, s.loaded = "", msg.sum, true
}

// update handles the summary's keys and its answers; an upload moves its status counts.
func (s *summary) update(msg tea.Msg) (tea.Cmd, []action) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return s.key(msg)
	case summaryMsg:
		s.apply(msg)
	case orderChanged:
		return s.load(), nil
	}
	return nil, nil
}

func (s *summary) key(msg tea.KeyPressMsg) (tea.Cmd, []action) {
	k := s.c.keys
	switch {
	case key.Matches(msg, k.Back, k.Quit):
		return nil, []action{actBack{}}
	case key.Matches(msg, k.ForceQt):
		return nil, []action{actQuit{}}
	case key.Matches(msg, k.Help):
		return nil, []action{actHelp{"summary", s.keys()}}
	default:
		day, ok := s.c.stepDay(msg, s.day)
		if !ok {
			return nil, nil
		}
		s.day = day
	}
	s.loaded = false
	return s.load(), nil
}

// stepDay is the day a day screen moves to on msg: ←/→ the day before or after (never past
// today), t today; false for any other key.
func (c *common) stepDay(msg tea.KeyPressMsg, day time.Time) (time.Time, bool) {
	switch {
	case key.Matches(msg, c.keys.Today):
		return c.today(), true
	case key.Matches(msg, c.keys.Days):
		if msg.String() == "left" || msg.String() == "h" {
			return day.AddDate(0, 0, -1), true
		}
		// no day after today has orders: → stops at today rather than walk into empty days
		if next := day.AddDate(0, 0, 1); next.Before(c.today().AddDate(0, 0, 1)) {
			return next, true
		}
		return c.today(), true
	}
	return day, false
}

func (s *summary) keys() helpFor { return s.c.keys.summaryHelp() }

func (s *summary) view() ([]string, *tea.Cursor) {
	out := []string{s.c.st.title.Render(s.c.t("sum.title", s.day.Format("2006-01-02"))) + "  " + s.c.st.faint.Render(weekday(s.c.lang, s.day)), ""}
	switch {
	case s.err != "":
		out = append(out, s.c.st.err.Render(s.c.t("err", termtext.Clean(s.err))))
	case !s.loaded:
		out = append(out, s.c.t("loading"))
	case len(s.sum.Rows) == 0:
		out = append(out, s.c.t("sum.none"))
	default:
		chW, typeW := 10, 10
		head := termtext.Fit(s.c.t("col.channel"), chW) + " " + termtext.Fit(s.c.t("col.type"), typeW) + " " + termtext.FitRight(s.c.t("sum.count"), 8) + " " + termtext.FitRight(s.c.t("sum.amount"), 18)
		out = append(out, s.c.st.head.Render(head))
		total := 0
		for _, r := range s.sum.Rows {
			out = append(out, termtext.Fit(s.c.channelShort(r.Channel), chW)+" "+termtext.Fit(r.SubType.Label(s.c.lang), typeW)+" "+
				termtext.FitRight(fmt.Sprint(r.Count), 8)+" "+termtext.FitRight(signed(r.SubType, r.Amount), 18))
			total += r.Count
		}
		out = append(out, termtext.Fit(s.c.t("sum.total"), chW+1+typeW)+" "+termtext.FitRight(fmt.Sprint(total), 8)+" "+termtext.FitRight(s.sum.Net.String(), 18))
		out = append(out, "")
		out = append(out, s.c.st.bold.Render(s.c.t("sum.net")+": "+s.sum.Net.String()))
	}
	if s.loaded {
		bs := s.sum.ByStatus
		out = append(out, "")
		waiting := bs[model.StatusPending] + bs[model.StatusUploading] + bs[model.StatusRetrying]
		out = append(out, termtext.Fit(s.c.t("sum.uploaded"), 12)+termtext.FitRight(fmt.Sprint(bs[model.StatusUploaded]), 6))
		out = append(out, termtext.Fit(s.c.t("sum.waiting"), 12)+termtext.FitRight(fmt.Sprint(waiting), 6))
		line := termtext.Fit(s.c.t("sum.attention"), 12) + termtext.FitRight(fmt.Sprint(bs[model.StatusRejected]), 6)
		if bs[model.StatusRejected] > 0 {
			line = s.c.st.err.Render(line)
		}
		out = append(out, line)
		out = append(out, termtext.Fit(s.c.t("sum.voided"), 12)+termtext.FitRight(fmt.Sprint(bs[model.StatusVoided]), 6))
	}
	foot := s.c.footer(s.keys())
	for len(out) < s.c.h-len(foot) {
		out = append(out, "")
	}
	out = out[:max(0, s.c.h-len(foot))]
	return append(out, foot...), nil
}

// signed shows voids and refunds as money going back.
func signed(t model.SubType, a model.Amount) string {
	if t == model.SubSale {
		return a.String()
	}
	return "-" + a.String()
}

func weekday(l model.Lang, d time.Time) string {
	return l.Pick([...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}[d.Weekday()], d.Weekday().String())
}
