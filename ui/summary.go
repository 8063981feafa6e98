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

func (m *Model) openSummary() tea.Cmd {
	now := m.now()
	y, mo, d := now.Date()
	day := time.Date(y, mo, d, 0, 0, 0, 0, model.CST)
	if !m.jr.day.IsZero() {
		day = m.jr.day
	}
	m.sum = &summary{day: day}
	m.screen = scrSummary
	return m.sum.load(m)
}

func (s *summary) load(m *Model) tea.Cmd {
	j, ctx, day := m.d.Journal, m.ctx, s.day
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

func (s *summary) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Back, k.Quit):
		m.sum = nil
		m.screen = scrJournal
		return m.ensureTick()
	case key.Matches(msg, k.ForceQt):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.back, m.screen = scrSummary, scrHelp
		return nil
	case key.Matches(msg, k.Today):
		now := m.now()
		y, mo, d := now.Date()
		s.day = time.Date(y, mo, d, 0, 0, 0, 0, model.CST)
	case key.Matches(msg, k.Days):
		switch msg.String() {
		case "left", "h":
			s.day = s.day.AddDate(0, 0, -1)
		default:
			s.day = s.day.AddDate(0, 0, 1)
		}
	default:
		return nil
	}
	s.loaded = false
	return s.load(m)
}

func (s *summary) view(m *Model) []string {
	out := []string{m.st.title.Render(m.t("sum.title", s.day.Format("2006-01-02"))) + "  " + m.st.faint.Render(weekday(m, s.day)), ""}
	switch {
	case s.err != "":
		out = append(out, m.st.err.Render(m.t("err", termtext.Clean(s.err))))
	case !s.loaded:
		out = append(out, m.t("loading"))
	case len(s.sum.Rows) == 0:
		out = append(out, m.t("sum.none"))
	default:
		chW, typeW := 10, 10
		head := termtext.Fit(m.t("col.channel"), chW) + " " + termtext.Fit(m.t("col.type"), typeW) + " " + termtext.FitRight(m.t("sum.count"), 8) + " " + termtext.FitRight(m.t("sum.amount"), 18)
		out = append(out, m.st.head.Render(head))
		total := 0
		for _, r := range s.sum.Rows {
			out = append(out, termtext.Fit(m.channelShort(r.Channel), chW)+" "+termtext.Fit(r.SubType.Label(m.lang), typeW)+" "+
				termtext.FitRight(fmt.Sprint(r.Count), 8)+" "+termtext.FitRight(signed(r.SubType, r.Amount), 18))
			total += r.Count
		}
		out = append(out, termtext.Fit(m.t("sum.total"), chW+1+typeW)+" "+termtext.FitRight(fmt.Sprint(total), 8))
		out = append(out, "")
		out = append(out, m.st.bold.Render(m.t("sum.net")+": "+s.sum.Net.String()))
	}
	if s.loaded {
		bs := s.sum.ByStatus
		out = append(out, "")
		waiting := bs[model.StatusPending] + bs[model.StatusUploading] + bs[model.StatusRetrying]
		out = append(out, termtext.Fit(m.t("sum.uploaded"), 12)+termtext.FitRight(fmt.Sprint(bs[model.StatusUploaded]), 6))
		out = append(out, termtext.Fit(m.t("sum.waiting"), 12)+termtext.FitRight(fmt.Sprint(waiting), 6))
		line := termtext.Fit(m.t("sum.attention"), 12) + termtext.FitRight(fmt.Sprint(bs[model.StatusRejected]), 6)
		if bs[model.StatusRejected] > 0 {
			line = m.st.err.Render(line)
		}
		out = append(out, line)
		out = append(out, termtext.Fit(m.t("sum.voided"), 12)+termtext.FitRight(fmt.Sprint(bs[model.StatusVoided]), 6))
	}
	for len(out) < m.h-2 {
		out = append(out, "")
	}
	out = out[:m.h-2]
	return append(out, m.footer(m.keys.summaryHelp())...)
}

// signed shows voids and refunds as money going back.
func signed(t model.SubType, a model.Amount) string {
	if t == model.SubSale {
		return a.String()
	}
	return "-" + a.String()
}

func weekday(m *Model, d time.Time) string {
	if m.lang == model.ZH {
		return [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}[d.Weekday()]
	}
	return d.Weekday().String()
}
