package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"banksale/model"
)

// DrainResult is where the journal stands when Drain returns.
type DrainResult struct {
	Counts   map[model.Status]int
	TimedOut bool
}

// Exit codes of `banksale sync --drain`.
const (
	ExitAllUploaded = 0 // nothing left to upload
	ExitNeedsPerson = 1 // some orders were refused, wait for their original, or the uploader is paused
	ExitTimedOut    = 2 // max-wait passed with orders still on their way
)

// ExitCode maps the result to the command's exit status.
func (r DrainResult) ExitCode() int {
	if r.TimedOut {
		return ExitTimedOut
	}
	for st, n := range r.Counts {
		if n > 0 && st != model.StatusUploaded && st != model.StatusVoided {
			return ExitNeedsPerson
		}
	}
	return ExitAllUploaded
}

// drainProgressEvery paces the progress callback (and the Counts query behind it).
const drainProgressEvery = 500 * time.Millisecond

// Drain uploads until nothing is left that the uploader can send by itself: every order is
// uploaded, or what remains needs a person (rejected, a void or refund whose original was refused,
// or the uploader paused), or maxWait (0 = no limit) passes. It runs u itself unless u is already
// running (then it only watches; do not start Run concurrently with Drain), and stops it before
// returning, so every order it claimed has its outcome recorded and none is left "uploading".
// progress, if not nil, gets the journal's counts now and then.
func Drain(ctx context.Context, u *Uploader, store Store, maxWait time.Duration, progress func(map[model.Status]int)) (DrainResult, error) {
	waitCtx := ctx
	if maxWait > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, maxWait)
		defer cancel()
	}

	events, unsubscribe := u.Subscribe()
	defer unsubscribe()

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	runDone := make(chan error, 1)
	ours := !u.running.Load()
	if ours {
		go func() { runDone <- u.Run(runCtx) }()
	}
	// stopRun ends our Run and waits for it: only then are the counts final.
	stopRun := func() error {
		if !ours {
			return nil
		}
		stop()
		err := <-runDone
		ours = false
		if errors.Is(err, ErrRunning) {
			return nil
		}
		return err
	}
	defer func() { _ = stopRun() }()

	report := func() {
		if progress == nil {
			return
		}
		if c, err := store.Counts(waitCtx); err == nil {
			progress(c)
		}
	}
	report()
	tick := time.NewTicker(drainProgressEvery)
	defer tick.Stop()

	timedOut := false
wait:
	for !u.isSettled() {
		select {
		case <-waitCtx.Done():
			if ctx.Err() != nil {
				_ = stopRun()
				return DrainResult{Counts: finalCounts(store)}, fmt.Errorf("sync: drain: %w", ctx.Err())
			}
			timedOut = true
			break wait
		case err := <-runDone:
			ours = false
			if errors.Is(err, ErrRunning) {
				continue // someone else runs it: keep watching
			}
			if err == nil {
				err = errors.New("the uploader stopped")
			}
			return DrainResult{Counts: finalCounts(store)}, fmt.Errorf("sync: drain: %w", err)
		case <-events:
		case <-u.settled:
		case <-tick.C:
			report()
		}
	}
	if err := stopRun(); err != nil {
		return DrainResult{Counts: finalCounts(store), TimedOut: timedOut}, fmt.Errorf("sync: drain: %w", err)
	}
	res := DrainResult{Counts: finalCounts(store), TimedOut: timedOut}
	if progress != nil && res.Counts != nil {
		progress(res.Counts)
	}
	return res, nil
}

// settled: nothing in flight, and nothing more will be sent without a person or a new order.
func (u *Uploader) isSettled() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.active && u.inFlight == 0 && (u.pause != nil || u.quiet)
}

// finalCounts reads the counts even when the caller's context has ended: the command's summary
// line and exit status depend on them.
func finalCounts(store Store) map[model.Status]int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := store.Counts(ctx)
	if err != nil {
		return nil
	}
	return c
}
