package model

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The kinds of failure every part of banksale speaks of; test them with errors.Is and
// errors.As. The journal, the desk, the screen and the command line all use these, so a
// refusal means the same thing, and is worded the same way, wherever it happens.
var (
	ErrNotFound    = errors.New("order not found")
	ErrNotEditable = errors.New("order can no longer be changed (uploading, uploaded or voided)")
	ErrBusy        = errors.New("order is being uploaded right now")
	// ErrDiskFull: a write failed for lack of space on the disk that holds the journal. Nothing
	// already journaled is lost; the write can be tried again once there is space.
	ErrDiskFull = errors.New("the disk holding the journal is full")
	ErrExists   = errors.New("the same order is already in the journal")
	ErrInUse    = errors.New("journal in use by another banksale process")
)

// InUseError says another process owns the journal; it matches ErrInUse.
type InUseError struct {
	Path  string
	PID   int
	Host  string
	Since time.Time
	// NotBanksale: the banksale the lock file names has ended, so what holds the lock now is
	// another program (a backup, sync or antivirus tool that opened the lock file).
	NotBanksale bool
}

func (e *InUseError) Error() string {
	if e.NotBanksale {
		return fmt.Sprintf("journal %s is locked by a program that is not banksale (the last banksale to own it, "+
			"process %d, has ended)", e.Path, e.PID)
	}
	if e.PID == 0 {
		return fmt.Sprintf("journal %s is in use by another banksale process", e.Path)
	}
	return fmt.Sprintf("journal %s is in use by banksale process %d on %s since %s",
		e.Path, e.PID, e.Host, e.Since.In(CST).Format(TimeLayout))
}

func (e *InUseError) Is(target error) bool { return target == ErrInUse }

// ConflictError says the order_id is already taken by a different sale.
type ConflictError struct{ OrderID string }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("order_id %s is already in the journal with different content", e.OrderID)
}

// ValidationError is something that may not be stored, with the findings that say why: an
// order's fields, a void or refund against its original, a cancel reason. Only its errors
// refuse; it may carry warnings beside them.
type ValidationError struct{ Issues Issues }

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("refused:")
	for _, is := range e.Issues.Errors() {
		b.WriteString(" ")
		b.WriteString(is.Field)
		b.WriteString(": ")
		b.WriteString(is.Message(EN))
		b.WriteString(";")
	}
	return strings.TrimSuffix(b.String(), ";")
}

// Message is the first error in words, in l, naming its field: what a screen or a command
// line says when it has room for one sentence.
func (e *ValidationError) Message(l Lang) string {
	for _, is := range e.Issues.Errors() {
		return is.Message(l)
	}
	return e.Error()
}
