package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"banksale/termtext"
)

// helpScreen is every key of the screen it was opened on, and on the journal what the statuses
// mean: a page of every screen's keys hid the ones that mattered where ? was pressed.
type helpScreen struct {
	c      *common
	screen string // journal, detail, summary or form
	of     helpFor
}

// helpTitles and helpMore name each screen's help: its title, and the sentences beside its keys.
var (
	helpTitles = map[string]string{"journal": "help.of.journal", "detail": "help.of.detail",
		"summary": "help.of.summary", "form": "help.of.form", "reconcile": "help.of.reconcile"}
	helpMore = map[string]string{"journal": "help.status", "detail": "help.more.detail", "form": "help.more.form",
		"reconcile": "help.more.reconcile"}
)

func newHelp(c *common, screen string, of helpFor) *helpScreen {
	return &helpScreen{c: c, screen: screen, of: of}
}

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
	lines := []string{c.st.title.Render(c.t("help.title", c.t(helpTitles[h.screen]))), ""}
	hm := c.help
	hm.ShowAll = true
	hm.SetWidth(c.w)
	lines = append(lines, strings.Split(hm.FullHelpView(h.of.full), "\n")...)
	lines = append(lines, "")
	for _, k := range []string{helpMore[h.screen], "help.safe"} {
		if k != "" {
			lines = append(lines, termtext.Wrap(c.t(k), c.w)...)
		}
	}
	for len(lines) < c.h-1 {
		lines = append(lines, "")
	}
	lines = lines[:c.h-1]
	return append(lines, c.st.faint.Render(c.t("help.back"))), nil
}
