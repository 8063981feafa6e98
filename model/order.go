package model

import "time"

// Order is one journaled sale with where it stands on its way to head office.
type Order struct {
	Sale
	ID            int64 // the journal's row id: the tiebreak of the newest-first order
	Status        Status
	Attempts      int
	NextAttemptAt time.Time // zero when not scheduled
	LeaseUntil    time.Time
	LastCode      int // gateway code of the last failure (0 none)
	LastSubCode   string
	LastMessage   string // the gateway's words or the transport error, short
	// LastClass is what the last failure was: an attempt's class (transient, duplicate, …), or
	// ClassGaveUp; what it means is worded by whoever shows it.
	LastClass  string
	RequestID  string // of the last answer
	VoidReason string
	Payload    []byte // the DTO JSON frozen at the first claim (empty before): every attempt sends these bytes
	// PayloadDamaged: the frozen payload no longer has the checksum taken when it was frozen, so
	// the journal file was changed or damaged under it. Such an order is never sent.
	PayloadDamaged bool
	// MaybeAtGateway: an earlier attempt's outcome is unknown, so head office may hold the order
	// already (a duplicate answer then confirms the upload).
	MaybeAtGateway bool
	// WaitingSince is when the order last became due by a person's act: journaled, edited or
	// retried by hand. Retrying longer than the uploader's give-up time hands it to a person.
	WaitingSince time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	CreatedBy    string
	UpdatedBy    string
	// Undone is what the journal's voids and refunds of this sale did to it; a sale read by
	// List or Get carries it.
	Undone Undone
	// Disagrees is where an order not yet at head office differs from the imported statement
	// line that matches it (List and Get fill it): a typo to fix before it is uploaded.
	Disagrees []Disagreement
	// StatementLine is that line's FILE:ROW ("" when no line matches).
	StatementLine string
}

// Undone is what became of a sale after it was made: the void and the refunds in the journal
// that undo it, those cancelled here (status voided) left out, as they undo nothing.
type Undone struct {
	Void    *Correction  // the void of the sale, nil when none
	Refunds []Correction // oldest first
}

// Correction is one void or refund of a sale.
type Correction struct {
	OrderID string
	Amount  Amount
	Status  Status
}

// Refunded is the total of the refunds.
func (u Undone) Refunded() Amount {
	var sum Amount
	for _, r := range u.Refunds {
		sum += r.Amount
	}
	return sum
}

// Arrived is the part of the refunds head office has (those uploaded). A void or refund still
// on its way undoes nothing there yet, and the screen must not say it does.
func (u Undone) Arrived() Amount {
	var sum Amount
	for _, r := range u.Refunds {
		if r.Status == StatusUploaded {
			sum += r.Amount
		}
	}
	return sum
}

// Waiting reports whether a void or refund of the sale has not reached head office yet.
func (u Undone) Waiting() bool {
	if u.Void != nil && u.Void.Status != StatusUploaded {
		return true
	}
	for _, r := range u.Refunds {
		if r.Status != StatusUploaded {
			return true
		}
	}
	return false
}

// Any reports whether a void or a refund undoes the sale.
func (u Undone) Any() bool { return u.Void != nil || len(u.Refunds) > 0 }

// FullyRefunded reports whether the refunds add up to the whole sale.
func (o Order) FullyRefunded() bool {
	return len(o.Undone.Refunds) > 0 && o.Undone.Refunded() >= o.TradeAmount
}

// Attempt is one try to upload an order.
type Attempt struct {
	OrderID   string
	N         int
	StartedAt time.Time
	Latency   time.Duration
	Outcome   string // "uploaded", "retrying", "rejected", "paused"
	Class     string
	Code      int
	SubCode   string
	Message   string
	RequestID string
	Answer    string // an unreadable or unexpected answer as it came, bounded
}

// AuditEntry is one change to an order and who made it.
type AuditEntry struct {
	At                 time.Time
	By, Action, Detail string // actions: insert, edit, void, retry, upload, reject, import
}

// Outcome is what one upload attempt came to, as the uploader hands it to the journal.
type Outcome struct {
	OrderID       string
	Status        Status    // uploaded | retrying | rejected
	NextAttemptAt time.Time // for retrying
	Attempt       Attempt   // N is filled in by the journal
	AtGateway     AtGateway // what the attempt says about a copy at the gateway
}

// ClassGaveUp is the LastClass of an order that retried longer than the uploader's give-up time.
const ClassGaveUp = "gave-up"

// ClassDamaged is the LastClass of an order stopped before a send because its frozen payload
// was damaged in the journal file (Order.PayloadDamaged).
const ClassDamaged = "damaged"

// AtGateway is what an attempt says about whether head office may hold the order.
type AtGateway int

const (
	AtGatewayUnchanged AtGateway = iota // the attempt says nothing new
	AtGatewayMaybe                      // its outcome is unknown: the gateway may have it now
	AtGatewayNot                        // the gateway definitely refused these bytes: it does not hold them
)

// SummaryRow is the count and amount of one channel × sub type on a day.
type SummaryRow struct {
	Channel Channel
	SubType SubType
	Count   int
	Amount  Amount
}

// Summary is one day's orders.
type Summary struct {
	Day      time.Time
	Rows     []SummaryRow
	Net      Amount // sales − voids − refunds, voided orders excluded
	ByStatus map[Status]int
}

// Filter narrows a listing; the zero Filter lists everything.
type Filter struct {
	Statuses []Status // empty = all
	Channel  Channel  // "" = all
	SubType  SubType  // "" = all
	From, To time.Time
	// Corrections narrows to voids and refunds and the sales they undo.
	Corrections bool
	// Search matches the start or the end of order_id, sequence_no, pos_trace_no or
	// trade_ref_no, case aside, and the start of original_order_id (a sale's number finds
	// its voids and refunds).
	Search string
}

// Cursor is a position in the newest-first order of the journal. The zero Cursor is the newest end.
type Cursor struct {
	TradeTime time.Time
	ID        int64
}

// CursorOf is the position of o.
func CursorOf(o Order) Cursor { return Cursor{TradeTime: o.TradeTime, ID: o.ID} }

// IsZero reports whether c is the newest end.
func (c Cursor) IsZero() bool { return c.ID == 0 && c.TradeTime.IsZero() }

// ImportResult says what the journal did with each sale of an import.
type ImportResult struct {
	Inserted, Skipped int
	Refused           []ImportRefusal // in the order of the sales given
}

// ImportRefusal is one sale an import did not journal.
type ImportRefusal struct {
	Index   int // the sale's position among those given (from 0)
	OrderID string
	Reason  error
}

// The desk code is part of every generated order number, so two back-office PCs of one store
// never number two sales alike: store + yyyymmdd + desk code + a 4-digit sequence
// (HZ0120261129K7Q0001). It is 1 to 4 capital letters or digits.
const (
	MaxDeskCode = 4
	// DeskCodeLetters are what a drawn desk code is made of: no I, O, 0 or 1, which a person
	// reading an order number aloud mixes up.
	DeskCodeLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
)

// ValidDeskCode reports whether s can be a desk code.
func ValidDeskCode(s string) bool {
	if len(s) < 1 || len(s) > MaxDeskCode {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
