// Package ui is banksale's terminal screen: the journal of orders with their live upload state,
// the entry form for sales, voids and refunds, an order's detail, the day summary and help.
//
// Where things are:
//   - app.go: Model, the only Bubble Tea model. It owns the stack of screens, the question on
//     the bottom line (prompt.go), the uploader's events and the counts, and it alone carries
//     out the actions screens return.
//   - screen.go: the contract every screen keeps, the actions and the shared messages.
//   - common.go: what every screen is given (dependencies, styles, keys, language, clock, the
//     root's live state to read) and the header and footer they draw.
//   - journal.go, form.go, detail.go, summary.go, help.go: one screen each; order_keys.go: the
//     keys that act on one order, shared by the journal and the detail.
//   - deps.go: the journal, desk and uploader interfaces the screens use; keys.go, style.go,
//     text.go: the key map, the looks and every sentence in both languages.
//
// Rules: Update does no I/O (a command does, and answers with a message); View changes
// nothing; a screen never sees the root, it returns actions; text from outside is drawn only
// through termtext.Clean.
//
// To add a screen: write one file with a struct holding *common that implements screen
// (update, view, keys) and a constructor; add an action that opens it and its case in
// Model.act; return that action from the key that leads to it. Its commands' messages reach it
// through Model.broadcast; TestCatalog checks its sentences are in text.go in both languages.
package ui
