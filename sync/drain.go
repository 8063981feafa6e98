package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"banksale/model"
)

// DrainResult is where the journal and the uploader stand when Drain returns. It states facts;
// what they mean for a command's exit status is the command's business.
type DrainResult struct {
	Counts   map[model.Status]int
	TimedOut bool
	// Paused is the last pause the uploader was in while Drain watched (Mode ModePaused), or the
	// zero state: Drain stops the uploader before it returns, which clears the pause itself.
	Paused model.UploadState
}

// AllUploaded says every order is uploaded (or was cancelled here): nothing is left to send.
func (r DrainResult) AllUploaded() bool {
	for st, n := range r.Counts {
		if n > 0 && st != model.StatusUploaded && st != model.StatusVoided {
			return false
		}
	}
	return r.Counts != nil
}

// NeedsPerson says uploading stopped short of everything for a reason only a person can change:
// orders were refused (or wait on a refused original), or the uploader was paused.
func (r DrainResult) NeedsPerson() bool {
	return !r.TimedOut && (r.Paused.Mode == model.ModePaused || !r.AllUploaded())
}

// drainProgressEvery paces the progress callback (and the Counts query behind it).
const drainProgressEvery = 500 * time.Millisecond

// Drain uploads until nothing is left that the uploader can send by itself: every order is
// uploaded, or what remains needs a person (rejected, a void or refund whose original was refused,
// or the uploader paused), or maxWait (0 = no limit) passes. It runs u itself unless u is already
// running (then it only watches; do not start Run concurrently with Drain), and stops it before
// returning, so every order it claimed has its outcome recorded and none is left "uploading".
// progress, if not nil, gets the journal's counts now and then.
func Drain(ctx context.Context, u *Uploader, maxWait time.Duration, progress func(map[model.Status]int)) (DrainResult, error) {
	waitCtx := ctx
	if maxWait > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, maxWait)
		defer cancel()
	}

	store := u.store
	events, unsubscribe := u.Subscribe()
	defer unsubscribe()
	var paused model.UploadState

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
		case ev := <-events:
			switch {
			case ev.Order != nil:
			case ev.State.Mode == model.ModePaused:
				paused = ev.State
			case ev.State.Mode == model.ModeUploading:
				paused = model.UploadState{}
			}
		case <-u.settled:
		case <-tick.C:
			report()
		}
	}
	// Before stopping: a stopped uploader is no longer paused.
	if st := u.State(); st.Mode == model.ModePaused {
		paused = st
	}
	if err := stopRun(); err != nil {
		return DrainResult{Counts: finalCounts(store), TimedOut: timedOut, Paused: paused}, fmt.Errorf("sync: drain: %w", err)
	}
	res := DrainResult{Counts: finalCounts(store), TimedOut: timedOut, Paused: paused}
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
