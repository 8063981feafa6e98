package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"banksale/termtext"
)

// helpScreen is every key of the journal and the form, and what the statuses mean.
type helpScreen struct{ c *common }

func newHelp(c *common) *helpScreen { return &helpScreen{c: c} }

func (h *helpScreen) update(msg tea.Msg) (tea.Cmd, []action) {
	km, ok := msg.(tea.KeyPressMsg)
	switch {
	case !ok:
	case key.Matches(km, h.c.keys.Back, h.c.keys.Help, h.c.keys.Quit):
		return nil, []action{actBack{}}
	case key.Matches(km, h.c.keys.ForceQt):
		return nil, []action{actQuit{}}
	}
	return nil, nil
}

func (h *helpScreen) keys() helpFor { return helpFor{} }

func (h *helpScreen) view() ([]string, *tea.Cursor) {
	c := h.c
	lines := []string{c.st.title.Render(c.t("help.title")), ""}
	hm := c.help
	hm.ShowAll = true
	lines = append(lines, strings.Split(hm.FullHelpView(c.keys.journalHelp().full), "\n")...)
	lines = append(lines, "")
	lines = append(lines, strings.Split(hm.FullHelpView(c.keys.formHelp().full), "\n")...)
	lines = append(lines, "")
	lines = append(lines, termtext.Wrap(c.t("help.status"), c.w)...)
	lines = append(lines, termtext.Wrap(c.t("help.safe"), c.w)...)
	for len(lines) < c.h-1 {
		lines = append(lines, "")
	}
	lines = lines[:c.h-1]
	return append(lines, c.st.faint.Render(c.t("help.back"))), nil
}
