// Package ui is banksale's terminal screen: the journal of orders with their live upload state,
// the entry form for sales, voids and refunds, an order's detail, the day summary and help.
//
// It talks to the journal and the uploader only through the small interfaces below, and does
// no I/O inside Update: every read or write runs in a tea.Cmd that answers with a message.
package ui

import (
	"context"
	"log/slog"
	"time"

	"banksale/model"
	"banksale/storage"
	"banksale/sync"
)

// Journal is what the screens need from the journal; *storage.Journal satisfies it.
type Journal interface {
	List(ctx context.Context, f model.Filter, after model.Cursor, limit int) ([]model.Order, error)
	ListBefore(ctx context.Context, f model.Filter, before model.Cursor, limit int) ([]model.Order, error)
	Counts(ctx context.Context) (map[model.Status]int, error)
	Get(ctx context.Context, orderID string) (model.Order, error)
	Insert(ctx context.Context, s model.Sale, by string) (model.Order, error)
	Edit(ctx context.Context, s model.Sale, by string) (model.Order, error)
	Void(ctx context.Context, orderID, reason, by string) (model.Order, error)
	NextOrderID(ctx context.Context, storeNo string, day time.Time) (string, error)
	Related(ctx context.Context, originalID, excludeOrderID string) (model.Related, error)
	Duplicates(ctx context.Context, s model.Sale) (model.Issues, error)
	DaySummary(ctx context.Context, day time.Time) (model.Summary, error)
	Attempts(ctx context.Context, orderID string) ([]model.Attempt, error)
	Audit(ctx context.Context, orderID string) ([]model.AuditEntry, error)
}

// Uploader is what the screens need from the uploader; *sync.Uploader satisfies it.
type Uploader interface {
	Notify()
	Subscribe() (<-chan model.Event, func())
	State() model.UploadState
	Retry(ctx context.Context, by string, ids ...string) error
	RetryFailed(ctx context.Context, by string) (int, error)
	Resume()
}

var (
	_ Journal  = (*storage.Journal)(nil)
	_ Uploader = (*sync.Uploader)(nil)
)

// Deps is everything the screen needs, decided by main.
type Deps struct {
	Journal  Journal
	Uploader Uploader // nil: no uploader in this process (the screen says so)
	Lang     model.Lang
	Rules    model.Rules // VoidSaleType, RefundWarnDays, CardKey, Operator, IP, MAC

	StoreNo, TerminalNo, BankShopNo string
	CommType                        model.CommType

	Store string // shown in the header
	Demo  bool
	Log   *slog.Logger

	// Now is the clock; nil means time.Now. Tests fix it so screens are stable.
	Now func() time.Time
}
