// Package desk is what a supervisor can do to the journal, for the screen and the command line
// alike: save a typed order (new or edited) and wake the uploader, cancel an order with a
// reason, retry one or every failed order, import files, offer the next order number.
//
// Every rule about what may be stored is enforced here, once, so the two front ends cannot
// drift apart: a draft is built and validated by model, a cancel reason is cleaned and checked
// by model.CleanReason, a retry is allowed by Status.CanRetry. The journal checks the same
// things again as the last line. The desk declares what it needs of the journal and the
// uploader and knows nothing of SQLite, HTTP or a terminal.
package desk

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"banksale/model"
)

// Journal is what the desk needs of the journal; *storage.Journal satisfies it.
type Journal interface {
	Get(ctx context.Context, orderID string) (model.Order, error)
	Insert(ctx context.Context, s model.Sale, by string) (model.Order, error)
	Edit(ctx context.Context, s model.Sale, by string) (model.Order, error)
	Void(ctx context.Context, orderID, reason, by string) (model.Order, error)
	Retry(ctx context.Context, now time.Time, by string, ids ...string) (int, error)
	RetryFailed(ctx context.Context, now time.Time, by string) (int, error)
	NextOrderID(ctx context.Context, storeNo, deskCode string, day time.Time) (string, error)
	DeskCode() string
	ImportSeq(ctx context.Context, sales iter.Seq[model.Sale], by string) (model.ImportResult, error)
}

// Uploader is what the desk needs of an uploader running in the same process; *sync.Uploader
// satisfies it. Without one (a command that does not upload), a retry is written to the
// journal and the next upload picks it up.
type Uploader interface {
	Notify()
	Retry(ctx context.Context, by string, ids ...string) error
	RetryFailed(ctx context.Context, by string) (int, error)
}

// Config is how the desk validates and what it fills in.
type Config struct {
	// Rules are the validation rules (void sale type, refund window, card key, operator, ip,
	// mac). Rules.Now is ignored: the desk's clock decides "now" at each call.
	Rules model.Rules
	// StoreNo and CommType fill store_no and communicate_type of imported rows that leave them
	// empty, as the entry form does from the config; StoreNo also numbers new orders.
	StoreNo  string
	CommType model.CommType
	// DeskCode is this PC's part of the order numbers it makes (store.desk_code); "" takes the
	// code the journal drew when it was created.
	DeskCode string
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Desk carries out a supervisor's actions. Its methods are safe for concurrent use.
type Desk struct {
	j   Journal
	up  Uploader
	cfg Config
}

// New makes a desk on j. up may be nil: nothing uploads in this process.
func New(j Journal, up Uploader, cfg Config) *Desk {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Desk{j: j, up: up, cfg: cfg}
}

// By is who the desk's changes are recorded as: the signed-in operator.
func (d *Desk) By() string {
	if d.cfg.Rules.Operator != "" {
		return d.cfg.Rules.Operator
	}
	return "banksale"
}

// Rules are the rules a draft is validated with now, as a person types it (amounts in yuan).
func (d *Desk) Rules() model.Rules {
	r := d.cfg.Rules
	r.Now = d.cfg.Now().In(model.CST)
	r.AmountInFen = false
	return r
}

// SaveNew journals a new order typed by a person and wakes the uploader. A draft with errors
// is refused with a *model.ValidationError holding them; the same order already journaled gives
// it back with model.ErrExists; another order holding its order_id, a *model.ConflictError.
func (d *Desk) SaveNew(ctx context.Context, dr model.Draft) (model.Order, error) {
	return d.save(ctx, dr, d.j.Insert)
}

// SaveEdit replaces the content of a pending or rejected order with what a person typed, and
// wakes the uploader: the order goes back to pending, to be sent again.
func (d *Desk) SaveEdit(ctx context.Context, dr model.Draft) (model.Order, error) {
	return d.save(ctx, dr, d.j.Edit)
}

func (d *Desk) save(ctx context.Context, dr model.Draft, write func(context.Context, model.Sale, string) (model.Order, error)) (model.Order, error) {
	s, is := dr.Build(d.Rules())
	if is.HasErrors() {
		return model.Order{}, &model.ValidationError{Issues: is.Errors()}
	}
	o, err := write(ctx, s, d.By())
	if err == nil || errors.Is(err, model.ErrExists) {
		d.notify()
	}
	return o, err
}

func (d *Desk) notify() {
	if d.up != nil {
		d.up.Notify()
	}
}

// Cancel cancels an order here, before head office has it: it is kept, marked voided, with the
// reason, and never uploaded. The reason is cleaned; an empty or too long one, or one holding a
// card number, is refused with a *model.ValidationError naming model.FieldVoidReason.
func (d *Desk) Cancel(ctx context.Context, orderID, reason string) (model.Order, error) {
	r, is := model.CleanReason(reason)
	if is.HasErrors() {
		return model.Order{}, &model.ValidationError{Issues: is}
	}
	return d.j.Void(ctx, orderID, r, d.By())
}

// StatusError says an order is not in a status that allows what was asked.
type StatusError struct {
	Status model.Status
	Op     string // what was asked, as the word for its result: "retried"
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("it is %s: it cannot be %s", e.Status, e.Op)
}

// OrderError is the refusal of one order among several asked for at once.
type OrderError struct {
	OrderID string
	Err     error // wraps model.ErrNotFound, a *StatusError, …
}

func (e *OrderError) Error() string { return fmt.Sprintf("order %s: %v", e.OrderID, e.Err) }
func (e *OrderError) Unwrap() error { return e.Err }

// Retry makes the named orders due for upload now, their backoff reset (and the uploader's
// pause cleared, when one runs here). Only orders that may be retried (Status.CanRetry) are;
// each other one is refused in the returned error, an errors.Join of one *OrderError per order.
// n is how many were made due.
func (d *Desk) Retry(ctx context.Context, ids ...string) (n int, err error) {
	var due []string
	var errs []error
	for _, id := range ids {
		o, err := d.j.Get(ctx, id)
		switch {
		case err != nil:
			errs = append(errs, &OrderError{OrderID: id, Err: err})
		case !o.Status.CanRetry():
			errs = append(errs, &OrderError{OrderID: id, Err: &StatusError{Status: o.Status, Op: "retried"}})
		default:
			due = append(due, id)
		}
	}
	if len(due) > 0 {
		if d.up != nil {
			if err := d.up.Retry(ctx, d.By(), due...); err != nil {
				return 0, errors.Join(append(errs, err)...)
			}
			n = len(due)
		} else if n, err = d.j.Retry(ctx, d.cfg.Now(), d.By(), due...); err != nil {
			return 0, errors.Join(append(errs, err)...)
		}
	}
	return n, errors.Join(errs...)
}

// RetryFailed makes every order waiting for a retry or rejected due now (and clears the
// uploader's pause, when one runs here); n is how many.
func (d *Desk) RetryFailed(ctx context.Context) (int, error) {
	if d.up != nil {
		return d.up.RetryFailed(ctx, d.By())
	}
	return d.j.RetryFailed(ctx, d.cfg.Now(), d.By())
}

// NextOrderID offers the next free generated order number of a store today (storeNo ""
// is the configured store): store + yyyymmdd + desk code + a 4-digit sequence, so two PCs of one
// store never make the same. It reserves nothing.
func (d *Desk) NextOrderID(ctx context.Context, storeNo string) (string, error) {
	if storeNo == "" {
		storeNo = d.cfg.StoreNo
	}
	return d.j.NextOrderID(ctx, storeNo, d.DeskCode(), d.cfg.Now())
}

// DeskCode is this PC's part of the order numbers: the configured one, else the journal's.
func (d *Desk) DeskCode() string {
	if d.cfg.DeskCode != "" {
		return d.cfg.DeskCode
	}
	return d.j.DeskCode()
}
