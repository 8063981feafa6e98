package ui

import (
	"context"
	"log/slog"
	"time"

	"banksale/model"
)

// Journal is what the screens read of the journal; *storage.Journal satisfies it. Every
// change goes through Desk.
type Journal interface {
	List(ctx context.Context, f model.Filter, after model.Cursor, limit int) ([]model.Order, error)
	ListBefore(ctx context.Context, f model.Filter, before model.Cursor, limit int) ([]model.Order, error)
	Counts(ctx context.Context) (map[model.Status]int, error)
	OldestWaiting(ctx context.Context) (time.Time, bool, error)
	Get(ctx context.Context, orderID string) (model.Order, error)
	Related(ctx context.Context, originalID, excludeOrderID string) (model.Related, error)
	Duplicates(ctx context.Context, s model.Sale) (model.Issues, error)
	// Check looks the journal over for damage; the screen runs the quick one at start.
	Check(ctx context.Context, quick bool) (model.Health, error)
	DaySummary(ctx context.Context, day time.Time) (model.Summary, error)
	Attempts(ctx context.Context, orderID string) ([]model.Attempt, error)
	Audit(ctx context.Context, orderID string) ([]model.AuditEntry, error)
	// DayOrders is every order of a day and StatementDay its imported statement lines, for the
	// reconcile screen.
	DayOrders(ctx context.Context, day time.Time) ([]model.Order, error)
	StatementDay(ctx context.Context, day time.Time) ([]model.StatementLine, error)
	// StatementFind is the bank statement's lines a value typed in the form points at.
	StatementFind(ctx context.Context, field, value string, limit int) ([]model.StatementLine, error)
}

// Desk is what a supervisor can do, the same for the screen as for the command line;
// *desk.Desk satisfies it. Its refusals are model's error kinds.
type Desk interface {
	SaveNew(ctx context.Context, d model.Draft) (model.Order, error)
	SaveEdit(ctx context.Context, d model.Draft) (model.Order, error)
	Cancel(ctx context.Context, orderID, reason string) (model.Order, error)
	Retry(ctx context.Context, ids ...string) (int, error)
	RetryFailed(ctx context.Context) (int, error)
	NextOrderID(ctx context.Context, storeNo string) (string, error)
}

// Uploader is what the screen watches of the uploader; *sync.Uploader satisfies it.
type Uploader interface {
	Subscribe() (<-chan model.Event, func())
	State() model.UploadState
}

// Deps is everything the screen needs, decided by main.
type Deps struct {
	Journal  Journal
	Desk     Desk
	Uploader Uploader // nil: no uploader in this process (the screen says so)
	Lang     model.Lang
	Rules    model.Rules // VoidSaleType, RefundWarnDays, CardKey, Operator, IP, MAC

	StoreNo, TerminalNo, BankShopNo string
	CommType                        model.CommType

	Store    string // shown in the header
	DeskCode string // this PC's part of the order numbers, shown in the header
	Demo     bool
	Log      *slog.Logger
	// Notices are the configuration's warnings (things that work but should be fixed), shown
	// on the message line when the screen opens: stderr is hidden by the screen at once.
	Notices []string

	// Now is the clock; nil means time.Now. Tests fix it so screens are stable.
	Now func() time.Time

	// For tests, which drive time and the uploader's events themselves: no timers are started
	// (NoTick), and the uploader's events are not read by the program (ManualEvents). Tests
	// that run every command to its end also leave out the look over the journal at start
	// (NoStartCheck): on a million orders it reads for seconds, in the background of a real
	// screen but in the way of a test's first frame.
	NoTick, ManualEvents, NoStartCheck bool
}
