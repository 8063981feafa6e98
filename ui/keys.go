package ui

import (
	"charm.land/bubbles/v2/key"

	"banksale/model"
)

// keyMap is the one keymap of the program; bubbles/help draws it, so what the help says is
// what the keys do. Every action on the journal is a plain letter; the form, where letters
// are typed, saves with ctrl+s (or F2 where ctrl+s is taken by the terminal).
type keyMap struct {
	Up, Down, PageUp, PageDown, Home, End                            key.Binding
	New, Void, Refund, Edit, Cancel, Retry, RetryAll, Detail         key.Binding
	Summary, Help, Quit, Tabs, NextTab, Day, Search                  key.Binding
	FormHelp, Clear, Offer, Reconcile, Open, Ends                    key.Binding
	Next, Prev, Save, Back, Pick, List, Days, Today, Scroll, ForceQt key.Binding
}

func newKeys(l model.Lang) keyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, tr(l, desc)))
	}
	return keyMap{
		Up:        b([]string{"up", "k"}, "up/k", "k.up"),
		Down:      b([]string{"down", "j"}, "down/j", "k.down"),
		PageUp:    b([]string{"pgup"}, "pgup/pgdn", "k.page"),
		PageDown:  b([]string{"pgdown"}, "pgdn", "k.page"),
		Home:      b([]string{"home", "g"}, "g/G", "k.home"),
		End:       b([]string{"end", "G"}, "G", "k.home"),
		New:       b([]string{"n"}, "n", "k.new"),
		Void:      b([]string{"v"}, "v", "k.void"),
		Refund:    b([]string{"f"}, "f", "k.refund"),
		Edit:      b([]string{"e"}, "e", "k.edit"),
		Cancel:    b([]string{"x"}, "x", "k.cancel"),
		Retry:     b([]string{"r"}, "r", "k.retry"),
		RetryAll:  b([]string{"R"}, "R", "k.retryall"),
		Detail:    b([]string{"enter"}, "enter", "k.detail"),
		Summary:   b([]string{"s"}, "s", "k.summary"),
		Help:      b([]string{"?", "f1"}, "?", "k.help"),
		FormHelp:  b([]string{"f1"}, "F1", "k.help"),
		Clear:     b([]string{"ctrl+u"}, "ctrl+u", "k.clear"),
		Offer:     b([]string{"ctrl+o"}, "ctrl+o", "k.offer"),
		Reconcile: b([]string{"b"}, "b", "k.reconcile"),
		Open:      b([]string{"enter"}, "enter", "k.recopen"),
		Ends:      b([]string{"home", "g", "end", "G"}, "g/G", "k.ends"),
		Quit:      b([]string{"q"}, "q", "k.quit"),
		ForceQt:   b([]string{"ctrl+c"}, "ctrl+c", "k.quit"),
		Tabs:      b([]string{"1", "2", "3", "4", "5", "6"}, "1-6", "k.tabs"),
		NextTab:   b([]string{"tab"}, "tab", "k.tab"),
		Day:       b([]string{"d"}, "d", "k.day"),
		Search:    b([]string{"/"}, "/", "k.search"),
		Next:      b([]string{"tab", "down", "enter"}, "tab/enter", "k.next"),
		Prev:      b([]string{"shift+tab", "up"}, "shift+tab", "k.prev"),
		Save:      b([]string{"ctrl+s", "f2"}, "ctrl+s/F2", "k.save"),
		Back:      b([]string{"esc"}, "esc", "k.back"),
		Pick:      b([]string{"left", "right"}, "left/right", "k.pick"),
		List:      b([]string{"space"}, "space", "k.list"),
		Days:      b([]string{"left", "right", "h", "l"}, "left/right", "k.days"),
		Today:     b([]string{"t"}, "t", "k.today"),
		Scroll:    b([]string{"up", "down", "pgup", "pgdown"}, "up/down", "k.scroll"),
	}
}

// helpFor adapts the keymap to bubbles/help for one screen.
type helpFor struct {
	short []key.Binding
	full  [][]key.Binding
}

func (h helpFor) ShortHelp() []key.Binding  { return h.short }
func (h helpFor) FullHelp() [][]key.Binding { return h.full }

func (k keyMap) journalHelp() helpFor {
	return helpFor{
		short: []key.Binding{k.New, k.Detail, k.Edit, k.Retry, k.Void, k.Refund, k.Cancel, k.Help, k.Quit},
		full: [][]key.Binding{
			{k.Up, k.Down, k.PageUp, k.Home, k.Detail, k.Tabs, k.NextTab, k.Day, k.Search},
			{k.New, k.Void, k.Refund, k.Edit, k.Cancel},
			{k.Retry, k.RetryAll, k.Summary, k.Reconcile, k.Help, k.Quit},
		},
	}
}

func (k keyMap) formHelp() helpFor {
	return helpFor{
		short: []key.Binding{k.Save, k.Next, k.Prev, k.Back},
		full:  [][]key.Binding{{k.Next, k.Prev, k.Pick, k.List}, {k.Clear, k.Offer, k.Save, k.FormHelp, k.Back}},
	}
}

func (k keyMap) detailHelp() helpFor {
	return helpFor{
		short: []key.Binding{k.Retry, k.Edit, k.Void, k.Refund, k.Cancel, k.Scroll, k.Back},
		full:  [][]key.Binding{{k.Retry, k.Edit, k.Void, k.Refund, k.Cancel}, {k.Scroll, k.Back}},
	}
}

func (k keyMap) reconcileHelp() helpFor {
	return helpFor{
		short: []key.Binding{k.Open, k.Days, k.Today, k.Back},
		full:  [][]key.Binding{{k.Up, k.Down, k.PageUp, k.Ends, k.Open}, {k.Days, k.Today, k.Back}},
	}
}

func (k keyMap) summaryHelp() helpFor {
	return helpFor{
		short: []key.Binding{k.Days, k.Today, k.Back},
		full:  [][]key.Binding{{k.Days, k.Today, k.Back}},
	}
}
