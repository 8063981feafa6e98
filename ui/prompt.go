package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"banksale/model"
	"banksale/termtext"
)

// promptKind says what a question on the bottom line is for.
type promptKind int

const (
	askQuit promptKind = iota + 1
	askCancelReason
	askSearch
	askDay
	askDiscard
)

// prompt is a one-line question at the bottom of the screen: a yes/no, or a line of text. It
// is modal: while it is open every key goes to it, and its answer goes to the screen that
// asked (the root's own question, quit, is answered by the root).
type prompt struct {
	kind    promptKind
	orderID string // what the question is about
	label   string
	yesNo   bool
	value   string // a line prompt's first value
	limit   int    // a line prompt's most characters (0: 64)
	in      textinput.Model
	// selected: the first value is drawn selected, and typing replaces it (a day typed after
	// the one shown used to be appended to it); a cursor key keeps it for editing.
	selected bool
}

// yesNo makes a yes/no question.
func yesNo(kind promptKind, label string) *prompt {
	return &prompt{kind: kind, label: label, yesNo: true}
}

// lineOf makes a question answered with a line of text, starting from value.
func lineOf(kind promptKind, label, value string) *prompt {
	return &prompt{kind: kind, label: label, value: value}
}

// open readies a line prompt's input for a window w cells wide.
func (p *prompt) open(w int) tea.Cmd {
	if p.yesNo {
		return nil
	}
	in := textinput.New()
	in.Prompt = ""
	in.SetVirtualCursor(false)
	in.CharLimit = 64
	if p.limit > 0 {
		in.CharLimit = p.limit
	}
	in.SetWidth(max(10, w-termtext.Width(p.label)-2))
	in.SetValue(p.value)
	in.CursorEnd()
	p.in = in
	p.selected = p.value != ""
	return p.in.Focus()
}

// key handles a key; it returns the answer once the question is answered or put away.
func (p *prompt) key(msg tea.KeyPressMsg) (*answer, tea.Cmd) {
	a := &answer{kind: p.kind, orderID: p.orderID}
	if p.yesNo {
		switch strings.ToLower(msg.String()) {
		case "y", "enter":
			a.yes = true
			return a, nil
		case "n", "esc", "q":
			a.esc = true
			return a, nil
		case "ctrl+c":
			a.yes = p.kind == askQuit // a second ctrl+c means it
			a.esc = !a.yes
			return a, nil
		}
		return nil, nil
	}
	switch msg.String() {
	case "esc":
		a.esc = true
		return a, nil
	case "enter":
		a.value = strings.TrimSpace(p.in.Value())
		return a, nil
	}
	if p.selected {
		p.selected = false
		switch {
		case msg.Key().Text != "":
			p.in.SetValue("")
		case msg.String() == "backspace" || msg.String() == "delete":
			p.in.SetValue("")
			return nil, nil
		}
	}
	var cmd tea.Cmd
	p.in, cmd = p.in.Update(msg)
	return nil, cmd
}

// paste adds pasted text to a line prompt.
func (p *prompt) paste(msg tea.PasteMsg) tea.Cmd {
	if p.yesNo {
		return nil
	}
	if p.selected {
		p.selected = false
		p.in.SetValue("")
	}
	var cmd tea.Cmd
	p.in, cmd = p.in.Update(msg)
	return cmd
}

// view is the prompt's line and, for a line prompt, where the real cursor goes on it.
func (p *prompt) view(c *common) (string, *tea.Cursor) {
	line := c.st.bold.Render(p.label)
	if p.yesNo {
		return line, nil
	}
	if p.selected {
		line += c.st.sel.Render(p.in.Value())
	} else {
		line += p.in.View()
	}
	cur := p.in.Cursor()
	if cur != nil {
		cur.X = termtext.Width(p.label) + inputCursorX(p.in)
		cur.Y = c.h - 2
	}
	return line, cur
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

// cancelReason asks why order id is cancelled; the answer goes to cancelOrder.
func cancelReason(c *common, id string) *prompt {
	p := lineOf(askCancelReason, c.t("ask.cancel", id), "")
	p.orderID = id
	p.limit = model.MaxReason
	return p
}
