package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"banksale/model"
)

// screen is one page of the program: the journal, the entry form, an order's detail, the day
// summary, the help. The root keeps them in a stack (the journal at the bottom) and is the
// only Bubble Tea model; a screen is a plain struct given the shared *common, never the root.
//
// The contract:
//   - update gets a key, paste or mouse message when the screen is on top, and every other
//     message (its own answers, a resize, an order that changed, a refresh) wherever it is in
//     the stack, so each must ignore what is not its own. It changes only its own state, does
//     no I/O (that runs in the returned command, which answers with a message), and asks the
//     root for everything beyond itself by returning actions.
//   - view draws c.w × c.h cells from the state update left; it changes nothing.
//   - keys is its key help, drawn in its footer.
type screen interface {
	update(msg tea.Msg) (tea.Cmd, []action)
	view() ([]string, *tea.Cursor)
	keys() helpFor
}

// animator is a screen with something that moves by itself (a spinner, a countdown); the root
// keeps a timer running only while the top screen says so.
type animator interface {
	animating() (spin, count bool)
}

// action is what a screen asks of the root. Only the root carries actions out.
type action interface{ isAction() }

type (
	actForm struct {
		mode  formMode
		order *model.Order
		line  *model.StatementLine
	} // open the entry form (order: what is edited or undone; line: a statement line to fill it from)
	actDetail    struct{ id string }     // open an order's detail
	actSummary   struct{ day time.Time } // open the day summary
	actReconcile struct{ day time.Time } // open the day against the bank's statement
	actHelp      struct {
		screen string
		keys   helpFor
	} // open the help of one screen: its keys
	actBack  struct{}            // close the top screen
	actAsk   struct{ p *prompt } // ask on the bottom line; the answer comes back as an answer
	actFlash struct {            // say something on the message line
		text string
		bad  bool
	}
	actQuit    struct{}            // quit (asking first while orders are still on their way)
	actRefresh struct{ id string } // something changed: re-read the counts, and order id ("-": the selected one; "": none) where it shows
)

func (actForm) isAction()      {}
func (actDetail) isAction()    {}
func (actSummary) isAction()   {}
func (actReconcile) isAction() {}
func (actHelp) isAction()      {}
func (actBack) isAction()      {}
func (actAsk) isAction()       {}
func (actFlash) isAction()     {}
func (actQuit) isAction()      {}
func (actRefresh) isAction()   {}

// Messages every screen may get.
type (
	// actionsMsg is how a command finishes with actions for the root (a flash after a retry,
	// a refresh after a cancel).
	actionsMsg []action
	// orderChanged is an order's new row, published by the uploader.
	orderChanged struct{ order model.Order }
	// refreshMsg asks every screen showing order id ("-": the journal's selected one) to read it again.
	refreshMsg struct{ id string }
	// answer is the reply to a screen's question (actAsk), sent to the screen on top.
	answer struct {
		kind    promptKind
		orderID string
		value   string // what was typed (a line prompt)
		yes     bool   // y or enter (a yes/no prompt)
		esc     bool   // esc: the question was put away
	}
)

// done is the usual end of a command that acted on the journal: say how it went, and re-read
// the counts and order id ("" none).
func done(text string, bad bool, id string) actionsMsg {
	return actionsMsg{actFlash{text, bad}, actRefresh{id}}
}
